"""The course's forge on loopback: a Git server and a Helm chart repository.

GitLab hosts a project's repositories and runs its pipelines; here each part is real but
small. The pipelines are run by ``gitlab-ci-local`` (`labkit._setup.npm`); the repositories live
on a Git server, ``git daemon`` in a container; charts are published in a classic Helm chart
repository (``index.yaml`` and packaged charts served over HTTP by nginx). Both serve folders
of the machine cache, so labkit can prepare and reset them with plain file operations.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .._lesson.sh import sh
from .._paths import cache_root
from .services import Service, ensure_service

GIT_PORT = int(os.environ.get("LABKIT_GIT_PORT", "9418"))
CHARTS_PORT = int(os.environ.get("LABKIT_CHARTS_PORT", "8879"))  # Helm 2's `helm serve` port


def forge_dir(part: str) -> Path:
    """A folder the forge serves: ``git`` (bare repositories) or ``charts``."""
    return cache_root() / "forge" / part


GIT_SERVER = Service(
    "labkit-git",
    "git",
    GIT_PORT,
    9418,
    "LABKIT_GIT_PORT",
    "course Git server",
    mounts=((str(forge_dir("git")), "/srv/git"),),
    ready=None,
)
CHART_REPOSITORY = Service(
    "labkit-charts",
    "nginx",
    CHARTS_PORT,
    80,
    "LABKIT_CHARTS_PORT",
    "course Helm chart repository",
    mounts=((str(forge_dir("charts")), "/usr/share/nginx/html"),),
    ready="/index.yaml",
)
SERVICES = (GIT_SERVER, CHART_REPOSITORY)


EMPTY_INDEX = "apiVersion: v1\nentries: {}\n"  # what `helm repo index` writes for no chart


def ensure_forge() -> list[str]:
    """Start the Git server and the chart repository; return what was done."""
    for part in ("git", "charts"):
        forge_dir(part).mkdir(parents=True, exist_ok=True)
    index = forge_dir("charts") / "index.yaml"
    if not index.exists():
        index.write_text(EMPTY_INDEX)
    return [ensure_service(service) for service in SERVICES]


def remove_repositories(*names: str) -> None:
    """Delete bare repositories of the Git server (``pilot`` → ``pilot.git``); absent is fine."""
    for name in names:
        shutil.rmtree(forge_dir("git") / f"{name}.git", ignore_errors=True)


def remove_charts(*names: str) -> None:
    """Delete charts' packages from the chart repository, and index what is left."""
    removed = [p for name in names for p in forge_dir("charts").glob(f"{name}-[0-9]*.tgz")]
    for package in removed:
        package.unlink()
    if removed:
        reindex()


def reindex() -> None:
    """Write the chart repository's ``index.yaml`` for the packages it holds (`helm repo index`)."""
    folder = forge_dir("charts")
    if any(folder.glob("*.tgz")):
        sh(f"helm repo index {folder} --url {CHART_REPOSITORY.url}", timeout=60)
    else:
        (folder / "index.yaml").write_text(EMPTY_INDEX)
