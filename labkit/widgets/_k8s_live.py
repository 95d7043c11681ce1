"""Dashboards that follow the cluster: lists of the API, then watches that end by themselves.

A `LiveDashboard` names the lists it shows (`Source`). Refresh lists them; `follow` (or its
*Follow* toggle) watches them for a bounded time, a thread per list, each ending by itself at
the deadline, so nothing runs on in the background. The threads only read: each change they
receive is handed to the kernel's event loop, which updates the objects, the rows and the
widgets (ipykernel 7 does not route widget messages sent from other threads). Without an event
loop (a script, a test), the changes are applied in the watching thread.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as w

from .._errors import LabkitError
from ._k8s_reader import HTTP_GONE, K8sDashboard, KubeReader, Source, Stream, items
from ._k8s_reader import unexpected_as_error as _checked

__all__ = ["FOLLOW_SECONDS", "Follow", "LiveDashboard"]

FOLLOW_SECONDS = 60.0  # how long the Follow toggle and a ScaleSlider move follow the cluster
MAX_FOLLOW = 3600.0
_PAUSE = 0.5  # before watching again, when the API server ended a watch early

Key = tuple[str, str]


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _key(obj: Mapping[str, Any]) -> Key:
    return (_meta(obj).get("namespace", ""), _meta(obj).get("name", "?"))


class Follow:
    """One bounded follow of a dashboard's lists: a watching thread per list, until a deadline.

    Made by `LiveDashboard.follow`; `stop` ends it early, `join` waits (bounded) for its threads.
    """

    def __init__(self, dash: LiveDashboard, seconds: float, versions: Mapping[Source, str]) -> None:
        """Prepare the threads; `start` starts them."""
        self.dash = dash
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.until = time.strftime("%H:%M:%S", time.localtime(time.time() + seconds))
        self.changes: queue.SimpleQueue[tuple[Source | None, str, Any]] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._streams: set[Stream] = set()
        self._lock = threading.Lock()
        self._loop = _running_loop()
        self._threads = [
            threading.Thread(
                target=self._follow,
                args=(source, version),
                name=f"labkit watch {source}",
                daemon=True,  # bounded anyway: it never keeps a kernel or a script alive long
            )
            for source, version in versions.items()
        ]
        self.running = len(self._threads)
        self.error: LabkitError | None = None  # why it stopped early, if it did

    @property
    def left(self) -> float:
        """Seconds until the deadline (0 once stopped)."""
        return 0.0 if self._stopped.is_set() else max(0.0, self.deadline - time.monotonic())

    @property
    def alive(self) -> bool:
        """True while one of its threads still watches."""
        return any(thread.is_alive() for thread in self._threads)

    def start(self) -> Follow:
        """Start watching."""
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """End every watch now (each thread returns within moments)."""
        self._stopped.set()
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.stop()

    def join(self, timeout: float = 10.0) -> bool:
        """Wait at most ``timeout`` s for the threads to end; True when they have."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not self.alive

    def _follow(self, source: Source, version: str) -> None:
        """Watch ``source`` from ``version`` until the deadline, handing each change over."""
        try:
            while (left := self.left) > 0:
                version = self._watch(source, version, left)
                self._stopped.wait(min(_PAUSE, self.left))
        except LabkitError as err:
            self._hand(None, "FAILED", err)
            self.stop()
        finally:
            self._hand(source, "ENDED", None)

    def _watch(self, source: Source, version: str, left: float) -> str:
        """One watch, until the API server ends it; the resourceVersion to go on from."""
        stream = self.dash.reader.watch(source, version, left)
        with self._lock:
            self._streams.add(stream)
        try:
            for event in stream:
                if self._stopped.is_set():
                    break
                kind, obj = event.get("type", ""), event.get("object") or {}
                if kind == "ERROR":
                    if obj.get("code") != HTTP_GONE:
                        raise LabkitError(
                            f"The watch of {source} stopped: {obj.get('message', obj)}",
                            "Press Refresh, then Follow again.",
                        )
                    fresh = self.dash.reader.list(source)  # the history is gone: list again
                    self._hand(source, "SYNC", fresh)
                    return _meta(fresh).get("resourceVersion", "")
                version = _meta(obj).get("resourceVersion") or version
                if kind in ("ADDED", "MODIFIED", "DELETED"):
                    self._hand(source, kind, obj)
        finally:
            with self._lock:
                self._streams.discard(stream)
        return version

    def _hand(self, source: Source | None, kind: str, obj: Any) -> None:
        """Queue a change, then have the dashboard apply it (on the kernel's loop when it runs)."""
        self.changes.put((source, kind, obj))
        if self._loop is None:
            self.dash._apply(self)
            return
        try:
            self._loop.call_soon_threadsafe(self.dash._apply, self)
        except RuntimeError:  # the loop is closed: the kernel is going away
            self._stopped.set()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class LiveDashboard(K8sDashboard):
    """A dashboard of API lists: Refresh lists them again, *Follow* watches them for a while.

    Subclasses name their lists in ``sources`` and turn `objects` into what they show in
    `_update`; this class lists, watches and keeps the objects up to date.
    """

    def __init__(
        self, controls: Sequence[w.Widget], reader: KubeReader | None, sources: Sequence[Source]
    ) -> None:
        """Lay out the controls and the Follow toggle; read nothing yet."""
        self.sources = tuple(sources)
        self.follow_button = w.ToggleButton(
            value=False,
            description=f"Follow {FOLLOW_SECONDS:.0f} s",
            icon="eye",
            tooltip="Update live while the cluster changes (watches of the API), for a minute.",
        )
        super().__init__([*controls, self.follow_button], reader)
        self._objects: dict[Source, dict[Key, Mapping[str, Any]]] = {}
        self._versions: dict[Source, str] = {}
        self._follow: Follow | None = None
        self._applying = threading.RLock()
        self._toggling = False
        self.follow_button.observe(self._on_toggle, "value")

    def objects(self, source: Source) -> list[Mapping[str, Any]]:
        """The objects of ``source`` as last listed or watched, by namespace then name."""
        found = self._objects.get(source, {})
        return [found[key] for key in sorted(found)]

    def _update(self) -> None:
        """Recompute what the dashboard shows from `objects` (no reading)."""
        raise NotImplementedError

    def _load(self) -> None:
        lists = {source: self.reader.list(source) for source in self.sources}
        with self._applying:  # without an event loop, a watching thread may be applying
            for source, listed in lists.items():
                self._objects[source] = {_key(obj): obj for obj in items(listed)}
                self._versions[source] = _meta(listed).get("resourceVersion", "")
            self._update()

    @property
    def following(self) -> bool:
        """True while a follow watches the cluster."""
        return self._follow is not None and self._follow.left > 0

    def refresh(self) -> None:
        """List again and redraw; a follow under way goes on from the new lists."""
        left = self._follow.left if self._follow is not None else 0.0
        self._end_follow()
        super().refresh()
        if left >= 1 and self._error is None:
            self._start_follow(left)

    def follow(self, seconds: float = FOLLOW_SECONDS) -> Follow | None:
        """List, then follow the cluster's changes for ``seconds`` (a follow under way ends).

        Each list is watched in a thread that ends by itself at the deadline; `stop` ends them
        sooner. The dashboard, its rows and its summary change as the changes arrive.

        Args:
            seconds: how long to follow, more than 0 and at most an hour.

        Returns:
            The `Follow`, or ``None`` when the lists could not be read (the status says why).

        Example:
            ``PodList(namespace="demo").follow(30)``
        """
        if not 0 < seconds <= MAX_FOLLOW:
            raise ValueError(f"follow for more than 0 s and at most {MAX_FOLLOW:.0f} s")
        self._end_follow()
        super().refresh()
        return self._start_follow(seconds) if self._error is None else None

    def stop(self) -> None:
        """End the follow and the timed refresh, if any."""
        super().stop()
        self._end_follow()
        self._render()

    def _start_follow(self, seconds: float) -> Follow:
        follow = self._follow = Follow(self, seconds, dict(self._versions))
        self._set_toggle(True)
        self._refreshed = f"{time.strftime('%H:%M:%S')} (live until {follow.until})"
        self._render()
        return follow.start()

    def _end_follow(self) -> None:
        if self._follow is not None:
            self._follow.stop()
            self._follow = None
        self._set_toggle(False)

    def _set_toggle(self, value: bool) -> None:
        self._toggling = True
        try:
            self.follow_button.value = value
        finally:
            self._toggling = False

    def _on_toggle(self, change: Mapping[str, Any]) -> None:
        if self._toggling:
            return
        if change["new"]:
            self.follow()
        else:
            self.stop()

    def _apply(self, follow: Follow) -> None:
        """Apply the changes ``follow`` received, then redraw (on the kernel's loop)."""
        with self._applying:
            changes = []
            while True:
                try:
                    changes.append(follow.changes.get_nowait())
                except queue.Empty:
                    break
            if follow is not self._follow or not changes:
                return  # a follow that was replaced: its changes are stale
            for source, kind, obj in changes:
                self._change(follow, source, kind, obj)
            if self._follow is None:
                self._set_toggle(False)
            self._redraw(follow)

    def _change(self, follow: Follow, source: Source | None, kind: str, obj: Any) -> None:
        """Apply one change to the objects."""
        if kind == "FAILED":
            follow.error = obj
        elif kind == "ENDED":
            follow.running -= 1
            if follow.running == 0:
                self._follow = None
        elif source is not None and kind == "SYNC":
            self._objects[source] = {_key(item): item for item in items(obj)}
        elif source is not None and kind == "DELETED":
            self._objects.setdefault(source, {}).pop(_key(obj), None)
        elif source is not None:
            self._objects.setdefault(source, {})[_key(obj)] = obj

    def _redraw(self, follow: Follow) -> None:
        try:
            _checked(self._update)
        except LabkitError as err:
            self._error = err
        else:
            self._error = follow.error
        now = time.strftime("%H:%M:%S")
        live = f" (live until {follow.until})" if self._follow is follow else ""
        self._refreshed = now + live
        self._render()
