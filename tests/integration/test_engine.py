"""Bounded waits, clean-up by label, the process tree, and chapter resets, on the real engine."""

import time

import pytest

from labkit import TimeoutExpired, poll, process_tree, sh, wait_healthy, wait_http
from labkit._lesson.chapters import reset
from labkit._lesson.docker import remove_by_label

pytestmark = pytest.mark.docker
LABEL = "org.dockerplusplus.test=engine"


@pytest.fixture
def web(engine):
    container = engine.containers.run(
        "labkit/nginx:latest",
        name="labkit-test-web",
        detach=True,
        ports={"80/tcp": ("127.0.0.1", 8089)},
        labels=dict([LABEL.split("=")]),
    )
    yield container
    container.remove(force=True)


def test_wait_http_returns_the_page(web):
    assert "Welcome to nginx!" in wait_http("http://127.0.0.1:8089/", timeout=30)


def test_wait_http_is_bounded(web):
    start = time.monotonic()
    with pytest.raises(
        TimeoutExpired,
        match="Waited 2 s for http://127.0.0.1:8089/ to answer with .not on this page.",
    ):
        wait_http("http://127.0.0.1:8089/", expect="not on this page", timeout=2)
    assert time.monotonic() - start < 10


def test_wait_healthy_reports_an_exited_container_at_once(engine):
    container = engine.containers.run(
        "labkit/debian:latest",
        ["sh", "-c", "exit 3"],
        name="labkit-test-exit",
        detach=True,
        labels=dict([LABEL.split("=")]),
    )
    try:
        container.wait(timeout=30)
        start = time.monotonic()
        with pytest.raises(TimeoutExpired, match=r"labkit-test-exit is not running .*exited"):
            wait_healthy("labkit-test-exit", timeout=20)
        assert time.monotonic() - start < 5
    finally:
        remove_by_label(LABEL)


def sleeper(engine, name, health_test):
    """A container that sleeps, with a healthcheck that runs ``health_test`` every 0.5 s."""
    return engine.containers.run(
        "labkit/debian:latest",
        ["sleep", "60"],
        name=name,
        detach=True,
        labels=dict([LABEL.split("=")]),
        healthcheck={"test": ["CMD", health_test], "interval": 500_000_000, "retries": 1},
    )


def test_wait_healthy_reports_an_unhealthy_container(engine):
    sleeper(engine, "labkit-test-sick", "false")
    try:
        with pytest.raises(TimeoutExpired, match="unhealthy"):
            wait_healthy("labkit-test-sick", timeout=30)
    finally:
        remove_by_label(LABEL)


def test_wait_healthy_returns_once_healthy(engine):
    sleeper(engine, "labkit-test-well", "true")
    try:
        wait_healthy("labkit-test-well", timeout=30)
    finally:
        remove_by_label(LABEL)


def test_process_tree_shows_shim_and_container(web):
    def named() -> str | None:  # nginx renames its master process a moment after it starts
        tree = process_tree("labkit-test-web")
        return tree if "nginx: master process" in tree else None

    tree = poll(
        named,
        timeout=30,
        what="nginx to name its master process",
        fix="docker logs labkit-test-web",
    )
    assert "containerd-shim-runc-v2" in tree
    assert "(the container's PID 1)" in tree


def test_remove_by_label_removes_containers_networks_and_volumes(engine):
    labels = dict([LABEL.split("=")])
    engine.networks.create("labkit-test-net", labels=labels)
    engine.volumes.create("labkit-test-vol", labels=labels)
    engine.containers.create("labkit/debian:latest", name="labkit-test-c", labels=labels)
    assert remove_by_label(LABEL) == 3
    assert remove_by_label(LABEL) == 0


def test_chapter_reset_removes_what_the_chapter_created(engine):
    sh("docker run -d --name my-nginx nginx:latest", timeout=60)
    reset("02")
    assert not engine.containers.list(all=True, filters={"name": "^my-nginx$"})


def test_privileged_containers_run(engine):
    result = sh(
        "docker run --rm --privileged labkit/debian:latest grep CapEff /proc/self/status",
        timeout=60,
    )
    assert result.output.startswith("CapEff:")


def test_exec_into_a_privileged_container(engine):
    engine.containers.run(
        "labkit/debian:latest",
        ["sleep", "60"],
        name="labkit-test-priv",
        detach=True,
        privileged=True,
        labels=dict([LABEL.split("=")]),
    )
    try:
        assert sh("docker exec --privileged labkit-test-priv true", timeout=30).ok
    finally:
        remove_by_label(LABEL)
