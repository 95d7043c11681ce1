"""Chapter 11 exercises: cordon a node, drain a node."""

from __future__ import annotations

from collections import Counter

from ..kubectl import get, kubectl
from . import Failed, exercise, require

NAMESPACE = "ex11"
WORKERS = ("course-worker", "course-worker2")


def _shop() -> tuple[dict, Counter]:
    """The shop Deployment (rolled out, bounded wait) and its live Pods counted per node."""
    missing = f"there is no Deployment shop in namespace {NAMESPACE}: run the set-up cell."
    require("Deployment", "shop", NAMESPACE, missing=missing)
    kubectl(f"rollout status deployment/shop -n {NAMESPACE} --timeout=60s", timeout=90, check=False)
    deployment = get("deployment", "shop", NAMESPACE)
    pods = get("pods", namespace=NAMESPACE, selector="app=shop")["items"]
    per_node = Counter(
        pod["spec"].get("nodeName", "")
        for pod in pods
        if not pod["metadata"].get("deletionTimestamp")
    )
    return deployment, per_node


def _cordoned() -> list[str]:
    """The workers that are unschedulable now."""
    return [
        node["metadata"]["name"]
        for node in get("nodes")["items"]
        if node["metadata"]["name"] in WORKERS and node["spec"].get("unschedulable")
    ]


def _reminder() -> str:
    cordoned = _cordoned()
    if not cordoned:
        return ""
    return f" Now make it schedulable again: `kubectl uncordon {' '.join(cordoned)}`."


def _describe(per_node: Counter) -> str:
    return ", ".join(f"{per_node[node]} on {node}" for node in WORKERS)


@exercise(
    "11.cordon",
    "Scale shop to 4 with the new Pods all on course-worker",
    (
        "Cordon the node that must receive no new Pods, scale, wait for the rollout — and "
        "make that node schedulable again afterwards."
    ),
)
def cordon() -> str:
    """Shop runs 4 available replicas, of which at most one (the original) on course-worker2."""
    deployment, per_node = _shop()
    wanted = deployment["spec"].get("replicas")
    available = deployment["status"].get("availableReplicas", 0)
    if wanted != 4:
        raise Failed(f"shop declares {wanted} replicas, not 4.")
    if available != 4:
        raise Failed(f"shop declares 4 replicas but only {available} are available.")
    if per_node["course-worker2"] > 1:
        raise Failed(
            f"shop's Pods run {_describe(per_node)}: new Pods landed on course-worker2. Scale "
            "back to 2, cordon course-worker2, then scale to 4 again."
        )
    return f"shop's Pods run {_describe(per_node)}: the new ones avoided course-worker2." + (
        _reminder()
    )


@exercise(
    "11.drain",
    "Drain course-worker: every Pod of shop on course-worker2",
    (
        "`kubectl drain` needs the options the chapter used for DaemonSets and emptyDir data,"
        " and a Pod selector for the exercise's Pods (their label `owner`); uncordon the node"
        " afterwards."
    ),
)
def drain() -> str:
    """Every live Pod of shop runs on course-worker2 and shop is fully available."""
    deployment, per_node = _shop()
    wanted = deployment["spec"].get("replicas", 0)
    available = deployment["status"].get("availableReplicas", 0)
    if per_node["course-worker"]:
        raise Failed(f"shop's Pods run {_describe(per_node)}: course-worker is not drained.")
    if available != wanted:
        raise Failed(f"shop has {available} of its {wanted} replicas available: wait a moment.")
    return f"all {wanted} Pods of shop run on course-worker2." + _reminder()
