import io
from pathlib import Path

import pytest

from labkit import CommandFailed, LabkitError
from labkit._lesson import terminal
from labkit._lesson.terminal import Terminal, run_cell, split_commands


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
    monkeypatch.setattr(terminal, "is_reachable", lambda: reachable)
    monkeypatch.setattr(terminal, "_TERMINAL", Terminal(tmp_path))
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
    assert out == terminal.NO_ENGINE + "\n"
    assert out.count("\n") == 1


def test_without_engine_a_cell_of_file_commands_still_runs(monkeypatch, tmp_path):
    """Binder: writing and reading a file of the work folder needs no engine."""
    cell = "cat > note.txt <<'EOF'\nhello\nEOF\ncat note.txt"
    out = _run(monkeypatch, tmp_path, "", cell, reachable=False)
    assert out.endswith("$ cat note.txt\nhello\n")


def test_echo_shows_a_heredoc_body_once_as_a_line_count():
    command = "kubectl apply -f - <<'YAML'\nkind: Namespace\nmetadata:\n  name: x\nYAML"
    assert terminal.echo(command) == (
        "$ kubectl apply -f - <<'YAML'\n> [here-document: 3 lines, as in the cell]\n> YAML"
    )
    one = terminal.echo("cat > f <<-EOF\n\thello\n\tEOF")
    assert one == "$ cat > f <<-EOF\n> [here-document: 1 line, as in the cell]\n> \tEOF"


def test_echo_keeps_continuations_and_plain_commands():
    assert terminal.echo("docker build \\\n  -t my-app .") == "$ docker build \\\n>   -t my-app ."
    assert terminal.echo("echo hi") == "$ echo hi"


def test_cell_with_a_heredoc_runs_the_body_but_echoes_it_once(monkeypatch, tmp_path):
    out = _run(monkeypatch, tmp_path, "", "cat > f.txt <<EOF\nsecret body\nEOF\ncat f.txt\n")
    assert out == (
        "$ cat > f.txt <<EOF\n> [here-document: 1 line, as in the cell]\n> EOF\n"
        "$ cat f.txt\nsecret body\n"
    )


def test_the_notebooks_terminal_moves_python_along(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    term = Terminal(tmp_path, moves_python=True)
    term.run("cd sub", 10)
    assert Path.cwd() == tmp_path / "sub"
    term.cwd = tmp_path
    assert Path.cwd() == tmp_path
    still = Terminal(tmp_path / "sub")
    still.cwd = tmp_path / "sub"
    assert Path.cwd() == tmp_path, "an ordinary Terminal leaves Python where it is"


def test_a_checked_cell_starts_with_a_neutral_line(monkeypatch, tmp_path):
    from labkit._lesson import exercises

    monkeypatch.setattr(exercises, "check", lambda ident: f"verdict of {ident}")
    out = _run(monkeypatch, tmp_path, "--check 99.demo", "echo secret-answer\n")
    assert out.splitlines() == [
        "[exercise 99.demo: the steps, then the check]",
        "$ echo secret-answer",
        "secret-answer",
        "verdict of 99.demo",
    ]


def test_a_heredoc_body_naming_kind_does_not_need_the_cluster():
    """A Python here-document with ``kind = ...`` is not a call of the `kind` tool."""
    cell = "python3 - <<'EOF'\nfor step in steps:\n    kind = 'layer'\nEOF"
    assert not terminal.uses_cluster(split_commands(cell))
    assert terminal.uses_cluster(split_commands("kind get clusters"))
    assert terminal.uses_cluster(split_commands("cat x.yaml | kubectl apply -f -"))
    assert terminal.uses_cluster(split_commands("kubectl apply -f - <<'EOF'\nkind: Pod\nEOF"))
