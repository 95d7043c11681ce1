"""HTML the Kubernetes dashboards share: a ✓/✗ grid and a usage bar, everything escaped."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Mark", "bar", "mark_grid"]

_GREEN, _RED, _ORANGE, _GREY = "#2e7d32", "#c62828", "#ef6c00", "#999"

_GRID_CSS = (
    ".labkit-grid{border-collapse:collapse;font-family:monospace;font-size:12px}"
    ".labkit-grid th,.labkit-grid td{padding:2px 10px;border:1px solid #ddd;text-align:center}"
    ".labkit-grid th.row{text-align:left}"
)


@dataclass(frozen=True)
class Mark:
    """One grid cell: ``True`` (green ✓), ``False`` (red ✗) or ``None`` (an orange error)."""

    ok: bool | None
    detail: str = ""

    @property
    def symbol(self) -> str:
        """``"✓"``, ``"✗"`` or ``"?"``."""
        return {True: "✓", False: "✗", None: "?"}[self.ok]


def _cell(mark: Mark | None) -> str:
    if mark is None:
        return f'<td style="color:{_GREY}">–</td>'
    colour = {True: _GREEN, False: _RED, None: _ORANGE}[mark.ok]
    return (
        f'<td title="{html.escape(mark.detail)}" style="color:{colour};font-weight:bold">'
        f"{mark.symbol}</td>"
    )


def mark_grid(
    rows: Sequence[str], columns: Sequence[str], cells: Mapping[tuple[str, str], Mark], empty: str
) -> str:
    """An HTML grid: one row per ``rows`` label, one column per ``columns`` label.

    Args:
        rows: the row labels.
        columns: the column labels.
        cells: the `Mark` of each ``(row, column)``; a missing one shows "–".
        empty: the sentence shown instead of a grid without rows or columns.

    Returns:
        The HTML fragment; each cell's detail is its tooltip.
    """
    if not rows or not columns:
        return f"<p><i>{html.escape(empty)}</i></p>"
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join(
        f'<tr><th class="row">{html.escape(row)}</th>'
        + "".join(_cell(cells.get((row, column))) for column in columns)
        + "</tr>"
        for row in rows
    )
    return (
        f'<style>{_GRID_CSS}</style><table class="labkit-grid">'
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def bar(fraction: float, label: str, width: int = 200) -> str:
    """A horizontal bar filled to ``fraction`` (0..1+), green, orange from 80 %, red at 100 %."""
    shown = max(0.0, min(fraction, 1.0))
    colour = _RED if fraction >= 1 else _ORANGE if fraction >= 0.8 else _GREEN
    return (
        f'<span style="display:inline-block;width:{width}px;height:10px;background:#eee;'
        f'vertical-align:middle"><span style="display:block;height:10px;'
        f'width:{shown * 100:.0f}%;background:{colour}"></span></span> '
        f'<span style="color:{colour}">{html.escape(label)}</span>'
    )
