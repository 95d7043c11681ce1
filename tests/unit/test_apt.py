"""apt on a machine where another package manager may hold the dpkg lock."""

from labkit import _apt
from labkit._sh import Result


def test_processes_that_may_hold_the_lock_are_named(tmp_path):
    for pid, name in ((1, "systemd"), (812, "unattended-upgr"), (900, "dpkg"), (901, "python3")):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "comm").write_text(name + "\n")
    (tmp_path / "self").mkdir()
    assert _apt.apt_processes(tmp_path) == ["dpkg (900)", "unattended-upgr (812)"]


def test_apt_waits_for_the_lock_bounded_and_says_so(monkeypatch, capsys):
    commands = []

    def fake_sh(command, **kwargs):
        commands.append((command, kwargs["timeout"], kwargs["fix"]))
        return Result(command, 0, "")

    monkeypatch.setattr(_apt, "sh", fake_sh)
    monkeypatch.setattr(_apt, "apt_processes", lambda: ["unattended-upgr (812)"])
    _apt.apt_install("docker.io")
    assert "unattended-upgr (812)" in capsys.readouterr().err
    for command, timeout, fix in commands:
        assert f"DPkg::Lock::Timeout={_apt.APT_LOCK_WAIT}" in command
        assert timeout > _apt.APT_LOCK_WAIT  # the command's own bound outlasts the wait
        assert "another apt holds the lock" in fix
    assert commands[-1][0].endswith("install -y --no-install-recommends docker.io")
