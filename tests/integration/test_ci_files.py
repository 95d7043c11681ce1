"""The upstream CI files, checked by their own tools: actionlint and gitlab-ci-local.

Neither tool needs the engine. Both come with `labkit up`: actionlint built from its Go module
(pinned in labkit/versions.py), gitlab-ci-local from its npm tarball (chapter 15's runner).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from labkit._lesson.pipelines import _list_json
from labkit._paths import REPO_DIR


def course_tool(name: str) -> str:
    """The course's ``name`` command (tests/conftest.py puts the course's tools first)."""
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing: run `labkit up` (it builds or installs it).")
    return path


def run(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_github_workflows_pass_actionlint():
    # shellcheck and pyflakes are not course tools: off, so the verdict is the same everywhere
    result = run([course_tool("actionlint"), "-no-color", "-shellcheck=", "-pyflakes="], REPO_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (REPO_DIR / ".github" / "workflows" / "course.yml").is_file()


def test_gitlab_ci_local_reads_the_gitlab_ci_file(tmp_path):
    # In a clone as GitLab makes one (a branch for the workflow's rules, a remote); a copy,
    # since gitlab-ci-local writes its own .gitlab-ci-local/ folder into the project
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(REPO_DIR / ".gitlab-ci.yml", project)
    identity = ["-c", "user.name=Docker++", "-c", "user.email=ci@docker-plus-plus.invalid"]
    for git in (
        ["init", "--quiet", "--initial-branch=main"],
        ["remote", "add", "origin", "https://gitlab.com/docker-plus-plus/docker-plus-plus.git"],
        ["add", "--all"],
        [*identity, "commit", "--quiet", "--message", "CI files"],
    ):
        assert run(["git", *git], project).returncode == 0, git
    result = run([course_tool("gitlab-ci-local"), "--list-json"], project, HOME=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    jobs = _list_json(result.stdout)  # read after GitLab's JSON schema: a wrong key fails
    assert [(job["name"], job["stage"]) for job in jobs] == [("course-test", "test")]
