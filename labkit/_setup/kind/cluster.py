"""The course's kind cluster: created from the offline node image, reused while healthy.

One control plane and two workers (drain and cordon need workers). Pods pull Docker Hub
images through ``labkit-mirror``; NodePort 30080 and the ingress port are published on the
host's loopback.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from ..._errors import LabkitError, TimeoutExpired
from ..._lesson.cluster import (
    CONTEXT,
    INGRESS_PORT,
    NAME,
    NODEPORT,
    exists,
    forget,
    node_containers,
    nodes_ready,
)
from ..._lesson.docker import client
from ..._lesson.kubectl import ManifestError, apply, kubectl, wait_for, wait_rollout
from ..._lesson.registry import COURSE_REGISTRY, MIRROR
from ..._lesson.sh import sh
from ..._paths import cache_dir, link_tool
from ..._poll import NotYet, poll
from ..._progress import say, step
from ..gobuild import build, build_in_background
from ..services import CLUSTER_NETWORK, join_cluster_network
from . import addons
from .components import (
    ACTIONLINT_PROGRAM,
    HELM_PROGRAM,
    HOST_PROGRAMS,
    KIND_PROGRAM,
    KUBERNETES_PROGRAMS,
    NODE_PROGRAMS,
)
from .nodeimage import ensure_node_image, has_image, node_image

READY_TIMEOUT = 300


def ensure_tools() -> dict[str, Path]:
    """Build (once) and link kind, kubectl, helm and actionlint into the course's tools folder."""
    wanted = [
        KIND_PROGRAM,
        *(p for p in KUBERNETES_PROGRAMS if p.name in HOST_PROGRAMS),
        HELM_PROGRAM,
        ACTIONLINT_PROGRAM,
    ]
    binaries = build(wanted)
    for name, binary in binaries.items():
        link_tool(name, binary)
    return binaries


def prebuild_node_programs() -> Callable[[], object] | None:
    """Start building the node image's Go programs in the background, if it must be built.

    `labkit up` does it while the course images build (waiting on Debian's archive more
    than on the processor). Returns the function that waits for them, or None when the
    current node image is already there.
    """
    if has_image(node_image()):
        return None
    return build_in_background(NODE_PROGRAMS)


def kind_config() -> str:
    """The kind configuration of the course cluster."""
    loopback = "127.0.0.1"
    control_plane = {
        "role": "control-plane",
        "labels": {"ingress-ready": "true"},
        "extraPortMappings": [
            {"containerPort": 80, "hostPort": INGRESS_PORT, "listenAddress": loopback},
            {"containerPort": NODEPORT, "hostPort": NODEPORT, "listenAddress": loopback},
        ],
    }
    # The API server reaches aggregated APIs (metrics-server) at their Pods' addresses: through
    # the Service address its discovery of metrics.k8s.io stays 404 here, which stalls every
    # namespace deletion (NamespaceDeletionDiscoveryFailure).
    aggregator_routing = (
        "kind: ClusterConfiguration\n"
        "apiServer:\n"
        "  extraArgs:\n"
        '    enable-aggregator-routing: "true"\n'
    )
    # Kubelets 1.35+ refuse to start on a cgroup v1 host unless told otherwise (this machine's
    # kernel mounts cgroup v1; on a cgroup v2 host the setting changes nothing).
    cgroup_v1 = "kind: KubeletConfiguration\nfailCgroupV1: false\n"
    config = {
        "kind": "Cluster",
        "apiVersion": "kind.x-k8s.io/v1alpha4",
        "name": NAME,
        "kubeadmConfigPatches": [aggregator_routing, cgroup_v1],
        "nodes": [control_plane, {"role": "worker"}, {"role": "worker"}],
    }
    return yaml.safe_dump(config, sort_keys=False)


def status() -> list[tuple[str, bool, str]]:
    """(what, fine?, detail) for `labkit doctor`: node image, nodes."""
    image = node_image()
    ready, total = nodes_ready() if exists() else (0, 0)
    return [
        ("kind node image", has_image(image), image if has_image(image) else f"{image} missing"),
        (
            f"kind cluster {NAME!r}",
            total == 3 and ready == total,
            f"{ready}/{total} nodes Ready" if total else "not created",
        ),
    ]


def wait_nodes_ready(timeout: float = READY_TIMEOUT) -> None:
    """Wait (bounded) until every node is Ready.

    Raises:
        TimeoutExpired: some node is not Ready after ``timeout`` (how many are is said).
    """

    def probe() -> bool:
        ready, total = nodes_ready()
        if not total or ready < total:
            raise NotYet(f"{ready}/{total} nodes Ready")
        return True

    poll(
        probe,
        timeout=timeout,
        what=f"the nodes of {NAME!r} to be Ready",
        fix="Look at `kubectl get nodes` and `kubectl get pods -A`, then `labkit up`.",
        every=2,
    )


REUSE_TIMEOUT = 180  # after an engine restart the nodes come back in well under a minute


def _unfit(image: str) -> str | None:
    """Why the existing cluster cannot be reused, or None when it can.

    After the engine restarts (a laptop reboot), the nodes restart too, maybe with other
    addresses on the ``kind`` network: kind's entrypoint rewrites the kubelet's flags, the
    static Pods' manifests and the API server's certificate for the new address, and the
    nodes then report it. The cluster is reused once every node is Ready at the address it
    now has (bounded); it is recreated only when it is of another image or configuration,
    or does not come back.
    """
    containers = node_containers()
    if len(containers) != 3:
        return f"it has {len(containers)} node containers instead of 3"
    if any(container.attrs["Config"]["Image"] != image for container in containers):
        return "its nodes run another node image"
    used = cache_dir() / "kind-config.yaml"  # the configuration the cluster was created with
    if not used.exists() or used.read_text() != kind_config():
        return "it was created with another kind configuration"
    for container in containers:
        if container.status != "running":
            container.start()
    sh(f"kind export kubeconfig --name {NAME}", timeout=30)
    try:
        poll(
            lambda: _serving(containers),
            timeout=REUSE_TIMEOUT,
            what=f"the nodes of {NAME!r} to be Ready at their current addresses",
            fix="labkit recreates the cluster.",
            every=2,
        )
    except TimeoutExpired as err:
        return err.problem
    return None


def _serving(containers: list) -> bool:
    """True when every node is Ready at its container's address, as the API server's.

    Raises:
        NotYet: what is not there yet (the first node or address that does not fit).
    """
    actual = {}
    for container in containers:
        container.reload()
        networks = container.attrs["NetworkSettings"]["Networks"]
        actual[container.name] = networks.get(CLUSTER_NETWORK, {}).get("IPAddress")
    result = kubectl(f"--context {CONTEXT} get nodes -o json", timeout=20, check=False)
    if not result.ok:
        raise NotYet("the API server does not answer yet")
    for item in json.loads(result.output)["items"]:
        name = item["metadata"]["name"]
        status = item["status"]
        if not any(c["type"] == "Ready" and c["status"] == "True" for c in status["conditions"]):
            raise NotYet(f"node {name} is not Ready")
        internal = [a["address"] for a in status["addresses"] if a["type"] == "InternalIP"]
        if actual.get(name) not in internal:
            raise NotYet(f"node {name} reports {internal}, its container has {actual.get(name)}")
    advertised = kubectl(
        f"--context {CONTEXT} get endpointslices -n default -l "
        "kubernetes.io/service-name=kubernetes -o jsonpath={.items[0].endpoints[*].addresses[*]}",
        timeout=20,
        check=False,
    ).output.split()
    control_plane = actual.get(f"{NAME}-control-plane")
    if advertised != [control_plane]:
        raise NotYet(f"the kubernetes Service points at {advertised}, not {control_plane}")
    return True


def ensure_cluster() -> str:
    """Create the course cluster, or reuse a healthy one; return what was done."""
    ensure_tools()
    image = ensure_node_image()
    if exists():
        reason = _unfit(image)
        if reason is None:
            _join_registries()
            install_addons()  # idempotent: repairs a cluster whose set-up was interrupted
            return f"kind cluster {NAME!r} reused ({image})"
        with step(f"deleting the kind cluster {NAME!r}: {reason}"):
            delete()
    with step(f"creating the kind cluster {NAME!r}: 1 control plane + 2 workers"):
        config = cache_dir() / "kind-config.yaml"
        config.write_text(kind_config())
        result = sh(
            f"kind create cluster --name {NAME} --image {image} --config {config}",
            timeout=600,
            check=False,
        )
        if not result.ok:
            delete()  # never leave a half-created cluster behind
            raise LabkitError(
                f"`kind create cluster` failed: {result.output.strip()[-1500:]}",
                "Check `labkit doctor`, then run `labkit up` again.",
            )
    _join_registries()
    install_addons()
    return f"kind cluster {NAME!r} created ({image})"


def _join_registries() -> None:
    """Let the nodes reach labkit-mirror and labkit-registry by name."""
    for spec in (MIRROR, COURSE_REGISTRY):
        join_cluster_network(spec.name)


def install_addons() -> None:
    """Apply the add-ons and wait (bounded) for the system workloads to roll out."""
    with step("installing add-ons and waiting for the system Pods"):
        apply("\n---\n".join(addons.manifest(name) for name in addons.ADDONS), validate=False)
        say(f"    applied: {', '.join(addons.ADDONS)}")
        wait_nodes_ready()
        for rollout, namespace in addons.ROLLOUTS:
            wait_rollout(rollout, namespace, timeout=READY_TIMEOUT)
        # After the nodes restart, a rollout may read complete from its old status: wait for
        # the Pods themselves.
        for namespace in sorted({namespace for _, namespace in addons.ROLLOUTS}):
            wait_for("pods --all", "condition=Ready", namespace=namespace, timeout=READY_TIMEOUT)
        _apply_pool()
        say("    MetalLB address pool applied")
        # Until the metrics API answers, the API server cannot list every kind of object,
        # and deleting a namespace stalls (NamespaceDeletionDiscoveryFailure).
        wait_for("apiservice/v1beta1.metrics.k8s.io", "condition=Available", timeout=180)
        _wait_metrics_discovery()


def _apply_pool(timeout: float = 120) -> None:
    """Apply MetalLB's pool, retrying (bounded) while its validating webhook is not serving.

    After the nodes restart, the controller's Deployment may still read as available while
    its webhook endpoint is not answering yet.
    """

    def probe() -> bool:
        try:
            apply(addons.address_pool(_kind_subnet()))
        except ManifestError as err:
            if "failed calling webhook" not in str(err):
                raise
            raise NotYet(err.problem) from err
        return True

    poll(
        probe,
        timeout=timeout,
        what="MetalLB's webhook to accept the address pool",
        fix="Look at `kubectl get pods -n metallb-system` and the controller's logs, then "
        "`labkit up`.",
        every=3,
    )


def _wait_metrics_discovery(timeout: float = 90) -> None:
    """Wait (bounded) until the API server serves the metrics API it aggregates."""

    def probe() -> bool:
        result = kubectl("get --raw /apis/metrics.k8s.io/v1beta1", timeout=20, check=False)
        if not result.ok:
            raise NotYet((result.output.strip().splitlines() or [f"exit {result.code}"])[-1])
        return True

    poll(
        probe,
        timeout=timeout,
        what="the API server to serve metrics.k8s.io (without it namespace deletions stall)",
        fix="Look at `kubectl get apiservice` and metrics-server's logs, then run `labkit up`.",
        every=2,
    )


def _kind_subnet() -> str:
    """The IPv4 subnet of the ``kind`` Docker network."""
    configs = client().networks.get(CLUSTER_NETWORK).attrs["IPAM"]["Config"]
    return next(c["Subnet"] for c in configs if ":" not in c["Subnet"])


def delete() -> None:
    """Delete the course cluster (and its kubeconfig context); absent is fine."""
    forget()  # `reachable()` must not trust an answer from before
    if sh(f"kind delete cluster --name {NAME}", timeout=180, check=False).ok:
        return
    _remove_orphaned_nodes()
    sh(f"kind delete cluster --name {NAME}", timeout=180)


def _parent_shim(pid: int) -> int | None:
    """The containerd shim that is the parent of ``pid``, if it is one."""
    try:
        status = open(f"/proc/{pid}/status").read()
        parent = int(
            next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        )
        command = open(f"/proc/{parent}/cmdline").read()
    except (OSError, StopIteration, ValueError):
        return None
    return parent if "containerd-shim" in command else None


def _remove_orphaned_nodes(attempts: int = 5) -> None:
    """Remove node containers the engine lost track of.

    When dockerd is killed (not stopped), a node whose shim outlived it can stay "running"
    for the new dockerd, which then cannot kill it ("did not receive an exit event"): its
    init process and its shim are killed from the host, then the container removed
    (bounded retries).
    """
    for container in node_containers():
        for _ in range(attempts):
            container.reload()
            pid = container.attrs["State"].get("Pid") or 0
            if pid > 0 and os.path.exists(f"/proc/{pid}"):
                shim = _parent_shim(pid)  # the orphaned shim holds it: stop both
                sh(f"kill -9 {pid} {shim or ''}", check=False, timeout=10)
            if sh(f"docker rm -f -v {container.name}", check=False, timeout=60).ok:
                break
            time.sleep(2)
