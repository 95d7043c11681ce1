"""The repository stays consistent: generated files current, notebooks well-formed."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from labkit._lesson.chapters import CHAPTERS
from labkit._lesson.exercises import EXERCISES, check

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def run_tool(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)


def test_nbval_sanitize_file_is_generated_from_the_rules():
    result = run_tool("tools/make_sanitize.py", "--check")
    assert result.returncode == 0, result.stdout


def test_notebooks_match_their_sources():
    result = run_tool("tools/build_notebooks.py", "--check")
    assert result.returncode == 0, result.stdout


def test_the_readme_lists_every_chapter():
    readme = (ROOT / "README.md").read_text()
    missing = [c.slug for c in CHAPTERS if f"notebooks/{c.slug}.ipynb" not in readme]
    assert not missing, f"README.md does not list {missing}"


def test_every_chapter_has_its_notebook_and_source():
    for chapter in CHAPTERS:
        assert (ROOT / "notebooks" / f"{chapter.slug}.ipynb").is_file()
        assert (ROOT / "notebooks" / "src" / f"{chapter.slug}.py").is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_executed_without_unexpected_errors(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[0].source.startswith(f"# {path.name[:2]} · ")
    for cell in notebook.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        assert cell.execution_count is not None, cell.source[:60]
        if "raises-exception" not in cell.metadata.get("tags", []):
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:60]


def test_every_exercise_has_a_check_cell_and_a_hidden_solution_that_passes():
    check("00.mirror", "")  # imports every chapter's exercises
    seen = {}
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            for ident in re.findall(r"(?:check\(|--check )\"?([0-9]{2}\.[a-z-]+)", cell.source):
                tags = cell.metadata.get("tags", [])
                text = "".join(
                    o.get("text", "") + o.get("data", {}).get("text/plain", "")
                    for o in cell.get("outputs", [])
                )
                seen.setdefault(ident, []).append(("solution" in tags, text))
    assert set(seen) == set(EXERCISES)
    for ident, cells in seen.items():
        solutions = [text for is_solution, text in cells if is_solution]
        assert solutions, f"{ident} has no solution cell"
        assert all(f"✓ Well done ({ident})" in text for text in solutions), ident
        assert any(f"✗ Not yet ({ident})" in text for _, text in cells), ident


def test_solution_cells_are_hidden():
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if "solution" in cell.metadata.get("tags", []):
                assert cell.metadata.get("jupyter", {}).get("source_hidden"), path.name


def test_binder_requirements_follow_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    binder = [line for line in lines if line and not line.startswith("#")]
    assert binder == project["dependencies"]


def test_compared_share_of_code_cells_is_reported_and_high():
    total = ignored = 0
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code" and "".join(cell["source"]).strip():
                total += 1
                tags = cell.get("metadata", {}).get("tags", [])
                ignored += bool({"nbval-ignore-output", "nbval-skip"} & set(tags))
    share = (total - ignored) / total
    print(f"compared code cells: {total - ignored}/{total} = {share:.0%}")
    assert share >= 0.85
