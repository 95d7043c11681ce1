"""Exercises stay unspoiled: solutions hidden (input and output), hints that guide.

A hint says where to look or what to change; it never gives the command line that solves the
exercise, nor a line of its hidden solution. The rule for a command line: a backticked
span that starts with a command of the course's tools (``docker``, ``kubectl``, ``helm``...)
and goes beyond naming it — ``kubectl rollout undo`` names a command (allowed),
``kubectl rollout undo deployment/shop -n ex13`` is one to copy (refused): any argument that
is not a plain lowercase word (an option, a path, a value, a name with a dot or a slash), or
more than three words, makes it a command line. The rules apply to every chapter, those
written later included.

Hidden is not enough: JupyterLab shows a collapsed cell as a one-line preview — the first
line of its source, and the first non-empty line of its first output. So a solution cell
starts with a line that gives nothing away (``%%terminal --check ID``, or
``# Solution of exercise ID.``), and its output with ``[exercise ID: the steps, then the
check]`` (``%%terminal --check`` prints it; a Python solution prints it first). This was
seen in JupyterLab 4.6 in headless Chromium: input and output placeholders, each showing
that line.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from labkit._lesson.exercises import EXERCISES, _register_all

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]-*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
TOOLS = {
    "bash", "cat", "crictl", "ctr", "curl", "docker", "echo", "git", "gitlab-ci-local", "helm",
    "jq", "kind", "kubectl", "labkit", "node", "npm", "python3", "runc", "sh", "wget",
}  # fmt: skip
_BACKTICKED = re.compile(r"`([^`]+)`")
_CHECK = re.compile(r"""(?:check\(|--check )["']?([0-9]{2}\.[a-z0-9-]+)""")
_NEUTRAL_SOURCE = re.compile(
    r"^(%%terminal( --[a-z-]+( [0-9]+)?)* --check (?P<a>[0-9]{2}\.[a-z0-9-]+)( .*)?"
    r"|# Solution of exercise (?P<b>[0-9]{2}\.[a-z0-9-]+)\.)$"
)

_register_all()


def command_lines(text: str) -> list[str]:
    """The backticked spans of ``text`` that are command lines to copy (see the module)."""
    found = []
    for span in _BACKTICKED.findall(text):
        words = span.split()
        if not words or words[0] not in TOOLS:
            continue
        rest = words[1:]
        if len(rest) > 3 or any(not re.fullmatch(r"[a-z][a-z-]*", word) for word in rest):
            found.append(span)
    return found


def test_the_command_line_rule():
    assert command_lines("use `kubectl rollout undo`, `docker info` or `--memory`") == []
    assert command_lines("`-o wide` adds a column to `kubectl get pods`") == []
    assert command_lines("run `kubectl scale deployment hello --replicas=5`") == [
        "kubectl scale deployment hello --replicas=5"
    ]
    assert command_lines("`docker run -d --name web nginx` then `cat > f <<EOF`") == [
        "docker run -d --name web nginx",
        "cat > f <<EOF",
    ]


def _cells(source: Path) -> list:
    return jupytext.read(source, fmt="py:percent").cells


def _solutions() -> dict[str, list[str]]:
    """Each exercise's solution cells (their sources), from the notebooks' sources."""
    found: dict[str, list[str]] = {}
    for source in SOURCES:
        for cell in _cells(source):
            if "solution" in cell.metadata.get("tags", []):
                for ident in set(_CHECK.findall(cell.source)):
                    found.setdefault(ident, []).append(cell.source)
    return found


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_solution_cells_hide_their_input_and_output_in_the_source(source: Path):
    for cell in _cells(source):
        if "solution" in cell.metadata.get("tags", []):
            hidden = cell.metadata.get("jupyter", {})
            assert hidden.get("source_hidden") is True, f"{source.name}: {cell.source[:60]}"
            assert hidden.get("outputs_hidden") is True, f"{source.name}: {cell.source[:60]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solution_cells_hide_their_input_and_output_in_the_notebook(path: Path):
    for cell in nbformat.read(path, as_version=4).cells:
        if "solution" in cell.metadata.get("tags", []):
            hidden = cell.metadata.get("jupyter", {})
            assert hidden.get("source_hidden") is True, f"{path.name}: {cell.source[:60]}"
            assert hidden.get("outputs_hidden") is True, f"{path.name}: {cell.source[:60]}"


@pytest.mark.parametrize("ident", sorted(EXERCISES))
def test_a_hint_gives_no_command_line(ident: str):
    hint = EXERCISES[ident].hint
    assert not command_lines(hint), f"{ident}'s hint gives a command to copy: {hint}"


@pytest.mark.parametrize("ident", sorted(EXERCISES))
def test_a_hint_quotes_no_line_of_the_solution(ident: str):
    hint = " ".join(EXERCISES[ident].hint.split())
    for solution in _solutions().get(ident, []):
        for line in solution.splitlines():
            line = " ".join(line.strip().lstrip("#").split())
            if len(line) >= 20 and not line.startswith("%%terminal"):
                assert line not in hint, f"{ident}'s hint quotes its solution: {line}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_recorded_hints_give_no_command_line(path: Path):
    """The hints as recorded, those of errors raised inside a check included."""
    for cell in nbformat.read(path, as_version=4).cells:
        if "solution" in cell.metadata.get("tags", []) or cell.cell_type != "code":
            continue
        text = "".join(
            o.get("text", "") + o.get("data", {}).get("text/plain", "")
            for o in cell.get("outputs", [])
        )
        for hint in re.findall(r"(?m)^  Hint: (.*)$", text):
            assert not command_lines(hint), f"{path.name}: the recorded hint {hint!r}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_a_solution_cell_starts_with_a_line_that_gives_nothing_away(source: Path):
    for cell in _cells(source):
        if "solution" in cell.metadata.get("tags", []):
            first = cell.source.splitlines()[0]
            found = _NEUTRAL_SOURCE.match(first)
            assert found, f"{source.name}: a solution's preview would show {first!r}"
            assert (found["a"] or found["b"]) in _CHECK.findall(cell.source), first


def _preview(cell) -> str:
    """The line JupyterLab shows for a collapsed output: the first output's first line."""
    if not cell.get("outputs"):
        return ""
    first = cell.outputs[0]
    text = first.get("text") or first.get("data", {}).get("text/plain", "")
    return next((line for line in text.splitlines() if line), "")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_solutions_output_starts_with_a_line_that_gives_nothing_away(path: Path):
    for cell in nbformat.read(path, as_version=4).cells:
        if "solution" in cell.metadata.get("tags", []):
            idents = sorted(set(_CHECK.findall(cell.source)))
            wanted = [f"[exercise {ident}: the steps, then the check]" for ident in idents]
            assert _preview(cell) in wanted, f"{path.name}: the preview shows {_preview(cell)!r}"
