"""Where the course keeps its files: the repository, the chapters, and the machine cache."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RECIPES_DIR = PACKAGE_DIR / "recipes"
REPO_DIR = PACKAGE_DIR.parent
NOTEBOOKS_DIR = REPO_DIR / "notebooks"


def cache_dir() -> Path:
    """Machine-wide cache (images' build logs, dockerd config, Go-built tools); survives CI."""
    base = os.environ.get("LABKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "labkit"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def chapter_dir(chapter: str) -> Path:
    """Folder of a chapter's own files, e.g. ``notebooks/03-docker-compose``."""
    return NOTEBOOKS_DIR / chapter


def work_dir(chapter: str) -> Path:
    """Scratch folder where a chapter's commands run (git-ignored, emptied on reset)."""
    path = chapter_dir(chapter) / "work"
    path.mkdir(parents=True, exist_ok=True)
    return path


def tools_dir() -> Path:
    """Folder of the course's own command-line tools (kind, kubectl), first on PATH."""
    path = cache_dir() / "bin" / "k8s"
    path.mkdir(parents=True, exist_ok=True)
    return path


def use_course_tools() -> None:
    """Put `tools_dir` first on this process's PATH (inherited by commands and terminals)."""
    folder = str(tools_dir())
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if folder not in parts:
        os.environ["PATH"] = os.pathsep.join([folder, *parts])
