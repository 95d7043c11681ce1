"""The compose dashboard: a compose file's graph, coloured by its containers' state."""

from __future__ import annotations

import os
from pathlib import Path

from .._errors import LabkitError
from ._compose_model import ComposeModel, parse_compose, project_name, service_states
from ._compose_svg import compose_svg
from ._dashboard import Dashboard
from ._engine_api import EngineApi
from ._html import plural

__all__ = ["ComposeGraph"]


class ComposeGraph(Dashboard):
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
        return f"{project}: {plural(len(self.model.services), 'service')}, {running} running"


def _compose_path(source: str | os.PathLike[str]) -> Path | None:
    """``source`` as a file path, or ``None`` when it is YAML text."""
    if isinstance(source, os.PathLike):
        return Path(source)
    if "\n" not in source and (source.endswith((".yml", ".yaml")) or Path(source).is_file()):
        return Path(source)
    return None
