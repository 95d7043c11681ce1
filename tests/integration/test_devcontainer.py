"""The dev container opens the course in the lab image: the devcontainer CLI, for real.

`.devcontainer/devcontainer.json` names the published lab image; the lab image built here
(`labkit image`) is given that name, so `devcontainer up` finds it without a registry. The
configuration is used as it is but for its volume's name (the test's own, removed after).
Checked: the lab's entrypoint runs (the CLI does not replace it with its sleep loop),
JupyterLab answers inside with the token the container's log shows, and `devcontainer exec`
runs `labkit doctor` in the workspace folder, the course inside the image. The other
configuration (from source) needs Docker Hub for its base image: the CLI reads it only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from labkit import sh
from labkit._poll import NotYet, poll
from labkit._setup.lab_image import build_lab_image
from labkit._setup.npm import ensure_devcontainer_cli

pytestmark = [pytest.mark.docker, pytest.mark.timeout(2400)]  # the fixture builds and starts

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".devcontainer" / "devcontainer.json"
VOLUME = "labkit-test-devcontainer"
LABEL = "labkit-test=devcontainer"
READY_TIMEOUT = 900  # a new volume: the images loaded, `labkit up`, JupyterLab
URL_LINE = re.compile(r"JupyterLab opens at http://127\.0\.0\.1:8888/lab\?token=(\w+)")


def _remove() -> None:
    ids = sh(f"docker ps -aq --filter label={LABEL}", timeout=30).output.split()
    if ids:
        sh(f"docker rm -f {' '.join(ids)}", check=False, timeout=300)
    sh(f"docker volume rm -f {VOLUME}", check=False, timeout=300)


def _image_id(ref: str) -> str | None:
    result = sh(f"docker image inspect -f '{{{{.Id}}}}' {ref}", check=False, timeout=30)
    return result.output.strip() if result.ok else None


@pytest.fixture(scope="module")
def devcontainer(engine, tmp_path_factory) -> Iterator[dict[str, str]]:
    """The dev container, up and ready: the CLI's arguments, its container and the token."""
    image = build_lab_image()
    cli = ensure_devcontainer_cli()
    text = CONFIG.read_text()
    assert text.count("source=docker-plus-plus,") == 1
    config = tmp_path_factory.mktemp("devcontainer") / "devcontainer.json"
    config.write_text(text.replace("source=docker-plus-plus,", f"source={VOLUME},"))
    args = f"--workspace-folder {ROOT} --config {config} --id-label {LABEL}"
    read = sh(f"{cli} read-configuration {args}", timeout=120)
    published = json.loads(read.output.strip().splitlines()[-1])["configuration"]["image"]
    before = _image_id(published)  # a pulled lab image of that name is put back after
    try:
        sh(f"docker tag {image} {published}", timeout=60)
        _remove()
        up = sh(f"{cli} up {args}", timeout=600)
        outcome = _outcome(up.output)
        assert outcome.get("outcome") == "success", up.output[-3000:]
        container = outcome["containerId"]
        token = poll(
            lambda: _jupyterlab_token(container),
            timeout=READY_TIMEOUT,
            every=3,
            what="the dev container's JupyterLab to answer",
            fix=f"Read the lab's log: `docker logs {container}`.",
        )
        yield {"cli": cli, "args": args, "container": container, "token": token}
    finally:
        _remove()
        if before:
            sh(f"docker tag {before} {published}", timeout=60)
        else:
            sh(f"docker rmi {published}", check=False, timeout=60)  # the tag only


def _outcome(output: str) -> dict:
    """The result line of `devcontainer up` (its log lines come before and may follow)."""
    lines = [line for line in output.splitlines() if line.startswith('{"outcome"')]
    return json.loads(lines[-1]) if lines else {}


def _jupyterlab_token(container: str) -> str:
    """The token of the log's URL line once JupyterLab answers with it inside.

    Raises:
        NotYet: no URL line yet, or JupyterLab does not answer yet.
    """
    state = sh(f"docker inspect -f '{{{{.State.Running}}}}' {container}", timeout=30)
    log = sh(f"docker logs {container}", timeout=60).output
    assert state.output.strip() == "true", f"the dev container stopped:\n{log[-3000:]}"
    found = URL_LINE.search(log)
    if not found:
        raise NotYet("no 'JupyterLab opens at' line in its log yet")
    status = sh(
        f"docker exec {container} curl -sf http://127.0.0.1:8888/api/status?token={found[1]}",
        check=False,
        timeout=30,
    )
    if '"started"' not in status.output:
        raise NotYet(f"JupyterLab does not answer yet: {status.output.strip()[-200:]}")
    return found[1]


def test_the_lab_entrypoint_runs_in_the_dev_container(devcontainer: dict[str, str]):
    processes = sh(f"docker exec {devcontainer['container']} ps -eo args", timeout=30).output
    assert "labkit lab-start" in processes and "dockerd" in processes, processes


def test_devcontainer_exec_runs_labkit_doctor_in_the_course(devcontainer: dict[str, str]):
    result = sh(
        f"{devcontainer['cli']} exec {devcontainer['args']} .venv/bin/labkit doctor",
        check=False,
        timeout=300,
    )
    lines = result.output.splitlines()
    assert any(line.startswith("✓ Docker engine") for line in lines), result.output
    failed = [line for line in lines if line.startswith("✗")]
    assert failed in ([], ["✗ kind cluster 'course': not created"]), result.output


def test_the_cli_reads_the_from_source_configuration(engine):
    config = ROOT / ".devcontainer" / "from-source" / "devcontainer.json"
    cli = ensure_devcontainer_cli()
    read = sh(f"{cli} read-configuration --workspace-folder {ROOT} --config {config}", timeout=120)
    configuration = json.loads(read.output.strip().splitlines()[-1])["configuration"]
    assert configuration["name"] == "Docker++ (from source)"
    assert configuration["build"]["dockerfile"] == "Dockerfile"


def test_the_token_is_in_the_log_and_in_jupyter_server_list(devcontainer: dict[str, str]):
    # the README's two ways to find it from VS Code: the container's log, or the terminal
    listed = sh(
        f"{devcontainer['cli']} exec {devcontainer['args']} .venv/bin/jupyter server list",
        timeout=120,
    )
    assert f"token={devcontainer['token']}" in listed.output, listed.output
