"""Time the chat's pipelines (chapter 15), and optionally record them as test data.

Run it after the chapter's notebook (it needs the chat's clone in ``work/chat``, the
published chart and the cluster)::

    .venv/bin/python benchmarks/bench_pipelines.py [--record]

It runs, in that clone, on branches it creates and deletes:

1. a merge request pipeline on a branch ``bench`` (test, build, review, smoke);
2. its ``stop_review`` job;
3. with ``--broken``, a merge request pipeline of the broken change of the chapter (red at
   the smoke test), then its ``stop_review``;
4. a pipeline for ``main`` (test, build, production);

then removes what the chapter made (`labkit.finish`). It prints each one's wall time
(gitlab-ci-local started to ended) and its jobs' durations.
``--record`` copies what each run left in ``.gitlab-ci-local/`` (its log, the planned jobs,
the jobs' logs) to ``tests/unit/data/pipeline/NAME/``, the pipeline widget's test data.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = REPO / "notebooks" / "15-continuous-delivery"
sys.path.insert(0, str(REPO))

from labkit._lesson.chapters import finish  # noqa: E402
from labkit._lesson.pipelines import LOG_NAME, RUN_NAME, STATE_DIR, run_pipeline  # noqa: E402
from labkit._paths import use_course_tools  # noqa: E402

CLONE = HERE / "work" / "chat"
DATA = REPO / "tests" / "unit" / "data" / "pipeline"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Ana Lyst",
    "GIT_AUTHOR_EMAIL": "ana@example.com",
    "GIT_AUTHOR_DATE": "2026-01-05T10:00:00+00:00",
    "GIT_COMMITTER_NAME": "Ana Lyst",
    "GIT_COMMITTER_EMAIL": "ana@example.com",
    "GIT_COMMITTER_DATE": "2026-01-05T10:00:00+00:00",
}


def git(*args: str) -> None:
    """Run git in the clone, with the chapter's fixed identity; fail loudly."""
    import os

    subprocess.run(["git", *args], cwd=CLONE, check=True, env={**os.environ, **IDENTITY})


def timed(name: str, record: bool, **options: object) -> float:
    """Run one pipeline, print its wall time and jobs, record it if asked; its wall time."""
    start = time.monotonic()
    pipeline = run_pipeline(CLONE, printer=lambda line: None, **options)  # type: ignore[arg-type]
    took = time.monotonic() - start
    print(f"{name}: {pipeline.status} in {took:.1f} s (wall)")
    print(pipeline.text(durations=True))
    if record:
        target = DATA / name
        shutil.rmtree(target, ignore_errors=True)
        (target / "output").mkdir(parents=True)
        state = CLONE / STATE_DIR
        for item in (LOG_NAME, RUN_NAME, "expanded-gitlab-ci.yml"):
            shutil.copy2(state / item, target / item)
        for job in pipeline.jobs:  # the folder also keeps logs of earlier pipelines' jobs
            log = state / "output" / f"{job.name}.log"
            if log.exists() and job.status not in ("manual", "skipped"):
                shutil.copy2(log, target / "output" / log.name)
    return took


def main() -> None:
    """Parse the options, run the pipelines, print the times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="save them as test data")
    parser.add_argument("--broken", action="store_true", help="also time a red pipeline")
    options = parser.parse_args()
    use_course_tools()
    if not (CLONE / ".gitlab-ci-local-env").exists():
        sys.exit(f"{CLONE} is not set up: execute the chapter's notebook first.")
    git("switch", "--quiet", "main")
    git("switch", "--quiet", "--force-create", "bench")
    times = {"merge-request": timed("merge-request", options.record, merge_request=90)}
    timed("stop", options.record, merge_request=90, jobs=["stop_review"])
    if options.broken:
        git("switch", "--quiet", "--force-create", "broken", "main")
        git("apply", str(HERE / "changes" / "chat-settings.patch"))
        git("commit", "--quiet", "--all", "-m", "Settings: CHAT_REDIS_URL")
        times["failed"] = timed("failed", options.record, merge_request=91)
        timed("stop-failed", False, merge_request=91, jobs=["stop_review"])
    git("switch", "--quiet", "main")
    times["main"] = timed("main", options.record)
    git("branch", "--quiet", "--delete", "--force", "bench")
    if options.broken:
        git("branch", "--quiet", "--delete", "--force", "broken")
    print(" · ".join(f"{name} {took:.1f} s" for name, took in times.items()))
    finish("15")  # production and the review apps go, as at the end of the chapter


if __name__ == "__main__":
    main()
