"""Chapter 01 exercises: namespaces, cgroups and the image-spec, checked on the real host."""

from __future__ import annotations

import os
from pathlib import Path

import docker.errors

from .._engine import client
from .._registry import Registry
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
    "`docker run -d --name ex01-net --network host debian:bookworm sleep infinity`, "
    "minus the part you should find yourself: look at `docker run --help | grep network`.",
)
def host_network() -> str:
    """Container ex01-net must run in the host's network namespace."""
    attrs = _running("ex01-net")
    pid = attrs["State"]["Pid"]
    theirs = os.readlink(f"/proc/{pid}/ns/net")
    ours = os.readlink("/proc/1/ns/net")
    if theirs != ours:
        raise Failed(f"ex01-net has its own network namespace ({theirs}; the host's is {ours}).")
    return f"ex01-net's process is in the host's network namespace {ours}."


@exercise(
    "01.memory-limit",
    "Limit a container's memory to 64 MiB and find it in the cgroup",
    "Give `docker run` the option `--memory 64m`, then look in the container's memory "
    "cgroup for memory.limit_in_bytes.",
)
def memory_limit() -> str:
    """Container ex01-limited must run with a 64 MiB limit, visible in its cgroup."""
    attrs = _running("ex01-limited")
    if attrs["HostConfig"]["Memory"] != MEMORY_LIMIT:
        raise Failed(
            f"ex01-limited's memory limit is {attrs['HostConfig']['Memory']} bytes, "
            f"not {MEMORY_LIMIT}."
        )
    pid = attrs["State"]["Pid"]
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            limit = Path(f"/sys/fs/cgroup/memory{path}/memory.limit_in_bytes")
            if limit.is_file() and int(limit.read_text()) == MEMORY_LIMIT:
                return f"the kernel enforces it: {limit} holds {MEMORY_LIMIT}."
    raise Failed("the memory cgroup of ex01-limited does not hold the 64 MiB limit.")


@exercise(
    "01.layers",
    "How many layers does nginx:latest have in the registry mirror?",
    "Read the manifest: `curl -s -H 'Accept: application/vnd.docker.distribution."
    "manifest.v2+json' http://127.0.0.1:5001/v2/library/nginx/manifests/latest` and "
    'count the entries of "layers".',
)
def layers(answer: object = None) -> str:
    """The answer must be the number of layers in nginx:latest's manifest."""
    count = len(Registry().manifest("library/nginx", "latest")["layers"])
    if str(answer).strip() != str(count):
        raise Failed(f"{answer!r} is not the number of layers of nginx:latest.")
    return f"nginx:latest is {count} layers: the Debian base, then one per filesystem change."
