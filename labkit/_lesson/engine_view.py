"""Where the lessons run in own-engine mode: Docker's usual paths show the course's engine.

Beside another engine the course's has its own socket, run folder and data
(`labkit._engines.OWN`); Docker's usual ones are the other engine's. The chapters type the
usual ones, as the deck does: ``curl --unix-socket /var/run/docker.sock``, ``ctr --address
/run/docker/containerd/containerd.sock``, ``runc --root /run/docker/runtime-runc/moby``.
So JupyterLab (``labkit lab``), the tests (``./course test``) and ``labkit execute`` start
through `command` in a mount namespace of their own where each usual path that exists shows
the course's engine's instead (bind mounts); their kernels and commands inherit it. The
other engine, its clients and the rest of the machine see nothing of it. Outside own-engine
mode a command runs as it is.

A dockerd makes its socket anew at each start, which a bind made earlier does not follow:
`refresh` binds again what no longer shows the course's engine (after ``labkit up`` restarts
it, and when a chapter starts). What the daemons resolve is not changed: a container's ``-v
/var/run/docker.sock:…`` names the other engine's socket (chapter 15 asks the client which
socket it uses).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path
from typing import NoReturn

from .._engines import DEFAULT, OWN, current
from .._errors import EngineUnavailable, LabkitError
from .sh import sh

MARK = "LABKIT_ENGINE_VIEW"  # set in the view, for `refresh` and `inside`


def in_mount_namespace(mounts: list[str], command: list[str]) -> list[str]:
    """``command`` run in a mount namespace of its own, after the shell steps ``mounts``.

    ``unshare`` execs the shell, which execs ``command``: the pid stays the one started. A
    failing step stops there (``sh -e``), before ``command`` runs. Mounts made in there stay
    in there (``slave``: the machine's later mounts still show inside).
    """
    script = "; ".join([*mounts, 'exec "$@"'])
    unshare = ["unshare", "--mount", "--propagation", "slave", "--"]
    return [*unshare, "sh", "-ec", script, "sh", *command]


def binds() -> list[tuple[Path, Path]]:
    """(the course's engine's path, Docker's usual path it shows at) in own-engine mode."""
    if current().name != OWN.name:
        return []
    return [
        (OWN.socket, DEFAULT.socket),
        (OWN.exec_root, DEFAULT.exec_root),
        (OWN.data_root, DEFAULT.data_root),
    ]


def _bind(ours: Path, usual: Path) -> str:
    """The shell step that shows ``ours`` at ``usual``, if ``usual`` exists (a bind needs it)."""
    ours_, usual_ = shlex.quote(str(ours)), shlex.quote(str(usual))
    return f"if [ -e {usual_} ]; then mount --bind {ours_} {usual_}; fi"


def leave() -> list[str]:
    """Shell steps that take the view's binds away, for a namespace copied from the view.

    A daemon started from the view (``labkit up`` in a test) must see the machine's paths.
    """
    if not inside():
        return []
    return [f"umount -l {shlex.quote(str(usual))} 2>/dev/null || true" for _, usual in binds()]


def inside() -> bool:
    """True in a process started through `command` in own-engine mode (or one of its children)."""
    return os.environ.get(MARK) == OWN.host


def _outside() -> bool:
    """True in own-engine mode outside the view: a command must enter it."""
    return bool(binds()) and not inside()


def command(argv: list[str]) -> list[str]:
    """``argv`` run in the lessons' view: as it is, or in own-engine mode in a namespace.

    Raises:
        LabkitError: ``argv[0]`` is no program, or own-engine mode and not root.
        EngineUnavailable: own-engine mode and the course's engine is not running.
    """
    if not shutil.which(argv[0]):
        raise LabkitError(f"No program {argv[0]} here.", "Check the command's name and PATH.")
    if not _outside():
        return argv
    if os.geteuid() != 0:
        raise LabkitError(
            "The course's engine runs beside another (own-engine mode): the lessons see it at "
            "Docker's usual paths through a mount namespace, which only root can make.",
            "Run it as root, as `labkit up` was: `sudo .venv/bin/labkit …`.",
        )
    if not OWN.socket.exists():
        raise EngineUnavailable(
            f"The course's own engine is not running ({OWN.socket} is missing).",
            "Start it: `labkit up`.",
        )
    mounts = [f"export {MARK}={shlex.quote(OWN.host)}", *(_bind(o, u) for o, u in binds())]
    return in_mount_namespace(mounts, argv)


def exec_in_view(argv: list[str]) -> NoReturn:
    """Replace this process with ``argv`` run in the lessons' view (`command`)."""
    full = command(argv)
    os.execvp(full[0], full)


def enter(argv: list[str]) -> None:
    """In own-engine mode, outside the view: replace this process with ``argv`` in it."""
    if _outside():
        exec_in_view(argv)


def refresh() -> None:
    """In the view, bind again each usual path that no longer shows the course's engine's.

    A restarted dockerd's new socket, or the other engine's socket made anew (which drops
    the bind over it), would otherwise leave the lessons talking to nothing, or to it.
    """
    if not inside():
        return
    for ours, usual in binds():
        try:
            if os.path.samestat(os.stat(ours), os.stat(usual)):
                continue
        except FileNotFoundError:
            continue  # nothing to show, or nowhere to show it
        sh(f"umount -l {shlex.quote(str(usual))}", check=False, timeout=30)  # a stale bind
        sh(
            _bind(ours, usual),
            timeout=30,
            fix="Start the lab again (`./course lab`): it makes the view anew.",
        )
