"""Docker engine access: find it, start it if this machine allows, and wait on containers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import docker
import docker.errors

from .. import versions
from .._errors import EngineUnavailable, PortBusy, TimeoutExpired
from .._paths import cache_dir
from .._poll import NotYet, poll
from .._progress import say, step
from .._setup.capfix import RUNTIME_NAME, ensure_capfix
from .._setup.engine_tools import engine_bin, ensure_client, ensure_engine_programs

MIRROR_PORT = int(os.environ.get("LABKIT_MIRROR_PORT", "5001"))
PID_FILE = Path("/var/run/docker.pid")
MANUAL_STEPS = (
    "install Docker (https://docs.docker.com/engine/install/) and start it, "
    "or as root on Debian/Ubuntu run `labkit up`, which builds the course's engine and starts it."
)


@dataclass(frozen=True)
class EngineInfo:
    """What the engine says about itself."""

    version: str
    storage_driver: str
    cgroup_version: str
    mirrors: tuple[str, ...]
    default_runtime: str = "runc"


@lru_cache(maxsize=1)
def client() -> docker.DockerClient:
    """Return a Docker SDK client for the engine, or raise `EngineUnavailable` with the fix."""
    try:
        cli = docker.from_env(timeout=120)
        cli.ping()
    except docker.errors.DockerException as err:
        client.cache_clear()
        host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        raise EngineUnavailable(f"No Docker engine answers at {host}.", MANUAL_STEPS) from err
    return cli


def is_reachable() -> bool:
    """True when a Docker engine answers a ping."""
    try:
        client()
    except EngineUnavailable:
        return False
    return True


def info() -> EngineInfo:
    """Version, storage driver, cgroup version and registry mirrors of the engine."""
    data = client().info()
    return EngineInfo(
        version=data.get("ServerVersion", "?"),
        storage_driver=data.get("Driver", "?"),
        cgroup_version=str(data.get("CgroupVersion", "?")),
        mirrors=tuple(data.get("RegistryConfig", {}).get("Mirrors") or ()),
        default_runtime=data.get("DefaultRuntime", "runc"),
    )


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
    built its own) is stopped and replaced.
    """
    say("    client: " + ensure_client())
    if is_reachable():
        older = _older_labkit_engine()
        if not older:
            return "a Docker engine was already running: used as it is"
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


def _older_labkit_engine() -> str | None:
    """The program of a running dockerd labkit started that is not the course's, else None."""
    running = _running_dockerd()
    if running is None:
        return None
    _, program, command = running
    ours = (engine_bin() / "dockerd").resolve()
    started_by_labkit = str(cache_dir() / "daemon.json") in command
    return str(program) if started_by_labkit and program != ours else None


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


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port``."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) != 0


def require_port(port: int, purpose: str, env_var: str) -> None:
    """Raise `PortBusy` naming the port, its purpose, and how to choose another."""
    if not port_free(port):
        raise PortBusy(
            f"Port {port} on 127.0.0.1, needed for the {purpose}, is already taken by another "
            "program.",
            f"Stop that program (`ss -ltnp 'sport = :{port}'` names it), or set {env_var} to a "
            "free port and run `labkit up` again.",
        )


def http_get(url: str, timeout: float = 5, headers: dict[str, str] | None = None) -> str:
    """GET ``url`` and return the body as text (raises urllib's errors)."""
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode("utf-8", errors="replace")


def wait_http(
    url: str,
    expect: str | None = None,
    timeout: float = 30,
    headers: dict[str, str] | None = None,
) -> str:
    """Wait until ``url`` answers (with ``expect`` in its body, if given); return the body.

    Args:
        url: the page to GET.
        expect: text the body must contain (default: any answer will do).
        timeout: seconds before `TimeoutExpired` is raised.
        headers: HTTP headers sent with each request (e.g. ``{"Host": "web.local"}``).

    Raises:
        TimeoutExpired: no answer (or none containing ``expect``) within ``timeout``.
        EngineUnavailable: the page does not answer and no Docker engine runs at all.

    Example:
        >>> page = wait_http("http://localhost:8080", expect="Welcome to nginx!")
    """

    def probe() -> str:
        try:
            body = http_get(url, timeout=3, headers=headers)
        except (urllib.error.URLError, ConnectionError, OSError) as err:
            if not is_reachable():
                client()  # raises EngineUnavailable at once: no container can answer
            raise NotYet(str(err)) from err
        if expect is not None and expect not in body:
            raise NotYet(f"the page did not contain {expect!r}")
        return body

    return poll(
        probe,
        timeout=timeout,
        what=f"{url} to answer" + (f" with {expect!r}" if expect is not None else ""),
        fix="Check the container is running (`docker ps -a`) and read its logs "
        "(`docker logs NAME`).",
    )


def wait_healthy(name: str, timeout: float = 60) -> None:
    """Wait until container ``name`` is running and, if it has a health check, healthy.

    Raises:
        TimeoutExpired: at once when the container has exited or is unhealthy, else after
            ``timeout``; the message gives its state.
    """
    fix = f"Read its logs: `docker logs {name}`."

    def probe() -> bool:
        try:
            state = client().api.inspect_container(name)["State"]
        except docker.errors.NotFound:
            state = {"Status": "missing"}
        status, health = state.get("Status"), (state.get("Health") or {}).get("Status")
        if status == "running" and health in (None, "healthy"):
            return True
        seen = f"state: {status}{', ' + health if health else ''}"
        if status in ("exited", "dead") or health == "unhealthy":
            raise TimeoutExpired(f"Container {name} is not running and healthy ({seen}).", fix)
        raise NotYet(seen)

    poll(probe, timeout=timeout, what=f"container {name} to be running and healthy", fix=fix)


def remove_containers(*names: str) -> list[str]:
    """Force-remove the named containers that exist; return the names removed."""
    removed = []
    for name in names:
        try:
            client().containers.get(name).remove(force=True, v=True)
            removed.append(name)
        except docker.errors.NotFound:
            pass
    return removed


def remove_by_label(label: str) -> int:
    """Remove containers, networks and volumes carrying ``label``; return how many went."""
    cli = client()
    count = 0
    for container in cli.containers.list(all=True, filters={"label": label}):
        container.remove(force=True, v=True)
        count += 1
    for network in cli.networks.list(filters={"label": label}):
        network.remove()
        count += 1
    for volume in cli.volumes.list(filters={"label": label}):
        volume.remove(force=True)
        count += 1
    return count


def remove_images(*refs: str) -> list[str]:
    """Untag/remove the given image references that exist; return those removed."""
    removed = []
    for ref in refs:
        try:
            client().images.remove(ref, force=True)
            removed.append(ref)
        except docker.errors.ImageNotFound:
            pass
    return removed
