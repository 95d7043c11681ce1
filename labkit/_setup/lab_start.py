"""``labkit lab-start``: the lab image's entrypoint (see `lab_image`).

Inside the container it checks that it may run an engine (``--privileged``), empties a volume
left by another lab build, starts the course's engine, loads the image archive when the
volume is new, runs `labkit up` (registries, forge, cluster) and opens JupyterLab on port
8888 with a token it prints.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from .._engines import DEFAULT
from .._errors import LabkitError, PortBusy
from .._lesson.docker import port_free
from .._lesson.sh import sh
from .._paths import REPO_DIR
from .._progress import say, step
from .lab_image import ARCHIVE, LAB_ID, RUN_COMMAND, saved_images

DATA = Path("/var/lib/docker")  # the volume
STAMP = DATA / "docker-plus-plus-lab"  # which lab build's images the volume holds, complete
LOADING = DATA / "docker-plus-plus-lab.loading"  # a load under way: the volume is the lab's
PORT = 8888
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_ENGINE_STOP_TIMEOUT = 45  # within the container's stop timeout (lab_image.STOP_TIMEOUT, 60 s)
_CAP_SYS_ADMIN = 21


def privileged() -> bool:
    """True when this container may run an engine: CAP_SYS_ADMIN and a writable /sys."""
    status = Path("/proc/self/status").read_text()
    effective = next(line.split()[1] for line in status.splitlines() if line.startswith("CapEff"))
    return bool(int(effective, 16) >> _CAP_SYS_ADMIN & 1) and os.access("/sys", os.W_OK)


def nest_cgroup_v2(root: Path = Path("/sys/fs/cgroup")) -> bool:
    """On a cgroup v2 host (Docker Desktop), let the engine inside make cgroups of its own.

    This container's cgroup holds its processes, and cgroup v2 gives controllers to children
    only of a cgroup without processes: they move to a child, ``init``, and every controller
    is enabled for the children. Returns False on cgroup v1 (nothing to do).
    """
    controllers = root / "cgroup.controllers"
    if not controllers.exists():
        return False
    (root / "init").mkdir(exist_ok=True)
    for pid in (root / "cgroup.procs").read_text().split():
        try:
            (root / "init" / "cgroup.procs").write_text(pid)
        except OSError:
            continue  # gone meanwhile
    wanted = " ".join(f"+{name}" for name in controllers.read_text().split())
    (root / "cgroup.subtree_control").write_text(wanted)
    return True


def volume_state(lab_id: str) -> str:
    """What the volume holds: ``"new"``, ``"ready"``, ``"stale"`` or ``"foreign"``.

    Ready: this build's images, completely loaded. Stale: another lab build's, or a load that
    stopped half-way. Foreign: data the lab did not write, never emptied.
    """
    if not DATA.is_dir() or not any(DATA.iterdir()):
        return "new"
    if STAMP.exists():
        return "ready" if STAMP.read_text().strip() == lab_id else "stale"
    return "stale" if LOADING.exists() else "foreign"


def _empty_volume() -> None:
    for child in DATA.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _images_loaded() -> bool:
    try:
        saved_images()
    except LabkitError:
        return False  # removed since (`labkit down --images`): loaded again
    return True


def _forget_stale_pid_files() -> None:
    """A restarted container keeps its files: the pid files name processes gone with it."""
    for pid_file in (DEFAULT.pid_file, DEFAULT.containerd_pid_file):
        pid_file.unlink(missing_ok=True)


def cluster_wanted(cgroup: Path = Path("/sys/fs/cgroup")) -> str | None:
    """None when the lab creates the kind cluster, else why not (one line for the log).

    ``LAB_CLUSTER=0`` skips it, ``LAB_CLUSTER=1`` forces it. By default it is skipped on a
    cgroup v1 host: there, the kind nodes' systemd inside the lab's container could not
    manage its cgroups (kubelets failed on this project's Debian 12 machines).
    """
    asked = os.environ.get("LAB_CLUSTER", "")
    if asked == "0":
        return "LAB_CLUSTER=0"
    if asked != "1" and not (cgroup / "cgroup.controllers").exists():
        return (
            "this host mounts cgroup v1, where kind's nodes failed inside the lab's container "
            "(their systemd could not manage its cgroups). Chapters 00-03 work; for 04-16 run "
            "the course on a cgroup v2 machine (Docker Desktop, a current Linux) or on the "
            "host itself (`./course lab` as root). LAB_CLUSTER=1 tries anyway"
        )
    return None


def prepare() -> None:
    """Engine, images, registries and cluster, ready in this container (idempotent)."""
    from .commands import up
    from .engine import ensure_engine

    if nest_cgroup_v2():
        say("    cgroup v2: this container's processes moved to /sys/fs/cgroup/init")
    lab_id = LAB_ID.read_text().strip()
    state = volume_state(lab_id)
    if state == "foreign":
        raise LabkitError(
            f"{DATA} holds data the lab did not write (another engine's?): it is left alone.",
            "Give the lab a volume of its own: -v docker-plus-plus:/var/lib/docker",
        )
    if state == "stale":
        with step(f"emptying {DATA}: it holds another lab build's data (this one is {lab_id})"):
            _empty_volume()
    if state != "ready":
        LOADING.write_text(lab_id + "\n")  # before the engine writes: the volume is the lab's
    _forget_stale_pid_files()
    say("    engine: " + ensure_engine())
    if state != "ready" or not _images_loaded():
        LOADING.write_text(lab_id + "\n")
        with step(f"loading the course's images from {ARCHIVE}"):
            sh(f"docker load -q -i {ARCHIVE}", timeout=1800)
        STAMP.write_text(lab_id + "\n")  # complete: the next start loads nothing
        LOADING.unlink(missing_ok=True)
    skipped = cluster_wanted()
    if skipped:
        say(f"    kind cluster skipped: {skipped}.")
    up(cluster=skipped is None)


def start(port: int = PORT) -> int:
    """The entrypoint: prepare the lab, serve JupyterLab, stop the engine when it ends."""
    if not privileged():
        print(
            "docker-plus-plus lab: this container needs --privileged (it runs its own Docker "
            f"engine and kind cluster): {RUN_COMMAND.format(image='IMAGE')}",
            file=sys.stderr,
        )
        return 2
    if not port_free(port):
        raise PortBusy(
            f"Port {port} inside the lab container is taken by another program.",
            "Do not run the lab with --network host beside a JupyterLab on 8888; publish the "
            "port instead: -p 8888:8888 (or -p 8899:8888 if 8888 is taken on your machine).",
        )
    prepare()
    token = os.environ.get("LAB_TOKEN") or secrets.token_hex(16)
    say(f"Docker++ lab: JupyterLab opens at http://127.0.0.1:{port}/lab?token={token}")
    from .cli import jupyterlab_command

    options = [
        "--ip=0.0.0.0",
        f"--port={port}",
        "--no-browser",
        f"--IdentityProvider.token={token}",
    ]
    return serve(jupyterlab_command(options))


def serve(command: list[str]) -> int:
    """Run JupyterLab until it ends or the container is stopped; then stop the engine.

    `docker stop` signals tini, which passes the signal to this process only: it is passed on
    to JupyterLab as SIGTERM (its clean stop: kernels shut down; so is Ctrl-C), and once
    JupyterLab has ended the engine is stopped as a shutdown does (its containers, the
    cluster's nodes among them, stopped, not killed with the container); further signals
    are ignored meanwhile. Returns JupyterLab's exit code (128 + N if signal N ended it).
    """
    from .engine import stop_dockerd

    children: list[subprocess.Popen] = []
    stop_asked: list[int] = []

    def pass_on(signum: int, _frame: object) -> None:
        stop_asked.append(signum)
        for child in children:
            child.send_signal(signal.SIGTERM)

    previous = {signum: signal.signal(signum, pass_on) for signum in _STOP_SIGNALS}
    try:
        children.append(subprocess.Popen(command, cwd=REPO_DIR))
        if stop_asked:  # asked before JupyterLab existed
            children[0].send_signal(signal.SIGTERM)
        code = children[0].wait()
        for signum in _STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)  # a second `docker stop` waits for this one
        with step("stopping the course's engine"):
            stop_dockerd(timeout=_ENGINE_STOP_TIMEOUT, missing_ok=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code
