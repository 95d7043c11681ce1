"""Chapter 07 exercises: a labelled namespace with a pods quota, and a compute quota."""

from __future__ import annotations

from typing import Any

from ...widgets import parse_quantity
from ..kubectl import get, kubectl
from . import Failed, exercise, require

NAMESPACE = "ex07"


def _quota(name: str) -> dict[str, Any]:
    """The ResourceQuota ``name`` of ex07, or `Failed` when there is none."""
    require("namespace", NAMESPACE)
    missing = f"namespace {NAMESPACE} has no ResourceQuota named {name}."
    return require("ResourceQuota", name, NAMESPACE, missing=missing)


@exercise(
    "07.namespace",
    "Label namespace ex07 team=ex07 and give it a ResourceQuota pods allowing 2 Pods",
    (
        "One file, two documents separated by `---`: the Namespace, with its label under "
        "`metadata.labels`, and a ResourceQuota in it whose `spec.hard` counts Pods. Then "
        "apply the file."
    ),
)
def team_namespace() -> str:
    """Namespace ex07 must carry team=ex07 and a quota `pods` with hard pods 2."""
    quota = _quota("pods")
    labels = get("namespace", NAMESPACE)["metadata"].get("labels") or {}
    if labels.get("team") != "ex07":
        raise Failed(f"namespace {NAMESPACE} has no label team=ex07 (labels: {labels}).")
    hard = (quota.get("spec") or {}).get("hard") or {}
    if "pods" not in hard:
        raise Failed(f"the quota pods limits {sorted(hard)}, not pods.")
    if parse_quantity(hard["pods"]) != 2:
        raise Failed(f"the quota pods allows {hard['pods']} Pods, not 2.")
    return "namespace ex07 is labelled team=ex07 and allows 2 Pods."


@exercise(
    "07.compute",
    "Under a memory quota in ex07, run a Pod small that declares its memory",
    (
        "Under a compute quota every Pod must declare what the quota counts: memory "
        "`requests` and `limits` under `resources`, in a manifest (`kubectl run` has no flag "
        "for them)."
    ),
)
def compute_quota() -> str:
    """Quota `compute` must cap memory requests/limits, and Pod small must run under it."""
    hard = (_quota("compute").get("spec") or {}).get("hard") or {}
    wanted = {"requests.memory": "256Mi", "limits.memory": "512Mi"}
    for resource, value in wanted.items():
        if resource not in hard:
            raise Failed(f"the quota compute has no {resource} (it has {sorted(hard)}).")
        if parse_quantity(hard[resource]) != parse_quantity(value):
            raise Failed(f"the quota compute sets {resource} to {hard[resource]}, not {value}.")
    require(
        "Pod", "small", NAMESPACE, missing="the quota is right; there is no Pod small in ex07 yet."
    )
    kubectl(
        f"wait --for=condition=Ready pod/small -n {NAMESPACE} --timeout=60s",
        timeout=90,
        check=False,
    )
    pod = get("pod", "small", NAMESPACE)
    resources = pod["spec"]["containers"][0].get("resources") or {}
    memory = (resources.get("requests") or {}).get("memory")
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or ()
    )
    if not ready:
        raise Failed(f"the Pod small exists but is not Ready ({pod['status'].get('phase')}).")
    return f"small runs under the compute quota, asking for {memory} of memory."
