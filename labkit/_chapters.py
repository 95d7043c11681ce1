"""The course's chapters: what each one creates, how to reset it, and its opening banner."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from ._engine import client, is_reachable, remove_containers, remove_images
from ._errors import LabkitError
from ._paths import work_dir
from ._registry import reset_course_registry
from ._sh import sh
from ._terminal import terminal


@dataclass(frozen=True)
class Chapter:
    """A chapter: its slug, titles, and the Docker objects it owns (removed on reset)."""

    slug: str
    title: str
    deck_title: str
    containers: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    compose_projects: tuple[str, ...] = ()
    resets_registry: bool = False
    runc_prefixes: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()  # Kubernetes namespaces it owns (deleted on reset)
    cluster_objects: tuple[str, ...] = ()  # cluster-scoped objects, e.g. "clusterrole/x"
    uncordon: bool = False  # make every node schedulable again on reset

    @property
    def uses_cluster(self) -> bool:
        """True for the Kubernetes chapters (04 onwards)."""
        return self.slug[:2] >= "04"

    def __repr__(self) -> str:
        """Short form: slug and title."""
        return f"<Chapter {self.slug}: {self.title}>"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("00-start-here", "Start here", "Docker++"),
    Chapter(
        "01-containers",
        "Containers and the OCI",
        "Conteneurisation",
        containers=("oci-demo", "oci-rootfs", "ex01-net", "ex01-limited"),
        runc_prefixes=("oci-", "ex01-"),
    ),
    Chapter(
        "02-docker-engine",
        "The Docker engine",
        "Docker engine",
        containers=("my-nginx", "my-app", "ex02-web"),
        images=(
            "my-app:latest",
            "my-app:1.0",
            "localhost:5000/my-app:1.0",
            "localhost:5000/my-app:latest",
            "nginx:latest",
            "nginx:1.22",
            "ex02-hello:1.0",
            "localhost:5000/ex02-hello:1.0",
        ),
        resets_registry=True,
    ),
    Chapter(
        "03-docker-compose",
        "docker-compose",
        "docker-compose",
        compose_projects=("voting-app", "ex03"),
    ),
    Chapter(
        "04-orchestration",
        "Container orchestration",
        "Orchestration de conteneurs",
        namespaces=("orchestration", "ex04"),
    ),
    Chapter(
        "05-kubernetes-architecture",
        "Kubernetes architecture",
        "Kubernetes (k8s)",
        namespaces=("my-app", "ex05"),
    ),
    Chapter("06-pods", "Pods", "L'objet le plus basique : le Pod", namespaces=("pods", "ex06")),
    Chapter(
        "07-namespaces-quotas", "Namespaces and quotas", "Namespace", namespaces=("nginx-1", "ex07")
    ),
    Chapter(
        "08-services-ingress",
        "Services and Ingress",
        "Service / Ingress",
        namespaces=("nginx-1", "ex08"),
    ),
    Chapter(
        "09-deployments-scaling",
        "Deployments, selectors and scaling",
        "Deployment / Selecteurs / Scaling",
        namespaces=("nginx-1", "ex09"),
    ),
    Chapter(
        "10-rbac",
        "RBAC",
        "RBAC",
        namespaces=("rbac-demo", "ex10"),
        cluster_objects=(
            "clusterrolebinding/ns-reader",
            "clusterrole/ns-reader",
            "clusterrolebinding/ex10-ns-viewer",
            "clusterrole/ex10-ns-viewer",
        ),
    ),
    Chapter(
        "11-cluster-maintenance",
        "Cluster maintenance",
        "Maintenance du cluster",
        namespaces=("maintenance", "ex11"),
        uncordon=True,
    ),
    Chapter(
        "12-network-policies",
        "Network policies",
        "NetworkPolicy",
        namespaces=("secure", "other", "ex12"),
    ),
    Chapter(
        "13-more-objects",
        "More objects",
        "D'autres objets ou concepts",
        namespaces=("more", "ex13"),
        cluster_objects=("storageclass/ex13-fast",),
    ),
)
BY_SLUG = {item.slug: item for item in CHAPTERS}


def find(name: str) -> Chapter:
    """The chapter whose slug is ``name`` or starts with it (``"02"`` works)."""
    matches = [c for c in CHAPTERS if c.slug == name or c.slug.startswith(f"{name}-")]
    if len(matches) != 1:
        raise LabkitError(
            f"No chapter is called {name!r}.", f"Use one of: {', '.join(c.slug for c in CHAPTERS)}."
        )
    return matches[0]


def reset(name: str, fresh_registry: bool = True) -> Chapter:
    """Remove what the chapter created (containers, images, compose projects, files).

    Args:
        name: the chapter, e.g. ``"02"``.
        fresh_registry: give a chapter that pushes to the course registry an empty one
            (`labkit down` says False: it removes the registry right after).
    """
    item = find(name)
    if is_reachable():
        for project in item.compose_projects:
            sh(f"docker compose -p {project} down -v --remove-orphans", check=False, timeout=120)
        remove_containers(*item.containers)
        remove_images(*item.images)
        if item.resets_registry:
            sh("docker logout localhost:5000", check=False, timeout=30)
            if fresh_registry:
                reset_course_registry()
        client().api.prune_images(filters={"dangling": True})
    if item.runc_prefixes:
        listed = sh("runc list -q", check=False, timeout=30)
        for container in listed.output.split() if listed.ok else ():
            if container.startswith(item.runc_prefixes):
                sh(f"runc delete -f {container}", check=False, timeout=30)
    if item.uses_cluster:
        _reset_cluster_objects(item)
    folder = work_dir(item.slug)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return item


def _reset_cluster_objects(item: Chapter) -> None:
    """Delete the chapter's namespaces and cluster-scoped objects (bounded waits)."""
    from ._k8s import cluster
    from ._k8s.kubectl import kubectl

    if not cluster.reachable():
        return
    if item.uncordon:
        kubectl("uncordon --selector='!node-role.kubernetes.io/control-plane'", check=False)
    if item.cluster_objects:
        kubectl(f"delete --ignore-not-found --wait=false {' '.join(item.cluster_objects)}")
    if item.namespaces:
        kubectl(
            f"delete namespace --ignore-not-found --timeout=180s {' '.join(item.namespaces)}",
            timeout=240,
        )


def chapter(name: str) -> None:
    """Open a chapter in a notebook: reset it, start its terminal in its work folder."""
    item = reset(name)
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        from ._terminal import load_ipython_extension

        load_ipython_extension(shell)
    terminal().cwd = work_dir(item.slug)
    print(f"Docker++ · chapter {item.slug[:2]}: {item.title} (deck: « {item.deck_title} »)")
    if item.uses_cluster:
        _cluster_banner()
    elif is_reachable():
        print(
            "✓ Docker engine ready · registry mirror 127.0.0.1:5001 · course registry "
            "localhost:5000"
        )
        print(f"✓ chapter reset; commands run in notebooks/{item.slug}/work")
    else:
        print(
            "⚠ No Docker engine here (Binder?): outputs below are the recorded ones, and "
            "cells that need Docker say so in one line. `labkit up` starts everything."
        )


def _cluster_banner() -> None:
    from ._k8s import cluster

    if cluster.reachable():
        ready, total = cluster.nodes_ready()
        print(
            f"✓ kind cluster {cluster.NAME!r}: {ready}/{total} nodes Ready · kubectl context "
            f"{cluster.CONTEXT} · Pods pull Docker Hub images through labkit-mirror"
        )
    else:
        print(
            "⚠ No Kubernetes cluster answers here (Binder?): outputs below are the recorded "
            "ones, and cells that need the cluster say so in one line. `labkit up` creates it."
        )
