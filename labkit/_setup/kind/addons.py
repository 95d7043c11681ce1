"""Cluster add-ons installed after `kind create`: metrics, LoadBalancer, Ingress controller.

(NetworkPolicies are enforced by labkit-net, the pod network agent: kube-network-policies
needs the nft ``queue`` statement, which kernels without CONFIG_NFT_QUEUE lack.)

Their manifests come from the add-ons' own modules (read from the Go module cache) and are
adapted with kubectl's built-in kustomize: the course's image names, never pulled. Each is
rendered once per version and recipe and kept in the cache (`manifest`), so a machine without
Go (the lab image) installs them too.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shutil
import tempfile
from pathlib import Path

import yaml

from ... import versions as v
from ..._lesson.kubectl import kubectl
from ..._paths import cache_dir
from ..gobuild import module_dir
from .components import K8S_RECIPES, METALLB


def kustomized(
    files: list[Path], images: list[dict], patches: list[dict], labels: dict | None = None
) -> str:
    """Render ``files`` through kustomize with image overrides and JSON patches."""
    with tempfile.TemporaryDirectory(prefix="labkit-kustomize-") as tmp:
        folder = Path(tmp)
        for path in files:
            shutil.copy(path, folder / path.name)
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [path.name for path in files],
            "images": images,
            "patches": patches,
        }
        if labels:
            kustomization["labels"] = [{"pairs": labels, "includeSelectors": True}]
        (folder / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
        return kubectl(f"kustomize {folder}", timeout=60).output


def _json_patch(kind: str, name: str, operations: list[dict]) -> dict:
    return {"target": {"kind": kind, "name": name}, "patch": yaml.safe_dump(operations)}


_CONTAINER = "/spec/template/spec/containers/0"  # in a Deployment or DaemonSet: its only one


def _prompt_readiness() -> list[dict]:
    """Patch operations: probe readiness from the start, every 2 s.

    The add-ons' own probes wait 10-20 s, then probe every 10 s: a cluster ready seconds
    after its Pods are (metrics-server is ready from its second scrape, 15 s after start).
    """
    probe = f"{_CONTAINER}/readinessProbe"
    return [
        {"op": "replace", "path": f"{probe}/initialDelaySeconds", "value": 0},
        {"op": "replace", "path": f"{probe}/periodSeconds", "value": 2},
    ]


def _startup_probe() -> list[dict]:
    """Patch operation: MetalLB's controller restarted when it does not serve within 20 s.

    Its webhook certificate's rotator sometimes loses a race on its Secret at the first start
    ("could not refresh CA and server certs: … the object has been modified", as in
    open-policy-agent/gatekeeper#4055); the controller then never opens its port (it waits
    for the certificates), and upstream's liveness probe restarts it only after 40 s. Its
    liveness probe stays as upstream has it once it has started.
    """
    probe = {"httpGet": {"path": "/metrics", "port": "monitoring"}}
    probe |= {"periodSeconds": 2, "failureThreshold": 10}
    return [{"op": "add", "path": f"{_CONTAINER}/startupProbe", "value": probe}]


def metrics_server() -> str:
    """metrics-server (``kubectl top`` and the HorizontalPodAutoscaler's CPU metrics)."""
    base = module_dir("sigs.k8s.io/metrics-server", v.METRICS_SERVER) / "manifests" / "base"
    files = ("apiservice.yaml", "deployment.yaml", "rbac.yaml", "service.yaml")
    return kustomized(
        [base / name for name in files],
        [
            {
                "name": "gcr.io/k8s-staging-metrics-server/metrics-server",
                "newName": "labkit/metrics-server",
                "newTag": v.METRICS_SERVER,
            }
        ],
        [
            _json_patch(
                "Deployment",
                "metrics-server",
                [
                    {"op": "replace", "path": f"{_CONTAINER}/imagePullPolicy", "value": "Never"},
                    # kind's kubelets serve self-signed certificates
                    {
                        "op": "add",
                        "path": f"{_CONTAINER}/args/-",
                        "value": "--kubelet-insecure-tls",
                    },
                    *_prompt_readiness(),
                ],
            )
        ],
        labels={"k8s-app": "metrics-server"},
    )


def metallb() -> str:
    """MetalLB (L2 mode): real addresses for Services of type LoadBalancer."""
    folder = module_dir(METALLB, v.METALLB) / "config" / "manifests"
    return kustomized(
        [folder / "metallb-native.yaml"],
        [
            {"name": f"quay.io/metallb/{part}", "newName": f"labkit/metallb-{part}"}
            for part in ("controller", "speaker")
        ],
        [
            _json_patch("Deployment", "controller", _prompt_readiness() + _startup_probe()),
            _json_patch("DaemonSet", "speaker", _prompt_readiness()),
        ],
    )


def address_pool(subnet: str) -> str:
    """MetalLB's pool: the top of the ``kind`` network's IPv4 subnet (Docker fills the bottom)."""
    network = ipaddress.ip_network(subnet)
    last = network.broadcast_address - 1
    first = last - 50
    return f"""apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: kind
  namespace: metallb-system
spec:
  addresses:
    - {first}-{last}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata:
  name: kind
  namespace: metallb-system
"""


def traefik() -> str:
    """Traefik, the deck's Ingress controller (our manifest, ``recipes/k8s/addons``)."""
    return (
        (K8S_RECIPES / "addons" / "traefik.yaml").read_text().replace("TRAEFIK_VERSION", v.TRAEFIK)
    )


ADDONS = {
    "metrics-server": metrics_server,
    "metallb": metallb,
    "traefik": traefik,
}
ROLLOUTS = (
    ("daemonset/labkit-net", "kube-system"),
    ("daemonset/kube-proxy", "kube-system"),
    ("deployment/coredns", "kube-system"),
    ("deployment/metrics-server", "kube-system"),
    ("deployment/controller", "metallb-system"),
    ("daemonset/speaker", "metallb-system"),
    ("deployment/traefik", "traefik"),
)


def manifest(name: str) -> str:
    """The manifest of add-on ``name``: rendered once per version and recipe, then cached."""
    digest = hashlib.sha256(repr((name, v.METRICS_SERVER, v.METALLB, v.TRAEFIK)).encode())
    digest.update(Path(__file__).read_bytes())
    for path in sorted((K8S_RECIPES / "addons").rglob("*")):
        digest.update(path.name.encode() + (path.read_bytes() if path.is_file() else b""))
    cached = cache_dir() / "addons" / f"{name}-{digest.hexdigest()[:12]}.yaml"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(cached.name + ".partial")
        partial.write_text(ADDONS[name]())
        partial.rename(cached)
    return cached.read_text()
