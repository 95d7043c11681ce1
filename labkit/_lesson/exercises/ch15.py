"""Chapter 15 exercises: a lint job in the pipeline, and a review app that shows a change."""

from __future__ import annotations

import subprocess
import urllib.error

from ..._paths import work_dir
from ..http import http_get
from ..pipelines import FAILED, MANUAL, SKIPPED, Pipeline, job_report, run_pipeline
from . import Failed, exercise, require

CHAPTER = "15-continuous-delivery"
INGRESS = "http://127.0.0.1:8000"
TITLE = "Docker++ chat"
BRANCH = "ex15-title"


def _clone() -> str:
    """The chat's clone in the chapter's work folder (its path as text)."""
    folder = work_dir(CHAPTER) / "chat"
    if not (folder / ".git").is_dir():
        raise Failed(f"there is no clone of the chat in {folder.parent.name}/chat yet.")
    return str(folder)


def _git(folder: str, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, timeout=30, check=False
    )
    return result.stdout.strip()


@exercise(
    "15.lint",
    "Add a job lint to the test stage of the chat's pipeline, and make that stage pass",
    "In .gitlab-ci.yml a job is a top-level key with a `stage:` and a `script:`. Give it the "
    "image the test job uses, and a script that checks the code without running it (Python "
    "has a standard module that compiles every file of a folder, quietly, and fails on a "
    "syntax error). Commit it on a branch: gitlab-ci-local copies only tracked files.",
)
def lint_job() -> str:
    """The pipeline has a job lint in stage test, and the test stage passes with it."""
    folder = _clone()
    branch = _git(folder, "branch", "--show-current")
    request = None if branch == "main" else 4
    seen: list[str] = []
    pipeline: Pipeline = run_pipeline(
        folder, merge_request=request, stage="test", printer=seen.append
    )
    lint = pipeline.job("lint")
    if lint is None:
        names = ", ".join(job.name for job in pipeline.jobs) or "none"
        raise Failed(f"the test stage of the chat's pipeline has no job lint (its jobs: {names}).")
    if lint.status in (MANUAL, SKIPPED):
        raise Failed(f"the job lint is {lint.status}: it should run with the stage.")
    if lint.status == FAILED:
        raise Failed("the job lint failed:\n" + job_report(folder, lint))
    if pipeline.failed:
        job = pipeline.failed[0]
        raise Failed(f"the job lint passed, but not {job.name}:\n" + job_report(folder, job))
    others = [job.name for job in pipeline.jobs if job.name != "lint"]
    return f"the test stage passed: lint and {', '.join(others)}."


def _page(host: str) -> str:
    try:
        return http_get(f"{INGRESS}/", timeout=5, headers={"Host": host})
    except (urllib.error.URLError, OSError) as err:
        raise Failed(f"http://{host}:8000 does not answer ({err}).") from err


@exercise(
    "15.review",
    f"On a branch {BRANCH}, title the chat “{TITLE}”, and let its review app show it",
    "GitHub Flow: a branch, the change (the chat's default title, and the test that expects "
    "it), a commit, a push of the branch, then the merge request's pipeline "
    "(`run_pipeline` with the next merge request number). The review job prints the review "
    "app's address.",
)
def review_title() -> str:
    """The review app of the branch shows the new title, from the branch's own image."""
    folder = _clone()
    namespace, host = f"review-{BRANCH}", f"{BRANCH}.review.chat.localhost"
    head = _git(folder, "rev-parse", "--short=8", f"refs/heads/{BRANCH}")
    if not head:
        raise Failed(f"the chat's clone has no branch {BRANCH}.")
    missing = f"there is no review app in namespace {namespace} (no Deployment chat)."
    chat = require("Deployment", "chat", namespace, missing=missing)
    image = chat["spec"]["template"]["spec"]["containers"][0]["image"]
    if not image.endswith(f":{head}"):
        raise Failed(
            f"the review app runs {image}, not the image of the branch's last commit "
            f"({head}): run the merge request's pipeline again."
        )
    if f"<h1>{TITLE}</h1>" not in _page(host):
        raise Failed(f"http://{host}:8000 answers, but its title is not “{TITLE}”.")
    if f"<h1>{TITLE}</h1>" in _page("chat.localhost"):
        raise Failed("production shows the new title too: the change was not to be merged yet.")
    return f"http://{host}:8000 shows “{TITLE}”, built from {head}; production does not yet."
