"""Chapter 12 exercises: NetworkPolicies proven with real, bounded connections."""

from __future__ import annotations

import shlex

from ..._errors import ClusterUnavailable, TimeoutExpired
from ..._poll import poll
from .. import cluster
from ..kubectl import NO_CLUSTER_FIX, get, kubectl
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


ENFORCED_WITHIN = 5  # seconds: labkit-net, on each node, enforces a change within a second
PROBE_EVERY = 0.2  # seconds between two probes while waiting
AGENT_FIX = (
    "The nodes' agents enforce NetworkPolicies: see that each is Ready "
    "(`kubectl get daemonset labkit-net -n kube-system`) and read their logs "
    "(`kubectl logs -n kube-system -l app=labkit-net`)."
)


def connects(namespace: str, pod: str, host: str, port: int = 80, seconds: int = 3) -> bool:
    """True when Pod ``namespace/pod`` opens a TCP connection to ``host:port`` in ``seconds``."""
    probe = shlex.quote(f"</dev/tcp/{host}/{port}")
    result = kubectl(
        f"exec -n {namespace} {pod} -- timeout {seconds} bash -c {probe}", check=False, timeout=20
    )
    return result.ok


def wait_connection(
    source: str, host: str, *, reachable: bool, port: int = 80, timeout: float | None = None
) -> None:
    """Probe ``source`` → ``host:port`` until it connects (or is blocked), bounded.

    A policy is enforced a moment after `kubectl apply` returns, by an agent on each node: wait
    for its effect, not for a fixed time.

    Args:
        source: the client Pod, ``namespace/name``; its image needs ``bash`` and ``timeout``.
        host: a Service's DNS name or a Pod's IP.
        reachable: True to wait until it connects, False until it is blocked.
        port: the TCP port.
        timeout: seconds after which `TimeoutExpired` is raised (default `ENFORCED_WITHIN`).

    Raises:
        TimeoutExpired: the connection still is not as expected after ``timeout``.

    Example:
        >>> wait_connection("other/client", "web.secure", reachable=False)  # doctest: +SKIP
    """
    if not cluster.reachable():  # else every probe fails and it would wait in vain
        raise ClusterUnavailable("The course's Kubernetes cluster does not answer.", NO_CLUSTER_FIX)
    namespace, _, pod = source.partition("/")
    state = "open" if reachable else "blocked"

    def probe() -> bool | None:
        return True if connects(namespace, pod, host, port, seconds=2) == reachable else None

    poll(
        probe,
        timeout=ENFORCED_WITHIN if timeout is None else timeout,
        what=f"{source} → {host}:{port} to be {state}",
        fix=AGENT_FIX,
        every=PROBE_EVERY,
    )


def _eventually(source: str, host: str, *, reachable: bool, failure: str) -> None:
    """`wait_connection`, failing the check with ``failure`` (the learner's policy is wrong)."""
    try:
        wait_connection(source, host, reachable=reachable)
    except TimeoutExpired:
        raise Failed(failure) from None


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
    _eventually(
        "other/frontend",
        "web.secure",
        reachable=True,
        failure="other/frontend cannot connect to web.secure:80 yet.",
    )
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
        "A default deny selects every Pod of its namespace (which selector selects them all?),"
        " names the direction it closes in `policyTypes`, and has no rule for that direction."
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
    _eventually(
        "ex12/client",
        ip,
        reachable=False,
        failure="ex12/client still connects to web: the policy is not enforced yet.",
    )
    return "no Pod of ex12 accepts connections: ex12/client → web is blocked."
