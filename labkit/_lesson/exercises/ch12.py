"""Chapter 12 exercises: NetworkPolicies proven with real, bounded connections."""

from __future__ import annotations

import shlex

from ..._errors import ClusterUnavailable, LabkitError, TimeoutExpired
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
    """True when Pod ``namespace/pod`` opens a TCP connection to ``host:port`` in ``seconds``.

    Raises:
        LabkitError: the probe could not run there (no such Pod or namespace) or ``host`` is
            no name at all: either would read as "blocked".
    """
    probe = shlex.quote(f"</dev/tcp/{host}/{port}")
    result = kubectl(
        f"exec -n {namespace} {pod} -- timeout {seconds} bash -c {probe}", check=False, timeout=20
    )
    if not result.ok and "(NotFound)" in result.output:
        raise _no_source(namespace, pod)
    if not result.ok and "Name or service not known" in result.output:
        raise LabkitError(
            f"{host} is no name in the cluster: Pod {namespace}/{pod} cannot look it up, "
            "so no connection to it tells anything about a policy.",
            "Check the spelling: a Service is `NAME.NAMESPACE` (`kubectl get services -A`).",
        )
    return result.ok


def _no_source(namespace: str, pod: str) -> LabkitError:
    """The error for a probe from a Pod that is not there, naming what is missing."""
    if "(NotFound)" in kubectl(f"get namespace {namespace} -o name", check=False).output:
        return LabkitError(
            f"There is no namespace {namespace}, hence no Pod {namespace}/{pod} to probe from.",
            "Check the spelling (`kubectl get namespaces`); the source is `namespace/pod`.",
        )
    return LabkitError(
        f"There is no Pod {pod} in namespace {namespace} to probe from.",
        f"Check the spelling: `kubectl get pods -n {namespace}` lists the Pods there.",
    )


def _source_pod(source: str) -> tuple[str, str]:
    """``namespace/name`` as its two parts; another form is an error showing the right one."""
    namespace, _, pod = source.partition("/")
    if not namespace or not pod or "/" in pod:
        raise LabkitError(
            f"The source {source!r} does not name a Pod as `namespace/name`.",
            'Give its namespace too, e.g. `wait_connection("other/client", ...)`.',
        )
    return namespace, pod


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
        LabkitError: ``source`` is no Pod (a misspelt name or namespace), or ``host`` no name:
            a probe that cannot run must not pass for a blocked connection.

    Example:
        >>> wait_connection("other/client", "web.secure", reachable=False)  # doctest: +SKIP
    """
    namespace, pod = _source_pod(source)
    if not cluster.reachable():  # else every probe fails and it would wait in vain
        raise ClusterUnavailable("The course's Kubernetes cluster does not answer.", NO_CLUSTER_FIX)
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
