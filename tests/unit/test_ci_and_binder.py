"""The CI files, the dev container and the Binder badge agree with the project's pins and URL."""

import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from labkit import versions
from labkit._paths import RECIPES_DIR
from labkit._setup.lab_image import RUN_COMMAND, STOP_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "course.yml"
GITLAB_CI = ROOT / ".gitlab-ci.yml"
DEVCONTAINER = ROOT / ".devcontainer"


def _collect_failure():
    spec = importlib.util.spec_from_file_location(
        "collect_failure", ROOT / "tools" / "collect_failure.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_binder_badge_and_link_are_built_from_the_repository_url():
    url = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    owner_repo = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)", url).group(1)
    launch = (
        f"https://mybinder.org/v2/gh/{owner_repo}/HEAD"
        "?urlpath=lab/tree/notebooks/00-start-here.ipynb"
    )
    readme = (ROOT / "README.md").read_text()
    assert f"[![Binder](https://mybinder.org/badge_logo.svg)]({launch})" in readme
    assert f"`{launch}`" in readme
    assert set(re.findall(r"https://mybinder\.org/v2/[^\s)`]+", readme)) == {launch}
    assert url in readme  # named, so that a fork knows what to change


def test_every_ci_file_installs_the_pinned_go():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    setup_go = [s for s in workflow["jobs"]["test"]["steps"] if "setup-go" in s.get("uses", "")]
    assert [s["with"]["go-version"] for s in setup_go] == [versions.GO]
    assert yaml.safe_load(GITLAB_CI.read_text())["variables"]["GO_VERSION"] == versions.GO
    dockerfile = DEVCONTAINER / "from-source" / "Dockerfile"
    assert f"FROM golang:{versions.GO}-bookworm\n" in dockerfile.read_text()


def test_both_ci_files_run_the_course_tests_on_the_course_engine_and_cache_go():
    workflow_text = WORKFLOW.read_text()
    workflow = yaml.safe_load(workflow_text)
    # PyYAML reads the key `on` as True
    assert set(workflow[True]) == {"push", "pull_request"}
    job = workflow["jobs"]["test"]
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert job["runs-on"] == "ubuntu-24.04"
    assert "systemctl stop docker.socket docker.service" in runs
    assert "./course test" in runs and "tools/collect_failure.py" in runs
    assert "hashFiles('labkit/versions.py', 'labkit/recipes/**')" in workflow_text
    gitlab = yaml.safe_load(GITLAB_CI.read_text())["course-test"]
    assert "./course test" in "\n".join(gitlab["script"])
    assert gitlab["cache"]["key"]["files"] == ["labkit/versions.py", "labkit/recipes/**/*"]
    assert gitlab["artifacts"]["when"] == "on_failure"


def _jsonc(path: Path) -> dict:
    text = path.read_text()
    return json.loads(re.sub(r"^\s*//.*$|\s//[^\"\n]*$", "", text, flags=re.M))


def test_the_dev_container_from_source_runs_the_course_setup_as_root_privileged():
    config = _jsonc(DEVCONTAINER / "from-source" / "devcontainer.json")
    assert config["privileged"] is True
    assert config["postCreateCommand"] == "./course setup"
    assert config["remoteUser"] == "root" and 8888 in config["forwardPorts"]


def test_the_dev_container_opens_the_published_lab_image_with_its_entrypoint():
    config = _jsonc(DEVCONTAINER / "devcontainer.json")
    url = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    owner_repo = url.removeprefix("https://github.com/").lower()  # ghcr.io wants lower case
    assert config["image"] == f"ghcr.io/{owner_repo}/lab:latest"
    assert config["overrideCommand"] is False and config["privileged"] is True
    # the README's `docker run` volume, at the lab's engine data
    assert config["mounts"] == ["source=docker-plus-plus,target=/var/lib/docker,type=volume"]
    assert "-v docker-plus-plus:/var/lib/docker" in RUN_COMMAND
    workdir = re.search(r"^WORKDIR (\S+)$", (RECIPES_DIR / "lab" / "Dockerfile").read_text(), re.M)
    assert config["workspaceFolder"] == workdir[1]
    assert config["remoteUser"] == "root" and 8888 in config["forwardPorts"]
    assert config["runArgs"] == [f"--stop-timeout={STOP_TIMEOUT}"]


def test_the_go_version_and_actionlint_do_not_change_the_node_image():
    assert {"GO", "ACTIONLINT"} <= set(versions.HOST_ONLY)


def test_failed_notebooks_are_read_from_pytest_summary():
    log = (
        "notebooks/02-docker-engine.ipynb::Cell 3 FAILED\n"
        "=========================== short test summary info ===========================\n"
        "FAILED notebooks/02-docker-engine.ipynb::Cell 3\n"
        "\x1b[31mFAILED\x1b[0m notebooks/14-helm.ipynb::Cell 20 - nbval ...\n"
        "FAILED notebooks/02-docker-engine.ipynb::Cell 9\n"
        "FAILED tests/integration/test_engine.py::test_x - AssertionError\n"
        "ERROR notebooks/16-resources.ipynb::Cell 0\n"
    )
    assert _collect_failure().failed_notebooks(log) == [
        "notebooks/02-docker-engine.ipynb",
        "notebooks/14-helm.ipynb",
        "notebooks/16-resources.ipynb",
    ]


def test_labkit_logs_are_gathered_and_nothing_else_of_the_cache(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    for name in ("logs/image-debian.log", "dockerd.log", "daemon.json", "go-src/x/logs/a.log"):
        (cache / name).parent.mkdir(parents=True, exist_ok=True)
        (cache / name).write_text(name)
    monkeypatch.setenv("LABKIT_CACHE", str(cache))
    collect_failure = _collect_failure()
    out = tmp_path / "out"
    collect_failure.labkit_logs(out)
    found = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert found == ["labkit/daemon.json", "labkit/dockerd.log", "labkit/logs/image-debian.log"]


def test_a_part_that_fails_is_said_and_the_others_still_run(capsys):
    def broken():
        raise OSError("disk full")

    _collect_failure().collect([("first", broken), ("second", lambda: "2 files")])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "✗ first: disk full"
    assert re.fullmatch(r"✓ second: 2 files \(\d+ s\)", lines[1])


@pytest.mark.parametrize("path", [WORKFLOW, GITLAB_CI], ids=lambda p: p.name)
def test_the_ci_files_publish_the_lab_image_on_a_tag_after_the_tests(path):
    text = path.read_text()
    tests = text.index("./course test")
    assert "labkit image" in text[tests:]
    assert "dockerplusplus/lab:latest" in text[tests:]
    assert "push" in text[text.index("labkit image") :]
    if path == GITLAB_CI:  # a tag gets a pipeline at all
        rules = yaml.safe_load(text)["workflow"]["rules"]
        assert {"if": "$CI_COMMIT_TAG"} in rules
