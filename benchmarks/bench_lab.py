"""Measure the lab image: build time, size, `docker run` → JupyterLab ready, idle memory.

    .venv/bin/python benchmarks/bench_lab.py           # uses the cached lab image if current
    .venv/bin/python benchmarks/bench_lab.py --rebuild # removes it first (timed cold build)

Needs `labkit up` done (the lab packs its images). Runs the image as a learner does, on a new
volume (first start: images loaded, cluster created), then once more on the same volume
(warm start), and reads the container's memory after 60 s idle. The container and the volume
are removed at the end. Results are printed and saved to benchmarks/results/lab-<time>.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _results import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labkit._lesson.sh import sh  # noqa: E402
from labkit._paths import use_course_tools  # noqa: E402
from labkit._setup.lab_image import build_lab_image, lab_image_ref, run_lab  # noqa: E402

NAME = VOLUME = "labkit-bench-lab"
TOKEN = "bench"


def _remove() -> None:
    sh(f"docker rm -f {NAME}", check=False, timeout=300)
    sh(f"docker volume rm -f {VOLUME}", check=False, timeout=300)


def _memory() -> str:
    return sh(f"docker stats --no-stream --format '{{{{.MemUsage}}}}' {NAME}", timeout=60).output


def main() -> int:
    """Build, run cold and warm, measure; print and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="time a build from scratch")
    args = parser.parse_args()
    use_course_tools()
    results: dict[str, object] = {"when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if args.rebuild:
        sh(f"docker rmi -f {lab_image_ref()}", check=False, timeout=300)
    start = time.monotonic()
    image = build_lab_image()
    results["build (s)"] = round(time.monotonic() - start, 1)
    size = sh(f"docker image inspect -f '{{{{.Size}}}}' {image}", timeout=60).output
    results["image size (GB)"] = round(int(size) / 1e9, 2)
    _remove()
    try:
        start = time.monotonic()
        run_lab(image, NAME, VOLUME, TOKEN)
        results["docker run → JupyterLab ready, empty volume (s)"] = round(
            time.monotonic() - start, 1
        )
        time.sleep(60)  # idle: what a learner's machine holds while reading
        results["memory after 60 s idle"] = _memory().strip()
        sh(f"docker rm -f {NAME}", timeout=300)
        start = time.monotonic()
        run_lab(image, NAME, VOLUME, TOKEN)
        results["docker run → JupyterLab ready, warm volume (s)"] = round(
            time.monotonic() - start, 1
        )
    finally:
        _remove()
    report(results, "lab-")
    return 0


if __name__ == "__main__":
    sys.exit(main())
