"""The course's kind cluster as a lesson sees it: its name, ports, and whether it answers.

Creating, reusing and deleting it is set-up work: `labkit._setup.kind.cluster`.
"""

from __future__ import annotations

import json
import os
import shutil
import time

from .._paths import use_course_tools
from .docker import client
from .kubectl import kubectl
from .sh import sh

NAME = os.environ.get("LABKIT_CLUSTER", "course")
CONTEXT = f"kind-{NAME}"
NODEPORT = 30080
INGRESS_PORT = int(os.environ.get("LABKIT_INGRESS_PORT", "8000"))
NODE_LABEL = "io.x-k8s.kind.cluster"


def node_containers() -> list:
    """The cluster's node containers (running or not)."""
    return client().containers.list(all=True, filters={"label": f"{NODE_LABEL}={NAME}"})


_LAST_OK = [0.0]


def reachable() -> bool:
    """True when the course cluster's API server answers (a success is trusted for 10 s)."""
    if time.monotonic() - _LAST_OK[0] < 10:
        return True
    use_course_tools()
    if not shutil.which("kubectl"):
        return False
    result = sh(f"kubectl --context {CONTEXT} get --raw /readyz", timeout=15, check=False)
    if result.ok:
        _LAST_OK[0] = time.monotonic()
    return result.ok


def forget() -> None:
    """Trust no earlier answer of `reachable` (the cluster is being deleted)."""
    _LAST_OK[0] = 0.0


def exists() -> bool:
    """True when kind knows the course cluster."""
    use_course_tools()
    if not shutil.which("kind"):
        return False
    return NAME in sh("kind get clusters", timeout=30, check=False).output.split()


def nodes_ready() -> tuple[int, int]:
    """(Ready nodes, all nodes) as the API server reports them."""
    result = kubectl(f"--context {CONTEXT} get nodes -o json", timeout=20, check=False)
    if not result.ok:
        return 0, len(node_containers())
    items = json.loads(result.output)["items"]
    ready = sum(
        any(c["type"] == "Ready" and c["status"] == "True" for c in item["status"]["conditions"])
        for item in items
    )
    return ready, len(items)
