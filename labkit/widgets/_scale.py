"""The scale dashboard: a slider bound to a Deployment, its replicas, pods quota and refusals."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from .._errors import CommandFailed, LabkitError
from ._html import table
from ._k8s_html import bar
from ._k8s_live import FOLLOW_SECONDS, LiveDashboard
from ._k8s_reader import KubeReader, Source
from ._quota import QuotaRow, quota_rows

__all__ = [
    "DeploymentState",
    "FailedCreate",
    "ScaleSlider",
    "deployment_state",
    "failed_create",
    "pods_quota",
]

_POD_RESOURCES = ("pods", "count/pods")
_REFUSALS = "involvedObject.kind=ReplicaSet,reason=FailedCreate"  # the events worth showing


@dataclass(frozen=True)
class DeploymentState:
    """A Deployment's replicas: asked for, created, and ready."""

    name: str
    desired: int
    current: int
    ready: int

    @property
    def short(self) -> bool:
        """True when fewer Pods exist than asked for."""
        return self.current < self.desired


@dataclass(frozen=True)
class FailedCreate:
    """The latest event of a ReplicaSet that could not create a Pod."""

    replicaset: str
    message: str
    time: str
    count: int


def deployment_state(deployment: Mapping[str, Any]) -> DeploymentState:
    """The replicas of one Deployment object (``spec.replicas`` defaults to 1)."""
    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    desired = spec.get("replicas")
    return DeploymentState(
        name=(deployment.get("metadata") or {}).get("name", "?"),
        desired=1 if desired is None else int(desired),
        current=int(status.get("replicas") or 0),
        ready=int(status.get("readyReplicas") or 0),
    )


def pods_quota(quotas: Iterable[Mapping[str, Any]]) -> QuotaRow | None:
    """The tightest ``pods`` (or ``count/pods``) limit among ResourceQuotas, if any."""
    rows = [row for row in quota_rows(quotas) if row.resource in _POD_RESOURCES]
    return max(rows, key=lambda row: row.fraction, default=None)


def _owned_by(replicaset: str, deployment: str) -> bool:
    """True for ``web-5d9c7b`` and ``web``, false for ``web-api-5d9c7b``."""
    prefix = f"{deployment}-"
    return replicaset.startswith(prefix) and "-" not in replicaset[len(prefix) :]


def _when(event: Mapping[str, Any]) -> str:
    return (
        event.get("lastTimestamp")
        or event.get("eventTime")
        or (event.get("metadata") or {}).get("creationTimestamp")
        or ""
    )


def failed_create(events: Iterable[Mapping[str, Any]], deployment: str) -> FailedCreate | None:
    """The latest ``FailedCreate`` event of the Deployment's ReplicaSets, if any.

    Args:
        events: Event objects, as ``kubectl get events -n NS -o json`` lists them.
        deployment: the Deployment's name (its ReplicaSets are ``NAME-<hash>``).

    Returns:
        The newest one, e.g. ``"exceeded quota: pods, requested: pods=1, used: pods=5, ..."``.
    """
    found = [
        event
        for event in events
        if event.get("reason") == "FailedCreate"
        and (event.get("involvedObject") or {}).get("kind") == "ReplicaSet"
        and _owned_by((event.get("involvedObject") or {}).get("name", ""), deployment)
    ]
    if not found:
        return None
    latest = max(found, key=_when)
    return FailedCreate(
        replicaset=latest["involvedObject"]["name"],
        message=" ".join(str(latest.get("message", "")).split()),
        time=_when(latest),
        count=int(latest.get("count") or 1),
    )


class ScaleSlider(LiveDashboard):
    """A slider bound to a Deployment's replicas: moving it runs ``kubectl scale``.

    It shows the desired, current and ready replicas, the namespace's ``pods`` quota when
    there is one, and, while the Deployment is short of Pods, the ReplicaSet's latest
    ``FailedCreate`` event (a quota refusing the scale-up, for instance). After each move it
    follows the Deployment for a while (watches of the API), so the replicas count up live.

    Args:
        deployment: the Deployment's name.
        namespace: its namespace.
        maximum: the slider's upper end (raised to the current replicas when they are more).
        reader: what to read the cluster through; the Kubernetes API by default.
        follow: seconds to follow the cluster after each move (0: only read it once).
    """

    def __init__(
        self,
        deployment: str,
        namespace: str,
        maximum: int = 10,
        reader: KubeReader | None = None,
        follow: float = FOLLOW_SECONDS,
    ) -> None:
        """Build the slider and read the Deployment once."""
        self.deployment = deployment
        self.namespace = namespace
        self.follow_seconds = follow
        self.slider = w.IntSlider(
            value=0, min=0, max=maximum, description="replicas", continuous_update=False
        )
        sources = [
            Source("deployments", namespace, fields=f"metadata.name={deployment}"),
            Source("resourcequotas", namespace),
            Source("events", namespace, fields=_REFUSALS),
        ]
        super().__init__([self.slider], reader, sources)
        self.state: DeploymentState | None = None
        self.quota: QuotaRow | None = None
        self.event: FailedCreate | None = None
        self._syncing = False
        self.slider.observe(self._on_slide, "value")
        self.refresh()

    def _on_slide(self, change: Mapping[str, Any]) -> None:
        if not self._syncing:
            self.scale(int(change["new"]))

    def scale(self, replicas: int) -> None:
        """Scale the Deployment to ``replicas`` (as moving the slider does), then follow it."""
        self._end_follow()
        self._run(lambda: self._scale(replicas))
        if self.follow_seconds > 0 and self._error is None:
            self._start_follow(self.follow_seconds)

    def _scale(self, replicas: int) -> None:
        args = f"scale deployment {self.deployment} -n {self.namespace} --replicas={replicas}"
        result = self.reader.run(args, timeout=30)
        if not result.ok:
            raise CommandFailed(f"kubectl {args}", result.code, result.output)
        self._load()

    def _update(self) -> None:
        deployments, quotas, events = (self.objects(source) for source in self.sources)
        if not deployments:
            raise LabkitError(
                f"There is no Deployment {self.deployment} in namespace {self.namespace}.",
                f"Create it (`kubectl get deployments -n {self.namespace}` lists those there), "
                "then press Refresh.",
            )
        self.state = deployment_state(deployments[0])
        self.quota = pods_quota(quotas)
        self.event = failed_create(events, self.deployment) if self.state.short else None
        self._syncing = True
        try:
            self.slider.max = max(self.slider.max, self.state.desired)
            self.slider.value = self.state.desired
        finally:
            self._syncing = False

    def _body(self) -> str:
        if self.state is None:
            return "<p><i>No Deployment read yet.</i></p>"
        s = self.state
        out = table(
            ("deployment", "desired", "current", "ready"),
            [((s.name, str(s.desired), str(s.current), str(s.ready)), False)],
            "",
        )
        if self.quota is not None:
            q = self.quota
            out += (
                f"<p>ResourceQuota {html.escape(q.quota)}: "
                f"{bar(q.fraction, f'{q.resource} {q.used} / {q.hard}')}</p>"
            )
        if self.event is not None:
            e = self.event
            out += (
                '<p style="color:#c62828">ReplicaSet '
                f"{html.escape(e.replicaset)} FailedCreate ({html.escape(e.time)}, "
                f"×{e.count}): {html.escape(e.message)}</p>"
            )
        return out

    def summary(self) -> str:
        """``"deployment web: 6 desired, 5 current, 5 ready · pods 5/5 · FailedCreate"``."""
        if self.state is None:
            return f"deployment {self.deployment}: not read"
        s = self.state
        line = f"deployment {s.name}: {s.desired} desired, {s.current} current, {s.ready} ready"
        if self.quota is not None:
            line += f" · {self.quota.resource} {self.quota.used}/{self.quota.hard}"
        return line + (" · FailedCreate" if self.event is not None else "")
