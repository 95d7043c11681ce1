"""The containers dashboard: rows from the engine's containers, a filter, a table, the widget."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from ._dashboard import Dashboard
from ._engine_api import PROJECT_LABEL, SERVICE_LABEL, EngineApi
from ._html import plural, table

__all__ = [
    "ContainerList",
    "ContainerRow",
    "container_rows",
    "containers_table",
    "filter_rows",
    "format_ports",
]


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
    return table(
        ("name", "image", "state", "status", "ports", "compose"),
        (((r.name, r.image, r.state, r.status, r.ports, r.compose), not r.running) for r in rows),
        "No container matches.",
    )


class ContainerList(Dashboard):
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
            f"{plural(len(self.rows), 'container')} ({running} running) · {len(self.shown)} shown"
        )
