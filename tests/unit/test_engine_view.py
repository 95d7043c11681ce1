"""The lessons' view in own-engine mode: Docker's usual paths show the course's engine."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from labkit import EngineUnavailable, LabkitError
from labkit._engines import DEFAULT, OWN
from labkit._lesson import engine_view
from labkit._paths import remember_engine_host


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(engine_view.MARK, raising=False)
    return tmp_path


def test_outside_own_engine_mode_a_command_runs_as_it_is(cache):
    assert engine_view.binds() == [] and engine_view.leave() == []
    assert engine_view.command(["pytest", "-q"]) == ["pytest", "-q"]


def test_in_own_engine_mode_the_usual_socket_and_folders_are_the_course_engines(cache, monkeypatch):
    remember_engine_host(OWN.host)
    assert engine_view.binds() == [
        (OWN.socket, DEFAULT.socket),
        (OWN.exec_root, DEFAULT.exec_root),
        (OWN.data_root, DEFAULT.data_root),
    ]
    monkeypatch.setattr(engine_view.os, "geteuid", lambda: 0)
    (cache / "docker.sock").touch()  # the own engine runs
    monkeypatch.setattr(engine_view, "OWN", replace(OWN, host=f"unix://{cache}/docker.sock"))
    assert engine_view.command(["pytest"])[0] == "unshare"
    monkeypatch.setenv(engine_view.MARK, engine_view.OWN.host)  # already in the view: as it is
    assert engine_view.command(["pytest"]) == ["pytest"]


def test_a_missing_program_or_engine_or_root_is_one_clear_error(cache, monkeypatch):
    with pytest.raises(LabkitError, match="No program no-such-program"):
        engine_view.command(["no-such-program"])
    remember_engine_host(OWN.host)
    monkeypatch.setattr(engine_view.os, "geteuid", lambda: 1000)
    with pytest.raises(LabkitError, match="only root") as err:
        engine_view.command(["true"])
    assert "sudo" in err.value.fix
    monkeypatch.setattr(engine_view.os, "geteuid", lambda: 0)
    if not OWN.socket.exists():
        with pytest.raises(EngineUnavailable, match="not running"):
            engine_view.command(["true"])


def in_view(cache, script: str) -> str:
    """Run the Python ``script`` in a namespace of its own, with the view's mark set."""
    command = engine_view.in_mount_namespace([], [sys.executable, "-c", textwrap.dedent(script)])
    env = {**os.environ, engine_view.MARK: OWN.host, "LABKIT_CACHE": str(cache / "cache")}
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_view_shows_ours_where_the_usual_path_exists_and_nothing_elsewhere(cache, as_root):
    ours, usual, absent = cache / "ours", cache / "usual", cache / "absent"
    for folder, text in ((ours, "course"), (usual, "other")):
        folder.mkdir()
        (folder / "engine").write_text(text)
    mounts = [engine_view._bind(ours, usual), engine_view._bind(ours, absent)]
    shown = subprocess.run(
        engine_view.in_mount_namespace(mounts, ["sh", "-c", f"cat {usual}/engine; ls {absent}"]),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert shown.stdout == "course"  # the usual path shows ours, in there
    assert "No such file" in shown.stderr  # no path is made where none was
    assert (usual / "engine").read_text() == "other"  # and outside, the usual is untouched


def test_refresh_binds_again_what_a_new_socket_or_the_other_engine_took_away(cache, as_root):
    """dockerd makes its socket anew at each start: a bind made before shows the old one."""
    ours, usual = cache / "ours.sock", cache / "usual.sock"
    ours.write_text("old")
    usual.write_text("other engine")
    shown = in_view(
        cache,
        f"""
        import os, pathlib
        from labkit._lesson import engine_view
        ours, usual = pathlib.Path("{ours}"), pathlib.Path("{usual}")
        engine_view.binds = lambda: [(ours, usual)]
        engine_view.sh(engine_view._bind(ours, usual))
        print(usual.read_text())
        os.unlink(ours); ours.write_text("new")  # the engine started again
        print(usual.read_text())
        engine_view.refresh()
        print(usual.read_text())
        engine_view.refresh()  # nothing to do: one bind, not two
        print(usual.read_text(), engine_view.leave())
        """,
    )
    assert shown.splitlines() == [
        "old",
        "old",
        "new",
        f"new ['umount -l {usual} 2>/dev/null || true']",
    ]
    assert usual.read_text() == "other engine"  # outside, untouched


def labkit(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from labkit._setup.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )


def test_labkit_run_runs_the_command_with_its_options(cache):
    assert labkit("run", "--", "sh", "-c", "echo $0 -q", "ran").stdout == "ran -q\n"


def test_labkit_run_without_a_command_or_with_a_wrong_one_says_how(cache):
    result = labkit("run")
    assert result.returncode == 2 and "labkit run -- docker ps" in result.stderr
    result = labkit("run", "--", "no-such-program")
    assert result.returncode == 2 and "No program no-such-program" in result.stderr
