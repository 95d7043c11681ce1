"""What the course cluster is made of: Go programs, and the images built around them."""

from __future__ import annotations

from dataclasses import dataclass

from ... import versions as v
from ..._paths import RECIPES_DIR
from ..gobuild import GoProgram, ModuleEdit, kubernetes_ldflags

K8S_RECIPES = RECIPES_DIR / "k8s"
METALLB = "go.universe.tf/metallb"
NET_AGENT_DIR = K8S_RECIPES / "labkit-net"

_K8S_LDFLAGS = kubernetes_ldflags(v.KUBERNETES)
KUBERNETES_PROGRAMS = tuple(
    GoProgram(
        name,
        "k8s.io/kubernetes",
        v.KUBERNETES,
        f"k8s.io/kubernetes/cmd/{name}",
        cgo=True,
        ldflags=_K8S_LDFLAGS,
        staging=v.STAGING,
    )
    for name in (
        "kubeadm",
        "kubelet",
        "kubectl",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kube-proxy",
    )
)
# What the offline cluster never runs, and its build would spend most of its time on:
# - Traefik's ACME DNS challenge, through lego's 190 DNS providers and their cloud SDKs (a third
#   of Traefik's packages, 1.6 GB of modules): the cluster has no public name to certify.
_LEGO = "github.com/go-acme/lego/v4"
_NO_DNS_PROVIDERS = f"""// labkit's build of Traefik: no lego DNS provider (no ACME DNS challenge).
package dns

import (
	"fmt"

	"{_LEGO}/challenge"
)

// NewDNSChallengeProviderByName: this build has no DNS provider.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {{
	return nil, fmt.Errorf("DNS provider %q: not in this build of Traefik (labkit)", name)
}}
"""
# - CoreDNS's plugins for cloud DNS services, etcd, Nomad and tracing (half its modules): the
#   cluster's Corefile (kind's) uses none of them; `coredns -plugins` lists the others.
_COREDNS = "github.com/coredns/coredns"
_COREDNS_UNUSED = ("route53", "azure", "clouddns", "etcd", "nomad", "trace")
ADDON_PROGRAMS = (
    GoProgram("etcd", "go.etcd.io/etcd/server/v3", v.ETCD, "go.etcd.io/etcd/server/v3"),
    GoProgram(
        "coredns",
        _COREDNS,
        v.COREDNS,
        _COREDNS,
        edits=(
            ModuleEdit(
                _COREDNS,
                "core/plugin/zplugin.go",
                drop_imports=tuple(f"{_COREDNS}/plugin/{name}" for name in _COREDNS_UNUSED),
            ),
        ),
    ),
    GoProgram(
        "local-path-provisioner",
        "github.com/rancher/local-path-provisioner",
        v.LOCAL_PATH_PROVISIONER,
        "github.com/rancher/local-path-provisioner",
    ),
    GoProgram("crictl", "sigs.k8s.io/cri-tools", v.CRICTL, "sigs.k8s.io/cri-tools/cmd/crictl"),
    GoProgram(
        "metrics-server",
        "sigs.k8s.io/metrics-server",
        v.METRICS_SERVER,
        "sigs.k8s.io/metrics-server/cmd/metrics-server",
    ),
    GoProgram(
        "traefik",
        "github.com/traefik/traefik/v3",
        v.TRAEFIK,
        "github.com/traefik/traefik/v3/cmd/traefik",
        ldflags=f"-s -w -X github.com/traefik/traefik/v3/pkg/version.Version={v.TRAEFIK}",
        edits=(
            ModuleEdit(_LEGO, "providers/dns/zz_gen_dns_providers.go", content=_NO_DNS_PROVIDERS),
        ),
    ),
    GoProgram("metallb-controller", METALLB, v.METALLB, f"{METALLB}/controller"),
    GoProgram("metallb-speaker", METALLB, v.METALLB, f"{METALLB}/speaker"),
)
NODE_PROGRAMS = KUBERNETES_PROGRAMS + ADDON_PROGRAMS  # built for the node image
KIND_PROGRAM = GoProgram("kind", "sigs.k8s.io/kind", v.KIND, "sigs.k8s.io/kind")
_HELM_VERSION = "helm.sh/helm/v4/internal/version"
HELM_PROGRAM = GoProgram(
    "helm",
    "helm.sh/helm/v4",
    v.HELM,
    "helm.sh/helm/v4/cmd/helm",
    ldflags=f"-s -w -X {_HELM_VERSION}.version={v.HELM} -X {_HELM_VERSION}.gitTreeState=clean",
)
# Not a course tool: it checks the project's GitHub workflows (tests/integration/test_ci_files.py)
ACTIONLINT_PROGRAM = GoProgram(
    "actionlint",
    "github.com/rhysd/actionlint",
    v.ACTIONLINT,
    "github.com/rhysd/actionlint/cmd/actionlint",
    ldflags=f"-s -w -X github.com/rhysd/actionlint.version={v.ACTIONLINT}",
)
HOST_PROGRAMS = ("kind", "kubectl")  # Kubernetes programs linked into the course's tools


@dataclass(frozen=True)
class Component:
    """An image loaded into every node: its name, the binary in it, and how it starts."""

    image: str
    binary: str
    base: str = "debian"  # "scratch", "debian" (course base) or "netfilter" (+ iptables...)
    path: str = ""  # where the binary goes (default /usr/local/bin/NAME)
    entrypoint: bool = False
    user: str = ""

    @property
    def target(self) -> str:
        """Absolute path of the binary in the image."""
        return self.path or f"/usr/local/bin/{self.binary}"


def components(storage_images: tuple[str, str]) -> tuple[Component, ...]:
    """Every component image; ``storage_images`` are the names kind's storage manifest uses."""
    registry = "registry.k8s.io"
    provisioner, helper = storage_images
    return (
        Component(v.PAUSE_IMAGE, "pause", "scratch", "/pause", entrypoint=True, user="65535"),
        Component(f"{registry}/kube-apiserver:{v.KUBERNETES}", "kube-apiserver"),
        Component(f"{registry}/kube-controller-manager:{v.KUBERNETES}", "kube-controller-manager"),
        Component(f"{registry}/kube-scheduler:{v.KUBERNETES}", "kube-scheduler"),
        Component(f"{registry}/kube-proxy:{v.KUBERNETES}", "kube-proxy", "netfilter"),
        Component(v.ETCD_IMAGE, "etcd"),
        Component(v.COREDNS_IMAGE, "coredns", "scratch", "/coredns", entrypoint=True),
        Component(provisioner, "local-path-provisioner"),
        Component(helper, "", "debian"),  # only needs sh, mkdir and rm
        Component("labkit/labkit-net:1", "labkit-net", "netfilter"),
        Component(
            f"labkit/metrics-server:{v.METRICS_SERVER}",
            "metrics-server",
            "scratch",
            "/metrics-server",
            entrypoint=True,
            user="65534",
        ),
        Component(f"labkit/traefik:{v.TRAEFIK}", "traefik", "scratch", "/traefik", True),
        Component(
            f"labkit/metallb-controller:{v.METALLB}",
            "metallb-controller",
            "scratch",
            "/controller",
            True,
        ),
        Component(
            f"labkit/metallb-speaker:{v.METALLB}", "metallb-speaker", "scratch", "/speaker", True
        ),
    )
