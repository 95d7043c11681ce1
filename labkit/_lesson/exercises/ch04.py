"""Chapter 04 exercises: declared state kept by the cluster."""

from __future__ import annotations

from ..kubectl import get, kubectl
from . import Failed, exercise, require

NAMESPACE = "orchestration"


@exercise(
    "04.replicas",
    "Run 5 replicas of the hello Deployment",
    (
        "Change the number of replicas the Deployment declares — in its YAML, or with "
        "`kubectl scale` — then wait for the rollout to finish."
    ),
)
def five_replicas() -> str:
    """The hello Deployment must declare 5 replicas and have 5 available."""
    status = require("Deployment", "hello", NAMESPACE)
    wanted = status["spec"].get("replicas")
    available = status["status"].get("availableReplicas", 0)
    if wanted != 5:
        raise Failed(f"hello declares {wanted} replicas, not 5.")
    if available != 5:
        raise Failed(f"hello declares 5 replicas but only {available} are available yet.")
    return "hello runs 5 available replicas."


@exercise(
    "04.template",
    "Label the Pods of hello with tier=web",
    (
        "The new label goes in the Pod template (`spec.template.metadata.labels`), not in the"
        " selector; apply the change, then wait for the rollout."
    ),
)
def template_label() -> str:
    """Every running Pod of hello must carry tier=web, and the rollout must be complete."""
    status = require("Deployment", "hello", NAMESPACE)
    labels = status["spec"]["template"]["metadata"].get("labels", {})
    if labels.get("tier") != "web":
        raise Failed("the Pod template of hello has no label tier=web yet.")
    kubectl(
        f"rollout status deployment/hello -n {NAMESPACE} --timeout=120s", timeout=150, check=False
    )
    pods = get("pods", namespace=NAMESPACE, selector="app=hello")["items"]
    alive = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    unlabelled = [
        p["metadata"]["name"] for p in alive if p["metadata"]["labels"].get("tier") != "web"
    ]
    if unlabelled:
        raise Failed(f"these Pods of hello have no tier=web yet: {', '.join(unlabelled)}.")
    return f"all {len(alive)} Pods of hello carry tier=web: the cluster replaced them."
