"""The course's engine and client, built from Go modules: what is built, how, and when."""

from __future__ import annotations

from pathlib import Path

import pytest

from labkit import versions
from labkit._setup import engine, engine_tools, gobuild
from labkit._setup.engine import daemon_config


def test_every_engine_program_is_pinned_in_the_versions_file():
    pinned = {x for x in vars(versions).values() if isinstance(x, str)}
    for program in (*engine_tools.ENGINE_PROGRAMS, *engine_tools.CLIENT_PROGRAMS):
        assert program.version.removesuffix("+incompatible") in pinned, program.name
        assert program.ldflags.startswith("-s -w")
    names = [p.name for p in (*engine_tools.ENGINE_PROGRAMS, *engine_tools.CLIENT_PROGRAMS)]
    assert len(names) == len(set(names))
    # the engine and client pins do not change the node image (host-only); the nodes run
    # the engine's containerd and runc, so those two do
    for name in ("MOBY", "DOCKER_CLI", "BUILDX", "COMPOSE"):
        assert name in versions.HOST_ONLY
    assert not {"CONTAINERD", "RUNC"} & set(versions.HOST_ONLY)


def test_the_engine_reports_the_release_its_code_leads_to():
    dockerd = next(p for p in engine_tools.ENGINE_PROGRAMS if p.name == "dockerd")
    assert f"dockerversion.Version={versions.MOBY_RELEASE}'" in dockerd.ldflags
    runc = next(p for p in engine_tools.ENGINE_PROGRAMS if p.name == "runc")
    assert runc.cgo and "seccomp" in runc.tags.split()


def test_the_engine_keeps_images_in_containerd_as_docker_29_does():
    assert daemon_config()["features"] == {"containerd-snapshotter": True}


def test_a_module_with_vendor_mod_is_built_as_a_plain_module(monkeypatch, tmp_path):
    published = tmp_path / "published"
    (published / "vendor" / "x").mkdir(parents=True)
    (published / "vendor.mod").write_text("module github.com/docker/cli\n\ngo 1.24\n")
    (published / "vendor.sum").write_text("")
    published.chmod(0o555)
    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(gobuild, "module_dir", lambda module, version: published)
    program = gobuild.GoProgram(
        "docker",
        "github.com/docker/cli",
        "v1",
        "./cmd/docker",
        in_module=True,
        replaces=("a/b => a/b v2",),
    )
    folder = gobuild._module_copy(program)
    assert not (folder / "vendor").exists() and not (folder / "vendor.mod").exists()
    go_mod = (folder / "go.mod").read_text()
    assert go_mod.startswith("module github.com/docker/cli") and "replace a/b => a/b v2" in go_mod
    assert gobuild._module_copy(program) == folder  # made once
    published.chmod(0o755)


@pytest.mark.parametrize(
    ("command", "program", "older"),
    [
        ("dockerd --config-file {cache}/daemon.json", "/usr/sbin/dockerd", "/usr/sbin/dockerd"),
        ("dockerd --config-file {cache}/daemon.json", "{ours}", None),
        # the course's own, whose program a new build replaced
        ("dockerd --config-file {cache}/daemon.json", "{ours} (deleted)", "{ours} (deleted)"),
        ("dockerd -H fd://", "/usr/bin/dockerd", None),  # not labkit's: used as it is
    ],
)
def test_only_an_older_engine_labkit_started_is_replaced(
    monkeypatch, tmp_path, command, program, older
):
    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path))
    ours = str(engine_tools.engine_bin() / "dockerd")
    running = (1, Path(program.format(ours=ours)), command.format(cache=tmp_path))
    monkeypatch.setattr(engine, "_running_dockerd", lambda *_: running)
    assert engine._older_labkit_engine() == (older and older.format(ours=ours))
