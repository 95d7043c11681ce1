"""The Docker engine and its client, built from their Go modules (pinned in `labkit.versions`).

The engine: dockerd and docker-proxy (moby), containerd with its runc shim and ``ctr``, and
runc. The client: the ``docker`` CLI with its buildx (BuildKit) and compose plugins. Each is
built once per version (`labkit._setup.gobuild`) and linked into `engine_bin`, the folder dockerd
gets first on its PATH; ``docker``, ``runc`` and ``ctr`` are also the course's commands.
Only what is not Go comes from Debian: iptables for dockerd, tini as its ``docker-init``
(``docker run --init``), libseccomp (and a C compiler) for runc.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .. import versions as v
from .._errors import LabkitError
from .._paths import cache_dir, link_tool, symlink
from .apt import apt_install, missing_packages
from .gobuild import MODULE_TIME, GoProgram, build

MOBY = "github.com/moby/moby/v2"
CONTAINERD = "github.com/containerd/containerd/v2"
CLI = "github.com/docker/cli"
BUILDX = "github.com/docker/buildx"
COMPOSE = "github.com/docker/compose/v2"
RUNC = "github.com/opencontainers/runc"

# Debian packages: what the engine runs with, and what runc's cgo build needs.
RUNTIME_PACKAGES = ("iptables", "libseccomp2", "tini")
DOCKER_INIT = Path("/usr/bin/tini-static")  # from the tini package
BUILD_PACKAGES = ("gcc", "libc6-dev", "pkg-config", "libseccomp-dev")


def _stamp(package: str, **values: str) -> str:
    """Linker flags setting ``package``'s version variables (as the projects' releases do)."""
    flags = (f"-X '{package}.{key}={value}'" for key, value in values.items())
    return " ".join(["-s -w", *flags])  # go build's -ldflags reads the quotes


ENGINE_PROGRAMS = (
    GoProgram(
        "dockerd",
        MOBY,
        v.MOBY,
        f"{MOBY}/cmd/dockerd",
        tags="netgo osusergo",
        ldflags=_stamp(
            f"{MOBY}/dockerversion",
            Version=v.MOBY_RELEASE,
            GitCommit=v.MOBY,
            BuildTime=MODULE_TIME,
            PlatformName="Docker++ (moby built from source)",
        ),
    ),
    GoProgram("docker-proxy", MOBY, v.MOBY, f"{MOBY}/cmd/docker-proxy", tags="netgo osusergo"),
    *(
        GoProgram(
            name,
            CONTAINERD,
            v.CONTAINERD,
            f"{CONTAINERD}/cmd/{name}",
            ldflags=_stamp(f"{CONTAINERD}/version", Version=v.CONTAINERD, Revision=v.CONTAINERD),
        )
        for name in ("containerd", "containerd-shim-runc-v2", "ctr")
    ),
    GoProgram(
        "runc",
        RUNC,
        v.RUNC,
        RUNC,
        cgo=True,
        tags="seccomp urfave_cli_no_docs",
        ldflags=_stamp("main", gitCommit=v.RUNC),
    ),
)
CLIENT_PROGRAMS = (
    GoProgram(
        "docker",
        CLI,
        f"{v.DOCKER_CLI}+incompatible",
        "./cmd/docker",
        in_module=True,
        replaces=(f"github.com/moby/swarmkit/v2 => github.com/moby/swarmkit/v2 {v.SWARMKIT}",),
        ldflags=_stamp(
            f"{CLI}/cli/version",
            Version=v.DOCKER_CLI.lstrip("v"),
            GitCommit=v.DOCKER_CLI,
            BuildTime=MODULE_TIME,
        ),
    ),
    GoProgram(
        "docker-buildx",
        BUILDX,
        v.BUILDX,
        f"{BUILDX}/cmd/buildx",
        ldflags=_stamp(f"{BUILDX}/version", Version=v.BUILDX, Package=BUILDX),
    ),
    GoProgram(
        "docker-compose",
        COMPOSE,
        v.COMPOSE,
        "./cmd",
        in_module=True,  # its go.mod's excludes only hold inside the module
        ldflags=_stamp(f"{COMPOSE}/internal", Version=v.COMPOSE),
    ),
)
CLI_PLUGINS = ("docker-buildx", "docker-compose")


def engine_bin() -> Path:
    """Folder of the engine's programs, first on dockerd's PATH."""
    path = cache_dir() / "engine" / "bin"
    path.mkdir(parents=True, exist_ok=True)
    return path


def plugins_dir() -> Path:
    """Where the Docker CLI of this user looks for its plugins (``docker buildx``...)."""
    config = os.environ.get("DOCKER_CONFIG") or os.path.expanduser("~/.docker")
    return Path(config) / "cli-plugins"


def _place(target: Path, binary: Path) -> None:
    """Put ``binary`` at ``target`` under its plain name (a hard link, else a copy).

    Not a symlink: the runc shim re-executes itself by its resolved path, so a symlink would
    show the cache's versioned name in the host's process tree.
    """
    if target.exists() and target.samefile(binary):
        return
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        os.link(binary, partial)
    except OSError:
        shutil.copy2(binary, partial)
    partial.replace(target)


def ensure_client() -> str:
    """Build (once) the docker CLI and its plugins, make them the course's; say which."""
    built = build(CLIENT_PROGRAMS)
    link_tool("docker", built["docker"])
    for name in CLI_PLUGINS:
        symlink(plugins_dir() / name, built[name])
    return f"docker {v.DOCKER_CLI}, buildx {v.BUILDX}, compose {v.COMPOSE}"


def ensure_engine_programs() -> Path:
    """Build (once) dockerd, containerd and runc, link them into `engine_bin`; return it."""
    todo = [program for program in ENGINE_PROGRAMS if not program.binary.exists()]
    packages = missing_packages(*RUNTIME_PACKAGES, *(BUILD_PACKAGES if todo else ()))
    if packages:
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            raise LabkitError(
                f"The course's Docker engine needs Debian packages that are missing: "
                f"{', '.join(packages)}.",
                f"Install them (`apt-get install {' '.join(packages)}` as root), then run "
                "`labkit up` again.",
            )
        apt_install(*packages)
    folder = engine_bin()
    for name, binary in build(ENGINE_PROGRAMS).items():
        _place(folder / name, binary)
    symlink(folder / "docker-init", DOCKER_INIT)
    for name in ("runc", "ctr"):
        link_tool(name, folder / name)
    return folder
