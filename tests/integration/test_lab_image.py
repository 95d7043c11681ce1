"""The lab image for real: built from this machine's images, run nested on the course's engine.

One container runs the image as a learner would (``--privileged``, port 8888 published, a
fresh volume for /var/lib/docker): its entrypoint starts the engine inside, loads the images,
starts the registries and the forge, creates the cluster and opens JupyterLab. Inside it,
`labkit doctor` is green and a Docker chapter is executed and compared with its recorded
outputs by nbval; so is a Kubernetes chapter where the cluster runs inside (a cgroup v2 host).
On a cgroup v1 host, as this project's machines, the lab skips the cluster and says why
(`lab_start.cluster_wanted`): the test checks that line and the doctor's finding instead.
The container and its volume are always removed.
"""

from __future__ import annotations

import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest

from labkit import sh
from labkit._lesson.http import http_get
from labkit._setup.lab_image import RUN_COMMAND, STOP_TIMEOUT, build_lab_image, run_lab

pytestmark = pytest.mark.docker

NAME = "labkit-test-lab"
VOLUME = "labkit-test-lab"
TOKEN = "labkit-test-token"
READY_TIMEOUT = 1200  # first start on an empty volume: images loaded, cluster created
CGROUP_V2 = Path("/sys/fs/cgroup/cgroup.controllers").exists()
CHAPTERS = (
    "notebooks/02-docker-engine.ipynb",
    *(("notebooks/06-pods.ipynb",) if CGROUP_V2 else ()),
)
NBVAL = (
    ".venv/bin/python -m pytest -q -p no:cacheprovider --nbval --nbval-current-env "
    "--nbval-sanitize-with tests/nbval-sanitize.cfg --nbval-cell-timeout 900"
)


def _remove() -> None:
    sh(f"docker rm -f {NAME}", check=False, timeout=300)
    sh(f"docker volume rm -f {VOLUME}", check=False, timeout=300)


@pytest.fixture(scope="module")
def lab_image(engine) -> str:
    """The lab image of the current images and files (built once, then cached)."""
    return build_lab_image()


@pytest.fixture(scope="module")
def lab(lab_image: str) -> Iterator[str]:
    """A running lab container (its host port for 8888), ready: JupyterLab answers."""
    _remove()
    try:
        yield run_lab(lab_image, NAME, VOLUME, TOKEN, timeout=READY_TIMEOUT)
    finally:
        _remove()


def test_the_lab_says_in_one_line_that_it_needs_privileged(lab_image: str):
    result = sh(f"docker run --rm {lab_image}", check=False, timeout=120)
    assert result.code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "needs --privileged" in result.output
    assert result.output.strip().endswith(RUN_COMMAND.format(image="IMAGE"))


def test_jupyterlab_answers_with_its_token_only(lab: str):
    assert '"started"' in http_get(f"http://127.0.0.1:{lab}/api/status?token={TOKEN}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        http_get(f"http://127.0.0.1:{lab}/api/status")
    assert refused.value.code == 403


def test_doctor_is_green_inside(lab: str):
    result = sh(f"docker exec {NAME} .venv/bin/labkit doctor", check=False, timeout=300)
    failed = [line for line in result.output.splitlines() if line.startswith("✗")]
    if CGROUP_V2:
        assert result.ok and not failed, result.output
    else:  # only the cluster is missing, and the lab's log says why
        assert failed == ["✗ kind cluster 'course': not created"], result.output
        log = sh(f"docker logs {NAME}", timeout=60).output
        assert "kind cluster skipped: this host mounts cgroup v1" in log


def test_a_docker_chapter_and_a_kubernetes_one_where_the_cluster_runs_match_inside(lab: str):
    result = sh(f"docker exec {NAME} {NBVAL} {' '.join(CHAPTERS)}", check=False, timeout=1800)
    assert result.ok, result.output[-4000:]


def test_docker_stop_ends_jupyterlab_then_the_engine_cleanly(lab: str):
    # the last test of the module: it stops the lab
    sh(f"docker stop {NAME}", timeout=STOP_TIMEOUT + 60)  # the container's own stop timeout
    log = sh(f"docker logs --tail 20 {NAME}", timeout=60).output
    code = sh(f"docker inspect -f '{{{{.State.ExitCode}}}}' {NAME}", timeout=30).output.strip()
    assert "✓ stopping the course's engine" in log, log
    assert code == "0", log  # not 137: nothing was killed
