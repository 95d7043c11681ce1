"""The nodes dashboard: each node's roles, status, version and Pods, to watch cordon and drain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._html import plural, table
from ._k8s_live import LiveDashboard
from ._k8s_reader import KubeReader, Source

__all__ = ["NodeRow", "NodeView", "node_roles", "node_rows", "nodes_table"]

_ROLE_PREFIX = "node-role.kubernetes.io/"
_FINISHED = ("Succeeded", "Failed")


@dataclass(frozen=True)
class NodeRow:
    """One node as the view shows it, with the Pods placed on it."""

    name: str
    roles: str
    ready: str
    schedulable: bool
    version: str
    pod_count: int
    pods: tuple[str, ...]

    @property
    def status(self) -> str:
        """The STATUS column of ``kubectl get nodes``: ``"Ready,SchedulingDisabled"``..."""
        return self.ready if self.schedulable else f"{self.ready},SchedulingDisabled"


def node_roles(labels: Mapping[str, str]) -> str:
    """``"control-plane"`` from the ``node-role.kubernetes.io/*`` labels; ``"<none>"`` if none."""
    roles = sorted(key[len(_ROLE_PREFIX) :] for key in labels if key.startswith(_ROLE_PREFIX))
    return ",".join(role for role in roles if role) or "<none>"


def _ready(node: Mapping[str, Any]) -> str:
    for condition in (node.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            return {"True": "Ready", "False": "NotReady"}.get(condition.get("status"), "Unknown")
    return "Unknown"


def _pod_label(pod: Mapping[str, Any]) -> str:
    meta = pod.get("metadata") or {}
    label = f"{meta.get('namespace', '')}/{meta.get('name', '?')}"
    return label + (" (terminating)" if meta.get("deletionTimestamp") else "")


def node_rows(
    nodes: Iterable[Mapping[str, Any]],
    pods: Iterable[Mapping[str, Any]],
    hidden: Sequence[str] = ("kube-system",),
) -> list[NodeRow]:
    """Rows for the nodes, sorted by name, each with the Pods placed on it.

    Args:
        nodes: Node objects.
        pods: Pod objects of every namespace; finished ones (Succeeded, Failed) are left out.
        hidden: namespaces whose Pods are counted but not named.

    Returns:
        One `NodeRow` per node.
    """
    placed: dict[str, list[Mapping[str, Any]]] = {}
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        if node and (pod.get("status") or {}).get("phase") not in _FINISHED:
            placed.setdefault(node, []).append(pod)
    rows = []
    for node in nodes:
        meta, spec, status = (node.get(key) or {} for key in ("metadata", "spec", "status"))
        name = meta.get("name", "?")
        on_node = placed.get(name, [])
        named = sorted(
            _pod_label(pod)
            for pod in on_node
            if (pod.get("metadata") or {}).get("namespace") not in hidden
        )
        rows.append(
            NodeRow(
                name=name,
                roles=node_roles(meta.get("labels") or {}),
                ready=_ready(node),
                schedulable=not spec.get("unschedulable"),
                version=(status.get("nodeInfo") or {}).get("kubeletVersion", ""),
                pod_count=len(on_node),
                pods=tuple(named),
            )
        )
    return sorted(rows, key=lambda row: row.name)


def nodes_table(rows: Iterable[NodeRow]) -> str:
    """An HTML table of nodes; cordoned ones are greyed out."""
    return table(
        ("name", "roles", "status", "version", "Pods", "Pods (named)"),
        (
            (
                (r.name, r.roles, r.status, r.version, str(r.pod_count), ", ".join(r.pods)),
                not r.schedulable,
            )
            for r in rows
        ),
        "No node.",
    )


class NodeView(LiveDashboard):
    """The cluster's nodes, their status and their Pods: watch cordon and drain move them.

    *Refresh* lists them again; *Follow* (or `follow`) updates the view live for a while.

    Args:
        hidden: namespaces whose Pods are counted but not named (the system's by default).
        reader: what to read the cluster through; the Kubernetes API by default.
    """

    def __init__(
        self, hidden: Sequence[str] = ("kube-system",), reader: KubeReader | None = None
    ) -> None:
        """Read the nodes and the Pods once."""
        self.hidden = tuple(hidden)
        super().__init__([], reader, [Source("nodes"), Source("pods")])
        self.rows: list[NodeRow] = []
        self.refresh()

    def _update(self) -> None:
        nodes, pods = (self.objects(source) for source in self.sources)
        self.rows = node_rows(nodes, pods, self.hidden)

    def _body(self) -> str:
        return nodes_table(self.rows)

    def summary(self) -> str:
        """``"3 nodes (3 Ready, 1 SchedulingDisabled), 14 Pods"``."""
        ready = sum(row.ready == "Ready" for row in self.rows)
        cordoned = sum(not row.schedulable for row in self.rows)
        pods = sum(row.pod_count for row in self.rows)
        return (
            f"{plural(len(self.rows), 'node')} ({ready} Ready, {cordoned} SchedulingDisabled), "
            f"{plural(pods, 'Pod')}"
        )
