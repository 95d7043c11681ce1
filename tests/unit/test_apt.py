"""apt on a machine where another package manager may hold the dpkg lock."""

from labkit._lesson.sh import Result
from labkit._setup import apt


def test_processes_that_may_hold_the_lock_are_named(tmp_path):
    for pid, name in ((1, "systemd"), (812, "unattended-upgr"), (900, "dpkg"), (901, "python3")):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "comm").write_text(name + "\n")
    (tmp_path / "self").mkdir()
    assert apt.apt_processes(tmp_path) == ["dpkg (900)", "unattended-upgr (812)"]


def test_apt_waits_for_the_lock_bounded_and_says_so(monkeypatch, capsys):
    commands = []

    def fake_sh(command, **kwargs):
        commands.append((command, kwargs["timeout"], kwargs["fix"]))
        return Result(command, 0, "")

    monkeypatch.setattr(apt, "sh", fake_sh)
    monkeypatch.setattr(apt, "apt_processes", lambda: ["unattended-upgr (812)"])
    apt.apt_install("docker.io")
    assert "unattended-upgr (812)" in capsys.readouterr().err
    for command, timeout, fix in commands:
        assert f"DPkg::Lock::Timeout={apt.APT_LOCK_WAIT}" in command
        assert timeout > apt.APT_LOCK_WAIT  # the command's own bound outlasts the wait
        assert "another apt holds the lock" in fix
    assert commands[-1][0].endswith("install -y --no-install-recommends docker.io")
