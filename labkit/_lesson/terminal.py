"""The ``%%terminal`` cell magic: run a cell's shell commands as typed in a terminal.

Each command is echoed as ``$ command`` followed by its output (stdout and stderr merged,
progress lines tidied, see `labkit._lesson.terminal_output`). A here-document's body is not
echoed again (the cell shows it): one line says how long it is (see `echo`). The working
folder carries over from command to command and from cell to cell, like a terminal's. A
failing command stops the cell with a one-paragraph error, unless the cell says
``--allow-fail`` (then ``[exit N]`` is shown). ``--check ID`` runs an exercise's check after
the commands (the first line then names the exercise: see `check_header`); ``--timeout S``
bounds each command.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from pathlib import Path

from .._errors import LabkitError
from .._paths import use_course_tools
from .docker import is_reachable
from .sh import Result, sh
from .terminal_output import tidy

_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")
_CONTINUED = ("\\", "|", "&&", "||")
_CLUSTER_TOOLS = re.compile(r"(^|[\s|;&(])(kubectl|kind|helm)\s", re.M)
# Commands that only touch the work folder: a cell made of them runs without an engine.
_LOCAL_ONLY = frozenset("cat cd cp echo head ls mkdir mv printf pwd rm sed tail tree wc".split())
NO_CLUSTER = (
    "⚠ No Kubernetes cluster answers here (Binder, or the cluster is stopped), so this cell did "
    "not run: its recorded output shows what it does. `labkit up` creates the cluster."
)
NO_ENGINE = (
    "⚠ No Docker engine runs here (Binder, or Docker stopped), so this cell did not run: "
    "its recorded output shows what it does. `labkit up` starts everything."
)


def split_commands(cell: str) -> list[str]:
    """Split a cell into commands: continuations and here-documents stay whole.

    Comment lines and blank lines between commands are dropped (the cell shows them).
    """
    commands: list[str] = []
    lines = cell.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        chunk = [line]
        while True:
            heredoc = _HEREDOC.search(chunk[-1])
            if heredoc:
                strip_tabs, word = heredoc.group(1) == "-", heredoc.group(3)
                while index < len(lines):
                    body = lines[index]
                    index += 1
                    chunk.append(body)
                    if (body.lstrip("\t") if strip_tabs else body) == word:
                        break
                else:
                    raise LabkitError(
                        f"The here-document `<<{word}` is never closed.",
                        f"End it with a line holding only {word}.",
                    )
            if chunk[-1].rstrip().endswith(_CONTINUED) and index < len(lines):
                chunk.append(lines[index])
                index += 1
                continue
            break
        commands.append("\n".join(chunk))
    return commands


def _parts(command: str) -> list[str | list[str]]:
    """The command's own lines (strings), each here-document's body a list of lines.

    A here-document that is never closed (`split_commands` refuses it) keeps its lines as
    the command's own.
    """
    lines = command.splitlines() or [""]
    parts: list[str | list[str]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        parts.append(line)
        heredoc = _HEREDOC.search(line)
        if not heredoc:
            continue
        strip_tabs, word = heredoc.group(1) == "-", heredoc.group(3)
        for end in range(index, len(lines)):
            if (lines[end].lstrip("\t") if strip_tabs else lines[end]) == word:
                parts += [lines[index:end], lines[end]]
                index = end + 1
                break
    return parts


def echo(command: str) -> str:
    """The command as a cell shows it: ``$ `` and its lines, continuations prefixed ``> ``.

    A here-document's body is already in the cell, so it is not repeated: the line that opens
    it is echoed, then one line ``> [here-document: N lines, as in the cell]``, then the
    line that closes it. So a 40-line manifest applied with ``kubectl apply -f - <<'YAML'``
    appears once on the page, in the cell, and its output stays readable.
    """
    shown = []
    for part in _parts(command):
        if isinstance(part, list):
            noun = "line" if len(part) == 1 else "lines"
            part = f"[here-document: {len(part)} {noun}, as in the cell]"
        shown.append(part)
    return "$ " + "\n> ".join(shown)


def uses_cluster(commands: list[str]) -> bool:
    """True when a command calls kubectl, kind or helm (here-document bodies aside)."""
    own = (part for command in commands for part in _parts(command) if isinstance(part, str))
    return bool(_CLUSTER_TOOLS.search("\n".join(own)))


class Terminal:
    """A pretend terminal: a working folder and the commands' environment.

    Args:
        cwd: the folder the next command starts in.
        env: variables added to the commands' environment.
        moves_python: make the Python process follow the working folder (`os.chdir`), so
            that Python cells and terminal cells share one current folder — the notebook's
            terminal does, as IPython's ``%cd`` would.
    """

    def __init__(
        self, cwd: Path, env: dict[str, str] | None = None, moves_python: bool = False
    ) -> None:
        """A terminal in ``cwd``."""
        self.env = dict(env or {})
        self.moves_python = moves_python
        self._cwd = Path(cwd)

    @property
    def cwd(self) -> Path:
        """The folder the next command starts in."""
        return self._cwd

    @cwd.setter
    def cwd(self, folder: Path) -> None:
        self._cwd = Path(folder)
        if self.moves_python:
            try:
                os.chdir(self._cwd)
            except OSError:
                pass  # a folder that is gone: commands will say so, Python stays where it is

    def __repr__(self) -> str:
        """Short form: the working folder."""
        return f"<Terminal in {self._cwd}>"

    def run(self, command: str, timeout: float) -> tuple[int, str]:
        """Run one command in bash; return its exit code and tidied output."""
        marker = "__LABKIT_PWD__="
        script = f"{command}\n__rc=$?\nprintf '\\n{marker}%s\\n' \"$PWD\"\nexit $__rc"
        result = sh(
            script,
            cwd=self.cwd,
            env={**_base_env(), **self.env},
            timeout=timeout,
            check=False,
            shown=command,
            fix="Give the cell more time with `%%terminal --timeout SECONDS`, or check the "
            "service it waits for (`docker ps -a`).",
        )
        output, found, new_cwd = result.output.rpartition(f"\n{marker}")
        if found:
            self.cwd = Path(new_cwd.strip())
        else:  # the command ended the shell itself (`exit N`): keep all it printed
            output = result.output
        return result.code, tidy(output)


def _base_env() -> dict[str, str]:
    """What a terminal cell changes in labkit's environment (`sh` adds the rest).

    This Python's scripts come first on PATH (so ``labkit`` is found); no colours, no pager.
    (Jupyter's kernel sets FORCE_COLOR=1; with NO_COLOR too, Node.js programs warn.)
    """
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {
        "PATH": path,
        "TERM": "dumb",
        "NO_COLOR": "1",
        "FORCE_COLOR": "0",
        "COLUMNS": "120",
        "PAGER": "cat",
    }


_TERMINAL = Terminal(Path.cwd(), moves_python=True)


def terminal() -> Terminal:
    """The notebook's terminal (its working folder is set by `labkit.chapter`).

    Its working folder is also the Python process's: a relative path means the same folder
    in a Python cell and in a ``%%terminal`` cell.
    """
    return _TERMINAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="%%terminal", add_help=False)
    parser.add_argument("--allow-fail", action="store_true")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--check", default=None)
    return parser


def check_header(exercise: str) -> str:
    """The first line of a cell that ends with exercise ``exercise``'s check.

    JupyterLab previews a collapsed output by its first line; a solution's output starts with
    this line, which gives nothing of the solution away.
    """
    return f"[exercise {exercise}: the steps, then the check]"


def local_only(commands: list[str]) -> bool:
    """True when every command is a file command of the work folder (no engine needed)."""
    return all(command.split(maxsplit=1)[0] in _LOCAL_ONLY for command in commands)


def run_cell(line: str, cell: str, out=None) -> None:
    """Run the commands of a ``%%terminal`` cell, printing each with its output."""
    out = out or sys.stdout
    options = _parser().parse_args(shlex.split(line))
    commands = split_commands(cell)
    if options.check:
        # A neutral first line: JupyterLab shows a collapsed output's first line, and a
        # solution's output stays collapsed until the learner opens it.
        print(check_header(options.check), file=out, flush=True)
    if not is_reachable() and not local_only(commands):
        print(NO_ENGINE, file=out)
        return
    if uses_cluster(commands):
        from .cluster import reachable

        if not reachable():
            print(NO_CLUSTER, file=out)
            return
    term = terminal()
    for command in commands:
        print(echo(command), file=out, flush=True)
        code, output = term.run(command, options.timeout)
        if output:
            print(output, end="", file=out, flush=True)
        if code != 0:
            if not options.allow_fail:
                Result(command, code, output).check()
            print(f"[exit {code}]", file=out, flush=True)
    if options.check:
        from .exercises import check

        verdict = check(options.check)
        print(verdict, file=out)


def load_ipython_extension(ipython) -> None:  # noqa: ANN001 - IPython's own type
    """Register ``%%terminal`` (``%load_ext labkit`` or `labkit.chapter` calls this).

    The course's own tools come first on PATH from then on, as `labkit.chapter` does.
    """
    use_course_tools()
    ipython.register_magic_function(run_cell, magic_kind="cell", magic_name="terminal")
