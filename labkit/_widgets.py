"""Small live dashboards for the notebooks: containers, image layers, and a compose graph.

Each dashboard has two halves. The *model* is plain functions and frozen dataclasses that turn
the engine's API dicts (or a compose file) into rows, tables and SVG: they are tested with fake
dicts, with no browser and no daemon. The *widget* composes ipywidgets, reads the engine through
an injectable ``api`` object (``client().api`` by default, a fake in tests), and refreshes only
when asked: a Refresh button, or a bounded ``start(every=2.0, times=30)``.

In a notebook::

    from labkit._widgets import ContainerList, LayerExplorer, ComposeGraph

    ContainerList()                       # the engine's containers, filterable
    LayerExplorer("debian:bookworm")      # the layers and config of an image
    ComposeGraph("compose.yaml")          # services, dependencies and their state
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import docker.errors
import ipywidgets as w
import yaml

from ._engine import client
from ._errors import LabkitError, RecipeError

__all__ = [
    "ComposeGraph",
    "ComposeModel",
    "ContainerList",
    "ContainerRow",
    "EngineApi",
    "ImageConfig",
    "LayerExplorer",
    "LayerRow",
    "Service",
    "clean_created_by",
    "compose_states",
    "compose_svg",
    "config_table",
    "container_rows",
    "containers_table",
    "filter_rows",
    "format_ports",
    "human_size",
    "interpolate",
    "image_config",
    "image_tags",
    "layer_rows",
    "layers_table",
    "parse_compose",
    "project_name",
    "service_states",
]

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
INTERNAL_PREFIX = "labkit/"
COMPOSE_DOCS = "https://docs.docker.com/reference/compose-file/services/"
CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")
# Stroke and fill of a service box, by container state; any other state is drawn as "other".
STATE_COLOURS: dict[str, tuple[str, str]] = {
    "running": ("#2e7d32", "#e8f5e9"),
    "exited": ("#c62828", "#ffebee"),
    "dead": ("#c62828", "#ffebee"),
    "absent": ("#9e9e9e", "#f5f5f5"),
    "other": ("#ef6c00", "#fff3e0"),
}
# What a refresh may meet: no engine, an API error (image just removed...), a dropped socket.
_FAILURES = (LabkitError, docker.errors.DockerException, OSError)


class EngineApi(Protocol):
    """The part of ``docker.APIClient`` the dashboards read (a fake one in tests)."""

    def containers(self, all: bool = False) -> list[dict[str, Any]]:
        """Containers as ``GET /containers/json`` returns them."""
        ...

    def images(self) -> list[dict[str, Any]]:
        """Images as ``GET /images/json`` returns them."""
        ...

    def history(self, image: str) -> list[dict[str, Any]]:
        """Layers of ``image``, newest first, as ``GET /images/{name}/history`` returns them."""
        ...

    def inspect_image(self, image: str) -> dict[str, Any]:
        """Everything about ``image``, as ``GET /images/{name}/json`` returns it."""
        ...


# ---------------------------------------------------------------------------------------------
# Small shared helpers: sizes, text, HTML tables.


def human_size(n: int) -> str:
    """Format a size in bytes the way the docker CLI does (1000-based, 3 significant digits).

    Args:
        n: a size in bytes, zero or more.

    Returns:
        ``"0B"``, ``"5.3kB"``, ``"141MB"``, ``"1.23GB"``...

    Raises:
        ValueError: when ``n`` is negative.
    """
    if n < 0:
        raise ValueError(f"a size cannot be negative, got {n}")
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
    size, i = float(n), 0
    while float(f"{size:.3g}") >= 1000 and i < len(units) - 1:
        size, i = size / 1000, i + 1
    return f"{size:.3g}{units[i]}"


def _shorten(text: str, width: int) -> str:
    """``text`` with runs of white space collapsed, cut to ``width`` characters with "…"."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _plural(n: int, word: str) -> str:
    """``"1 container"``, ``"3 containers"``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


_TABLE_CSS = (
    ".labkit-table{border-collapse:collapse;font-family:monospace;font-size:12px}"
    ".labkit-table th,.labkit-table td{padding:2px 12px 2px 0;text-align:left;vertical-align:top}"
    ".labkit-table th{border-bottom:1px solid #ccc}.labkit-table tr.muted{color:#999}"
)


def _table(headers: Sequence[str], rows: Iterable[tuple[Sequence[str], bool]], empty: str) -> str:
    """An HTML table of plain-text cells; rows flagged ``True`` are greyed out.

    Args:
        headers: the column titles.
        rows: ``(cells, muted)`` pairs; the cells are escaped here.
        empty: the sentence shown instead of a table without rows.

    Returns:
        The HTML fragment.
    """
    body = [
        ('<tr class="muted">' if muted else "<tr>")
        + "".join(f"<td>{html.escape(text)}</td>" for text in cells)
        + "</tr>"
        for cells, muted in rows
    ]
    if not body:
        return f"<p><i>{html.escape(empty)}</i></p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    return (
        f'<style>{_TABLE_CSS}</style><table class="labkit-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


# ---------------------------------------------------------------------------------------------
# Containers.


@dataclass(frozen=True)
class ContainerRow:
    """One container as the list shows it."""

    name: str
    image: str
    state: str
    status: str
    ports: str
    project: str | None = None
    service: str | None = None

    @property
    def running(self) -> bool:
        """True when the container is running."""
        return self.state == "running"

    @property
    def compose(self) -> str:
        """``project/service`` when compose made the container, else ``""``."""
        return f"{self.project or '?'}/{self.service}" if self.service else ""


def format_ports(ports: Iterable[Mapping[str, Any]]) -> str:
    """Ports as ``docker ps`` shows them, once for IPv4 and IPv6: ``"8080->80/tcp, 443/tcp"``."""
    seen: dict[str, None] = {}
    for port in sorted(ports, key=lambda p: (p.get("PrivatePort", 0), p.get("PublicPort", 0))):
        inner = f"{port.get('PrivatePort')}/{port.get('Type', 'tcp')}"
        if port.get("PublicPort"):
            ip = port.get("IP") or ""
            host = "" if ip in ("", "0.0.0.0", "::") else f"{ip}:"
            inner = f"{host}{port['PublicPort']}->{inner}"
        seen[inner] = None
    return ", ".join(seen)


def _container_row(data: Mapping[str, Any]) -> ContainerRow:
    """A `ContainerRow` from one ``containers(all=True)`` dict."""
    names = [name.lstrip("/") for name in data.get("Names") or ()]
    name = next((n for n in names if "/" not in n), names[0] if names else data["Id"][:12])
    image = data.get("Image", "")
    if image.startswith("sha256:"):
        image = image[7:19]
    labels = data.get("Labels") or {}
    return ContainerRow(
        name=name,
        image=image,
        state=data.get("State", "?"),
        status=data.get("Status", ""),
        ports=format_ports(data.get("Ports") or ()),
        project=labels.get(PROJECT_LABEL),
        service=labels.get(SERVICE_LABEL),
    )


def container_rows(containers: Iterable[Mapping[str, Any]]) -> list[ContainerRow]:
    """Rows for the engine's containers, sorted by name.

    Args:
        containers: dicts as ``client().api.containers(all=True)`` returns them (keys ``Names``,
            ``Image``, ``State``, ``Status``, ``Ports``, ``Labels``).

    Returns:
        One `ContainerRow` per container.
    """
    return sorted((_container_row(data) for data in containers), key=lambda row: row.name)


def filter_rows(
    rows: Iterable[ContainerRow], name: str = "", show_stopped: bool = True
) -> list[ContainerRow]:
    """The rows whose name contains ``name`` (ignoring case), without stopped ones if asked."""
    needle = name.strip().lower()
    return [row for row in rows if needle in row.name.lower() and (show_stopped or row.running)]


def containers_table(rows: Iterable[ContainerRow]) -> str:
    """An HTML table of containers; stopped ones are greyed out."""
    return _table(
        ("name", "image", "state", "status", "ports", "compose"),
        (((r.name, r.image, r.state, r.status, r.ports, r.compose), not r.running) for r in rows),
        "No container matches.",
    )


# ---------------------------------------------------------------------------------------------
# Image layers.


@dataclass(frozen=True)
class LayerRow:
    """One layer of an image, as ``docker history`` shows it."""

    created_by: str
    size: int

    @property
    def empty(self) -> bool:
        """True for a layer that adds no file: it only changes the image's metadata."""
        return self.size == 0

    @property
    def size_text(self) -> str:
        """Its size as docker shows it, or ``"metadata only"`` for an empty layer."""
        return "metadata only" if self.empty else human_size(self.size)


@dataclass(frozen=True)
class ImageConfig:
    """What a container of the image starts with."""

    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    exposed_ports: tuple[str, ...]
    env: tuple[str, ...]
    size: int


_BUILD_ARGS = re.compile(r"^\|\d+\s+(?:\S+=\S*\s+)*")
_EXPOSE_MAP = re.compile(r"map\[([^\]]*)\]")


def clean_created_by(text: str, comment: str = "", width: int = 80) -> str:
    """A history entry's command, readable: ``RUN apt-get …``, ``CMD ["nginx"]``.

    Args:
        text: the ``CreatedBy`` of a history entry (classic builder or BuildKit).
        comment: its ``Comment``, shown when no command was recorded (``docker import``).
        width: the longest result; longer commands are cut with "…".

    Returns:
        The cleaned, shortened command.
    """
    text = _BUILD_ARGS.sub("", text.strip()).removesuffix("# buildkit").strip()
    if text.startswith("/bin/sh -c #(nop)"):
        text = text.removeprefix("/bin/sh -c #(nop)")
    elif text.startswith(("/bin/sh -c ", "RUN /bin/sh -c ")):
        text = "RUN " + text.split("/bin/sh -c ", 1)[1]
    if not text.strip():
        text = f"({comment.strip() or 'no command recorded'})"
    # Docker 20.10 records `EXPOSE 80` as `EXPOSE map[80/tcp:{}]`.
    text = _EXPOSE_MAP.sub(lambda m: " ".join(re.findall(r"([\w/-]+):\{\}", m[1])), text)
    return _shorten(text, width)


def layer_rows(history: Iterable[Mapping[str, Any]], width: int = 80) -> list[LayerRow]:
    """Rows for an image's layers, newest first like ``docker history``.

    Args:
        history: dicts as ``client().api.history(ref)`` returns them (``CreatedBy``, ``Size``,
            ``Comment``).
        width: the longest command shown.

    Returns:
        One `LayerRow` per layer.
    """
    return [
        LayerRow(
            clean_created_by(entry.get("CreatedBy") or "", entry.get("Comment") or "", width),
            int(entry.get("Size") or 0),
        )
        for entry in history
    ]


def layers_table(rows: Sequence[LayerRow]) -> str:
    """An HTML table of layers (empty ones greyed, "metadata only") and the total size."""
    total = human_size(sum(row.size for row in rows))
    table = _table(
        ("#", "created by", "size"),
        (
            ((str(len(rows) - i), row.created_by, row.size_text), row.empty)
            for i, row in enumerate(rows)
        ),
        "No layers.",
    )
    files = sum(not row.empty for row in rows)
    return (
        f"{table}<p><b>total {total}</b> in {_plural(len(rows), 'layer')}, "
        f"{files} with files, {len(rows) - files} metadata only</p>"
    )


def image_config(inspect: Mapping[str, Any]) -> ImageConfig:
    """The start-up settings of an image, from ``client().api.inspect_image(ref)``."""
    config = inspect.get("Config") or {}

    def argv(key: str) -> tuple[str, ...] | None:
        value = config.get(key)
        return None if value is None else tuple(value)

    return ImageConfig(
        entrypoint=argv("Entrypoint"),
        cmd=argv("Cmd"),
        exposed_ports=tuple(sorted(config.get("ExposedPorts") or ())),
        env=tuple(config.get("Env") or ()),
        size=int(inspect.get("Size") or 0),
    )


def config_table(config: ImageConfig) -> str:
    """An HTML table of an image's Entrypoint, Cmd, ExposedPorts and Env."""

    def argv(value: tuple[str, ...] | None) -> str:
        return "(none)" if value is None else json.dumps(list(value))

    return _table(
        ("setting", "value"),
        (
            (("Entrypoint", argv(config.entrypoint)), False),
            (("Cmd", argv(config.cmd)), False),
            (("ExposedPorts", ", ".join(config.exposed_ports) or "(none)"), False),
            *((("Env", env), False) for env in config.env),
        ),
        "",
    )


def image_tags(images: Iterable[Mapping[str, Any]], include_internal: bool = False) -> list[str]:
    """The sorted tags of local images, without ``<none>`` and, unless asked, ``labkit/*``.

    Args:
        images: dicts as ``client().api.images()`` returns them (``RepoTags``).
        include_internal: keep the course's cached builds (``labkit/...``).

    Returns:
        Tags such as ``"debian:bookworm"``.
    """
    tags = {tag for image in images for tag in image.get("RepoTags") or ()}
    return sorted(
        tag
        for tag in tags
        if "<none>" not in tag and (include_internal or not tag.startswith(INTERNAL_PREFIX))
    )


# ---------------------------------------------------------------------------------------------
# Compose files.


@dataclass(frozen=True)
class Service:
    """One service of a compose file, as far as the graph needs it."""

    name: str
    image: str
    ports: tuple[str, ...] = ()
    networks: tuple[str, ...] = ("default",)
    volumes: tuple[str, ...] = ()
    depends_on: Mapping[str, str] = field(default_factory=dict)  # name -> condition


@dataclass(frozen=True)
class ComposeModel:
    """A parsed, checked compose file."""

    services: Mapping[str, Service]
    networks: tuple[str, ...]
    volumes: tuple[str, ...]
    levels: Mapping[str, int]  # 0 for services that depend on nothing, then 1 + deepest
    name: str | None = None


def _describe(value: object) -> str:
    """What a YAML value is, for error messages: ``a string 'pgdata:/var…'``."""
    if isinstance(value, str):
        return f"a string {_shorten(value, 60)!r}"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if value is None:
        return "an empty value"
    return "a list" if isinstance(value, list) else "a mapping"


def _wrong_type(where: str, key: str, expected: str, value: object) -> RecipeError:
    """The error for ``key`` of ``where`` holding the wrong kind of value."""
    fix = f"See the Compose reference for `{key}`: {COMPOSE_DOCS}"
    if "list" in expected and isinstance(value, str):
        fix = (
            f"Write `{key}` as a YAML list, one item per line starting with '- ', "
            f"e.g. `- {value.split()[0] if value.split() else '...'}`."
        )
    return RecipeError(f"{where}: `{key}` must be {expected}, got {_describe(value)}.", fix)


def _entries(spec: Mapping[str, Any], key: str, where: str, mapping_ok: bool) -> list[Any]:
    """The items of a list-valued key (or the keys of a mapping, when allowed); [] if absent."""
    value = spec.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if mapping_ok and isinstance(value, dict):
        return list(value)
    raise _wrong_type(where, key, "a list or a mapping" if mapping_ok else "a list", value)


def _port(entry: object, where: str) -> str:
    """A port entry, short (``"8080:80"``) or long syntax, as short text."""
    if isinstance(entry, str | int) and not isinstance(entry, bool):
        return str(entry)
    if isinstance(entry, dict) and "target" in entry:
        published = f"{entry['published']}:" if entry.get("published") else ""
        return f"{published}{entry['target']}/{entry.get('protocol', 'tcp')}"
    raise _wrong_type(where, "ports", "items like '8080:80'", entry)


def _volume(entry: object, where: str, declared: Sequence[str]) -> str:
    """A volume entry as short text, checking that a named volume is declared."""
    if isinstance(entry, str):
        source = entry.split(":", 1)[0] if ":" in entry else None
        text = entry
    elif isinstance(entry, dict) and "target" in entry:
        source = entry.get("source") if entry.get("type", "volume") == "volume" else None
        text = f"{source}:{entry['target']}" if source else str(entry["target"])
    else:
        raise _wrong_type(where, "volumes", "items like 'data:/var/lib/data'", entry)
    if source and not source.startswith(("/", ".", "~", "$")) and source not in declared:
        raise RecipeError(
            f"{where} uses volume '{source}', which is not declared under the top-level "
            "`volumes:`.",
            f"Declare it at the end of the file:\nvolumes:\n  {source}:",
        )
    return text


def _depends_on(spec: Mapping[str, Any], where: str) -> dict[str, str]:
    """``depends_on`` in list or mapping form, as ``{service: condition}``."""
    value = spec.get("depends_on")
    if not isinstance(value, dict):
        return {str(name): "service_started" for name in _entries(spec, "depends_on", where, False)}
    result = {}
    for name, options in value.items():
        options = options or {}
        if not isinstance(options, dict):
            raise _wrong_type(where, f"depends_on.{name}", "a mapping", options)
        condition = options.get("condition", "service_started")
        if condition not in CONDITIONS:
            raise RecipeError(
                f"{where}: depends_on '{name}' has condition {condition!r}.",
                f"Use one of {', '.join(CONDITIONS)}.",
            )
        result[str(name)] = condition
    return result


def _image(spec: Mapping[str, Any], where: str) -> str:
    """The service's image, or ``build <context>`` when it is built."""
    if isinstance(spec.get("image"), str):
        return spec["image"]
    build = spec.get("build")
    if isinstance(build, dict):
        build = build.get("context", ".")
    if isinstance(build, str):
        return f"build {build}"
    if "image" in spec:
        raise _wrong_type(where, "image", "a string", spec["image"])
    raise RecipeError(
        f"{where} has neither `image` nor `build`.",
        "Give it an image (`image: nginx:1.22`) or a build folder (`build: ./web`).",
    )


def _service(name: str, spec: object, networks: Sequence[str], volumes: Sequence[str]) -> Service:
    """One checked `Service`."""
    where = f"service '{name}'"
    if not isinstance(spec, dict):
        raise RecipeError(
            f"{where} must be a mapping (image, ports, ...), got {_describe(spec)}.",
            "Indent the service's settings under its name.",
        )
    joined = tuple(str(n) for n in _entries(spec, "networks", where, True)) or ("default",)
    for network in joined:
        if network not in (*networks, "default"):
            raise RecipeError(
                f"{where} joins network '{network}', which is not declared under the top-level "
                "`networks:`.",
                f"Declare it at the end of the file:\nnetworks:\n  {network}:",
            )
    return Service(
        name=name,
        image=_image(spec, where),
        ports=tuple(_port(p, where) for p in _entries(spec, "ports", where, False)),
        networks=joined,
        volumes=tuple(_volume(v, where, volumes) for v in _entries(spec, "volumes", where, False)),
        depends_on=_depends_on(spec, where),
    )


def _levels(services: Mapping[str, Service]) -> dict[str, int]:
    """Each service's depth in the depends_on graph; raise on unknown services and cycles."""
    levels: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> int:
        if name in path:
            cycle = " → ".join((*path[path.index(name) :], name))
            raise RecipeError(
                f"depends_on forms a cycle: {cycle}.", "Remove one of these dependencies."
            )
        if name not in levels:
            for dep in services[name].depends_on:
                if dep not in services:
                    raise RecipeError(
                        f"service '{name}' depends on '{dep}', which is not a service of this "
                        "file.",
                        f"Use one of: {', '.join(services)}.",
                    )
            deps = [visit(dep, (*path, name)) for dep in services[name].depends_on]
            levels[name] = 1 + max(deps, default=-1)
        return levels[name]

    for name in services:
        visit(name, ())
    return levels


def _top_names(doc: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """The names declared under a top-level ``networks:`` or ``volumes:``."""
    value = doc.get(key)
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise _wrong_type("the compose file", key, "a mapping", value)
    return tuple(str(name) for name in value)


_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)")


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Replace ``$VAR``, ``${VAR}``, ``${VAR:-default}`` in a parsed file's strings, like compose.

    Args:
        value: a parsed YAML value; lists and mappings are walked.
        env: the variables; an unset one without default becomes "" (``$$`` stays a ``$``).

    Returns:
        The value with its strings interpolated.
    """
    if isinstance(value, str):
        return _VARIABLE.sub(
            lambda m: "$" if m[0] == "$$" else env.get(m[1] or m[3]) or m[2] or "", value
        )
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    return value


def parse_compose(text: str, env: Mapping[str, str] | None = None) -> ComposeModel:
    """Parse and check a compose file's services, ports, networks, volumes and depends_on.

    Args:
        text: the YAML text of the file.
        env: the variables ``${VAR:-default}`` takes its values from; the process's own
            environment by default.

    Returns:
        The checked model, with each service's depth in the dependency graph.

    Raises:
        RecipeError: (a `LabkitError`) naming the service, the key and the fix when the file is
            not valid YAML or does not follow the Compose format.
    """
    try:
        doc = interpolate(yaml.safe_load(text), os.environ if env is None else env)
    except yaml.YAMLError as err:
        raise RecipeError(
            f"The compose file is not valid YAML: {err}",
            "Check the indentation around that line (spaces only, no tabs).",
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        got = _describe(doc.get("services") if isinstance(doc, dict) else doc)
        raise RecipeError(
            f"The compose file has no `services:` mapping (got {got}).",
            "Start it with `services:` and one indented entry per service.",
        )
    networks, volumes = _top_names(doc, "networks"), _top_names(doc, "volumes")
    services = {
        str(name): _service(str(name), spec, networks, volumes)
        for name, spec in doc["services"].items()
    }
    name = doc.get("name")
    return ComposeModel(services, networks, volumes, _levels(services), name and str(name))


def compose_states(containers: Iterable[Mapping[str, Any]], project: str) -> dict[str, str]:
    """Map each service of compose ``project`` to its container's state.

    Args:
        containers: dicts as ``client().api.containers(all=True)`` returns them.
        project: the compose project name (label ``com.docker.compose.project``).

    Returns:
        ``{service: state}``; a scaled service counts as running when one replica runs.
    """
    states: dict[str, str] = {}
    for data in containers:
        labels = data.get("Labels") or {}
        service = labels.get(SERVICE_LABEL)
        if labels.get(PROJECT_LABEL) == project and service and states.get(service) != "running":
            states[service] = data.get("State", "?")
    return states


def service_states(project: str, api: EngineApi | None = None) -> dict[str, str]:
    """The state of each service of compose ``project``, read from the engine.

    Args:
        project: the compose project name (by default the folder of the compose file).
        api: what to read the containers from; the engine (``client().api``) by default.

    Returns:
        ``{service: state}``, e.g. ``{"db": "running", "app": "exited"}``; services without a
        container are missing.
    """
    return compose_states((api or client().api).containers(all=True), project)


def project_name(path: Path) -> str:
    """The project name compose gives a file's folder: lower case, ``[a-z0-9_-]`` only."""
    return re.sub(r"[^a-z0-9_-]", "", path.resolve().parent.name.lower()).lstrip("_-")


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
            _text(x + 8, y + _HEAD + _LINE * (i + 0.8), _shorten(line, 32), fill="#333")
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


# ---------------------------------------------------------------------------------------------
# Widgets.


class _Dashboard:
    """What every dashboard shares: controls, a Refresh button, a status line, a body.

    Subclasses read the engine in `_load` (errors are shown, not raised), and turn what they
    hold into HTML in `_body` and a one-line `summary`, without reading the engine again.
    """

    def __init__(self, controls: Sequence[w.Widget], api: EngineApi | None) -> None:
        """Lay out the controls, the Refresh button, the status line and the body."""
        self._api = api
        self._error: Exception | None = None
        self._refreshed = ""
        self._task: asyncio.Task[None] | None = None
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _button: self.refresh())
        self.status = w.HTML()
        self.body = w.HTML()
        self.widget = w.VBox([w.HBox([*controls, self.refresh_button]), self.status, self.body])

    @property
    def api(self) -> EngineApi:
        """The injected API, or the engine's (``client().api``)."""
        return self._api if self._api is not None else client().api

    def refresh(self) -> None:
        """Read the engine again and redraw; a failure is shown in the status line."""
        self._run(self._load)

    def _run(self, load: Callable[[], None]) -> None:
        """Run ``load``, keep its error if any, then redraw."""
        try:
            load()
        except _FAILURES as err:
            self._error = err
        else:
            self._error = None
            self._refreshed = time.strftime("%H:%M:%S")
        self._render()

    def _render(self) -> None:
        """Redraw the body and the status line from what the dashboard holds."""
        self.body.value = self._body()
        if self._error is not None:
            self.status.value = (
                '<pre style="color:#c62828;white-space:pre-wrap;margin:0">'
                f"{html.escape(str(self._error))}</pre>"
            )
        else:
            self.status.value = html.escape(f"{self.summary()} · refreshed {self._refreshed}")

    def _load(self) -> None:
        raise NotImplementedError

    def _body(self) -> str:
        raise NotImplementedError

    def summary(self) -> str:
        """One line on what the dashboard shows."""
        raise NotImplementedError

    def start(self, every: float = 2.0, times: int = 30) -> asyncio.Task[None] | None:
        """Refresh ``times`` more times, every ``every`` seconds, then stop.

        It runs as a task on the running asyncio loop (a notebook kernel has one); without a
        running loop it does nothing. Calling it again replaces the previous schedule.

        Args:
            every: seconds between refreshes, more than 0.
            times: how many refreshes, at least 1.

        Returns:
            The scheduled task, or ``None`` when no asyncio loop runs.
        """
        if every <= 0 or times < 1:
            raise ValueError(f"need every > 0 and times >= 1, got every={every}, times={times}")
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        self.stop()
        self._task = loop.create_task(self._tick(every, times))
        return self._task

    def stop(self) -> None:
        """Cancel the auto-refresh started by `start`, if any."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _tick(self, every: float, times: int) -> None:
        for _ in range(times):
            await asyncio.sleep(every)
            self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """Display as the widget, with a short stable text form for plain-text outputs."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"{type(self).__name__}: {self.summary()}"
        return bundle


class ContainerList(_Dashboard):
    """The engine's containers in a table, filterable by name, with or without stopped ones.

    Args:
        name: the initial name filter (a substring, ignoring case).
        show_stopped: whether to list stopped containers too.
        api: what to read containers from; the engine by default.
    """

    def __init__(
        self, name: str = "", show_stopped: bool = True, api: EngineApi | None = None
    ) -> None:
        """Build the controls and read the containers once."""
        self.name_filter = w.Text(value=name, description="name", placeholder="part of a name")
        self.show_stopped = w.Checkbox(value=show_stopped, description="show stopped")
        super().__init__([self.name_filter, self.show_stopped], api)
        self.rows: list[ContainerRow] = []
        for control in (self.name_filter, self.show_stopped):
            control.observe(lambda _change: self._render(), "value")
        self.refresh()

    @property
    def shown(self) -> list[ContainerRow]:
        """The rows that pass the filters."""
        return filter_rows(self.rows, self.name_filter.value, self.show_stopped.value)

    def _load(self) -> None:
        self.rows = container_rows(self.api.containers(all=True))

    def _body(self) -> str:
        return containers_table(self.shown)

    def summary(self) -> str:
        """``"3 containers (2 running) · 1 shown"``."""
        running = sum(row.running for row in self.rows)
        return (
            f"{_plural(len(self.rows), 'container')} ({running} running) · {len(self.shown)} shown"
        )


class LayerExplorer(_Dashboard):
    """The layers of a local image, their sizes, and what its containers start with.

    Args:
        image: the tag to show first; the first tag in alphabetical order by default.
        include_internal: also offer the course's cached builds (``labkit/*``).
        api: what to read images from; the engine by default.
    """

    def __init__(
        self, image: str | None = None, include_internal: bool = False, api: EngineApi | None = None
    ) -> None:
        """Build the controls, list the images and show one."""
        internal = include_internal or (image or "").startswith(INTERNAL_PREFIX)
        self.picker = w.Dropdown(description="image", options=[])
        self.include_internal = w.Checkbox(value=internal, description="show labkit/*")
        super().__init__([self.picker, self.include_internal], api)
        self.layers: list[LayerRow] = []
        self.config: ImageConfig | None = None
        self._syncing = False
        self._wanted = image
        self.picker.observe(self._on_pick, "value")
        self.include_internal.observe(lambda _change: self.refresh(), "value")
        self.refresh()

    def _on_pick(self, change: Mapping[str, Any]) -> None:
        if not self._syncing:
            self._run(self._load_image)

    def _load(self) -> None:
        tags = image_tags(self.api.images(), self.include_internal.value)
        wanted = self._wanted or self.picker.value
        self._wanted = None
        self._syncing = True
        try:
            self.picker.options = tags
            self.picker.value = wanted if wanted in tags else (tags[0] if tags else None)
        finally:
            self._syncing = False
        self._load_image()
        if wanted and wanted not in tags:
            raise LabkitError(
                f"No local image is tagged {wanted!r}.",
                f"Pull or build it first (`docker pull {wanted}`), or pick one in the list.",
            )

    def _load_image(self) -> None:
        self.layers, self.config = [], None
        if self.picker.value:
            self.layers = layer_rows(self.api.history(self.picker.value))
            self.config = image_config(self.api.inspect_image(self.picker.value))

    def _body(self) -> str:
        if self.config is None:
            return "<p><i>No image to show: pull or build one (`docker pull nginx`).</i></p>"
        return layers_table(self.layers) + config_table(self.config)

    def summary(self) -> str:
        """``"debian:bookworm: 1 layer, 73.1MB"``."""
        if self.picker.value is None:
            return "no image"
        size = human_size(sum(row.size for row in self.layers))
        return f"{self.picker.value}: {_plural(len(self.layers), 'layer')}, {size}"


class ComposeGraph(_Dashboard):
    """A compose file's services and depends_on as a graph, coloured by their containers' state.

    Args:
        source: the compose file's path, or its YAML text. A file is read again on each
            refresh, so edits show up.
        project: the compose project whose containers give the states; by default the file's
            ``name:``, else its folder's name (as ``docker compose`` does).
        api: what to read containers from; the engine by default.
    """

    def __init__(
        self,
        source: str | os.PathLike[str],
        project: str | None = None,
        api: EngineApi | None = None,
    ) -> None:
        """Read the file and the states once."""
        super().__init__([], api)
        self.path = _compose_path(source)
        self._text = None if self.path else str(source)
        self._project = project
        self.model: ComposeModel | None = None
        self.states: dict[str, str] = {}
        self.refresh()

    @property
    def project(self) -> str | None:
        """The compose project name the states are read for."""
        if self._project:
            return self._project
        if self.model and self.model.name:
            return self.model.name
        return project_name(self.path) if self.path else None

    def _load(self) -> None:
        if self.path and not self.path.is_file():
            raise LabkitError(
                f"There is no compose file at {self.path}.",
                "Check the path (relative paths start from the notebook's folder).",
            )
        text = self.path.read_text() if self.path else self._text or ""
        self.model, self.states = parse_compose(text), {}
        if self.project:
            self.states = service_states(self.project, self.api)

    def _body(self) -> str:
        return compose_svg(self.model, self.states) if self.model else ""

    def summary(self) -> str:
        """``"project vote: 5 services, 3 running"``."""
        if self.model is None:
            return "no compose file read"
        running = sum(self.states.get(name) == "running" for name in self.model.services)
        project = f"project {self.project}" if self.project else "no project name"
        return f"{project}: {_plural(len(self.model.services), 'service')}, {running} running"


def _compose_path(source: str | os.PathLike[str]) -> Path | None:
    """``source`` as a file path, or ``None`` when it is YAML text."""
    if isinstance(source, os.PathLike):
        return Path(source)
    if "\n" not in source and (source.endswith((".yml", ".yaml")) or Path(source).is_file()):
        return Path(source)
    return None
