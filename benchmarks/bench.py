"""Measure the course: set-up time (warm, or cold), each notebook's run time, image sizes.

    .venv/bin/python benchmarks/bench.py            # warm set-up, notebooks, sizes
    .venv/bin/python benchmarks/bench.py --cold     # first removes the course images, the
                                                    # mirror's storage and the build cache
    .venv/bin/python benchmarks/bench.py --no-notebooks

Results are printed as a table and saved to benchmarks/results/<timestamp>.json.
Timings are wall-clock on whatever else the machine is doing: run it on an idle machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LABKIT = [sys.executable, "-m", "labkit._setup.cli"]


def timed(command: list[str]) -> float:
    """Run ``command`` (output to stderr) and return its wall-clock seconds."""
    start = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, stdout=sys.stderr)
    return time.monotonic() - start


def make_cold() -> None:
    """Remove what `labkit up` caches in the engine: images, mirror storage, build cache."""
    subprocess.run([*LABKIT, "down", "--images"], cwd=ROOT, check=True, stdout=sys.stderr)
    subprocess.run(
        "docker images -q 'dockerplusplus/*' | xargs -r docker rmi -f; "
        "docker rmi -f debian:bookworm redis:7 postgres:15 >/dev/null 2>&1; "
        "docker builder prune -af >/dev/null",
        shell=True,
        cwd=ROOT,
        check=False,
    )


def notebook_times() -> dict[str, float]:
    """Execute every notebook with papermill into a scratch copy; seconds per notebook."""
    import papermill

    times = {}
    with tempfile.TemporaryDirectory() as scratch:
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
            start = time.monotonic()
            papermill.execute_notebook(
                str(path),
                str(Path(scratch) / path.name),
                cwd=str(path.parent),
                kernel_name="python3",
                progress_bar=False,
            )
            times[path.stem] = round(time.monotonic() - start, 1)
    return times


def image_sizes() -> dict[str, float]:
    """Size in MB (10^6 bytes, as `docker images` counts) of each course image."""
    from labkit._setup.images import sizes

    return {name: round(size / 1e6, 1) for name, size in sizes().items()}


def main() -> int:
    """Run the measurements chosen on the command line, print and save them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="measure a cold `labkit up`")
    parser.add_argument("--no-notebooks", action="store_true", help="skip notebook timings")
    args = parser.parse_args()
    results: dict[str, object] = {"when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if args.cold:
        make_cold()
        results["labkit up (cold: images, registries)"] = round(timed([*LABKIT, "up"]), 1)
    results["labkit up (warm)"] = round(timed([*LABKIT, "up"]), 1)
    if not args.no_notebooks:
        results["notebooks (s)"] = notebook_times()
    results["image sizes (MB)"] = image_sizes()
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
