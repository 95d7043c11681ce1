"""Docker Compose v2 as a Docker CLI plugin, built from its Go module when it is missing."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ._errors import LabkitError
from ._paths import cache_dir
from ._progress import step
from ._sh import sh

COMPOSE_MODULE = "github.com/docker/compose/v2"
COMPOSE_VERSION = "v2.40.3"


def plugin_path() -> Path:
    """Where the Docker CLI looks for the compose plugin of this user."""
    config = os.environ.get("DOCKER_CONFIG") or os.path.expanduser("~/.docker")
    return Path(config) / "cli-plugins" / "docker-compose"


def compose_version() -> str | None:
    """Version printed by ``docker compose version --short``, or None when it is missing."""
    result = sh("docker compose version --short", check=False, timeout=30)
    return result.output.strip() if result.ok else None


def ensure_compose() -> str:
    """Make ``docker compose`` work; build it with Go when absent. Return what was done."""
    version = compose_version()
    if version:
        return f"docker compose {version} present"
    binary = cache_dir() / "bin" / f"docker-compose-{COMPOSE_VERSION}"
    if not binary.exists():
        if not shutil.which("go"):
            raise LabkitError(
                "Docker Compose v2 is missing and Go is not installed to build it.",
                "Install the docker-compose-plugin package of your Docker distribution, or "
                "install Go (https://go.dev/dl/) and run `labkit up` again.",
            )
        _build(binary)
    target = plugin_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    target.symlink_to(binary)
    return f"docker compose {compose_version()} installed as a CLI plugin ({target})"


def _build(binary: Path) -> None:
    """Build compose from its module (its go.mod has excludes, so not with `go install`)."""
    with step(f"building Docker Compose {COMPOSE_VERSION} from its Go module (~3 min cold)"):
        module_dir = sh(
            f"go mod download -json {COMPOSE_MODULE}@{COMPOSE_VERSION} | "
            'sed -n \'s/.*"Dir": "\\(.*\\)",/\\1/p\'',
            timeout=600,
            cwd=tempfile.gettempdir(),
        ).output.strip()
        with tempfile.TemporaryDirectory(prefix="labkit-compose-") as tmp:
            src = Path(tmp) / "src"
            shutil.copytree(module_dir, src)
            sh(f"chmod -R u+w {src}", timeout=60)  # the module cache is read-only
            binary.parent.mkdir(parents=True, exist_ok=True)
            ldflags = f"-s -w -X {COMPOSE_MODULE}/internal.Version={COMPOSE_VERSION}"
            sh(
                f"go build -trimpath -ldflags '{ldflags}' -o {binary} ./cmd",
                cwd=src,
                env={"CGO_ENABLED": "0"},
                timeout=1800,
                fix="Check the Go module proxy is reachable.",
            )
