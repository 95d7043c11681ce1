"""The base every dashboard shares: controls, a Refresh button, a status line, a bounded refresh."""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Callable, Sequence
from typing import Any

import docker.errors
import ipywidgets as w

from .._errors import LabkitError
from .._lesson.docker import client
from ._engine_api import EngineApi

__all__ = ["Dashboard"]

# What a refresh may meet: no engine, an API error (image just removed...), a dropped socket.
_FAILURES = (LabkitError, docker.errors.DockerException, OSError)


class Dashboard:
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
