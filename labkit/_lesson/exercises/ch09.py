"""Chapter 09 exercises: a label query on the nodes, and a Deployment under a bigger quota."""

from __future__ import annotations

from ...widgets import parse_quantity
from ..kubectl import get, kubectl
from . import Failed, exercise, require

NAMESPACE = "nginx-1"
CONTROL_PLANE = "node-role.kubernetes.io/control-plane"


def _names(answer: object) -> set[str]:
    """Node names from a string ("a b", "a,b", "node/a") or a list."""
    if isinstance(answer, str):
        parts = answer.replace(",", " ").split()
    elif isinstance(answer, list | tuple | set):
        parts = [str(item) for item in answer]
    else:
        return set()
    return {part.strip().removeprefix("node/") for part in parts if part.strip()}


@exercise(
    "09.selector",
    "Name the nodes that are not part of the control plane",
    (
        "The *Selecteurs* section shows how a selector asks for a label that is absent; use "
        "that form with the control-plane label, on nodes (quote it: `!` means something to "
        "bash)."
    ),
)
def workers(answer: object = None) -> str:
    """The answer must be exactly the nodes without the control-plane role label."""
    nodes = get("nodes", selector=f"!{CONTROL_PLANE}")["items"]
    wanted = {node["metadata"]["name"] for node in nodes}
    given = _names(answer)
    if not given:
        raise Failed(f"{answer!r} names no node.")
    if given != wanted:
        raise Failed(f"{' '.join(sorted(given))} is not the set of nodes without that label.")
    return f"{' and '.join(sorted(wanted))} carry no {CONTROL_PLANE} label: the workers."


@exercise(
    "09.quota",
    "Allow 8 Pods in nginx-1 and run nginx-1 with 8 available replicas",
    (
        "Apply the namespace file again, raise the quota's `spec.hard.pods` (edit a copy and "
        "apply it, or `kubectl patch`), then deploy nginx-1 again and scale it."
    ),
)
def bigger_quota() -> str:
    """Quota pods of nginx-1 must allow 8, and the Deployment must have 8 available."""
    missing = f"namespace {NAMESPACE} has no ResourceQuota pods (apply namespace.yaml)."
    quota = require("ResourceQuota", "pods", NAMESPACE, missing=missing)
    hard = (quota.get("spec") or {}).get("hard") or {}
    if parse_quantity(hard.get("pods", "0")) < 8:
        raise Failed(f"the quota pods allows {hard.get('pods')} Pods, fewer than 8.")
    missing = f"the quota is right; there is no Deployment nginx-1 in {NAMESPACE} yet."
    require("Deployment", "nginx-1", NAMESPACE, missing=missing)
    kubectl(
        f"rollout status deployment/nginx-1 -n {NAMESPACE} --timeout=90s", timeout=120, check=False
    )
    deployment = get("deployment", "nginx-1", NAMESPACE)
    wanted = deployment["spec"].get("replicas")
    available = deployment["status"].get("availableReplicas", 0)
    if wanted != 8:
        raise Failed(f"nginx-1 asks for {wanted} replicas, not 8.")
    if available != 8:
        raise Failed(f"nginx-1 asks for 8 replicas but {available} are available.")
    return "nginx-1 runs 8 available replicas under a quota of 8 Pods."
