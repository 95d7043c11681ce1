"""A compose model drawn as SVG: service boxes in rows by dependency depth, depends_on arrows."""

from __future__ import annotations

import html
from collections.abc import Mapping

from ._compose_model import ComposeModel
from ._compose_service import Service
from ._html import shorten

__all__ = ["STATE_COLOURS", "compose_svg"]

# Stroke and fill of a service box, by container state; any other state is drawn as "other".
STATE_COLOURS: dict[str, tuple[str, str]] = {
    "running": ("#2e7d32", "#e8f5e9"),
    "exited": ("#c62828", "#ffebee"),
    "dead": ("#c62828", "#ffebee"),
    "absent": ("#9e9e9e", "#f5f5f5"),
    "other": ("#ef6c00", "#fff3e0"),
}

# Geometry of the graph, in pixels.
_BOX_W, _LINE, _HEAD, _GAP_X, _GAP_Y, _MARGIN = 210, 15, 24, 30, 50, 16


def _box_lines(service: Service) -> list[str]:
    """The lines of text under a service's name."""
    named = {
        "ports": ", ".join(service.ports),
        "networks": ", ".join(service.networks),
        "volumes": ", ".join(service.volumes),
    }
    return [service.image] + [f"{key}: {value}" for key, value in named.items() if value]


def _text(x: float, y: float, text: str, **attrs: str) -> str:
    """An SVG ``<text>`` element."""
    extra = "".join(f' {key.replace("_", "-")}="{value}"' for key, value in attrs.items())
    return f'<text x="{x:.0f}" y="{y:.0f}"{extra}>{html.escape(text)}</text>'


def _svg_box(service: Service, state: str, x: float, y: float, height: float) -> str:
    """A service's box: name, state, image, ports, networks and volumes."""
    stroke, fill = STATE_COLOURS.get(state, STATE_COLOURS["other"])
    lines = _box_lines(service)
    tooltip = "\n".join([f"{service.name}: {state}", *lines])
    parts = [
        f'<g class="service" data-service="{html.escape(service.name)}" '
        f'data-state="{html.escape(state)}">',
        f"<title>{html.escape(tooltip)}</title>",
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{_BOX_W}" height="{height:.0f}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>',
        _text(x + 8, y + 17, service.name, font_weight="bold", font_size="13"),
        _text(x + _BOX_W - 8, y + 17, state, fill=stroke, text_anchor="end"),
        *(
            _text(x + 8, y + _HEAD + _LINE * (i + 0.8), shorten(line, 32), fill="#333")
            for i, line in enumerate(lines)
        ),
        "</g>",
    ]
    return "".join(parts)


def _svg_arrow(start: tuple[float, float], end: tuple[float, float], condition: str) -> str:
    """A depends_on arrow, labelled with its condition unless it is the default."""
    (x1, y1), (x2, y2) = start, end
    arrow = (
        f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#555" '
        'stroke-width="1.5" marker-end="url(#labkit-arrow)"/>'
    )
    label = {"service_healthy": "healthy", "service_completed_successfully": "completed"}
    if condition not in label:
        return arrow
    x, y = x1 + 0.7 * (x2 - x1), y1 + 0.7 * (y2 - y1)  # near the head, where arrows part
    return arrow + _text(x + 4, y, label[condition], font_size="10")


def _legend(y: float) -> str:
    """Swatches for the three main states."""
    parts = []
    for i, state in enumerate(("running", "exited", "absent")):
        stroke, fill = STATE_COLOURS[state]
        x = _MARGIN + 90 * i
        parts.append(
            f'<rect x="{x}" y="{y:.0f}" width="12" height="12" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="2"/>' + _text(x + 17, y + 11, state, font_size="11")
        )
    return "".join(parts)


def compose_svg(model: ComposeModel, states: Mapping[str, str] | None = None) -> str:
    """Draw the services as boxes in rows by dependency depth, with depends_on arrows.

    Services that depend on nothing are in the bottom row; each arrow goes from a service down
    to one it depends on. A box's colour gives its state: running (green), exited (red), absent
    (grey, no container), other states (orange).

    Args:
        model: the parsed compose file.
        states: ``{service: container state}``, e.g. from `service_states`; missing = absent.

    Returns:
        A standalone ``<svg>`` element.
    """
    states = states or {}
    top = max(model.levels.values(), default=0)
    rows = [[s for s in model.services if model.levels[s] == top - r] for r in range(top + 1)]
    height = _HEAD + _LINE * max((len(_box_lines(s)) for s in model.services.values()), default=0)
    width = max(max(map(len, rows)) * (_BOX_W + _GAP_X) - _GAP_X + 2 * _MARGIN, 300)
    place: dict[str, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        left = (width - len(row) * (_BOX_W + _GAP_X) + _GAP_X) / 2
        for c, name in enumerate(row):
            place[name] = (left + c * (_BOX_W + _GAP_X), _MARGIN + r * (height + _GAP_Y))

    def spread(x: float, i: int, k: int) -> float:
        return x + _BOX_W * (i + 1) / (k + 1)

    edges = [(s, d, c) for s in model.services for d, c in model.services[s].depends_on.items()]
    arrows = []
    for source, dep, condition in edges:
        outs = sorted((d for s, d, _ in edges if s == source), key=lambda n: place[n])
        ins = sorted((s for s, d, _ in edges if d == dep), key=lambda n: place[n])
        (sx, sy), (dx, dy) = place[source], place[dep]
        start = (spread(sx, outs.index(dep), len(outs)), sy + height)
        end = (spread(dx, ins.index(source), len(ins)), dy - 2)
        arrows.append(_svg_arrow(start, end, condition))
    boxes = [_svg_box(model.services[n], states.get(n, "absent"), *place[n], height) for n in place]
    total_h = _MARGIN + len(rows) * (height + _GAP_Y) - _GAP_Y + 30
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{total_h:.0f}" '
        f'viewBox="0 0 {width:.0f} {total_h:.0f}" font-family="sans-serif" font-size="11">'
        '<defs><marker id="labkit-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
        f"</defs>{''.join(arrows)}{''.join(boxes)}{_legend(total_h - 20)}</svg>"
    )
