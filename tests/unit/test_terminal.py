import io
from pathlib import Path

import pytest

from labkit import CommandFailed, LabkitError, _terminal
from labkit._terminal import Terminal, run_cell, split_commands


def test_split_keeps_continuations_and_heredocs_whole_and_drops_comments():
    cell = (
        "# a comment\n"
        "mkdir -p public/; echo hi > public/index.html\n"
        "\n"
        "cat > Dockerfile <<EOF\n"
        "FROM nginx:1.22\n"
        "\n"
        "COPY public /usr/share/nginx/html\n"
        "EOF\n"
        "docker build \\\n"
        "  -t my-app .\n"
        "echo a |\n"
        "  tr a b\n"
    )
    assert split_commands(cell) == [
        "mkdir -p public/; echo hi > public/index.html",
        "cat > Dockerfile <<EOF\nFROM nginx:1.22\n\nCOPY public /usr/share/nginx/html\nEOF",
        "docker build \\\n  -t my-app .",
        "echo a |\n  tr a b",
    ]


def test_unclosed_heredoc_is_named():
    with pytest.raises(LabkitError, match="<<END` is never closed"):
        split_commands("cat <<END\nno end")


def test_terminal_carries_the_working_folder_over(tmp_path: Path):
    term = Terminal(tmp_path)
    assert term.run("mkdir sub && cd sub", 10) == (0, "")
    code, output = term.run("pwd; exit 3", 10)
    assert (code, output) == (3, f"{tmp_path / 'sub'}\n")
    assert term.cwd == tmp_path / "sub"


def _run(monkeypatch, tmp_path, line, cell, reachable=True):
    monkeypatch.setattr(_terminal, "is_reachable", lambda: reachable)
    monkeypatch.setattr(_terminal, "_TERMINAL", Terminal(tmp_path))
    out = io.StringIO()
    run_cell(line, cell, out)
    return out.getvalue()


def test_cell_echoes_each_command_then_its_output(monkeypatch, tmp_path):
    assert _run(monkeypatch, tmp_path, "", "echo one\necho two 1>&2\n") == (
        "$ echo one\none\n$ echo two 1>&2\ntwo\n"
    )


def test_failing_command_stops_the_cell(monkeypatch, tmp_path):
    with pytest.raises(CommandFailed, match="`false` returned with code 1"):
        _run(monkeypatch, tmp_path, "", "false\necho never")


def test_allow_fail_shows_the_exit_code_and_goes_on(monkeypatch, tmp_path):
    out = _run(monkeypatch, tmp_path, "--allow-fail", "false\necho after")
    assert out == "$ false\n[exit 1]\n$ echo after\nafter\n"


def test_without_engine_a_cell_prints_one_line(monkeypatch, tmp_path):
    out = _run(monkeypatch, tmp_path, "", "docker ps", reachable=False)
    assert out == _terminal.NO_ENGINE + "\n"
    assert out.count("\n") == 1
