"""The engine's daemons (dockerd, containerd) as processes: pid files, start, stop, all bounded."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from .._errors import EngineUnavailable
from .._poll import poll


def gone(pid: int) -> bool:
    """True when no process ``pid`` runs; a zombie child of this process is reaped, and gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    if stat.rsplit(")", 1)[-1].split()[0] != "Z":
        return False
    try:
        os.waitpid(pid, os.WNOHANG)  # started by us (a test, `labkit up`): reap it
    except ChildProcessError:
        pass
    return True


def running(pid_file: Path) -> tuple[int, Path, str] | None:
    """Pid, program and command line of the live process ``pid_file`` names, else None."""
    try:
        pid = int(pid_file.read_text())
        if gone(pid):
            return None
        program = Path(os.readlink(f"/proc/{pid}/exe"))
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, ValueError):
        return None
    return pid, program, command.strip()


def start(
    command: list[str],
    *,
    env: dict[str, str],
    log: Path,
    ready: Callable[[], bool],
    what: str,
    fix: str,
    timeout: float,
    pid_file: Path | None = None,
) -> int:
    """Start ``command`` in its own session, logging to ``log``; wait until ``ready()``.

    Args:
        command: the program and its arguments.
        env: its environment.
        log: file its output is appended to (its tail is shown when it stops at once).
        ready: true once it answers.
        what: its name in messages ("dockerd").
        fix: what to do when it does not answer.
        timeout: seconds to wait for it.
        pid_file: where to write its pid at once (dockerd writes its own).

    Returns:
        Its pid.

    Raises:
        EngineUnavailable: it stopped before answering; the message ends with its log.
        TimeoutExpired: it did not answer within ``timeout``.
    """
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    if pid_file is not None:
        pid_file.write_text(f"{process.pid}\n")

    def answers() -> bool | None:
        if process.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-10:])
            raise EngineUnavailable(f"{what} stopped at start. Its log ends with:\n{tail}", fix)
        return True if ready() else None

    poll(answers, timeout=timeout, what=f"{what} to answer", fix=fix)
    return process.pid


def stop(pid_file: Path, mark: str, what: str, timeout: float, fix: str) -> int | None:
    """Stop the process ``pid_file`` names as a shutdown does (SIGTERM); wait until it is gone.

    Only a process whose command line holds ``mark`` (the settings file labkit started it
    with) is signalled: never another program, nor a pid the system gave to someone else.

    Args:
        pid_file: the daemon's pid file.
        mark: text its command line must hold.
        what: its name in messages ("dockerd").
        timeout: seconds to wait for it to end.
        fix: what to do when it does not end (``{pid}`` is replaced by its pid).

    Returns:
        Its pid, or None when no such process ran.

    Raises:
        TimeoutExpired: it still runs after ``timeout`` seconds.
    """
    found = running(pid_file)
    if found is None or mark not in found[2]:
        return None
    pid = found[0]
    os.kill(pid, signal.SIGTERM)
    poll(
        lambda: True if gone(pid) else None,
        timeout=timeout,
        what=f"{what} (pid {pid}) to stop",
        fix=fix.format(pid=pid),
    )
    return pid
