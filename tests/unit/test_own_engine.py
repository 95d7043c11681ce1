"""Own-engine mode: the course's engine beside another one (settings, when, where, faults)."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from labkit import EngineUnavailable, sh
from labkit._engines import DEFAULT, OWN, current
from labkit._lesson import docker as lesson_docker
from labkit._lesson.engine_view import in_mount_namespace
from labkit._lesson.sh import Result
from labkit._paths import remember_engine_host, remembered_engine_host, use_course_tools
from labkit._poll import poll
from labkit._setup import daemons, engine, own_engine
from labkit._setup.engine import daemon_config

# Docker's defaults (moby's ipamutils and the default bridge) and Kubernetes' ranges
DOCKER_DEFAULTS = ("172.17.0.0/16", "172.16.0.0/12", "192.168.0.0/16")
KUBERNETES = ("10.96.0.0/12", "10.244.0.0/16")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """A cache of its own, no CI, no choice made, and DOCKER_HOST restored afterwards."""
    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", os.environ["PATH"])  # restored after use_course_tools
    monkeypatch.setenv("DOCKER_HOST", "placeholder")
    monkeypatch.delenv("DOCKER_HOST")  # restored (unset) even when labkit sets it
    for name in ("CI", "LABKIT_OWN_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    yield tmp_path
    lesson_docker.client.cache_clear()


@pytest.fixture
def layout(tmp_path, clean_env):
    """An own-engine layout whose files all live in a temporary folder."""
    return dataclasses.replace(
        OWN,
        host=f"unix://{tmp_path}/docker.sock",
        pid_file=tmp_path / "docker.pid",
        data_root=tmp_path / "data",
        exec_root=tmp_path / "run",
    )


def sleeper(*marks: str) -> subprocess.Popen:
    """A process that sleeps, with ``marks`` on its command line (once it runs: a loaded
    machine may show the forked parent's command line for a while)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *marks])
    cmdline = Path(f"/proc/{process.pid}/cmdline")
    poll(
        lambda: True if marks[-1].encode() in cmdline.read_bytes() else None,
        timeout=30,
        what="the sleeper to start",
        fix="The machine is very loaded.",
        every=0.01,
    )
    return process


# -- the settings -----------------------------------------------------------------------


def test_own_engine_settings_keep_it_apart_from_the_other_engine():
    config = daemon_config(layout=OWN)
    assert config["hosts"] == ["unix:///run/labkit/docker.sock"]
    assert config["pidfile"] == "/run/labkit/docker.pid"
    assert config["data-root"] == "/var/lib/labkit-docker"
    assert config["exec-root"] == "/run/labkit/docker"
    # no "containerd": dockerd supervises its own, the system's being hidden (daemon_command)
    assert "containerd" not in config
    assert config["bridge"] == "labkit0" and "bip" not in config  # dockerd refuses both
    # pools of its own would make each restart delete docker0, the other engine's bridge
    assert "default-address-pools" not in config
    assert config["iptables"] is False and config["ip6tables"] is False
    # what the course needs is the same as on the default socket
    default = daemon_config()
    assert {k: config[k] for k in default} == default
    for key in ("hosts", "pidfile", "data-root", "exec-root", "bridge", "iptables"):
        assert key not in default
    assert OWN.settings_file() != DEFAULT.settings_file()  # both engines can run at once


def test_the_own_bridge_overlaps_neither_dockers_nor_kubernetes_ranges():
    bridge = ipaddress.ip_network(own_engine.bridge_subnet())
    for other in (*DOCKER_DEFAULTS, *KUBERNETES):
        assert not bridge.overlaps(ipaddress.ip_network(other)), other


def test_own_bridge_addresses_print_as_wide_as_dockers():
    """Tables the notebooks print keep their columns (other networks use Docker's pools)."""
    bridge = ipaddress.ip_network(own_engine.bridge_subnet())
    assert len(str(bridge[1])) == len("172.17.0.1") and len(str(bridge[2])) == len("172.17.0.2")


def test_dockerd_starts_where_the_system_containerd_is_hidden(monkeypatch, tmp_path, as_root):
    system, ours = tmp_path / "containerd", tmp_path / "labkit-containerd"
    system.mkdir()
    (system / "containerd.sock").touch()
    monkeypatch.setattr(own_engine, "SYSTEM_CONTAINERD", str(system))
    monkeypatch.setattr(own_engine, "SHIM_FOLDER", ours)
    # the pid stays the one started: the shell execs the command
    script = f'touch {system}/shim.sock; ls -A {system}; echo "pid $$"'
    process = subprocess.Popen(
        own_engine.daemon_command(["sh", "-c", script]), stdout=subprocess.PIPE, text=True
    )
    out, _ = process.communicate(timeout=30)
    assert out == f"shim.sock\npid {process.pid}\n"  # labkit's folder, in there
    assert (system / "containerd.sock").exists()  # the system's, for the rest of the machine
    assert (ours / "shim.sock").exists()  # kept for the next start (shims outlive a crash)


def test_a_failing_mount_stops_before_the_command(as_root):
    command = in_mount_namespace(["mount --bind /nonexistent /tmp"], ["echo", "ran"])
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "ran" not in result.stdout


# -- the firewall -----------------------------------------------------------------------


def test_labkits_rules_live_in_its_own_chains_for_the_own_bridges():
    plan = own_engine.firewall()
    assert [(table, chain, hook) for table, chain, hook, _ in plan] == [
        ("filter", "LABKIT-FORWARD", "FORWARD"),
        ("nat", "LABKIT-POSTROUTING", "POSTROUTING"),
    ]
    bridges = {"labkit0", "br-+"}
    sources = {own_engine.bridge_subnet(), *own_engine.DOCKER_POOLS}
    (_, _, _, forward), (_, _, _, postrouting) = plan
    for rule in forward:  # by bridge: accepted out of them, and back for what they began
        assert rule[1] in bridges and rule[0] in ("-i", "-o") and rule[-1] == "ACCEPT"
        assert rule[0] == "-i" or "RELATED,ESTABLISHED" in rule
    for rule in postrouting:  # towards a bridge, or from the host: left as it is
        assert rule[-1] in ("RETURN", "MASQUERADE")
        if rule[-1] == "MASQUERADE":
            assert rule[:2] == ["-s", rule[1]] and rule[1] in sources
    assert postrouting.index(["-m", "addrtype", "--src-type", "LOCAL", "-j", "RETURN"]) < min(
        index for index, rule in enumerate(postrouting) if rule[-1] == "MASQUERADE"
    )
    assert "DOCKER" not in str(plan)


def test_the_firewall_is_appended_after_dockers_and_removed_alone(monkeypatch):
    commands = []

    def fake_sh(command, **_):
        commands.append(command)
        return Result(command, 1 if " -C " in command else 0, "")

    monkeypatch.setattr(own_engine, "sh", fake_sh)
    own_engine.ensure_firewall()
    assert "iptables -w -t filter -A FORWARD -j LABKIT-FORWARD" in commands
    assert "iptables -w -t nat -A POSTROUTING -j LABKIT-POSTROUTING" in commands
    assert not [c for c in commands if " -I " in c or " -P " in c]
    commands.clear()
    own_engine.remove_firewall()
    # iptables -w -t TABLE OPERATION CHAIN ...
    assert {c.split()[5] for c in commands} == {
        "FORWARD",
        "POSTROUTING",
        "LABKIT-FORWARD",
        "LABKIT-POSTROUTING",
    }
    for command in commands:  # from the built-in chains, only labkit's jumps go
        if command.split()[5] in ("FORWARD", "POSTROUTING"):
            assert command.split()[6:] in (["-j", "LABKIT-FORWARD"], ["-j", "LABKIT-POSTROUTING"])
    assert not [c for c in commands if "DOCKER" in c]


def test_a_route_into_the_bridge_subnet_through_another_device_is_found():
    routes = (
        "default via 192.0.2.1 dev eth0\n"
        "10.200.0.0/16 dev labkit0 proto kernel scope link src 10.200.0.1 linkdown\n"
        "10.200.7.0/24 via 192.0.2.9 dev eth1\n"
        "172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1\n"
    )
    assert own_engine.conflicting_routes(routes, "10.200.0.0/16", "labkit0") == [
        "10.200.7.0/24 via 192.0.2.9 dev eth1"
    ]


# -- when: the flag, the variable, the memory, and the CI rule ----------------------------


@pytest.mark.parametrize(
    ("env", "asked", "default_answers", "labkits", "own"),
    [
        ({}, False, True, False, False),  # a learner's laptop: the running engine is used
        ({"CI": "true"}, False, True, False, True),  # a CI runner with Docker
        ({"CI": "true"}, False, True, True, False),  # our CI: the course's engine is there
        ({"CI": "true"}, False, False, False, False),  # our fresh CI machine: no engine
        ({"CI": "false"}, False, True, False, False),
        ({"CI": "1", "LABKIT_OWN_ENGINE": "0"}, False, True, False, False),
        ({"LABKIT_OWN_ENGINE": "1"}, False, False, False, True),
        ({}, True, False, False, True),  # labkit up --own-engine
    ],
)
def test_own_engine_mode_is_chosen_by_flag_variable_or_ci_beside_another_engine(
    monkeypatch, clean_env, env, asked, default_answers, labkits, own
):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(engine, "answers", lambda host: default_answers and host == DEFAULT.host)
    monkeypatch.setattr(engine, "_started_by_labkit", lambda layout=DEFAULT: labkits)
    reason = engine.own_engine_reason(asked)
    assert (reason is not None) == own
    if own and "CI" in env:
        assert "CI is set" in reason and DEFAULT.host in reason


def test_an_earlier_choice_is_kept_until_labkit_own_engine_0(monkeypatch, clean_env):
    monkeypatch.setattr(engine, "answers", lambda host: False)
    remember_engine_host(OWN.host)
    assert "earlier" in engine.own_engine_reason()
    monkeypatch.setenv("LABKIT_OWN_ENGINE", "0")
    assert engine.own_engine_reason() is None


def test_under_ci_beside_another_engine_up_starts_its_own_and_says_so(monkeypatch, clean_env):
    monkeypatch.setenv("CI", "true")
    started = []
    monkeypatch.setattr(engine, "ensure_client", lambda: "the course's client")
    monkeypatch.setattr(engine, "answers", lambda host: host == DEFAULT.host or bool(started))
    monkeypatch.setattr(engine, "_started_by_labkit", lambda layout=DEFAULT: False)
    monkeypatch.setattr(own_engine, "require_root", lambda: None)
    monkeypatch.setattr(engine, "ensure_engine_programs", lambda: clean_env / "bin")
    monkeypatch.setattr(engine, "start_dockerd", lambda programs, layout: started.append(layout))
    said = engine.ensure_engine()
    assert started == [OWN]
    assert "own-engine mode (CI is set" in said and OWN.host in said
    assert remembered_engine_host() == OWN.host and current() is OWN
    assert os.environ["DOCKER_HOST"] == OWN.host


def test_leaving_own_engine_mode_forgets_it(monkeypatch, clean_env):
    remember_engine_host(OWN.host)
    monkeypatch.setenv("DOCKER_HOST", OWN.host)
    monkeypatch.setenv("LABKIT_OWN_ENGINE", "0")
    monkeypatch.setattr(engine, "ensure_client", lambda: "the course's client")
    monkeypatch.setattr(engine, "is_reachable", lambda: True)
    monkeypatch.setattr(engine, "_started_by_labkit", lambda layout=DEFAULT: False)
    assert "used as it is" in engine.ensure_engine()
    assert remembered_engine_host() is None and "DOCKER_HOST" not in os.environ


# -- where: every entry point follows the remembered address ----------------------------


def test_use_course_tools_points_commands_and_the_sdk_at_the_remembered_engine(clean_env):
    use_course_tools()
    assert "DOCKER_HOST" not in os.environ  # nothing remembered: Docker's default socket
    remember_engine_host(OWN.host)
    use_course_tools()
    assert os.environ["DOCKER_HOST"] == OWN.host
    assert sh("echo $DOCKER_HOST").output.strip() == OWN.host  # commands, kernels, terminals


def test_a_docker_host_set_by_hand_is_kept(monkeypatch, clean_env):
    remember_engine_host(OWN.host)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")  # e.g. the no-engine tests
    use_course_tools()
    assert os.environ["DOCKER_HOST"] == "unix:///nonexistent.sock"


def test_the_sdk_client_names_the_own_engine_and_how_to_start_it(monkeypatch, layout):
    monkeypatch.setattr(lesson_docker, "OWN", layout)
    remember_engine_host(layout.host)
    lesson_docker.client.cache_clear()
    with pytest.raises(EngineUnavailable, match=f"No Docker engine answers at {layout.host}") as e:
        lesson_docker.client()
    assert "own-engine mode" in str(e.value) and "LABKIT_OWN_ENGINE=0" in str(e.value)


def test_cli_up_passes_own_engine(monkeypatch, clean_env):
    from labkit._setup import cli, commands

    calls = []
    monkeypatch.setattr(commands, "up", lambda **kwargs: calls.append(kwargs))
    assert cli.main(["up", "--own-engine", "--no-cluster"]) == 0
    assert calls == [{"cluster": False, "own_engine": True}]


# -- bad input and faults ---------------------------------------------------------------


def test_own_engine_without_root_is_one_clear_error(monkeypatch, clean_env):
    monkeypatch.setattr(engine, "ensure_client", lambda: "the course's client")
    monkeypatch.setattr(engine, "answers", lambda host: False)
    monkeypatch.setattr(own_engine.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(engine, "start_dockerd", lambda *a, **k: pytest.fail("started"))
    with pytest.raises(EngineUnavailable, match="only as root") as caught:
        engine.ensure_engine(own=True)
    assert "sudo .venv/bin/labkit up --own-engine" in str(caught.value)
    assert remembered_engine_host() is None


def test_a_stale_pid_file_and_socket_are_removed_with_a_word(layout, capsys):
    finished = subprocess.Popen(["true"])
    finished.wait()
    layout.pid_file.write_text(f"{finished.pid}\n")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(layout.socket))  # left behind: nobody listens
    own_engine.clear_leftovers(layout)
    assert not layout.pid_file.exists() and not layout.socket.exists()
    said = capsys.readouterr().err
    assert "stale pid file" in said and "stale socket" in said


def test_a_socket_another_program_listens_on_is_refused(layout):
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(layout.socket))
        sock.listen()
        with pytest.raises(
            EngineUnavailable, match="in use by a program labkit did not start"
        ) as e:
            own_engine.clear_leftovers(layout)
    assert f"ss -xlp | grep {layout.socket}" in str(e.value)
    assert layout.socket.exists()  # not ours: left alone


def test_a_file_where_the_socket_goes_is_refused(layout):
    layout.socket.write_text("not a socket")
    with pytest.raises(EngineUnavailable, match="is not a socket"):
        own_engine.clear_leftovers(layout)


def test_an_own_dockerd_that_runs_without_answering_is_named(layout):
    process = sleeper("--config-file", str(layout.settings_file()))
    try:
        layout.pid_file.write_text(f"{process.pid}\n")
        with pytest.raises(EngineUnavailable, match=f"own dockerd \\(pid {process.pid}\\) runs"):
            own_engine.clear_leftovers(layout)
    finally:
        process.kill()
        process.wait()


def test_stop_signals_only_a_process_labkit_started_and_waits_for_it(tmp_path):
    pid_file = tmp_path / "daemon.pid"
    stranger = sleeper("--config-file", "/etc/docker/daemon.json")
    ours = sleeper("--config-file", str(tmp_path / "daemon-own.json"))
    try:
        pid_file.write_text(f"{stranger.pid}\n")
        assert daemons.stop(pid_file, str(tmp_path / "daemon-own.json"), "dockerd", 5, "") is None
        assert stranger.poll() is None  # still running
        pid_file.write_text(f"{ours.pid}\n")
        # our own child becomes a zombie when it ends: reaped, not awaited until the timeout
        assert daemons.stop(pid_file, str(tmp_path / "daemon-own.json"), "dockerd", 30, "") == (
            ours.pid
        )
        assert daemons.gone(ours.pid)
    finally:
        for process in (stranger, ours):
            process.kill()
            process.wait()


def test_stopping_the_own_engine_reads_only_its_own_pid_file(monkeypatch, layout):
    asked, finished = [], []
    real_running = daemons.running

    def running(pid_file: Path):
        asked.append(pid_file)
        return real_running(pid_file)

    monkeypatch.setattr(daemons, "running", running)
    monkeypatch.setattr(own_engine, "finish", lambda layout: finished.append(layout))
    with pytest.raises(EngineUnavailable, match="No dockerd labkit started runs here"):
        engine.stop_dockerd(layout=layout)
    assert asked == [layout.pid_file] and finished == [layout]
    engine.stop_dockerd(layout=layout, missing_ok=True)  # the integration test's clean-up
    assert DEFAULT.pid_file not in asked
