"""Chapter 01 exercises: namespaces, cgroups and the image-spec, checked on the real host."""

from __future__ import annotations

import os
from pathlib import Path

import docker.errors

from ..docker import client
from ..registry import Registry
from . import Failed, exercise

MEMORY_LIMIT = 64 * 1024 * 1024


def _running(name: str) -> dict:
    try:
        attrs = client().api.inspect_container(name)
    except docker.errors.NotFound:
        raise Failed(f"there is no container named {name}.") from None
    if attrs["State"]["Status"] != "running":
        raise Failed(f"container {name} is {attrs['State']['Status']}, not running.")
    return attrs


@exercise(
    "01.host-network",
    "Run a container that shares the host's network namespace",
    "Start it like oci-demo, with one more option of `docker run`: the one that chooses the "
    "container's network (its help lists the special values it accepts).",
)
def host_network() -> str:
    """Container ex01-net must run in the host's network namespace."""
    attrs = _running("ex01-net")
    mode = attrs["HostConfig"]["NetworkMode"]
    try:
        # The kernel's word: this process (labkit, on the host) vs the container's PID 1.
        # /proc/1 is not used: it may be unreadable (a PID 1 with more capabilities).
        theirs = os.readlink(f"/proc/{attrs['State']['Pid']}/ns/net")
        ours = os.readlink("/proc/self/ns/net")
    except OSError:
        # labkit does not run on the engine's host (or cannot read /proc): trust the engine.
        if mode != "host":
            raise Failed(f"ex01-net runs with --network {mode}, so its own network.") from None
        return "ex01-net runs with --network host."
    if theirs != ours:
        raise Failed("ex01-net has its own network namespace, not the host's.")
    return "ex01-net's process is in the host's network namespace (the same /proc/PID/ns/net)."


@exercise(
    "01.memory-limit",
    "Limit a container's memory to 64 MiB and find it in the cgroup",
    "`docker run` sets a memory limit at start (look for it in its help); the kernel then "
    "holds it in a file of the container's memory cgroup — the chapter's `cgroup-file.sh` "
    "reads that file on cgroup v2 and v1.",
)
def memory_limit() -> str:
    """Container ex01-limited must run with a 64 MiB limit, visible in its cgroup."""
    attrs = _running("ex01-limited")
    if attrs["HostConfig"]["Memory"] != MEMORY_LIMIT:
        raise Failed(
            f"ex01-limited's memory limit is {attrs['HostConfig']['Memory']} bytes, "
            f"not {MEMORY_LIMIT}."
        )
    for limit in _memory_limit_files(attrs["State"]["Pid"]):
        if limit.is_file() and limit.read_text().strip() == str(MEMORY_LIMIT):
            return f"the kernel enforces it: {limit} holds {MEMORY_LIMIT}."
    raise Failed("the memory cgroup of ex01-limited does not hold the 64 MiB limit.")


def _memory_limit_files(pid: int) -> list[Path]:
    """Files holding the memory limit of process ``pid``'s cgroup (cgroup v1 and v2)."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        raise Failed(f"cannot read /proc/{pid}/cgroup: is labkit on the engine's host?") from None
    files = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):  # v1: "4:memory:/docker/<id>"
            files.append(Path(f"/sys/fs/cgroup/memory{path}/memory.limit_in_bytes"))
        elif controllers == "":  # v2: "0::/system.slice/docker-<id>.scope"
            files.append(Path(f"/sys/fs/cgroup{path}/memory.max"))
    return files


@exercise(
    "01.layers",
    "How many layers does nginx:latest have in the registry mirror?",
    "The manifest fetched in *The image-spec* section lists the layers: count the entries of "
    'its "layers" array (the config\'s history has more entries: not every step made a layer).',
)
def layers(answer: object = None) -> str:
    """The answer must be the number of layers in nginx:latest's manifest."""
    count = len(Registry().manifest("library/nginx", "latest")["layers"])
    if str(answer).strip() != str(count):
        raise Failed(f"{answer!r} is not the number of layers of nginx:latest.")
    return f"nginx:latest is {count} layers: the Debian base, then one per filesystem change."
