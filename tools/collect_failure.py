"""Gather what a failed ``./course test`` left, for the CI files' artifacts (run as root).

    .venv/bin/python tools/collect_failure.py OUT [--log LOG] [--basetemp DIR]

Into OUT: labkit's logs (image and node-image builds, ``dockerd.log``, ``daemon.json``); the
``*.log`` and ``*.png`` files of pytest's temporary folders (JupyterLab's log, the browser
tests' screenshots); the chapters' scratch folders (what their commands made, chapter 15's
pipeline logs); ``kind export logs`` of the course cluster; and every notebook that LOG (the
run's output) names as failed, executed again by papermill into ``executed/`` — nbval compares
the cells in memory and keeps no executed copy. Each part is bounded and independent: one
that fails is said, and the others are still gathered. Exits 0 (the job has failed already).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from labkit._errors import LabkitError
from labkit._lesson.sh import sh
from labkit._paths import NOTEBOOKS_DIR, REPO_DIR, cache_root, use_course_tools

NOTEBOOK_TIMEOUT = 1200  # one notebook runs in at most 2.5 min when all is well
MAX_NOTEBOOKS = 3  # re-executed at most: the artifacts come within ~1 h even when all fail
_FAILED = re.compile(r"^(?:FAILED|ERROR) (notebooks/[0-9]{2}-[\w-]+\.ipynb)::", re.M)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failed_notebooks(log: str) -> list[str]:
    """The notebooks pytest's summary in ``log`` names as failed, in order, each once."""
    return list(dict.fromkeys(_FAILED.findall(_ANSI.sub("", log))))


def copy_matching(source: Path, target: Path, patterns: tuple[str, ...]) -> int:
    """Copy the files of ``source`` matching glob ``patterns``, keeping their paths; how many."""
    count = 0
    for pattern in patterns:
        for path in source.glob(pattern):
            if path.is_file():
                destination = target / path.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
                count += 1
    return count


def labkit_logs(out: Path) -> str:
    """The build logs labkit keeps, and its engine's log and settings."""
    count = copy_matching(
        cache_root(), out / "labkit", ("logs/*.log", "dockerd.log", "daemon.json")
    )
    return f"{count} files of {cache_root()}"


def pytest_files(out: Path, basetemp: Path) -> str:
    """The logs and screenshots left in pytest's temporary folders."""
    return (
        f"{copy_matching(basetemp, out / 'pytest', ('**/*.log', '**/*.png'))} files of {basetemp}"
    )


def chapter_work(out: Path) -> str:
    """The chapters' scratch folders (``notebooks/*/work``), links kept as links."""
    folders, unreadable = sorted(NOTEBOOKS_DIR.glob("*/work")), []
    for folder in folders:
        try:
            target = out / "work" / folder.parent.name
            shutil.copytree(folder, target, symlinks=True, dirs_exist_ok=True)
        except shutil.Error as err:  # sockets, files removed meanwhile: the rest is copied
            unreadable += [source for source, _, _ in err.args[0]]
    return f"{len(folders)} folders" + (
        f" ({len(unreadable)} files not copied)" if unreadable else ""
    )


def kind_logs(out: Path) -> str:
    """``kind export logs`` of the course cluster, when kind knows it."""
    from labkit._lesson.cluster import NAME, exists

    if not exists():
        return "no course cluster"
    target = out / "kind"
    command = shlex.join(["kind", "export", "logs", str(target), "--name", NAME])
    sh(command, timeout=300, fix="Look at `kind get clusters` and `docker ps -a`.")
    return str(target)


def executed_notebooks(out: Path, log: Path) -> str:
    """The failed notebooks, executed again (outputs as they come out now, errors included)."""
    names = failed_notebooks(log.read_text(errors="replace"))
    for name in names[:MAX_NOTEBOOKS]:
        target = out / "executed" / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "papermill", name, str(target), "--cwd", "notebooks"]
        try:  # papermill saves the notebook as it goes, so a stopped run still leaves it
            result = sh(shlex.join([*argv, "-k", "python3"]), timeout=NOTEBOOK_TIMEOUT, check=False)
            said = "ran through" if result.ok else "failed again (see the notebook)"
        except LabkitError as err:
            said = str(err)
        print(f"  {name}: {said}")
    skipped = (
        f", {len(names) - MAX_NOTEBOOKS} more not re-run" if len(names) > MAX_NOTEBOOKS else ""
    )
    return f"{min(len(names), MAX_NOTEBOOKS)} of the failed notebooks{skipped}"


def collect(parts: list[tuple[str, Callable[[], str]]]) -> None:
    """Run every part; say what each gathered, or why it could not."""
    for what, part in parts:
        start = time.monotonic()
        try:
            print(f"✓ {what}: {part()} ({time.monotonic() - start:.0f} s)")
        except (LabkitError, OSError, shutil.Error) as err:
            print(f"✗ {what}: {err}")


def main() -> int:
    """Gather into OUT what the options name, and what labkit keeps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder the artifacts are gathered in")
    parser.add_argument("--log", type=Path, help="the output of `./course test`")
    parser.add_argument("--basetemp", type=Path, help="pytest's --basetemp folder")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    log, basetemp = (path.resolve() if path else None for path in (args.log, args.basetemp))
    use_course_tools()  # the course's kind and docker
    os.chdir(REPO_DIR)  # the log names notebooks from there
    out.mkdir(parents=True, exist_ok=True)
    parts: list[tuple[str, Callable[[], str]]] = [("labkit's logs", lambda: labkit_logs(out))]
    if basetemp:
        parts.append(("pytest's logs and screenshots", lambda: pytest_files(out, basetemp)))
    parts.append(("the chapters' scratch folders", lambda: chapter_work(out)))
    parts.append(("the kind cluster's logs", lambda: kind_logs(out)))
    if log:  # last: it runs chapters again, which changes what the others look at
        parts.append(("failed notebooks, run again", lambda: executed_notebooks(out, log)))
    collect(parts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
