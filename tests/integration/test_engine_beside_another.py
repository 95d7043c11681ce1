"""Own-engine mode for real: the course's engine beside another one, which is left running.

Written for a machine where the course's engine already runs on Docker's default socket: it
plays "the other engine". The course's engine is started again beside it in own-engine mode
(as root), each runs a container, and only the own engine is stopped; then the other engine
is stopped mid-run and started again while the own engine serves on. The clean-up always
runs: the own engine's dockerd and containerd stopped, its bridge and firewall rules removed,
its data and run folders removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from labkit import sh, wait_http
from labkit._engines import DEFAULT, OWN, current
from labkit._lesson import engine_view
from labkit._lesson.docker import answers
from labkit._lesson.registry import MANIFEST_TYPES, MIRROR, MIRROR_PORT, Registry
from labkit._paths import remembered_engine_host
from labkit._setup import daemons, own_engine
from labkit._setup.engine import start_dockerd, stop_dockerd
from labkit._setup.engine_tools import ensure_engine_programs
from labkit._setup.images import image_ref, recipe

pytestmark = pytest.mark.docker

OTHER_BOX = "labkit-test-beside-other"  # on the other engine
OWN_BOX = "labkit-test-beside-own"  # on the course's own engine
DOCKER_RULE = "-A DOCKER-FORWARD -i docker0 -j ACCEPT"  # the other engine's, if it has it
DOCKER0 = Path("/sys/class/net/docker0")  # the other engine's bridge
CLEAN_UP = (
    ".venv/bin/python -c 'from labkit._engines import OWN; from labkit._setup.engine import "
    "stop_dockerd; stop_dockerd(layout=OWN, missing_ok=True)'; "
    f"rm -rf {OWN.data_root} {OWN.exec_root}"
)


def iptables_rules(chain: str) -> list[str]:
    """The rules of a filter chain (empty when it does not exist)."""
    result = sh(f"iptables -w -S {chain}", check=False, timeout=30)
    return result.output.splitlines() if result.ok else []


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def own_engine_running() -> Iterator[docker.DockerClient]:
    """Start the course's engine in own-engine mode; always stop it and remove its data."""
    if os.geteuid() != 0:
        pytest.fail("Own-engine mode needs root: run the integration tests as root.")
    if current().name == OWN.name:  # a third engine would take the course's own paths
        pytest.skip(
            "the course's engine already runs beside another (own-engine mode): these tests "
            "play that mode from the default one, with the course's engine as the other"
        )
    if daemons.running(OWN.pid_file) or OWN.data_root.exists():
        pytest.fail(
            f"An own engine (or its data {OWN.data_root}) is already on this machine, and this "
            f"test would remove it. If it is a test's leftover: {CLEAN_UP}"
        )
    cli = None
    try:
        start_dockerd(ensure_engine_programs(), OWN)
        cli = docker.DockerClient(base_url=OWN.host, timeout=120)
        yield cli
    finally:
        if cli is not None:
            cli.close()
        try:
            stop_dockerd(layout=OWN, missing_ok=True)  # dockerd (its containerd), bridge, rules
        finally:  # its mounts were in its dockerd's namespace, gone with it
            shutil.rmtree(OWN.data_root, ignore_errors=True)
            shutil.rmtree(OWN.exec_root, ignore_errors=True)
            shutil.rmtree(own_engine.SHIM_FOLDER, ignore_errors=True)
            OWN.settings_file().unlink(missing_ok=True)


def names(cli: docker.DockerClient) -> set[str]:
    """Names of every container of an engine."""
    return {c.name for c in cli.containers.list(all=True)}


def leave_stale_pid_file_and_socket() -> None:
    """What a killed own engine leaves: a pid file naming no process, a socket nobody serves."""
    finished = subprocess.Popen(["true"])
    finished.wait()
    OWN.pid_file.write_text(f"{finished.pid}\n")
    OWN.socket.unlink(missing_ok=True)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(OWN.socket))


def serve_nginx(own: docker.DockerClient):
    """An nginx container on the own engine, its port published on 127.0.0.1: (box, port)."""
    port = free_port()
    box = own.containers.run(
        "nginx:latest", name=OWN_BOX, detach=True, ports={"80/tcp": ("127.0.0.1", port)}
    )
    return box, port


def serves(own: docker.DockerClient, box, port: int) -> str:
    """Check that ``box`` (nginx on the own engine) answers on its host port and across the
    own bridge (through the host's FORWARD chain: DROP policy, br_netfilter, which labkit's
    rules open for the own bridges); return its address there."""
    wait_http(f"http://127.0.0.1:{port}", expect="Welcome to nginx!", timeout=60)
    box.reload()
    address = box.attrs["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
    curl = f"curl -s -o /dev/null -w %{{http_code}} --max-time 10 http://{address}/"
    assert own.containers.run("nginx:latest", curl.split(), remove=True).decode().strip() == "200"
    return address


def own_containerd_config() -> str:
    """The settings file of the containerd the own dockerd runs as its child."""
    pid = int(OWN.pid_file.read_text())
    threads = Path(f"/proc/{pid}/task").glob("*/children")  # Go starts it from any thread
    for child in " ".join(t.read_text() for t in threads).split():
        words = Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")
        if Path(words[0]).name == "containerd":
            return words[words.index("--config") + 1]
    raise AssertionError(f"the own dockerd (pid {pid}) runs no containerd")


def test_the_course_engine_runs_beside_another_and_stops_alone(engine, monkeypatch):
    other = engine
    docker_host, remembered = os.environ.get("DOCKER_HOST"), remembered_engine_host()
    with contextlib.suppress(docker.errors.NotFound):
        other.containers.get(OTHER_BOX).remove(force=True)  # an earlier run's
    other_box = other.containers.run(
        image_ref(recipe("nginx")), name=OTHER_BOX, detach=True, labels={"org.dockerplusplus": ""}
    )
    other_pid = DEFAULT.pid_file.read_text().strip()
    had_docker_rule = DOCKER_RULE in iptables_rules("DOCKER-FORWARD")
    had_docker0 = DOCKER0.exists()
    try:
        with own_engine_running() as own:
            # its own place: data, socket, bridge, the course's mirror
            facts = own.info()
            assert facts["DockerRootDir"] == str(OWN.data_root)
            mirrors = [m.rstrip("/") for m in facts["RegistryConfig"]["Mirrors"]]
            assert f"http://127.0.0.1:{MIRROR_PORT}" in mirrors
            assert names(own) == set()
            assert answers(DEFAULT.host)  # the other engine answers as before

            # `docker pull nginx` goes through the mirror (this machine has no internet)
            pulled = own.images.pull("nginx", tag="latest")
            headers, _ = Registry(MIRROR).get("library/nginx/manifests/latest", MANIFEST_TYPES)
            assert pulled.id == headers["Docker-Content-Digest"]

            # a container with a published port, on the own bridge, reached from another
            box, port = serve_nginx(own)
            address = serves(own, box, port)
            assert address.startswith("10.200."), address  # own_engine.BRIDGE_ADDRESS

            # each engine sees its own containers only; the docker CLI follows DOCKER_HOST
            assert names(own) == {OWN_BOX}
            assert OTHER_BOX in names(other) and OWN_BOX not in names(other)
            listed = sh("docker ps --format '{{.Names}}'", env={"DOCKER_HOST": OWN.host})
            assert listed.output.split() == [OWN_BOX]

            # its containerd is its own, its child (the system's is hidden from it), as alone
            assert own_containerd_config() == str(OWN.containerd_settings)

            # the lessons' view: Docker's usual socket shows the own engine in there only
            info = "curl -s --unix-socket /var/run/docker.sock http://localhost/info"
            monkeypatch.setattr(engine_view, "current", lambda: OWN)
            seen = sh(shlex.join(engine_view.command(["sh", "-c", info])), timeout=60)
            assert json.loads(seen.output)["DockerRootDir"] == str(OWN.data_root)
            outside = json.loads(sh(info, timeout=60).output)["DockerRootDir"]
            assert outside == str(DEFAULT.data_root)
            monkeypatch.undo()

            # the other engine's firewall rules are still there; labkit's are beside them
            assert (DOCKER_RULE in iptables_rules("DOCKER-FORWARD")) == had_docker_rule
            assert iptables_rules("LABKIT-FORWARD")

            # stop the own engine only
            stop_dockerd(layout=OWN)
            assert not answers(OWN.host)
            assert not Path(f"/sys/class/net/{own_engine.BRIDGE}").exists()
            assert not iptables_rules("LABKIT-FORWARD")
            assert other.containers.get(OTHER_BOX).status == "running"

            # start it again on its data, over what a killed engine leaves: the other
            # engine's bridge docker0 stays (see own_engine: no address pools of its own)
            leave_stale_pid_file_and_socket()
            start_dockerd(ensure_engine_programs(), OWN)
            assert DOCKER0.exists() == had_docker0
            again = docker.DockerClient(base_url=OWN.host, timeout=120)
            try:
                assert names(again) == {OWN_BOX}
            finally:
                again.close()
            stop_dockerd(layout=OWN)

        # the other engine and its container run on, untouched
        assert answers(DEFAULT.host)
        assert DEFAULT.pid_file.read_text().strip() == other_pid
        assert other.containers.get(OTHER_BOX).status == "running"
        assert (DOCKER_RULE in iptables_rules("DOCKER-FORWARD")) == had_docker_rule
        assert DOCKER0.exists() == had_docker0
        assert not OWN.data_root.exists()
        # the course goes on using its engine: nothing remembered, DOCKER_HOST untouched
        assert os.environ.get("DOCKER_HOST") == docker_host
        assert remembered_engine_host() == remembered
    finally:
        other_box.remove(force=True)


def test_the_course_engine_runs_on_when_the_other_stops_and_starts_again(engine):
    """The other engine stopped mid-run, then started again (it rewrites its firewall rules).

    Here the other engine is the course's own default one: the finally clause brings it and
    what runs on it (registries, cluster) back with `labkit up`, for the tests after this one.
    """
    from labkit._setup.commands import up

    with own_engine_running() as own:
        own.images.pull("nginx", tag="latest")  # through the mirror, on the other engine
        box, port = serve_nginx(own)
        serves(own, box, port)
        try:
            stop_dockerd(layout=DEFAULT)
            assert not answers(DEFAULT.host)
            box.reload()
            assert answers(OWN.host) and box.status == "running"
            serves(own, box, port)
            assert own.containers.run("nginx:latest", ["echo", "on"], remove=True) == b"on\n"
        finally:
            up()  # the other engine again, its containers restarted, the cluster reused
        assert answers(DEFAULT.host)
        serves(own, box, port)  # after the other engine set up its firewall rules again
        stop_dockerd(layout=OWN)
