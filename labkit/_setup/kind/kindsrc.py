"""What the node image takes from kind's own module: base-image files and the storage manifest.

kind builds its node images from ``images/base/files`` and embeds the default storage manifest
in Go source; both are read from the module cache at build time, never copied into the course.
"""

from __future__ import annotations

import re
from pathlib import Path

from ... import versions as v
from ..._errors import RecipeError
from ..gobuild import module_dir


def kind_dir() -> Path:
    """Folder of kind's module (``sigs.k8s.io/kind@KIND``) in the Go module cache."""
    return module_dir("sigs.k8s.io/kind", v.KIND)


def base_files() -> Path:
    """The node base-image files of kind (systemd units, entrypoint, kubelet drop-ins...)."""
    return kind_dir() / "images" / "base" / "files"


def go_manifest(source: str, name: str) -> str:
    """The value of the Go string constant ``name``: raw strings joined with constants by +."""
    constants = dict(re.findall(r'^const (\w+) = "([^"]*)"', source, flags=re.M))
    match = re.search(rf"^const {name} = ", source, flags=re.M)
    if not match:
        raise RecipeError(
            f"kind {v.KIND} no longer defines {name} as expected.",
            "Pin the kind version labkit knows (labkit/versions.py).",
        )
    parts, rest = [], source[match.end() :]
    token = re.compile(r"\s*(?:`([^`]*)`|(\w+))\s*(\+)?")
    while True:
        item = token.match(rest)
        if not item:
            break
        parts.append(item.group(1) if item.group(1) is not None else constants[item.group(2)])
        rest = rest[item.end() :]
        if not item.group(3):
            break
    return "".join(parts)


def storage_manifest() -> tuple[str, tuple[str, str]]:
    """The default storage manifest of kind, and its provisioner and helper image names."""
    source = (kind_dir() / "pkg" / "build" / "nodeimage" / "const_storage.go").read_text()
    constants = dict(re.findall(r'^const (\w+) = "([^"]*)"', source, flags=re.M))
    images = (constants["storageProvisionerImage"], constants["storageHelperImage"])
    return go_manifest(source, "defaultStorageManifest"), images
