"""The Pods dashboard: rows from ``kubectl get pods -o json``, a name filter, the widget."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from ._html import plural, table
from ._k8s_live import LiveDashboard
from ._k8s_reader import KubeReader, Source

__all__ = ["PodList", "PodRow", "filter_pods", "pod_row", "pod_rows", "pod_status", "pods_table"]

_DONE = ("Completed", "Succeeded", "Terminating")


@dataclass(frozen=True)
class PodRow:
    """One Pod as the list shows it."""

    name: str
    namespace: str
    ready: str
    status: str
    restarts: int
    node: str
    ip: str

    @property
    def running(self) -> bool:
        """True when the Pod runs with no container waiting or failing."""
        return self.status == "Running"


def _init_status(pod: Mapping[str, Any]) -> str | None:
    """``"Init:1/2"``, ``"Init:CrashLoopBackOff"``... while init containers run, else None."""
    status, spec = pod.get("status") or {}, pod.get("spec") or {}
    total = len(spec.get("initContainers") or ())
    for i, container in enumerate(status.get("initContainerStatuses") or ()):
        state = container.get("state") or {}
        done, waiting = state.get("terminated"), state.get("waiting")
        if done and done.get("exitCode") == 0:
            continue
        if done:
            return f"Init:{done.get('reason') or 'ExitCode:' + str(done.get('exitCode'))}"
        if waiting and waiting.get("reason") not in (None, "", "PodInitializing"):
            return f"Init:{waiting['reason']}"
        return f"Init:{i}/{total}"
    return None


def pod_status(pod: Mapping[str, Any]) -> str:
    """The STATUS column of ``kubectl get pods``, with the reason of a Pod still Pending.

    ``"Running"``, ``"CrashLoopBackOff"``, ``"ImagePullBackOff"``, ``"Completed"``,
    ``"Terminating"`` (once deleted), ``"Pending (Unschedulable)"``, ``"Init:0/1"``...
    """
    status = pod.get("status") or {}
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    reason = status.get("reason") or status.get("phase") or "Unknown"
    init = _init_status(pod)
    if init:
        return init
    running = False
    for container in reversed(status.get("containerStatuses") or ()):
        state = container.get("state") or {}
        waiting, done = state.get("waiting") or {}, state.get("terminated")
        if waiting.get("reason"):
            reason = waiting["reason"]
        elif done:
            reason = done.get("reason") or f"ExitCode:{done.get('exitCode')}"
        elif container.get("ready") and "running" in state:
            running = True
    if reason == "Completed" and running:
        reason = "Running"
    if reason == "Pending":
        for condition in status.get("conditions") or ():
            if condition.get("status") == "False" and condition.get("reason"):
                return f"Pending ({condition['reason']})"
    return reason


def pod_row(pod: Mapping[str, Any]) -> PodRow:
    """A `PodRow` from one Pod object."""
    meta, spec, status = (pod.get(key) or {} for key in ("metadata", "spec", "status"))
    containers = status.get("containerStatuses") or ()
    total = len(spec.get("containers") or ()) or len(containers)
    ready = sum(bool(c.get("ready")) for c in containers)
    return PodRow(
        name=meta.get("name", "?"),
        namespace=meta.get("namespace", ""),
        ready=f"{ready}/{total}",
        status=pod_status(pod),
        restarts=sum(int(c.get("restartCount") or 0) for c in containers),
        node=spec.get("nodeName") or "",
        ip=status.get("podIP") or "",
    )


def pod_rows(pods: Iterable[Mapping[str, Any]]) -> list[PodRow]:
    """Rows for Pods, sorted by namespace then name."""
    return sorted((pod_row(pod) for pod in pods), key=lambda row: (row.namespace, row.name))


def filter_pods(rows: Iterable[PodRow], text: str = "") -> list[PodRow]:
    """The rows whose ``namespace/name`` contains ``text`` (ignoring case)."""
    needle = text.strip().lower()
    return [row for row in rows if needle in f"{row.namespace}/{row.name}".lower()]


def pods_table(rows: Iterable[PodRow]) -> str:
    """An HTML table of Pods; finished and terminating ones are greyed out."""
    return table(
        ("name", "namespace", "ready", "status", "restarts", "node", "IP"),
        (
            (
                (r.name, r.namespace, r.ready, r.status, str(r.restarts), r.node, r.ip),
                r.status in _DONE,
            )
            for r in rows
        ),
        "No Pod matches.",
    )


class PodList(LiveDashboard):
    """The Pods matching a label selector, in one namespace or all, filterable by name.

    *Refresh* lists them again; *Follow* (or `follow`) updates the list live for a while.

    Args:
        selector: a label selector (``"app=web"``); every Pod when empty.
        namespace: one namespace; every namespace when ``None``.
        reader: what to read the cluster through; the Kubernetes API by default.
    """

    def __init__(
        self, selector: str = "", namespace: str | None = None, reader: KubeReader | None = None
    ) -> None:
        """Build the filter and read the Pods once."""
        self.selector = selector
        self.namespace = namespace
        self.name_filter = w.Text(description="name", placeholder="part of a name")
        super().__init__([self.name_filter], reader, [Source("pods", namespace, selector)])
        self.rows: list[PodRow] = []
        self.name_filter.observe(lambda _change: self._render(), "value")
        self.refresh()

    @property
    def shown(self) -> list[PodRow]:
        """The rows that pass the name filter."""
        return filter_pods(self.rows, self.name_filter.value)

    def _update(self) -> None:
        self.rows = pod_rows(self.objects(self.sources[0]))

    def _body(self) -> str:
        return pods_table(self.shown)

    def summary(self) -> str:
        """``"3 Pods (app=nginx-1), 3 Running"``, ``"… · 1 shown"`` when filtered."""
        where = f" in {self.namespace}" if self.namespace else ""
        which = f" ({self.selector})" if self.selector else ""
        running = sum(row.running for row in self.rows)
        line = f"{plural(len(self.rows), 'Pod')}{where}{which}, {running} Running"
        return line + (f" · {len(self.shown)} shown" if self.name_filter.value.strip() else "")
