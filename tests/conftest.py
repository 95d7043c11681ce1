"""Shared fixtures: integration tests need the real engine, and fail (not skip) without it."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Tests run the course's own tools (docker, kind, kubectl, helm), as a chapter does."""
    from labkit._paths import use_course_tools

    use_course_tools()


@pytest.fixture
def as_root() -> None:
    """Mount namespaces are made as root (as `labkit up` in own-engine mode is run)."""
    import os

    if os.geteuid() != 0:
        pytest.skip("mount namespaces need root")


@pytest.fixture(scope="session")
def engine():
    """The Docker SDK client of the course engine; a clear failure when there is none."""
    from labkit._lesson.docker import client, is_reachable

    if not is_reachable():
        pytest.fail("No Docker engine: run `labkit up` (integration tests never skip).")
    return client()


@pytest.fixture(scope="session")
def cluster():
    """The course's kind cluster (its name); a clear failure when it does not answer."""
    from labkit._lesson import cluster as course_cluster

    if not course_cluster.reachable():
        pytest.fail("No kind cluster answers: run `labkit up` (integration tests never skip).")
    return course_cluster.NAME
