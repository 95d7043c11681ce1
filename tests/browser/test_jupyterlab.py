"""JupyterLab in a real browser: the no-engine banner, hidden solutions, a live ScaleSlider.

Debian's Chromium, driven by Playwright, opens the course in a JupyterLab these tests start
(see ``conftest.py``). Every wait is bounded: Playwright's own timeouts and `labkit.poll`.
Run them alone with ``.venv/bin/python -m pytest tests/browser -m browser -q``.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from labkit._lesson.kubectl import kubectl
from labkit._paths import NOTEBOOKS_DIR
from labkit._poll import poll

pytestmark = pytest.mark.browser

KERNEL_START_MS = 120_000  # a kernel on a busy 2-core machine
CELL_RUN_MS = 180_000  # a chapter's first cell resets the chapter
KERNEL_IDLE = re.compile(r"^Python 3 \(ipykernel\) \| Idle$")


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def open_notebook(page, lab, path: Path):
    """Open ``path`` in JupyterLab, wait for its cells and an idle kernel; the notebook."""
    page.goto(lab.tree_url(path))
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    expect(notebook.locator(".jp-Cell")).to_have_count(len(_read(path).cells))
    # the status bar names the kernel once it runs ("No Kernel | Initializing" before)
    kernel = page.locator("#jp-main-statusbar").get_by_role("button", name=KERNEL_IDLE)
    expect(kernel).to_be_visible(timeout=KERNEL_START_MS)
    return notebook


def cell(notebook, index: int):
    """The cell at ``index`` (JupyterLab numbers them in ``data-windowed-list-index``)."""
    found = notebook.locator(f".jp-Cell[data-windowed-list-index='{index}']")
    found.scroll_into_view_if_needed()
    return found


def run_cell(notebook, index: int):
    """Select the cell at ``index`` and run it with Shift+Enter, as a learner does; the cell."""
    target = cell(notebook, index)
    target.locator(".jp-InputArea-editor").click()
    target.page.keyboard.press("Shift+Enter")
    return target


def first_code_cell(path: Path) -> int:
    return next(i for i, c in enumerate(_read(path).cells) if c.cell_type == "code")


# -- 1. No engine, no cluster: the banner instead of a traceback -----------------------------


@pytest.mark.parametrize(
    ("chapter", "banner"),
    [
        ("00-start-here", "⚠ No Docker engine here"),
        ("04-orchestration", "⚠ No Kubernetes cluster answers here"),
    ],
)
def test_without_engine_a_chapter_opens_with_its_banner(page, no_engine_lab, chapter, banner):
    path = NOTEBOOKS_DIR / f"{chapter}.ipynb"
    index = first_code_cell(path)
    recorded = "".join(o.get("text", "") for o in _read(path).cells[index].outputs)
    assert banner not in recorded  # what the page shows below comes from this run

    notebook = open_notebook(page, no_engine_lab, path)
    done = run_cell(notebook, index)
    output = done.locator(".jp-Cell-outputArea")
    expect(output).to_contain_text(banner, timeout=CELL_RUN_MS)
    expect(output).to_contain_text(f"Docker++ · chapter {chapter[:2]}")
    expect(done.locator(".jp-OutputArea-output", has_text="Traceback")).to_have_count(0)


# -- 2. Hidden solutions: collapsed until the learner opens one -------------------------------


def _visible_lines(text: str) -> list[str]:
    """Lines long enough to tell a solution or its output apart from the page's other text."""
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= 12]


@pytest.mark.parametrize("chapter", ["02-docker-engine", "09-deployments-scaling"])
def test_solutions_stay_hidden_until_opened(page, lab, chapter):
    check_solutions_hidden(page, lab, NOTEBOOKS_DIR / f"{chapter}.ipynb")


def check_solutions_hidden(page, lab, path: Path) -> None:
    """Every solution of ``path`` collapsed, input and output; a click opens one."""
    chapter = path.stem
    cells = _read(path).cells
    solutions = [i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 2, f"{chapter}: expected exercises with solutions"
    notebook = open_notebook(page, lab, path)

    for index in solutions:
        source = cells[index].source.splitlines()
        outputs = "".join(o.get("text", "") for o in cells[index].outputs)
        shown = cell(notebook, index)
        # collapsed input: a placeholder with the first line only, no editor
        placeholder = shown.locator(".jp-InputPlaceholder")
        expect(placeholder).to_be_visible()
        expect(placeholder).to_have_text(source[0])
        expect(shown.locator(".jp-InputArea")).to_have_count(0)
        # collapsed output: its wrapper hidden, no output area in the page
        expect(shown.locator(".jp-Cell-outputWrapper")).to_be_hidden()
        expect(shown.locator(".jp-OutputArea")).to_have_count(0)
        text = shown.inner_text()
        leaks = [line for line in _visible_lines("\n".join(source[1:]) + outputs) if line in text]
        assert not leaks, f"{chapter} cell {index}: solution text visible: {leaks}"

    # a click on the placeholder opens the input, a click on the next one the output
    index = solutions[0]
    source = cells[index].source.splitlines()
    shown = cell(notebook, index)
    shown.locator(".jp-InputPlaceholder").click()
    expect(shown.locator(".jp-InputArea")).to_be_visible()
    expect(shown.locator(".jp-InputArea")).to_contain_text(source[1].strip())
    shown.locator(".jp-OutputPlaceholder").click()
    output_line = _visible_lines("".join(o.get("text", "") for o in cells[index].outputs))[-1]
    expect(shown.locator(".jp-OutputArea")).to_be_visible()
    expect(shown.locator(".jp-OutputArea")).to_contain_text(output_line)
    # the other solutions are still closed
    expect(cell(notebook, solutions[1]).locator(".jp-InputPlaceholder")).to_be_visible()


# -- 3. A live widget moves the cluster --------------------------------------------------------

NAMESPACE = "labkit-browser-test"
DEPLOYMENT = "web"


def _replicas() -> str:
    return kubectl(
        f"get deployment {DEPLOYMENT} -n {NAMESPACE} -o jsonpath={{.spec.replicas}}", timeout=30
    ).output.strip()


@pytest.fixture
def deployment(cluster):
    """A one-replica Deployment in a namespace of its own, deleted afterwards."""
    delete = f"delete namespace {NAMESPACE} --ignore-not-found --wait=true --timeout=120s"
    kubectl(delete, timeout=150)
    kubectl(f"create namespace {NAMESPACE}")
    try:
        kubectl(
            f"create deployment {DEPLOYMENT} -n {NAMESPACE} --image=nginx --replicas=1 --port=80"
        )
        yield DEPLOYMENT
    finally:
        kubectl(delete, timeout=150)


def _scale_notebook(folder: Path) -> Path:
    code = textwrap.dedent(
        f"""\
        from labkit.widgets import ScaleSlider

        slider = ScaleSlider({DEPLOYMENT!r}, {NAMESPACE!r}, maximum=4)
        slider"""
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "scale-slider.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.k8s
def test_moving_the_scale_slider_scales_the_deployment(
    page, lab, deployment, scratch_dir, tmp_path
):
    shot = tmp_path / "scale-slider.png"
    try:
        notebook = open_notebook(page, lab, _scale_notebook(scratch_dir))
        widget = run_cell(notebook, 0).locator(".jp-OutputArea-output .widget-vbox").first
        status = widget.locator(".widget-html").first
        expect(status).to_contain_text(f"deployment {deployment}: 1 desired", timeout=CELL_RUN_MS)
        assert _replicas() == "1"

        handle = widget.locator(".widget-slider .noUi-handle")
        handle.focus()
        handle.press("ArrowRight")  # one step: 1 → 2 (sent on release: continuous_update off)

        poll(
            lambda: True if _replicas() == "2" else None,
            timeout=60,
            what=f"deployment {deployment} to be scaled to 2 by the slider",
            fix=f"Look at the page: {shot}",
        )
        expect(status).to_contain_text(f"deployment {deployment}: 2 desired")
        expect(widget.locator(".widget-readout")).to_have_text("2")
    finally:
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
