"""``labkit image``: the whole lab in one image, for a machine where Docker already runs.

It packs what `labkit up` built on this machine: the course's engine and tools (a part of the
cache), the repository with a virtual environment installed offline from wheels made here, and
every course image and the kind node image saved into one archive. Inside, `lab_start` starts
the engine, loads the archive into the volume, runs `labkit up` and opens JupyterLab.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
from pathlib import Path

from .._errors import LabkitError, NotYet
from .._lesson.http import http_get
from .._lesson.sh import sh
from .._paths import RECIPES_DIR, REPO_DIR, cache_dir, cache_root
from .._poll import poll
from .._progress import say, step
from .engine_tools import CLIENT_PROGRAMS, ENGINE_PROGRAMS
from .images import RECIPES, image_ref, is_built
from .kind import addons
from .kind.components import (
    ACTIONLINT_PROGRAM,
    HELM_PROGRAM,
    HOST_PROGRAMS,
    KIND_PROGRAM,
    KUBERNETES_PROGRAMS,
)
from .kind.nodeimage import has_image, node_image

LAB_REPOSITORY = "dockerplusplus/lab"
LAB_DIR = Path("/opt/docker-plus-plus")  # in the image: the archive and the lab's identity
ARCHIVE = LAB_DIR / "images.tar"
LAB_ID = LAB_DIR / "lab-id"
STOP_TIMEOUT = 60  # `docker stop`: seconds for JupyterLab, then the engine inside, to stop
RUN_COMMAND = (
    f"docker run --privileged --stop-timeout {STOP_TIMEOUT} --name docker-plus-plus -p 8888:8888 "
    "-v docker-plus-plus:/var/lib/docker {image}"
)
RECIPE = RECIPES_DIR / "lab"
_BUILD_TIMEOUT = 3600
_TMP = "labkit-lab-"  # the build context, made in the cache (big; /tmp may be in memory)
# own-engine mode's settings and logs ("containerd-own": an older labkit's)
_SKIPPED_PREFIXES = (_TMP, "daemon-own", "dockerd-own", "containerd-own")
# Cache entries the lab does not need: Go sources and wrappers, logs, this machine's state
# (engine settings and log, the forge's data), the engine's folder (`labkit up` links its
# programs from go-bin again).
_CACHE_SKIPPED = {
    *("go-src", "go-wrap", "logs", "course.lock", "engine-host", "engine"),
    *("daemon.json", "dockerd.log", "forge"),
}

# The tests' tools (the devcontainer CLI): not the lab's, whether a test installed them or not
_TEST_ONLY = {"npm": {"@devcontainers"}, "tools": {"devcontainer"}}


def saved_images() -> list[str]:
    """Every image reference the lab loads: the course images (hash and names), the node image.

    Raises:
        LabkitError: an image is not built yet (`labkit up` builds them).
    """
    missing = [item.name for item in RECIPES if not is_built(item)]
    node = node_image()
    if not has_image(node):
        missing.append("kind node image")
    if missing:
        raise LabkitError(
            f"The lab image packs the course's images, and some are not built: "
            f"{', '.join(missing)}.",
            "Run `labkit up` (or `./course setup`) first, then `labkit image` again.",
        )
    refs = [node]
    for item in RECIPES:
        refs += [image_ref(item), f"{item.repository}:latest", *item.local_tags]
    return sorted(set(refs))


def _kept_binaries() -> set[str]:
    """Names in the cache's go-bin of the programs the lab runs (not the node's, nor old pins)."""
    programs = (*ENGINE_PROGRAMS, *CLIENT_PROGRAMS, KIND_PROGRAM, HELM_PROGRAM, ACTIONLINT_PROGRAM)
    kubectl = [p for p in KUBERNETES_PROGRAMS if p.name in HOST_PROGRAMS]
    return {p.binary.name for p in (*programs, *kubectl)}


def _cache_ignore(folder: str, names: list[str]) -> set[str]:
    skipped = {n for n in names if n.endswith(".partial")}
    if Path(folder) == cache_root():
        skipped |= {n for n in names if n in _CACHE_SKIPPED or n.startswith(_SKIPPED_PREFIXES)}
    elif Path(folder) == cache_root() / "go-bin":
        skipped |= set(names) - _kept_binaries()
    elif Path(folder).parent == cache_root():
        skipped |= set(names) & _TEST_ONLY.get(Path(folder).name, set())
    return skipped


def tracked_files() -> list[str]:
    """The repository's files as git tracks them (relative paths), or a clear error."""
    result = sh("git ls-files -z", cwd=REPO_DIR, check=False, timeout=60)
    if not result.ok:
        raise LabkitError(
            f"The lab image is built from a git checkout of the course; {REPO_DIR} is not one.",
            "Run `labkit image` from a clone of the course repository.",
        )
    return [name for name in result.output.split("\0") if name and (REPO_DIR / name).is_file()]


def lab_key(refs: list[str], files: list[str]) -> str:
    """Identity of a lab build (12 hex digits): its images, tools, course files and recipe."""
    digest = hashlib.sha256(repr(refs).encode())
    tools = cache_root() / "go-bin"
    kept = sorted(n for n in os.listdir(tools) if not _cache_ignore(str(tools), [n]))
    digest.update(repr(kept).encode())
    for name in files:
        digest.update(name.encode() + b"\0" + (REPO_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


def lab_image_ref() -> str:
    """The lab image reference for the current images and files: ``dockerplusplus/lab:KEY``."""
    return f"{LAB_REPOSITORY}:{lab_key(saved_images(), tracked_files())}"


BOOKWORM_GLIBC = 36  # glibc 2.36: the newest manylinux wheels bookworm's Python can load


def _wheels(target: Path) -> None:
    """Wheels of every package of this virtual environment and of labkit's build backend.

    They are for the image's Python, bookworm's 3.11 on this machine's architecture, whatever
    Python this venv runs; the lab installs them offline (labkit itself editable, with the
    backend `pyproject.toml` names).
    """
    python = shlex.quote(sys.executable)
    frozen = sh(f"{python} -m pip freeze --exclude-editable", timeout=120).output.splitlines()
    backend = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())["build-system"]
    target.mkdir()
    (target / "requirements.txt").write_text("\n".join([*frozen, *backend["requires"]]) + "\n")
    arch = platform.machine()
    platforms = [
        "any",
        *(f"manylinux{old}_{arch}" for old in ("1", "2010", "2014")),
        *(f"manylinux_2_{minor}_{arch}" for minor in range(5, BOOKWORM_GLIBC + 1)),
    ]
    sh(
        f"{python} -m pip download -q --no-deps --only-binary=:all: --ignore-requires-python "
        "--python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none "
        + " ".join(f"--platform {name}" for name in platforms)
        + f" -d {target} -r {target / 'requirements.txt'}",
        timeout=1200,
        fix="Check that PyPI (or your pip index) answers, then run `labkit image` again.",
    )


def _context(folder: Path, refs: list[str], files: list[str], key: str) -> None:
    """Assemble the build context in ``folder`` (the Dockerfile says what goes where)."""
    shutil.copy2(RECIPE / "Dockerfile", folder / "Dockerfile")
    (folder / "lab-id").write_text(key + "\n")
    for name in files:
        target = folder / "course" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_DIR / name, target, follow_symlinks=False)
    for name in addons.ADDONS:  # rendered into the cache: the lab installs them without Go
        addons.manifest(name)
    shutil.copytree(cache_dir(), folder / "cache", symlinks=True, ignore=_cache_ignore)
    with step("wheels of the Python packages (installed offline in the image)"):
        _wheels(folder / "wheels")
    with step(f"saving {len(refs)} image names (course images and node image) into one archive"):
        sh(f"docker save -o {folder / 'images.tar'} {shlex.join(refs)}", timeout=1800)


def build_lab_image() -> str:
    """Build the lab image unless the current one exists; return its reference."""
    refs, files = saved_images(), tracked_files()
    ref = f"{LAB_REPOSITORY}:{lab_key(refs, files)}"
    if has_image(ref):
        return ref
    with (
        step(f"building the lab image {ref}"),
        tempfile.TemporaryDirectory(prefix=_TMP, dir=cache_dir()) as tmp,
    ):
        _context(Path(tmp), refs, files, ref.split(":")[1])
        log = cache_dir() / "logs" / "image-lab.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "w") as out:
            done = subprocess.run(
                [
                    "docker",
                    "build",
                    "--build-arg",
                    f"LABKIT_CACHE={cache_root()}",
                    "-t",
                    ref,
                    "-t",
                    f"{LAB_REPOSITORY}:latest",
                    tmp,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=_BUILD_TIMEOUT,
                check=False,
            )
        if done.returncode != 0:
            raise LabkitError(
                f"Building the lab image failed (exit {done.returncode}).",
                f"Read the build log {log}; fix the cause, then run `labkit image` again.",
            )
    _prune_older(ref)
    say(f"    run it: {RUN_COMMAND.format(image=ref)}")
    return ref


def _prune_older(ref: str) -> None:
    """Remove lab images of older builds (each weighs several GB)."""
    keep = ref.split(":", 1)[1]
    listed = sh(f"docker images --format '{{{{.Tag}}}}' {LAB_REPOSITORY}", timeout=60, check=False)
    for tag in listed.output.split():
        if tag not in (keep, "latest", "<none>"):
            sh(f"docker rmi {LAB_REPOSITORY}:{tag}", check=False, timeout=120)


def run_lab(image: str, name: str, volume: str, token: str, timeout: float = 1200) -> str:
    """Run ``image`` as a learner does; return the host port of 8888 once JupyterLab answers.

    Raises:
        LabkitError: the container stopped first (with the end of its log).
        TimeoutExpired: JupyterLab did not answer within ``timeout`` seconds.
    """
    sh(
        f"docker run -d --name {name} --privileged --stop-timeout {STOP_TIMEOUT} "
        f"-p 127.0.0.1::8888 -e LAB_TOKEN={token} "
        f"-v {volume}:/var/lib/docker {image}",
        timeout=120,
    )
    port = sh(f"docker port {name} 8888/tcp", timeout=30).output.split(":")[-1].strip()
    wait_lab_ready(name, port, token, timeout)
    return port


def wait_lab_ready(name: str, port: str, token: str, timeout: float = 1200) -> None:
    """Wait until the lab container ``name`` serves JupyterLab on host ``port``."""

    def probe() -> bool:
        state = sh(f"docker inspect -f '{{{{.State.Running}}}}' {name}", check=False, timeout=30)
        if state.output.strip() != "true":
            logs = sh(f"docker logs --tail 30 {name}", check=False, timeout=30).output
            raise LabkitError(
                f"The lab container {name} stopped before JupyterLab answered:\n{logs}"
            )
        try:
            http_get(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=3)
        except (urllib.error.URLError, OSError) as err:
            raise NotYet(str(err)) from err
        return True

    poll(
        probe,
        timeout=timeout,
        every=2,
        what=f"the lab's JupyterLab (container {name}) to answer",
        fix=f"Read the lab's log: `docker logs {name}`.",
    )
