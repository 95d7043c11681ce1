"""No chapter leaves objects behind: `labkit.finish` removes them, every notebook calls it.

A chapter's leftovers would show up in another chapter's outputs (a drain that lists other
chapters' Pods, a node view full of them). Each chapter's last code cell calls
``labkit.finish("NN")``; after it, none of the chapter's containers, images, compose
projects, ``runc`` containers, namespaces, cluster-scoped objects, PersistentVolumes,
cordons, Git repositories, chart packages or helm repositories is left.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from labkit._lesson.chapters import CHAPTERS, _leftovers, finish

ROOT = Path(__file__).resolve().parents[2]
SLUGS = [chapter.slug for chapter in CHAPTERS]


def _last_code_cell(cells: list) -> str:
    code = [cell.source for cell in cells if cell.cell_type == "code" and cell.source.strip()]
    return code[-1] if code else ""


@pytest.mark.parametrize("slug", SLUGS)
def test_the_last_code_cell_of_every_chapter_calls_finish(slug: str):
    wanted = re.compile(rf"labkit\.finish\(\s*[\"']{slug[:2]}(-[a-z0-9-]+)?[\"']\s*\)")
    source = jupytext.read(ROOT / "notebooks" / "src" / f"{slug}.py", fmt="py:percent")
    assert wanted.search(_last_code_cell(source.cells)), f"{slug}.py ends without finish"
    notebook = nbformat.read(ROOT / "notebooks" / f"{slug}.ipynb", as_version=4)
    assert wanted.search(_last_code_cell(notebook.cells)), f"{slug}.ipynb ends without finish"


@pytest.mark.k8s
@pytest.mark.docker
@pytest.mark.parametrize("slug", SLUGS)
def test_after_finish_nothing_of_the_chapter_is_left(slug: str, engine, cluster, capsys):
    finish(slug[:2])
    said = capsys.readouterr().out
    assert said.startswith(f"✓ Chapter {slug[:2]} finished:"), said
    chapter = next(item for item in CHAPTERS if item.slug == slug)
    assert _leftovers(chapter) == []
