"""End-to-end test of the chapter 03 voting app (vote -> redis -> worker -> db -> result).

The stack runs as its own Compose project on free ports, so a learner's `voting-app`
on 8080/8081 is left alone; it is always torn down with `down -v`.
"""

import json
import os
import shutil
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from labkit import poll

pytestmark = pytest.mark.docker

APP_DIR = Path(__file__).resolve().parents[2] / "notebooks" / "03-docker-compose"
PROJECT = "voting-app-test"
RESULTS_DEADLINE = 30.0  # seconds for a vote to travel vote -> redis -> worker -> db -> result


def free_port() -> int:
    """Ask the OS for a TCP port that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def compose(*args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run `docker compose` on the voting app under the test project name."""
    command = ["docker", "compose", "-p", PROJECT, "-f", str(APP_DIR / "docker-compose.yml")]
    return subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def http(
    url: str, form: dict[str, str] | None = None, cookie: str = ""
) -> tuple[int, Message, str]:
    """GET (or POST ``form`` to) ``url``; return status, headers and body, even for 4xx/5xx."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(url, data=data, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def vote(base: str, choice: str, voter_id: str = "") -> str:
    """Cast ``choice`` as ``voter_id`` (a new voter if empty); return the voter_id cookie set."""
    status, headers, body = http(
        f"{base}/", {"vote": choice}, f"voter_id={voter_id}" if voter_id else ""
    )
    assert status == 200, body
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))
    assert "voter_id" in cookie, headers
    return cookie["voter_id"].value


@pytest.fixture(scope="module")
def app(request: pytest.FixtureRequest) -> dict[str, str]:
    """Start the stack with `up -d --wait` and return the base URLs of vote and result."""
    if shutil.which("docker") is None:
        pytest.skip("docker CLI not found")
    ports = {"VOTE_PORT": str(free_port()), "RESULT_PORT": str(free_port())}
    env = {**os.environ, **ports}
    compose("down", "-v", "--remove-orphans", env=env, timeout=120)  # leftovers of a crashed run
    request.addfinalizer(lambda: compose("down", "-v", "--remove-orphans", env=env, timeout=120))
    up = compose("up", "-d", "--build", "--wait", "--wait-timeout", "120", env=env, timeout=300)
    assert up.returncode == 0, f"docker compose up failed:\n{up.stdout}\n{up.stderr}"
    return {
        "vote": f"http://127.0.0.1:{ports['VOTE_PORT']}",
        "result": f"http://127.0.0.1:{ports['RESULT_PORT']}",
    }


def results(app: dict[str, str]) -> dict[str, int]:
    """Read the tally from the result service's JSON API."""
    status, _, body = http(f"{app['result']}/api/results")
    assert status == 200, body
    counts: dict[str, int] = json.loads(body)
    return counts


def test_pages_are_served(app: dict[str, str]) -> None:
    """Both front ends answer: the ballot (with the container ID) and the result page."""
    status, _, body = http(f"{app['vote']}/")
    assert status == 200
    assert "Cats vs Dogs!" in body
    assert "Processed by container ID" in body
    assert http(f"{app['vote']}/healthz")[0] == 200
    status, _, body = http(f"{app['result']}/")
    assert status == 200
    assert "Cats" in body and "Dogs" in body


def test_votes_reach_results_and_can_change(app: dict[str, str]) -> None:
    """Two voters vote, one changes their mind; the tally counts each voter once."""
    assert results(app) == {"a": 0, "b": 0, "total": 0}
    alice = vote(app["vote"], "a")
    bob = vote(app["vote"], "b")
    assert alice != bob
    assert vote(app["vote"], "b", voter_id=alice) == alice  # Alice changes her mind
    expected = {"a": 0, "b": 2, "total": 2}
    poll(
        lambda: results(app) == expected or None,
        timeout=RESULTS_DEADLINE,
        what=f"/api/results == {expected}",
        fix="Read the worker's logs: `docker compose logs worker`.",
    )
    logs = compose("logs", "worker", env=dict(os.environ), timeout=30).stdout
    assert f"Processing vote for 'b' by '{alice}'" in logs


@pytest.mark.parametrize("form", [{"vote": "c"}, {"vote": ""}, {}])
def test_invalid_vote_is_rejected(app: dict[str, str], form: dict[str, str]) -> None:
    """Anything but 'a' or 'b' is refused with 400 and a message saying what is expected."""
    status, _, body = http(f"{app['vote']}/", form)
    assert status == 400
    assert "Invalid vote" in body
