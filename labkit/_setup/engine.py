"""The course's Docker engine at set-up time: use the running one, or build and start its own.

labkit starts dockerd itself only as root on Debian/Ubuntu, with `daemon_config` (the
registry mirror, and the runc-capfix runtime where the bounding set needs it). Reaching the
engine at lesson time is `labkit._lesson.docker`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

from .. import versions
from .._errors import EngineUnavailable
from .._lesson.docker import MANUAL_STEPS, client, is_reachable
from .._lesson.registry import MIRROR_PORT
from .._paths import cache_dir
from .._poll import poll
from .._progress import say, step
from .capfix import RUNTIME_NAME, ensure_capfix
from .engine_tools import engine_bin, ensure_client, ensure_engine_programs

PID_FILE = Path("/var/run/docker.pid")


def daemon_config(capfix: Path | None = None) -> dict[str, object]:
    """The daemon settings the course needs when labkit starts dockerd itself.

    Args:
        capfix: the runc-capfix runtime to make the default (see `labkit._setup.capfix`).
    """
    mirror = f"127.0.0.1:{MIRROR_PORT}"
    config: dict[str, object] = {
        "registry-mirrors": [f"http://{mirror}"],
        "insecure-registries": [mirror],
        # Docker 29's default for a new engine, said explicitly: images live in containerd
        "features": {"containerd-snapshotter": True},
    }
    if capfix is not None:
        config["runtimes"] = {RUNTIME_NAME: {"path": str(capfix)}}
        config["default-runtime"] = RUNTIME_NAME
    return config


def ensure_engine() -> str:
    """Use a running engine untouched, or build and start the course's; return what was done.

    The course's client (docker, buildx, compose) is made the course's command either way. An
    engine labkit started earlier from other programs (Debian's docker.io before the course
    built its own, or the course's own before a version or build change) is stopped and
    replaced.
    """
    say("    client: " + ensure_client())
    if is_reachable():
        if not _started_by_labkit():
            return "a Docker engine was already running: used as it is"
        ensure_engine_programs()  # after a version change: built and placed, then compared
        older = _older_labkit_engine()
        if not older:
            return "the course's engine was already running: used as it is"
        with step(f"stopping the engine labkit started earlier from {older}"):
            stop_dockerd()
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise EngineUnavailable(
            "No Docker engine is running and labkit cannot start one here "
            "(it needs root and apt-get).",
            MANUAL_STEPS,
        )
    start_dockerd(ensure_engine_programs())
    return (
        f"started the course's dockerd {versions.MOBY_RELEASE} (moby {versions.MOBY}, containerd "
        f"{versions.CONTAINERD}, runc {versions.RUNC}); registry mirror on 127.0.0.1:{MIRROR_PORT}"
    )


def _running_dockerd() -> tuple[int, Path, str] | None:
    """Pid, program and command line of the dockerd named by `PID_FILE`, if it runs."""
    try:
        pid = int(PID_FILE.read_text())
        program = Path(os.readlink(f"/proc/{pid}/exe"))
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, ValueError):
        return None
    return pid, program, command


def _started_by_labkit() -> bool:
    """True when the running dockerd is one labkit started (with its settings file)."""
    running = _running_dockerd()
    return running is not None and str(cache_dir() / "daemon.json") in running[2]


def _older_labkit_engine() -> str | None:
    """The program of a running dockerd labkit started that is not the course's, else None.

    The course's is `engine_bin`'s dockerd; once that file is replaced by a new build, the
    kernel names the running program "… (deleted)", which differs too.
    """
    running = _running_dockerd()
    if running is None or not _started_by_labkit():
        return None
    program = running[1]
    return str(program) if program != engine_bin() / "dockerd" else None


def start_dockerd(programs: Path, timeout: float = 60) -> None:
    """Start the dockerd of ``programs`` with `daemon_config`, and wait until it answers.

    ``programs`` (`engine_bin`) goes first on its PATH: dockerd starts that containerd, which
    starts that runc shim and runc.
    """
    config = cache_dir() / "daemon.json"
    capfix = ensure_capfix()
    config.write_text(json.dumps(daemon_config(capfix), indent=2) + "\n")
    log = cache_dir() / "dockerd.log"
    env = {**os.environ, "PATH": f"{programs}{os.pathsep}{os.environ.get('PATH', '')}"}
    if capfix is not None:
        env["RUNC_CAPFIX_REAL"] = str(programs / "runc")  # the runc runc-capfix runs
    with step(f"starting dockerd (settings {config}, log {log})"):
        with open(log, "ab") as out:
            process = subprocess.Popen(
                [str(programs / "dockerd"), "--config-file", str(config)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        fix = f"Read {log}; a stale /var/run/docker.pid or docker.sock can be removed."

        def answers() -> bool | None:
            if process.poll() is not None:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-10:])
                raise EngineUnavailable(
                    f"dockerd stopped at start. Its log ends with:\n{tail}", fix
                )
            return True if is_reachable() else None

        poll(answers, timeout=timeout, what="dockerd to answer", fix=fix)


def stop_dockerd(timeout: float = 90) -> None:
    """Stop the running dockerd as a shutdown does (SIGTERM), and wait until it is gone."""
    pid_file = PID_FILE
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError) as err:
        raise EngineUnavailable(
            f"No dockerd to stop here ({pid_file}: {err}).",
            "Stop your Docker engine the way it was started (Docker Desktop, systemctl).",
        ) from err
    poll(
        lambda: None if Path(f"/proc/{pid}").exists() else True,
        timeout=timeout,
        what=f"dockerd (pid {pid}) to stop",
        fix=f"Look at {cache_dir() / 'dockerd.log'}; `kill -9 {pid}` ends it at once.",
    )
    client.cache_clear()
