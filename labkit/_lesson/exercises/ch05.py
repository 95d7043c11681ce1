"""Chapter 05 exercises: declare objects with kubectl apply, find a Pod's node, read logs."""

from __future__ import annotations

import re

from ..kubectl import get, kubectl
from . import Failed, exercise, require

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _pod(name: str, namespace: str) -> dict:
    """The Pod as JSON, or `Failed` naming what is missing."""
    require("namespace", namespace)
    return require("Pod", name, namespace)


@exercise(
    "05.apply",
    "Declare namespace ex05 and a Pod hello (nginx) with cat | kubectl apply -f -",
    (
        "Two documents in one file, separated by a line `---`; the Pod's `metadata.namespace`"
        " puts it in ex05. Pipe the file into `kubectl apply` reading standard input (`-f "
        "-`), then wait until the Pod is Ready."
    ),
)
def apply_pipe() -> str:
    """Namespace ex05 and Pod hello (nginx), both declared by kubectl apply, Pod Ready."""
    pod = _pod("hello", "ex05")
    images = [c["image"] for c in pod["spec"]["containers"]]
    if [image.split(":")[0].removeprefix("docker.io/library/") for image in images] != ["nginx"]:
        raise Failed(f"hello runs {images}, not one nginx container.")
    namespace = get("namespace", "ex05")
    for kind, item in (("Namespace ex05", namespace), ("Pod hello", pod)):
        if LAST_APPLIED not in (item["metadata"].get("annotations") or {}):
            raise Failed(
                f"{kind} was not declared with `kubectl apply` (made by `kubectl create` or "
                "`kubectl run`?): delete it, then `cat ex05.yml | kubectl apply -f -`."
            )
    waited = kubectl("wait --for=condition=Ready pod/hello -n ex05 --timeout=60s", timeout=90)
    if not waited.ok:
        raise Failed("hello exists but is not Ready yet.")
    return "namespace ex05 and Pod hello were declared with kubectl apply; hello is Ready."


@exercise(
    "05.node",
    "Name the node the Pod of metrics-server runs on",
    (
        "`-o wide` adds a NODE column to `kubectl get pods`; metrics-server runs in the "
        "namespace of the cluster's own components."
    ),
)
def pod_node(answer: object = "") -> str:
    """The answer must be the node of metrics-server's Pod (namespace kube-system)."""
    if not str(answer).strip():
        raise Failed("`answer` is empty: put the node's name in it.")
    pods = get("pods", namespace="kube-system", selector="k8s-app=metrics-server")["items"]
    nodes = {pod["spec"].get("nodeName") for pod in pods} - {None}
    if not nodes:
        raise Failed("metrics-server has no Pod on a node yet (is the cluster up?).")
    if str(answer).strip() not in nodes:
        raise Failed(f"metrics-server does not run on {str(answer).strip()!r}.")
    return "right: the scheduler chose that node, and its kubelet runs the container."


@exercise(
    "05.logs",
    "Read the oracle's secret number in its logs",
    ("`kubectl logs` reads what a container printed; the oracle's Pod is in namespace my-app."),
)
def oracle_number(answer: object = "") -> str:
    """The answer must be the number the Pod oracle printed when it started."""
    if not str(answer).strip():
        raise Failed("`answer` is empty: put the oracle's number in it.")
    _pod("oracle", "my-app")
    logs = kubectl("logs oracle -n my-app", check=False).output
    found = re.search(r"secret number is (\d+)", logs)
    if not found:
        raise Failed("the oracle has not said its number yet: wait for it to be Ready.")
    if str(answer).strip().rstrip(".") != found.group(1):
        raise Failed(f"{str(answer).strip()!r} is not the oracle's number.")
    return "right: you read a container's logs through the API server."
