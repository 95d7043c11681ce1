"""Build ``notebooks/NN-*.ipynb`` from their sources ``notebooks/src/NN-*.py`` (jupytext).

Sources are jupytext "percent" scripts: reviewable diffs, ruff-checked code. This script adds
the generated navigation cell (never edit it by hand), keeps the committed outputs of cells
whose source did not change, and with ``--execute`` re-runs the notebooks with papermill so
their outputs — the regression reference — are refreshed. ``--check`` fails when a notebook's
cells no longer match its source.

    python tools/build_notebooks.py [--execute] [--check] [NN ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jupytext
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # labkit, from a checkout

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = NOTEBOOKS / "src"
NAV_TAG = "navigation"
INDEX_TAG = "course-index"  # chapter 00's table of chapters, generated from labkit's list


def course_index(current: str) -> str:
    """The markdown table of every chapter (``labkit._lesson.chapters.CHAPTERS``), in deck order."""
    from labkit._lesson.chapters import CHAPTERS

    rows = ["| # | Notebook | Deck slides |", "|---|---|---|"]
    for chapter in CHAPTERS:
        source = SOURCES / f"{chapter.slug}.py"
        title = title_of(source).split(" · ", 1)[-1] if source.exists() else chapter.title
        link = (
            f"{title} (this notebook)"
            if chapter.slug == current
            else f"[{title}]({chapter.slug}.ipynb)"
        )
        rows.append(f"| {chapter.slug[:2]} | {link} | {', '.join(chapter.slides)} |")
    return "\n".join(rows)


def title_of(source: Path) -> str:
    """The notebook's title: the first markdown heading of its source."""
    notebook = jupytext.read(source, fmt="py:percent")
    first = notebook.cells[0].source.splitlines()[0]
    return first.lstrip("# ").strip()


def navigation(source: Path, all_sources: list[Path]) -> nbformat.NotebookNode:
    """A generated cell (second and last): links to the previous and next chapters, the index."""
    index = all_sources.index(source)
    parts = []
    if index > 0:
        before = all_sources[index - 1]
        parts.append(f"← [{title_of(before)}]({before.stem}.ipynb)")
    if source.stem != "00-start-here":
        parts.append("[Course index](00-start-here.ipynb)")
    if index + 1 < len(all_sources):
        after = all_sources[index + 1]
        parts.append(f"[{title_of(after)}]({after.stem}.ipynb) →")
    cell = nbformat.v4.new_markdown_cell(" · ".join(parts))
    cell.metadata["tags"] = [NAV_TAG]
    return cell


def build(source: Path, all_sources: list[Path]) -> nbformat.NotebookNode:
    """The notebook for ``source``, with outputs kept from the committed one where unchanged."""
    notebook = jupytext.read(source, fmt="py:percent")
    for cell in notebook.cells:
        if INDEX_TAG in cell.metadata.get("tags", []):
            cell.source = course_index(source.stem)
    notebook.cells.insert(1, navigation(source, all_sources))  # after the title and overview
    notebook.cells.append(navigation(source, all_sources))
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    target = NOTEBOOKS / f"{source.stem}.ipynb"
    if target.exists():
        committed = nbformat.read(target, as_version=4)
        for key in ("widgets", "language_info"):  # the kept outputs' widget state, and more
            if key in committed.metadata:
                notebook.metadata[key] = committed.metadata[key]
        old: dict[str, list[nbformat.NotebookNode]] = {}  # source → its cells, in order
        for cell in committed.cells:
            if cell.cell_type == "code":
                old.setdefault(cell.source, []).append(cell)
        for cell in notebook.cells:
            if cell.cell_type == "code" and old.get(cell.source):
                kept = old[cell.source].pop(0)  # the n-th cell of a source keeps the n-th outputs
                cell.outputs = kept.get("outputs", [])
                cell.execution_count = kept.get("execution_count")
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"{source.stem[:2]}-{number:03d}"
    return notebook


def strip_run_metadata(path: Path) -> None:
    """Drop papermill's timings and parameters (new at every run) and its empty tag lists."""
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
    nbformat.write(notebook, path)


def sources_equal(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> bool:
    """True when both notebooks have the same cells (type, source, tags), outputs aside."""

    def key(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
        return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]

    return key(a) == key(b)


def main() -> int:
    """Build, check or execute the notebooks named (default: all)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter numbers, e.g. 02 03")
    parser.add_argument("--execute", action="store_true", help="re-run them with papermill")
    parser.add_argument("--check", action="store_true", help="fail if a notebook is stale")
    args = parser.parse_args()
    if args.execute:  # own-engine mode: run where the lessons run (labkit._lesson.engine_view)
        from labkit._lesson.engine_view import enter

        enter([sys.executable, __file__, *sys.argv[1:]])
    all_sources = sorted(SOURCES.glob("[0-9][0-9]-*.py"))
    chosen = [s for s in all_sources if not args.chapters or s.stem[:2] in args.chapters]
    stale = []
    for source in chosen:
        target = NOTEBOOKS / f"{source.stem}.ipynb"
        notebook = build(source, all_sources)
        if args.check:
            if not target.exists() or not sources_equal(notebook, nbformat.read(target, 4)):
                stale.append(target.name)
            continue
        nbformat.write(notebook, target)
        if args.execute:
            import papermill

            start = time.monotonic()
            papermill.execute_notebook(
                str(target),
                str(target),
                cwd=str(NOTEBOOKS),
                kernel_name="python3",
                progress_bar=False,
            )
            strip_run_metadata(target)
            print(f"✓ {target.name} executed in {time.monotonic() - start:.1f} s")
        else:
            print(f"✓ {target.name} built")
    if stale:
        print(
            "Stale notebooks (run `python tools/build_notebooks.py --execute`): " + ", ".join(stale)
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
