"""The course's long-running containers as a lesson knows them: name, port, URL.

Starting them is set-up work (`labkit._setup.services`); a lesson reads where they listen.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    """A course container listening on ``127.0.0.1:port``."""

    name: str
    recipe: str  # the course image it runs
    port: int
    container_port: int
    port_variable: str  # the environment variable that moves it to another port
    purpose: str
    environment: tuple[tuple[str, str], ...] = ()
    mounts: tuple[tuple[str, str], ...] = ()  # (volume name or host folder, container path)
    command: tuple[str, ...] = ()
    ready: str | None = "/"  # ready when it answers a GET of this path; None: port open

    @property
    def url(self) -> str:
        """Base URL on the host."""
        return f"http://127.0.0.1:{self.port}"
