"""Where the course keeps its files: the repository, the chapters, and the machine cache."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
RECIPES_DIR = PACKAGE_DIR / "recipes"
REPO_DIR = PACKAGE_DIR.parent
NOTEBOOKS_DIR = REPO_DIR / "notebooks"


def cache_root() -> Path:
    """Where the machine-wide cache lives (`cache_dir` creates it)."""
    base = os.environ.get("LABKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "labkit"
    )
    return Path(base)


def cache_dir() -> Path:
    """Machine-wide cache (images' build logs, dockerd config, Go-built tools); survives CI."""
    path = cache_root()
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
    """Folder of the course's own command-line tools (docker, kind, kubectl), first on PATH."""
    path = cache_dir() / "tools"
    path.mkdir(parents=True, exist_ok=True)
    return path


def symlink(link: Path, binary: Path) -> Path:
    """Make ``link`` a symbolic link to ``binary`` (its folder made, an other link replaced)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    if not (link.is_symlink() and link.resolve() == binary.resolve()):
        link.unlink(missing_ok=True)
        link.symlink_to(binary)
    return link


def link_tool(name: str, binary: Path) -> Path:
    """Make ``binary`` the course's ``name`` command (a link in `tools_dir`); return the link."""
    link = symlink(tools_dir() / name, binary)
    use_course_tools()
    return link


def use_course_tools() -> None:
    """Put `tools_dir` first on this process's PATH (inherited by commands and terminals)."""
    folder = str(tools_dir())
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[0] != folder:
        os.environ["PATH"] = os.pathsep.join([folder, *(p for p in parts if p != folder)])


def shown_path(path: str | Path) -> str:
    """``path`` as a learner reads it: the home folder written ``~``."""
    home = os.path.expanduser("~")
    text = str(path)
    return "~" + text[len(home) :] if home != "/" and text.startswith(home + os.sep) else text
