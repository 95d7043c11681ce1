"""Shared fixtures: integration tests need the real engine, and fail (not skip) without it."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def engine():
    """The Docker SDK client of the course engine; a clear failure when there is none."""
    from labkit._engine import client, is_reachable

    if not is_reachable():
        pytest.fail("No Docker engine: run `labkit up` (integration tests never skip).")
    return client()
