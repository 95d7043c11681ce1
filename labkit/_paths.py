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
    """Put `tools_dir` first on this process's PATH, and point it at the course's engine.

    Commands, terminals, kernels and the Docker SDK inherit both (`use_course_engine`).
    """
    folder = str(tools_dir())
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[0] != folder:
        os.environ["PATH"] = os.pathsep.join([folder, *(p for p in parts if p != folder)])
    use_course_engine()


ENGINE_HOST_FILE = "engine-host"  # in the cache: where the course's engine answers, if not
# Docker's default socket (own-engine mode: `labkit._engines`)


def remembered_engine_host() -> str | None:
    """The course's engine address `labkit up` remembered (None: Docker's default socket)."""
    try:
        host = (cache_root() / ENGINE_HOST_FILE).read_text().strip()
    except OSError:
        return None
    return host or None


def remember_engine_host(host: str | None) -> None:
    """Remember ``host`` as the course's engine address (None forgets it), for every entry point."""
    path = cache_root() / ENGINE_HOST_FILE
    if host is None:
        path.unlink(missing_ok=True)
    else:
        cache_dir()
        path.write_text(host + "\n")


def use_course_engine() -> None:
    """Set DOCKER_HOST to the remembered engine address, unless DOCKER_HOST is already set.

    The docker and kind commands and the Docker SDK then talk to the course's engine beside
    another one. An address set by the learner (or a test's "no engine" run) is kept.
    """
    host = remembered_engine_host()
    if host and not os.environ.get("DOCKER_HOST"):
        os.environ["DOCKER_HOST"] = host


def shown_path(path: str | Path) -> str:
    """``path`` as a learner reads it: the home folder written ``~``."""
    home = os.path.expanduser("~")
    text = str(path)
    return "~" + text[len(home) :] if home != "/" and text.startswith(home + os.sep) else text
