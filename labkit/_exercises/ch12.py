"""Chapter 12 exercises: NetworkPolicies proven with real, bounded connections."""

from __future__ import annotations

import shlex
import time

from .._k8s.kubectl import get, kubectl
from . import Failed, exercise, require


def _ready_pod(namespace: str, name: str) -> dict:
    """The Pod ``namespace/name``, which must exist and be Ready."""
    require("Pod", name, namespace)
    waited = kubectl(
        f"wait --for=condition=Ready pod/{name} -n {namespace} --timeout=60s",
        check=False,
        timeout=90,
    )
    if not waited.ok:
        raise Failed(f"Pod {namespace}/{name} is not Ready.")
    return get("pod", name, namespace)


POLICY_DELAY = 3  # seconds: labkit-net, on each node, applies new policies within 2 s


def _settle() -> None:
    """Give the nodes' agents time to apply a policy the learner has just created."""
    time.sleep(POLICY_DELAY)


def connects(namespace: str, pod: str, host: str, port: int = 80) -> bool:
    """True when Pod ``namespace/pod`` opens a TCP connection to ``host:port`` within 3 s."""
    probe = shlex.quote(f"</dev/tcp/{host}/{port}")
    result = kubectl(
        f"exec -n {namespace} {pod} -- timeout 3 bash -c {probe}", check=False, timeout=20
    )
    return result.ok


@exercise(
    "12.allow-other",
    "Let only role=frontend Pods of namespace other reach web in secure",
    (
        "In `from`, one element (one `-`) holding both a `namespaceSelector` for `other` and "
        "a `podSelector` for the role; the policy protects the Pods of web."
    ),
)
def allow_other() -> str:
    """other/frontend (role=frontend) reaches web.secure; other/client does not."""
    _ready_pod("secure", "web")
    _ready_pod("secure", "client")
    frontend = _ready_pod("other", "frontend")
    if frontend["metadata"].get("labels", {}).get("role") != "frontend":
        raise Failed("Pod other/frontend has no label role=frontend.")
    _ready_pod("other", "client")
    _settle()
    if not connects("other", "frontend", "web.secure"):
        raise Failed("other/frontend cannot connect to web.secure:80 yet.")
    if connects("other", "client", "web.secure"):
        raise Failed(
            "other/client connects to web.secure:80 too: the policy lets in all of namespace "
            "other (a namespaceSelector and a podSelector in two `-` elements mean *or*)."
        )
    if not connects("secure", "client", "web.secure"):
        raise Failed("secure/client can no longer reach web: keep deny-from-other-namespaces.")
    return "other/frontend reaches web, other/client is still blocked."


@exercise(
    "12.default-deny",
    "Deny all ingress to every Pod of namespace ex12",
    (
        "A default deny selects every Pod of its namespace, names its policy type, and has no"
        " rule at all (see the table at the end of the chapter)."
    ),
)
def default_deny() -> str:
    """A policy selecting every Pod of ex12 for Ingress, with no rules; ex12/client is blocked."""
    spec = require("NetworkPolicy", "default-deny-ingress", "ex12")["spec"]
    if spec.get("podSelector"):
        raise Failed("default-deny-ingress selects only some Pods: use `podSelector: {}`.")
    if "Ingress" not in spec.get("policyTypes", []):
        raise Failed("default-deny-ingress does not list Ingress in its policyTypes.")
    if spec.get("ingress"):
        raise Failed("default-deny-ingress has ingress rules: a default deny has none.")
    web = _ready_pod("ex12", "web")
    _ready_pod("ex12", "client")
    ip = web.get("status", {}).get("podIP")
    if not ip:
        raise Failed("Pod ex12/web has no IP yet.")
    _settle()
    if connects("ex12", "client", ip):
        raise Failed("ex12/client still connects to web: the policy is not enforced yet.")
    return "no Pod of ex12 accepts connections: ex12/client → web is blocked."
