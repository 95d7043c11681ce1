"""Docker engine access at lesson time: the client, what the engine says, ports, containers.

Starting the course's own engine is set-up work: `labkit._setup.engine`.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import lru_cache

import docker
import docker.errors
import requests

from .._engines import DEFAULT, OWN
from .._errors import EngineUnavailable, PortBusy, TimeoutExpired
from .._paths import use_course_engine
from .._poll import NotYet, poll

MANUAL_STEPS = (
    "install Docker (https://docs.docker.com/engine/install/) and start it, "
    "or as root on Debian/Ubuntu run `labkit up`, which builds the course's engine and starts it."
)
OWN_ENGINE_STEPS = (
    "The course's engine runs beside another one here (own-engine mode): start it as root "
    f"with `labkit up`. `LABKIT_OWN_ENGINE=0 labkit up` goes back to the engine at {DEFAULT.host}."
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
    """Return a Docker SDK client for the course's engine, or raise `EngineUnavailable`.

    The engine is the one DOCKER_HOST names, which `labkit._paths.use_course_engine` sets
    when the course's engine runs beside another one.
    """
    use_course_engine()
    try:
        cli = docker.from_env(timeout=120)
        cli.ping()
    except docker.errors.DockerException as err:
        client.cache_clear()
        host = os.environ.get("DOCKER_HOST", DEFAULT.host)
        steps = OWN_ENGINE_STEPS if host == OWN.host else MANUAL_STEPS
        raise EngineUnavailable(f"No Docker engine answers at {host}.", steps) from err
    return cli


def answers(host: str, timeout: float = 5) -> bool:
    """True when a Docker engine answers a ping at ``host``, whatever DOCKER_HOST says."""
    try:
        cli = docker.DockerClient(base_url=host, timeout=timeout)
    except docker.errors.DockerException:
        return False
    try:
        return bool(cli.ping())
    except (docker.errors.DockerException, requests.exceptions.RequestException):
        return False
    finally:
        cli.close()


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
