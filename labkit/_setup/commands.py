"""``labkit up``, ``down`` and ``doctor``: bring the course's services up, tear them down."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass

import docker.errors

from .._errors import LabkitError
from .._lesson.chapters import CHAPTERS, reset
from .._lesson.docker import client, info, is_reachable, port_free
from .._lesson.registry import COURSE_REGISTRY, MIRROR, MIRROR_PORT
from .._lesson.sh import sh
from .._paths import shown_path
from .._progress import say, step
from .capfix import RUNTIME_NAME, missing_capabilities
from .engine import ensure_engine
from .forge import SERVICES as FORGE
from .forge import ensure_forge
from .images import RECIPES, build_all, is_built
from .npm import ensure_gitlab_ci_local
from .registry import ensure_registry, publish_all
from .services import INFRA_LABEL


def up(cluster: bool = True, own_engine: bool = False) -> None:
    """Set everything up (idempotent): engine, compose, images, registries, kind cluster.

    ``own_engine`` runs the course's engine beside another one (`ensure_engine`).
    """
    with step("Docker engine"):
        say("    " + ensure_engine(own=own_engine))
    node_programs = None
    if cluster:
        from .kind.cluster import ensure_tools, prebuild_node_programs

        ensure_tools()  # kind, kubectl, helm (built once with Go): the CI job image holds some
        node_programs = prebuild_node_programs()  # while images build, when the node image is new
    built = build_all()
    say(f"✓ course images: {len(RECIPES)} ready ({len(built)} built now, the rest cached)")
    for spec in (MIRROR, COURSE_REGISTRY):
        say("✓ " + ensure_registry(spec))
    pushed = publish_all()
    say(f"    {len(pushed)} image names pushed to the mirror (the others were up to date)")
    for done in ensure_forge():
        say("✓ " + done)
    with step("host tools of the continuous-delivery chapter (Node.js, gitlab-ci-local)"):
        ensure_gitlab_ci_local()
    if cluster:
        from .kind.cluster import ensure_cluster

        if node_programs:
            node_programs()
        say("✓ " + ensure_cluster())
    else:
        say("  kind cluster skipped (--no-cluster): chapters 04–16 need it")
    say("Ready. Open the course with `./course lab`, or check with `labkit doctor`.")


def down(images: bool = False) -> None:
    """Remove every container, network and volume the course created (images stay cached)."""
    if not is_reachable():
        say("No Docker engine runs: nothing to remove.")
        return
    from .._lesson import cluster
    from .kind.cluster import delete

    if cluster.exists():
        with step(f"deleting the kind cluster {cluster.NAME!r}"):
            delete()
    for item in CHAPTERS:
        reset(item.slug, fresh_registry=False)
    cli = client()
    for container in cli.containers.list(all=True, filters={"label": INFRA_LABEL}):
        container.remove(force=True, v=True)
    for volume in cli.volumes.list(filters={"name": "labkit-"}):
        volume.remove(force=True)
    if images:
        remove_course_images()
    say(
        "✓ course containers, networks and volumes removed"
        + (" (and its images)" if images else "; images stay cached (`--images` removes them)")
    )


def remove_course_images() -> None:
    """Remove the course's cached images, children before parents, with all their names."""
    from .kind.nodeimage import remove_node_images

    remove_node_images()
    cli = client()
    for item in reversed(RECIPES):
        for image in cli.images.list(name=item.repository):
            try:
                cli.images.remove(image.id, force=True)
            except docker.errors.ImageNotFound:
                continue  # already gone with a sibling tag
            except docker.errors.APIError as err:
                raise LabkitError(
                    f"Image {item.repository} ({image.short_id}) cannot be removed: "
                    f"{err.explanation}",
                    "An image of yours is built on it: remove that image first "
                    "(`docker images`), then run `labkit down --images` again.",
                ) from err


@dataclass(frozen=True)
class Finding:
    """One line of ``labkit doctor``: what was looked at, whether it is fine, and the fix."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def __str__(self) -> str:
        """``✓ name: detail`` or ``✗ name: detail`` followed by the fix."""
        text = f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"
        return text if self.ok or not self.fix else f"{text}\n    fix: {self.fix}"


# The commands the notebooks run, the course's own first on PATH (labkit links them).
COURSE_TOOLS = ("docker", "kind", "kubectl", "helm", "node", "gitlab-ci-local")


def doctor() -> list[Finding]:
    """Look at everything the course needs; return one finding per item."""
    findings = [
        Finding(
            "python",
            sys.version_info >= (3, 11),
            sys.version.split()[0],
            "Use Python 3.11 or newer.",
        ),
    ]
    for tool in COURSE_TOOLS:
        path = shutil.which(tool)
        findings.append(
            Finding(
                tool,
                bool(path),
                shown_path(path) if path else "missing",
                f"Run `labkit up`: it installs or builds {tool}.",
            )
        )
    if not is_reachable():
        findings.append(
            Finding(
                "Docker engine",
                False,
                "no engine answers",
                "Run `labkit up` (as root on Debian it installs and starts one).",
            )
        )
        return findings
    engine = info()
    findings.append(
        Finding(
            "Docker engine",
            True,
            f"{engine.version}, {engine.storage_driver}, cgroup v{engine.cgroup_version}",
        )
    )
    mirror = f"http://127.0.0.1:{MIRROR_PORT}"
    findings.append(
        Finding(
            "registry mirror",
            mirror in [m.rstrip("/") for m in engine.mirrors],
            ", ".join(engine.mirrors) or "none",
            "Without it `docker pull nginx` needs the internet; restart dockerd "
            "through `labkit up` to get it.",
        )
    )
    lacking = missing_capabilities()
    findings.append(
        Finding(
            "privileged containers",
            not lacking or engine.default_runtime == RUNTIME_NAME,
            f"the bounding set lacks {', '.join(lacking)}; default runtime {engine.default_runtime}"
            if lacking
            else "every capability is available; plain runc",
            "Stop this dockerd and run `labkit up`: it starts one with runc-capfix.",
        )
    )
    compose = sh("docker compose version --short", check=False, timeout=30)
    version = compose.output.strip() if compose.ok else ""
    findings.append(
        Finding(
            "docker compose",
            bool(version),
            version or "missing",
            "Run `labkit up` (builds the Compose plugin with Go).",
        )
    )
    missing = [item.name for item in RECIPES if not is_built(item)]
    findings.append(
        Finding(
            "course images",
            not missing,
            f"{len(RECIPES) - len(missing)}/{len(RECIPES)} built"
            + (f" (missing: {', '.join(missing)})" if missing else ""),
            "Run `labkit up` to build them offline.",
        )
    )
    for spec in (MIRROR, COURSE_REGISTRY, *FORGE):
        running = [c.name for c in client().containers.list(filters={"name": spec.name})]
        detail = (
            "running"
            if running
            else (
                "stopped" if port_free(spec.port) else f"port {spec.port} taken by another program"
            )
        )
        findings.append(
            Finding(
                f"{spec.name} (127.0.0.1:{spec.port})", bool(running), detail, "Run `labkit up`."
            )
        )
    for tool in ("runc", "ctr"):
        findings.append(
            Finding(
                tool,
                bool(shutil.which(tool)),
                shown_path(shutil.which(tool) or "missing"),
                "Run `labkit up` (as root it builds the course's engine: runc, containerd, ctr).",
            )
        )
    findings.append(
        Finding(
            "root",
            os.geteuid() == 0,
            "yes" if os.geteuid() == 0 else "no",
            "Chapter 01 reads /proc of containers and runs runc: run as root.",
        )
    )
    from .kind.cluster import status

    for name, ok, detail in status():
        findings.append(Finding(name, ok, detail, "Run `labkit up` (builds it offline)."))
    return findings
