"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, and JupyterLab servers.

Chromium comes from `labkit._setup.browser.ensure_browser` (apt when missing), Playwright from
PyPI (the ``dev`` extra) and never downloads a browser. Each JupyterLab is the venv's, started
on a free port with a token, the repository as its root, autosave off and its own settings,
workspaces and runtime folders, so that nothing it does stays in the repository or in
``~/.jupyter``. It is stopped with its kernels at the end of the test module (before the
notebooks that ``./course test`` runs next), and the committed notebooks it opened are checked
unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from labkit._errors import LabkitError
from labkit._paths import NOTEBOOKS_DIR, REPO_DIR
from labkit._poll import NotYet, poll

collect_ignore = ["scratch"]  # notebooks the tests write for themselves (see `scratch_dir`)

SCRATCH_DIR = Path(__file__).parent / "scratch"
LAB_START = 180  # seconds for a JupyterLab to answer (2 cores, other work running)
LAB_STOP = 60
TIMEOUT_MS = 60_000  # Playwright's own bound for every action and expectation

# JupyterLab's user settings for the tests: no autosave (a cell run in the browser must never
# write to a committed notebook), no news or update checks (the network is closed).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


@dataclass
class Lab:
    """A running JupyterLab: its address, token, process, log and runtime folder."""

    url: str
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    runtime: Path
    opened: dict[Path, str] = field(default_factory=dict)  # committed notebooks: digests

    def tree_url(self, path: Path) -> str:
        """The address opening ``path`` in a fresh workspace (kept in mind if committed)."""
        if path.parent == NOTEBOOKS_DIR:
            self.opened.setdefault(path, _digest(path))
        where = path.relative_to(REPO_DIR).as_posix()
        return f"{self.url}/lab/workspaces/t{secrets.token_hex(4)}/tree/{where}?token={self.token}"

    def changed(self) -> list[str]:
        """The committed notebooks it opened that are no longer as they were."""
        return sorted(p.name for p, digest in self.opened.items() if _digest(p) != digest)

    def api(self, method: str, route: str) -> requests.Response:
        """One bounded request to the server's REST API."""
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.url}{route}", headers=headers, timeout=10)

    def log_tail(self, lines: int = 20) -> str:
        """The end of the server's log."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_lab(folder: Path, env: dict[str, str] | None = None) -> Lab:
    """Start the venv's JupyterLab headless (as `labkit lab` does), wait until it answers.

    Args:
        folder: where its settings, workspaces, runtime files (kernels') and log go.
        env: variables for the server and its kernels (e.g. a ``DOCKER_HOST`` that is not).
    """
    settings = folder / "settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={REPO_DIR}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # no extension index fetched
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")  # as `labkit lab` on the course's Debian machines
    full_env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
        **(env or {}),
    }
    log = folder / "jupyterlab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO_DIR,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    lab = Lab(f"http://127.0.0.1:{port}", token, process, log, folder / "runtime")

    def answers() -> bool | None:
        if process.poll() is not None:
            raise LabkitError(
                f"JupyterLab exited with code {process.returncode}. Its log ends with:\n"
                f"{lab.log_tail()}",
                f"Read {log}.",
            )
        try:
            return True if lab.api("GET", "/api/status").ok else None
        except requests.RequestException as err:
            raise NotYet(type(err).__name__) from err

    try:
        poll(answers, timeout=LAB_START, what=f"JupyterLab on port {port}", fix=f"Read {log}.")
    except LabkitError:
        stop_lab(lab)
        raise
    return lab


def _kernels_of(runtime: Path, proc: Path = Path("/proc")) -> list[int]:
    """Pids of the kernels whose connection file is in ``runtime`` (they have their own session)."""
    found = []
    for entry in proc.glob("[0-9]*/cmdline"):
        try:
            if str(runtime).encode() in entry.read_bytes():
                found.append(int(entry.parent.name))
        except OSError:
            continue  # ended meanwhile
    return found


def stop_lab(lab: Lab) -> None:
    """Shut the server down with its kernels (REST API), bounded; then end what is left."""
    if lab.process.poll() is None:
        try:
            lab.api("POST", "/api/shutdown")
        except requests.RequestException:
            pass  # it is ended below
        try:
            lab.process.wait(timeout=LAB_STOP)
        except subprocess.TimeoutExpired:
            os.killpg(lab.process.pid, signal.SIGKILL)  # the group this fixture started
            lab.process.wait(timeout=LAB_STOP)
    for pid in _kernels_of(lab.runtime):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Chromium's executable; installed from Debian's package when missing."""
    from labkit._setup.browser import ensure_browser

    try:
        return ensure_browser()
    except LabkitError as err:
        pytest.fail(str(err))  # the course's tests fail, never skip, when a tool is missing


@pytest.fixture(scope="module")
def browser(chromium: Path, tmp_path_factory: pytest.TempPathFactory):
    """A headless Chromium (Playwright, a fresh profile), closed at the end of the session."""
    from playwright.sync_api import expect, sync_playwright

    from labkit._setup.browser import CHROMIUM_FLAGS

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # --user-data-dir
            executable_path=str(chromium),
            headless=True,
            args=list(CHROMIUM_FLAGS),
            viewport={"width": 1400, "height": 1000},
            timeout=TIMEOUT_MS,
        )
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)  # its own default is 5 s
        try:
            yield context
        finally:
            context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, for `page` to know whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request, tmp_path):
    """A new tab (closed without its ``beforeunload`` prompt: edits are never saved).

    When the test fails, a screenshot of the tab is saved in its pytest tmp dir first.
    """
    tab = browser.new_page()
    try:
        yield tab
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            shot = tmp_path / "failure.png"
            tab.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failure: {shot}")
        tab.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab as a learner has it: the engine and the cluster the course set up."""
    server = start_lab(tmp_path_factory.mktemp("lab"))
    try:
        yield server
    finally:
        stop_lab(server)
    assert not server.changed(), f"committed notebooks were changed: {server.changed()}"


@pytest.fixture(scope="module")
def no_engine_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab whose kernels see no Docker engine and no cluster (as on Binder)."""
    env = {"DOCKER_HOST": "unix:///nonexistent.sock", "KUBECONFIG": "/nonexistent"}
    server = start_lab(tmp_path_factory.mktemp("lab-no-engine"), env)
    try:
        yield server
    finally:
        stop_lab(server)
    assert not server.changed(), f"committed notebooks were changed: {server.changed()}"


@pytest.fixture
def scratch_dir() -> Iterator[Path]:
    """A git-ignored folder of the repository for notebooks a test writes (emptied after)."""
    SCRATCH_DIR.mkdir(exist_ok=True)
    try:
        yield SCRATCH_DIR
    finally:
        shutil.rmtree(SCRATCH_DIR, ignore_errors=True)
