"""Measure the course's Docker engine and client, built from their Go modules.

    .venv/bin/python benchmarks/bench_engine.py           # engine start, warm `labkit up`
    .venv/bin/python benchmarks/bench_engine.py --cold-go # + every engine/client program
                                                          # from empty module and build caches

`--cold-go` builds into temporary caches (the machine's are left alone), like
bench_cluster.py. The start measurement stops the running dockerd (labkit's) and times
`ensure_engine()` until the engine answers: the kind cluster's nodes stop with it, and the
warm `labkit up` that follows restarts them. Results are printed and saved to
benchmarks/results/engine-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from _results import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_cluster import cold_go  # noqa: E402

from labkit._setup import engine  # noqa: E402

BUILD_ENGINE = (
    "from labkit._setup.engine_tools import CLIENT_PROGRAMS, ENGINE_PROGRAMS\n"
    "from labkit._setup.gobuild import build\n"
    "build([*ENGINE_PROGRAMS, *CLIENT_PROGRAMS])\n"
)


def timed(command: list[str]) -> float:
    """Seconds ``command`` took (it must succeed)."""
    start = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=3600)
    return round(time.monotonic() - start, 1)


def main() -> int:
    """Run the chosen measurements, print and save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-go", action="store_true", help="engine programs, empty caches")
    args = parser.parse_args()
    results: dict[str, object] = {"when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if args.cold_go:
        results["engine and client from empty Go caches (s)"] = cold_go(BUILD_ENGINE)
    labkit = str(ROOT / ".venv" / "bin" / "labkit")
    results["labkit up, warm, engine running (s)"] = timed([labkit, "up"])
    engine.stop_dockerd()
    start = time.monotonic()
    engine.ensure_engine()
    results["engine start: stopped → answering (s)"] = round(time.monotonic() - start, 1)
    results["labkit up, warm, after an engine restart (s)"] = timed([labkit, "up"])
    report(results, "engine-")
    return 0


if __name__ == "__main__":
    sys.exit(main())
