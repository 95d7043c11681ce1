"""The pipeline reader and view, on what real gitlab-ci-local runs of chapter 15 left behind.

``tests/unit/data/pipeline/NAME/`` holds, for each recorded run (by
``benchmarks/bench_pipelines.py --record``), the files `run_pipeline`
keeps in ``.gitlab-ci-local/``: gitlab-ci-local's whole log, the jobs it planned, the
expanded pipeline and each job's log. ``run_pipeline`` itself is driven by a fake
``gitlab-ci-local`` that replays a recorded log.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from labkit._errors import LabkitError
from labkit._lesson.pipelines import (
    FAILED,
    FILE_VARIABLES,
    MANUAL,
    PASSED,
    RUNNING,
    SKIPPED,
    STATE_DIR,
    Job,
    LogReader,
    Pipeline,
    _list_json,
    build_pipeline,
    command,
    job_report,
    read_log,
    read_pipeline,
    run_pipeline,
    seconds,
    stages_of,
)
from labkit.widgets import PipelineView
from labkit.widgets._pipeline import format_duration, pipeline_html, pipeline_summary

DATA = Path(__file__).parent / "data" / "pipeline"


def project(tmp_path: Path, name: str) -> Path:
    """A project folder whose ``.gitlab-ci-local/`` is the recorded run ``name``."""
    folder = tmp_path / name
    shutil.copytree(DATA / name, folder / STATE_DIR)
    return folder


# --- the recorded runs ----------------------------------------------------------------------


def test_main_pipeline_deploys_production(tmp_path: Path) -> None:
    pipeline = read_pipeline(project(tmp_path, "main"))
    assert pipeline.source == "push"
    assert pipeline.ref == "main"
    assert pipeline.status == PASSED
    assert pipeline.stages == ("test", "build", "production")
    assert [(job.name, job.status) for job in pipeline.jobs] == [
        ("test", PASSED),
        ("build", PASSED),
        ("production", PASSED),
    ]
    production = pipeline.job("production")
    assert production is not None
    assert production.environment == "production"
    assert production.url == "http://chat.localhost:8000"
    assert all(job.duration and job.duration > 0 for job in pipeline.jobs)
    assert pipeline.duration and pipeline.duration >= max(j.duration or 0 for j in pipeline.jobs)


def test_merge_request_pipeline_has_a_review_app_and_a_manual_stop(tmp_path: Path) -> None:
    pipeline = read_pipeline(project(tmp_path, "merge-request"))
    assert pipeline.source == "merge_request_event"
    assert pipeline.merge_request == 90
    assert pipeline.title.startswith("merge request !90 (bench) · commit ")
    assert pipeline.stages == ("test", "build", "review", "smoke")
    statuses = {job.name: job.status for job in pipeline.jobs}
    assert statuses == {
        "test": PASSED,
        "build": PASSED,
        "review": PASSED,
        "stop_review": MANUAL,
        "smoke": PASSED,
    }
    assert pipeline.job("production") is None  # rules: the default branch only
    review = pipeline.job("review")
    assert review is not None and review.environment == "review/bench"
    assert review.url == "http://bench.review.chat.localhost:8000"
    assert [job.name for job in pipeline.in_stage("review")] == ["review", "stop_review"]


def test_failed_pipeline_stops_at_the_smoke_test(tmp_path: Path) -> None:
    folder = project(tmp_path, "failed")
    pipeline = read_pipeline(folder)
    assert pipeline.status == FAILED
    smoke = pipeline.job("smoke")
    assert smoke is not None
    assert (smoke.status, smoke.exit_code) == (FAILED, 1)
    assert pipeline.failed == [smoke]
    report = job_report(folder, smoke)
    assert report.startswith("✗ job smoke failed (exit code 1), stage smoke")
    assert "(the replicas do not share the conversation)" in report
    assert report.count("\n    ") <= 8


def test_a_job_run_by_name_is_the_whole_pipeline(tmp_path: Path) -> None:
    pipeline = read_pipeline(project(tmp_path, "stop"))
    assert [(job.name, job.status) for job in pipeline.jobs] == [("stop_review", PASSED)]
    assert pipeline.stages == ("review",)
    assert pipeline.jobs[0].environment_note == "review/bench stopped"


def test_text_has_no_durations_unless_asked(tmp_path: Path) -> None:
    pipeline = read_pipeline(project(tmp_path, "merge-request"))
    text = pipeline.text()
    assert " s" not in text.replace(" smoke", "").replace(" stop", "")
    lines = text.splitlines()
    assert lines[0].startswith("pipeline passed: merge request !90 (bench)")
    assert lines[3] == (
        "  review  ✓ review       passed  review/bench → http://bench.review.chat.localhost:8000"
    )
    assert lines[4] == "          ▶ stop_review  manual"
    assert " s" in pipeline.text(durations=True).splitlines()[1]


def test_no_pipeline_yet_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(LabkitError) as caught:
        read_pipeline(tmp_path)
    assert "No pipeline was run" in caught.value.problem
    assert "run_pipeline" in (caught.value.fix or "")


# --- the log reader on edge cases -------------------------------------------------------------


def test_durations_in_every_unit() -> None:
    assert seconds("689", "ms") == pytest.approx(0.689)
    assert seconds("3.1", "s") == pytest.approx(3.1)
    assert seconds("1.5", "min") == pytest.approx(90)
    assert seconds("2", "h") == 7200


def test_job_names_that_prefix_others_and_warnings() -> None:
    log = "\n".join(
        [
            "smoke      starting debian:bookworm (smoke)",
            "smoke-prod starting debian:bookworm (smoke)",
            "smoke      $ echo hi",
            "smoke      > finished in 3 s",
            "smoke-prod finished in 1.2 s  WARN 3 ",
            "smoke      finished in 689 ms",
            "",
            " PASS  smoke     ",
            " WARN  smoke-prod  pre_script",
            "  > something",
            "pipeline finished in 2.5 s",
        ]
    )
    reader = read_log(log, ["smoke", "smoke-prod"])
    assert reader.seen["smoke"].status == PASSED
    assert reader.seen["smoke"].duration == pytest.approx(0.689)
    assert (reader.seen["smoke-prod"].status, reader.seen["smoke-prod"].exit_code) == ("warning", 3)
    assert reader.duration == pytest.approx(2.5)


def test_a_log_that_has_not_ended_shows_running_and_waiting_jobs() -> None:
    planned = [
        {"name": "test", "stage": "test", "when": "on_success"},
        {"name": "build", "stage": "build", "when": "on_success"},
        {"name": "deploy", "stage": "deploy", "when": "on_success"},
        {"name": "never", "stage": "deploy", "when": "never"},
    ]
    log = "test starting x (test)\ntest finished in 1 s\nbuild starting x (build)\n"
    pipeline = build_pipeline(
        {"source": "push", "ref": "main", "sha": "a" * 40},
        planned,
        log,
        [".pre", "test", "build", "deploy", ".post"],
    )
    assert [(j.name, j.status) for j in pipeline.jobs] == [
        ("test", PASSED),
        ("build", RUNNING),
        ("deploy", RUNNING),
    ]
    assert pipeline.status == RUNNING
    ended = build_pipeline({}, planned, log + "pipeline finished in 3 s\n", ["test", "build"])
    assert [j.status for j in ended.jobs] == [PASSED, FAILED, SKIPPED]


def test_stages_and_list_json_parsing() -> None:
    assert stages_of("stages:\n  - .pre\n  - test\n") == [".pre", "test"]
    assert stages_of("not: [valid") == []
    warned = ' WARN  Avoid overriding predefined variables\n[\n  {"name": "a"}\n]\n'
    assert _list_json(warned) == [{"name": "a"}]
    with pytest.raises(ValueError):
        _list_json("YAMLException: bad indentation")


def test_merge_request_command_has_gitlabs_variables() -> None:
    argv = command("me-action", merge_request=1)
    assert argv[0] == "gitlab-ci-local"
    assert "CI_PIPELINE_SOURCE=merge_request_event" in argv
    assert "CI_MERGE_REQUEST_IID=1" in argv
    assert "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=me-action" in argv
    assert "CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main" in argv
    assert argv[argv.index("--unset-variable") + 1] == "CI_COMMIT_BRANCH"
    assert command("main") == ["gitlab-ci-local"]
    assert command("x", jobs=["stop_review"], stage="review")[-3:] == [
        "--stage",
        "review",
        "stop_review",
    ]


# --- running a pipeline (a fake gitlab-ci-local replays a recorded run) ----------------------


def fake_gitlab_ci_local(tmp_path: Path, recorded: str, code: int) -> Path:
    """A ``gitlab-ci-local`` that prints a recorded run's planned jobs or its log."""
    run = json.loads((DATA / recorded / "pipeline.json").read_text())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "gitlab-ci-local"
    script.write_text(
        f"""#!{sys.executable}
import os, shutil, sys
from pathlib import Path
data = Path({str(DATA / recorded)!r})
# as the real one: File variables copied under /tmp for each job it creates, listed or run
variables = Path(f"/tmp/gitlab-ci-local-file-variables-labkit-test-{{os.getpid()}}")
variables.mkdir()
(variables / "KUBECONFIG").write_text("secret")
if "--list-json" in sys.argv:
    print(" WARN  Avoid overriding predefined variables [CI_REGISTRY]")
    print({json.dumps(json.dumps(run["planned"], indent=2))})
    sys.exit(0)
state = Path(".gitlab-ci-local")
(state / "output").mkdir(parents=True, exist_ok=True)
shutil.copy(data / "expanded-gitlab-ci.yml", state)
for log in (data / "output").glob("*.log"):
    shutil.copy(log, state / "output")
sys.stdout.write((data / "pipeline.log").read_text())
sys.exit({code})
"""
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def git_project(tmp_path: Path, branch: str) -> Path:
    folder = tmp_path / "chat"
    folder.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "HOME": str(tmp_path)}
    env |= {"GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}
    for args in (
        ["init", "--quiet", "--initial-branch", branch],
        ["commit", "--quiet", "--allow-empty", "-m", "x"],
    ):
        subprocess.run(["git", *args], cwd=folder, check=True, env=env)
    return folder


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project on branch ``broken``, whose gitlab-ci-local replays the failed run."""
    bin_dir = fake_gitlab_ci_local(tmp_path, "failed", 1)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return git_project(tmp_path, "broken")


def leftover() -> str:
    """A folder as gitlab-ci-local leaves for File variables (the tests' own name)."""
    return tempfile.mkdtemp(prefix="gitlab-ci-local-file-variables-labkit-test-", dir="/tmp")


def test_run_pipeline_prints_stage_by_stage_and_reports_the_failure(broken: Path) -> None:
    folder = broken
    lines: list[str] = []
    pipeline = run_pipeline(folder, merge_request=91, printer=lines.append)
    assert pipeline.status == FAILED
    assert lines[0].startswith(
        "$ gitlab-ci-local --variable CI_PIPELINE_SOURCE=merge_request_event"
    )
    assert lines[1:6] == [
        "test: ✓ test passed",
        "build: ✓ build passed",
        "review: ✓ review passed",
        "smoke: ✗ smoke failed (exit 1)",
        "environment review/broken → http://broken.review.chat.localhost:8000",
    ]
    assert lines[6].startswith("✗ job smoke failed (exit code 1)")
    assert lines[-1] == "pipeline failed · whole log: .gitlab-ci-local/pipeline.log"
    assert (folder / STATE_DIR / "pipeline.log").read_text() == (
        DATA / "failed" / "pipeline.log"
    ).read_text()
    assert read_pipeline(folder) == pipeline


def test_run_pipeline_removes_the_file_variables_gitlab_ci_local_left(broken: Path) -> None:
    ours = FILE_VARIABLES.replace("*", "labkit-test-*")
    earlier = leftover()
    try:
        run_pipeline(broken, merge_request=91, printer=lambda line: None)
        assert glob.glob(ours) == [earlier]  # the list's and the run's copies are gone
    finally:
        for path in glob.glob(ours):
            shutil.rmtree(path)


def test_a_chapter_that_runs_pipelines_removes_what_the_terminal_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from labkit._lesson import chapters

    monkeypatch.setattr(chapters, "is_reachable", lambda: False)
    monkeypatch.setattr(chapters, "_reset_cluster_objects", lambda item: None)
    monkeypatch.setattr(chapters, "_reset_forge", lambda item: None)
    left = leftover()
    try:
        chapters._remove_owned(chapters.find("14"))
        assert os.path.isdir(left)  # chapter 14 runs no pipeline
        chapters._remove_owned(chapters.find("15"))
        assert not os.path.exists(left)
    finally:
        shutil.rmtree(left, ignore_errors=True)


def test_run_pipeline_with_a_refused_file_raises_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "gitlab-ci-local"
    script.write_text(
        "#!/bin/sh\necho 'YAMLException: bad indentation of a mapping entry (27:2)' >&2\n"
        "echo '    at e.throwAt (file:///index.js:248:545)' >&2\nexit 1\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    folder = git_project(tmp_path, "main")
    with pytest.raises(LabkitError) as caught:
        run_pipeline(folder, printer=lambda line: None)
    assert "bad indentation of a mapping entry (27:2)" in caught.value.problem
    assert "throwAt" not in caught.value.problem


# --- the widget --------------------------------------------------------------------------------


def test_view_shows_stages_jobs_and_the_failed_jobs_log(tmp_path: Path) -> None:
    view = PipelineView(project(tmp_path, "failed"))
    assert view.summary().startswith("pipeline failed: 3 passed, 1 failed, 1 manual · ")
    assert view.picker.value == "smoke"
    assert "stop_review" not in view.picker.options  # it did not run
    assert "the replicas do not share the conversation" in view.log.value
    body = view.body.value
    for stage in ("test", "build", "review", "smoke"):
        assert f"<h4>{stage}</h4>" in body
    assert "exit 1" in body
    view.picker.value = "build"
    assert "docker push" in view.log.value
    assert view.text() == view.pipeline.text()  # type: ignore[union-attr]


def test_view_shows_an_error_instead_of_raising(tmp_path: Path) -> None:
    view = PipelineView(tmp_path)
    assert "No pipeline was run" in view.status.value
    assert view.summary() == "no pipeline read"


def test_view_with_a_fake_reader() -> None:
    pipeline = Pipeline(
        "push",
        "main",
        "0" * 40,
        ("test",),
        (Job("test", "test", PASSED, duration=75.0),),
        duration=80.0,
    )
    view = PipelineView(".", reader=lambda: pipeline, log_reader=lambda job: f"log of {job}")
    assert view.summary() == "pipeline passed: 1 passed · 1 min 20 s"
    assert "log of test" in view.log.value
    assert pipeline_summary(pipeline) == view.summary()
    assert "1 min 15 s" in pipeline_html(pipeline)


def test_html_escapes_and_names_environments() -> None:
    job = Job("<x>", "test", PASSED, environment="review/a", url="http://a.localhost:8000")
    html = pipeline_html(Pipeline("push", "main", "0" * 40, ("test",), (job,)))
    assert "&lt;x&gt;" in html and "<x>" not in html
    assert 'href="http://a.localhost:8000"' in html


def test_format_duration() -> None:
    assert format_duration(None) == ""
    assert format_duration(8.24) == "8.2 s"
    assert format_duration(65) == "1 min 5 s"


def test_log_reader_ignores_other_lines() -> None:
    reader = LogReader(["test"])
    assert reader.feed("parsing and downloads finished in 114 ms.") is None
    assert reader.feed("test  starting python-web:1 (test)") == ("start", "test")
    assert reader.feed("test  > finished in 9 s") is None
    assert reader.feed("test  finished in 3.9 s") == ("end", "test")
