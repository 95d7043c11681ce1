"""Measure the offline kind cluster: toolchain, node image, creation, memory.

    .venv/bin/python benchmarks/bench_cluster.py                 # warm creation + memory
    .venv/bin/python benchmarks/bench_cluster.py --node-image    # + node image from cached binaries
    .venv/bin/python benchmarks/bench_cluster.py --cold-go       # + every Go program from an
                                                                 # empty module and build cache
    .venv/bin/python benchmarks/bench_cluster.py --cold-go traefik coredns --no-create
                                                                 # only these programs, cold

`--cold-go` builds into temporary GOMODCACHE, GOCACHE and LABKIT_CACHE folders (it downloads
every module again through the proxy): the machine's caches and the running cluster are left
alone. Warm creation deletes the course cluster, times plain `kind create cluster` with the
same node image, deletes it, and times labkit's creation of the course cluster (`labkit up`
would reuse it). Results are printed and saved to benchmarks/results/cluster-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labkit._lesson.cluster import NAME, NODE_LABEL  # noqa: E402
from labkit._lesson.sh import sh  # noqa: E402
from labkit._paths import use_course_tools  # noqa: E402
from labkit._setup.kind import cluster  # noqa: E402
from labkit._setup.kind.nodeimage import NODE_REPOSITORY, ensure_node_image, node_image  # noqa: E402

BUILD = (
    "from labkit._setup.kind.components import ADDON_PROGRAMS, KIND_PROGRAM, KUBERNETES_PROGRAMS\n"
    "from labkit._setup.gobuild import build\n"
    "wanted = {names!r}\n"
    "build([p for p in [KIND_PROGRAM, *KUBERNETES_PROGRAMS, *ADDON_PROGRAMS]\n"
    "       if not wanted or p.name in wanted])\n"
)


def cold_go(code: str) -> dict[str, float]:
    """Run ``code`` (Go builds) with empty caches; seconds per module group, and in all."""
    with tempfile.TemporaryDirectory(prefix="bench-go-") as tmp:
        env = {
            **os.environ,
            "GOMODCACHE": f"{tmp}/mod",
            "GOCACHE": f"{tmp}/build",
            "LABKIT_CACHE": f"{tmp}/labkit",
        }
        start = time.monotonic()
        run = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        total = time.monotonic() - start
        sh(f"chmod -R u+w {tmp}", check=False, timeout=600)  # the module cache is read-only
    steps = dict(re.findall(r"✓ building (.+?) from \S+ \(([\d.]+) s\)", run.stderr))
    if run.returncode:
        raise SystemExit(f"cold Go build failed:\n{run.stderr[-3000:]}")
    return {**{name: float(s) for name, s in steps.items()}, "total": round(total, 1)}


def node_image_time() -> float:
    """Rebuild the node image from cached binaries (component images, base, import)."""
    for repository in (NODE_REPOSITORY, f"{NODE_REPOSITORY}-base"):
        sh(f"docker images -q {repository} | xargs -r docker rmi -f", check=False, timeout=300)
    start = time.monotonic()
    ensure_node_image()
    return round(time.monotonic() - start, 1)


def creation_times(rounds: int = 3) -> dict[str, object]:
    """Plain `kind create`, then labkit's creation (add-ons, waits): alternately, ``rounds`` times.

    One at a time, on an otherwise idle engine; medians compared (on 2 cores one creation
    varies by ±5 s). Plain kind gets the one kubelet setting it needs on this cgroup v1
    machine (``failCgroupV1: false``, as labkit's configuration has).
    """
    config = Path(tempfile.mkstemp(suffix=".yaml")[1])
    config.write_text(
        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n"
        "nodes: [{role: control-plane}, {role: worker}, {role: worker}]\n"
        "kubeadmConfigPatches:\n- |\n  kind: KubeletConfiguration\n  failCgroupV1: false\n"
    )
    kind_times, labkit_times = [], []
    try:
        for _ in range(rounds):
            cluster.delete()
            start = time.monotonic()
            sh(
                f"kind create cluster --name bench --image {node_image()} --config {config} "
                "--kubeconfig /dev/null",
                timeout=600,
            )
            kind_times.append(round(time.monotonic() - start, 1))
            sh("kind delete cluster --name bench --kubeconfig /dev/null", timeout=300)
            start = time.monotonic()
            cluster.ensure_cluster()
            labkit_times.append(round(time.monotonic() - start, 1))
    finally:
        config.unlink()
        sh("kind delete cluster --name bench --kubeconfig /dev/null", check=False, timeout=300)
    kind_median, labkit_median = statistics.median(kind_times), statistics.median(labkit_times)
    return {
        "labkit: kind create + add-ons + all system Pods ready": labkit_times,
        "kind create cluster (same image, 3 nodes, no add-ons)": kind_times,
        "ratio of the medians": round(labkit_median / kind_median, 2),
    }


def idle_memory(settle: float = 60) -> dict[str, float]:
    """MiB used by each node container after ``settle`` idle seconds, and their sum."""
    time.sleep(settle)
    output = sh(
        "docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' "
        f"$(docker ps -q --filter label={NODE_LABEL}={NAME})",
        timeout=60,
    ).output
    usage = {}
    for name, amount, unit in re.findall(r"^(\S+) ([\d.]+)(\w+) /", output, flags=re.M):
        factor = {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]
        usage[name] = round(float(amount) * factor, 1)
    usage["total"] = round(sum(usage.values()), 1)
    return usage


def main() -> int:
    """Run the chosen measurements, print and save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cold-go",
        nargs="*",
        metavar="PROGRAM",
        help="Go programs from empty caches: those named (e.g. traefik coredns), or all",
    )
    parser.add_argument("--node-image", action="store_true", help="node image, binaries cached")
    parser.add_argument("--no-create", action="store_true", help="skip creation and memory")
    parser.add_argument("--rounds", type=int, default=3, help="creations of each (default 3)")
    args = parser.parse_args()
    use_course_tools()
    results: dict[str, object] = {"when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if args.cold_go is not None:
        code = BUILD.format(names=sorted(args.cold_go))  # none named: all of them
        results["Go programs from empty caches (s)"] = cold_go(code)
    if args.node_image:
        results["node image from cached binaries (s)"] = node_image_time()
    if not args.no_create:
        results["cluster creation (s)"] = creation_times(args.rounds)
        results["idle memory after 60 s (MiB)"] = idle_memory()
    report(results, "cluster-")
    return 0


if __name__ == "__main__":
    sys.exit(main())
