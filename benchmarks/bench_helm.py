"""Measure the Helm chapter's tools: helm's build (cold, warm) and a WordPress install.

    .venv/bin/python benchmarks/bench_helm.py            # warm build + install → page served
    .venv/bin/python benchmarks/bench_helm.py --cold-go  # + helm from empty Go caches

`--cold-go` builds helm into temporary GOMODCACHE, GOCACHE and LABKIT_CACHE folders (every
module downloaded again through the proxy); the machine's caches are left alone. The install
puts chapter 14's chart (with the deck's values) in a scratch namespace of the running
cluster, times `helm install --wait` and the first HTTPS answer through Traefik, then removes
it. Results are printed and saved to benchmarks/results/helm-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labkit._lesson.sh import sh  # noqa: E402
from labkit._paths import use_course_tools  # noqa: E402
from labkit._setup.gobuild import build  # noqa: E402
from labkit._setup.kind.components import HELM_PROGRAM  # noqa: E402

CHART = ROOT / "notebooks" / "14-helm" / "charts" / "wordpress"
BUILD_HELM = (
    "from labkit._setup.kind.components import HELM_PROGRAM\n"
    "from labkit._setup.gobuild import build\n"
    "build([HELM_PROGRAM])\n"
)


def cold_build() -> float:
    """Seconds to build helm from empty module and build caches."""
    with tempfile.TemporaryDirectory(prefix="bench-helm-") as tmp:
        env = {
            **os.environ,
            "GOMODCACHE": f"{tmp}/mod",
            "GOCACHE": f"{tmp}/build",
            "LABKIT_CACHE": f"{tmp}/labkit",
        }
        start = time.monotonic()
        subprocess.run([sys.executable, "-c", BUILD_HELM], cwd=ROOT, env=env, check=True)
        seconds = time.monotonic() - start
        sh(f"chmod -R u+w {tmp}", check=False, timeout=600)  # the module cache is read-only
    return round(seconds, 1)


def warm_build() -> float:
    """Seconds for `labkit up` to find helm built (the cached binary)."""
    start = time.monotonic()
    build([HELM_PROGRAM])
    return round(time.monotonic() - start, 2)


def install_to_page() -> dict[str, float]:
    """Install the chart in a scratch namespace; seconds to `--wait` and to the first page."""
    namespace, host = "bench-helm", "wordpress-bench.default.weeble.tech"
    sh(f"kubectl delete namespace {namespace} --ignore-not-found --wait", timeout=300)
    sh(f"helm dependency build {CHART}", timeout=120, check=False)
    lb = sh(
        "kubectl get svc traefik -n traefik -o jsonpath='{.status.loadBalancer.ingress[0].ip}'"
    ).output.strip()
    start = time.monotonic()
    sh(
        f"helm install bench {CHART} --namespace {namespace} --create-namespace "
        f"--set serviceType=ClusterIP --set ingress.enabled=true "
        f"--set 'ingress.hosts[0].name={host}' --set wordpressBlogName=Bench "
        "--wait --timeout 300s",
        timeout=360,
    )
    installed = time.monotonic() - start
    sh(
        f"curl -sfLk --retry 60 --retry-all-errors --retry-delay 1 --resolve {host}:443:{lb} "
        f"https://{host}/ | grep -q '<title>Bench'",
        timeout=120,
    )
    served = time.monotonic() - start
    sh(f"helm uninstall bench --namespace {namespace} --wait=legacy", timeout=300, check=False)
    sh(f"kubectl delete namespace {namespace} --wait", timeout=300, check=False)
    return {"helm install --wait (s)": round(installed, 1), "page served (s)": round(served, 1)}


def main() -> int:
    """Run the measurements chosen on the command line, print and save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-go", action="store_true", help="also build helm cold")
    args = parser.parse_args()
    use_course_tools()
    results: dict[str, object] = {"when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if args.cold_go:
        results["helm build, cold (s)"] = cold_build()
    results["helm build, warm (s)"] = warm_build()
    results["wordpress"] = install_to_page()
    report(results, "helm-")
    return 0


if __name__ == "__main__":
    sys.exit(main())
