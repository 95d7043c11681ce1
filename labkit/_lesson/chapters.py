"""The course's chapters: what each one creates, how to reset it, and its opening banner."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

from .._errors import LabkitError
from .._paths import use_course_tools, work_dir
from . import engine_view
from .docker import client, is_reachable, remove_containers, remove_images
from .pipelines import remove_file_variables
from .sh import sh
from .terminal import terminal


@dataclass(frozen=True)
class Chapter:
    """A chapter: its slug, titles, and the Docker objects it owns (removed on reset)."""

    slug: str
    title: str
    deck_title: str
    slides: tuple[str, ...] = ()  # the deck's slide titles it covers (markdown), for the index
    containers: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    compose_projects: tuple[str, ...] = ()
    resets_registry: bool = False
    runc_prefixes: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()  # Kubernetes namespaces it owns (deleted on reset)
    namespace_prefixes: tuple[str, ...] = ()  # and those whose names start so (review apps)
    cluster_objects: tuple[str, ...] = ()  # cluster-scoped objects, e.g. "clusterrole/x"
    uncordon: bool = False  # make every node schedulable again on reset
    repositories: tuple[str, ...] = ()  # bare repositories of the course's Git server
    charts: tuple[str, ...] = ()  # chart packages in the course's chart repository
    helm_repos: tuple[str, ...] = ()  # `helm repo add` names, removed from helm's settings
    runs_pipelines: bool = False  # gitlab-ci-local's copies of File variables are removed

    @property
    def uses_cluster(self) -> bool:
        """True for the Kubernetes chapters (04 onwards)."""
        return self.slug[:2] >= "04"

    def __repr__(self) -> str:
        """Short form: slug and title."""
        return f"<Chapter {self.slug}: {self.title}>"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("00-start-here", "Start here", "Docker++", slides=("*Docker++*",)),
    Chapter(
        "01-containers",
        "Containers and the OCI",
        "Conteneurisation",
        containers=("oci-demo", "oci-rootfs", "ex01-net", "ex01-limited"),
        runc_prefixes=("oci-", "ex01-"),
        slides=("*Conteneurisation*",),
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
        slides=("*Docker engine*", "*`docker`*"),
    ),
    Chapter(
        "03-docker-compose",
        "docker-compose",
        "docker-compose",
        compose_projects=("voting-app", "ex03"),
        slides=("*`docker-compose`*",),
    ),
    Chapter(
        "04-orchestration",
        "Container orchestration",
        "Orchestration de conteneurs",
        namespaces=("orchestration", "ex04"),
        slides=("*Orchestration de conteneurs*",),
    ),
    Chapter(
        "05-kubernetes-architecture",
        "Kubernetes architecture",
        "Kubernetes (k8s)",
        namespaces=("my-app", "ex05"),
        slides=("*Kubernetes (k8s)*", "*Architecture de base*"),
    ),
    Chapter(
        "06-pods",
        "Pods",
        "L'objet le plus basique : le Pod",
        namespaces=("pods", "ex06"),
        slides=("*L'objet le plus basique : le `Pod`*",),
    ),
    Chapter(
        "07-namespaces-quotas",
        "Namespaces and quotas",
        "Namespace",
        namespaces=("nginx-1", "ex07"),
        slides=("*`Namespace`*",),
    ),
    Chapter(
        "08-services-ingress",
        "Services and Ingress",
        "Service / Ingress",
        namespaces=("nginx-1", "ex08"),
        slides=("*`Service`*", "*`Ingress`*"),
    ),
    Chapter(
        "09-deployments-scaling",
        "Deployments, selectors and scaling",
        "Deployment / Selecteurs / Scaling",
        namespaces=("nginx-1", "ex09"),
        slides=("*`Deployment`*", "*Selecteurs*", "*Scaling*"),
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
        slides=("*RBAC (Role-Based Access Control) à la rescousse*",),
    ),
    Chapter(
        "11-cluster-maintenance",
        "Cluster maintenance",
        "Maintenance du cluster",
        namespaces=("maintenance", "ex11"),
        uncordon=True,
        slides=("*Maintenance du cluster*",),
    ),
    Chapter(
        "12-network-policies",
        "Network policies",
        "NetworkPolicy",
        namespaces=("secure", "other", "ex12"),
        slides=("*`NetworkPolicy`*",),
    ),
    Chapter(
        "13-more-objects",
        "More objects",
        "D'autres objets ou concepts",
        namespaces=("more", "ex13"),
        cluster_objects=("storageclass/ex13-fast",),
        slides=("*D'autres objets ou concepts*",),
    ),
    Chapter(
        "14-helm",
        "Helm",
        "Helm",
        namespaces=("wordpress", "ex14"),
        charts=("wordpress", "mariadb"),
        helm_repos=("course",),
        slides=(
            "*Helm*",
            "*Helm est un gestionnaire de paquets pour k8s*",
            "*Architecture*",
            "*Deploiement du `Chart` Wordpress et suppression de sa `Release`*",
        ),
    ),
    Chapter(
        "15-continuous-delivery",
        "Continuous delivery",
        "Gitlab + Helm + k8s = CD",
        namespaces=("production", "ex15"),
        namespace_prefixes=("review-",),
        repositories=("chat", "chat-chart"),
        charts=("chat",),
        runs_pipelines=True,
        slides=("*Gitlab + Helm + k8s = CD*", "*Application pilote*"),
    ),
    Chapter(
        "16-resources",
        "Resources and a capstone",
        "Ressources",
        namespaces=("capstone",),
        slides=("*Ressources*",),
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
    _remove_owned(item)
    if is_reachable():
        if item.resets_registry and fresh_registry:
            from .._setup.registry import reset_course_registry  # recreates its container

            reset_course_registry()
        client().api.prune_images(filters={"dangling": True})
        # BuildKit's cache too, so the chapter's builds run (and print) as on a first visit
        client().api.prune_builds(all=True)
    folder = work_dir(item.slug)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return item


def _remove_owned(item: Chapter) -> None:
    """Remove what `reset` and `finish` both remove: the chapter's own objects.

    Compose projects, containers, images, runc containers, cluster objects, forge entries,
    gitlab-ci-local's copies of File variables.
    """
    if is_reachable():
        for project in item.compose_projects:
            sh(f"docker compose -p {project} down -v --remove-orphans", check=False, timeout=120)
        remove_containers(*item.containers)
        remove_images(*item.images)
        if item.resets_registry:
            sh("docker logout localhost:5000", check=False, timeout=30)
    if item.runc_prefixes:
        listed = sh("runc list -q", check=False, timeout=30)
        for container in listed.output.split() if listed.ok else ():
            if container.startswith(item.runc_prefixes):
                sh(f"runc delete -f {container}", check=False, timeout=30)
    if item.uses_cluster:
        _reset_cluster_objects(item)
    _reset_forge(item)
    if item.runs_pipelines:  # what the terminal's `gitlab-ci-local --list` left
        remove_file_variables()


def _reset_forge(item: Chapter) -> None:
    """Remove the chapter's Git repositories, chart packages and helm repository entries."""
    from .._setup.forge import remove_charts, remove_repositories

    remove_repositories(*item.repositories)
    remove_charts(*item.charts)
    for name in item.helm_repos:
        sh(f"helm repo remove {name}", check=False, timeout=30)


def _reset_cluster_objects(item: Chapter) -> None:
    """Delete the chapter's namespaces and cluster-scoped objects (bounded waits)."""
    from . import cluster
    from .kubectl import kubectl

    if not cluster.reachable():
        return
    if item.uncordon:
        kubectl("uncordon --selector='!node-role.kubernetes.io/control-plane'", check=False)
    if item.cluster_objects:
        kubectl(f"delete --ignore-not-found --wait=false {' '.join(item.cluster_objects)}")
    namespaces = list(item.namespaces)
    if item.namespace_prefixes:
        listed = kubectl("get namespaces -o name", check=False).output.split()
        names = [entry.removeprefix("namespace/") for entry in listed]
        namespaces += [name for name in names if name.startswith(item.namespace_prefixes)]
    if namespaces:
        kubectl(
            f"delete namespace --ignore-not-found --timeout=180s {' '.join(namespaces)}",
            timeout=240,
        )


def chapter(name: str) -> None:
    """Open a chapter in a notebook: reset it, start its terminal in its work folder.

    The course's own tools (docker, kind, kubectl, helm) come first on this process's PATH
    from here on, for the chapter's commands, terminals and ``!`` shell escapes.
    """
    use_course_tools()
    engine_view.refresh()  # own-engine mode: the usual paths show the course's engine again
    item = reset(name)
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        from .terminal import load_ipython_extension

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
    from . import cluster

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


def finish(name: str, timeout: float = 240) -> None:
    """Close a chapter: remove what it created, check that nothing of it is left, say so.

    The last code cell of every chapter calls it, so that no chapter's objects show up in
    another one's outputs (a drain that lists other chapters' Pods, a node view full of
    them). It removes what `reset` removes — containers, images, compose projects, ``runc``
    containers, namespaces, cluster-scoped objects, Git repositories, chart packages, helm
    repositories, a cordon — and the PersistentVolumes its namespaces claimed; it keeps the
    ``work/`` folder (your files) and the course registry's content (`reset` empties it when
    the chapter starts again). Then it waits, bounded, until none of it is left, and prints
    one line naming what it removed.

    Args:
        name: the chapter, e.g. ``"06"``.
        timeout: seconds to wait for namespaces and volumes to be gone.

    Raises:
        TimeoutExpired: something of the chapter was still there after ``timeout`` seconds.

    Example:
        >>> labkit.finish("06")  # doctest: +SKIP
        ✓ Chapter 06 finished: removed namespaces ex06, pods. Nothing of it is left.
    """
    from .._poll import NotYet, poll

    item = find(name)
    found = _leftovers(item)
    _remove_owned(item)
    if item.uses_cluster:
        _release_volumes(item)

    def nothing_left() -> bool | None:
        left = _leftovers(item)
        if left:
            raise NotYet("still there: " + ", ".join(left))
        return True

    poll(
        nothing_left,
        timeout=timeout,
        every=2,
        what=f"chapter {item.slug[:2]}'s objects to be gone",
        fix=f"Run `labkit reset {item.slug[:2]}`, then look at what the message names.",
    )
    number = item.slug[:2]
    if found:
        print(f"✓ Chapter {number} finished: removed {_grouped(found)}. Nothing of it is left.")
    else:
        print(f"✓ Chapter {number} finished: it left nothing to remove.")


def _grouped(found: list[str]) -> str:
    """``["namespace b", "namespace a", "container c"]`` → ``"namespaces a, b; container c"``.

    Volumes are counted, not named: their names are generated.
    """
    groups: dict[str, list[str]] = {}
    for entry in found:
        kind, _, what = entry.partition(" ")
        groups.setdefault(kind.replace("_", " "), []).append(what)
    parts = []
    for kind, names in groups.items():
        many = kind[:-1] + "ies" if kind.endswith("y") else kind + "s"
        if kind == "volume":
            parts.append(f"{len(names)} persistent {kind if len(names) == 1 else many}")
        else:
            parts.append(f"{kind if len(names) == 1 else many} {', '.join(sorted(names))}")
    return "; ".join(parts)


def _leftovers(item: Chapter) -> list[str]:
    """What of ``item`` exists now, as ``"kind name"`` entries (engine, cluster, forge)."""
    from .._setup.forge import forge_dir

    found: list[str] = []
    if is_reachable():
        cli = client()
        names = {c.name for c in cli.containers.list(all=True)}
        found += [f"container {n}" for n in item.containers if n in names]
        tags = {tag for image in cli.images.list() for tag in image.tags}
        found += [f"image {ref}" for ref in item.images if ref in tags]
        for project in item.compose_projects:
            label = {"label": f"com.docker.compose.project={project}"}
            if (
                cli.containers.list(all=True, filters=label)
                or cli.networks.list(filters=label)
                or cli.volumes.list(filters=label)
            ):
                found.append(f"compose_project {project}")
    if item.runc_prefixes:
        listed = sh("runc list -q", check=False, timeout=30)
        found += [
            f"runc_container {c}"
            for c in (listed.output.split() if listed.ok else ())
            if c.startswith(item.runc_prefixes)
        ]
    if item.uses_cluster:
        found += _cluster_leftovers(item)
    found += [
        f"repository {n}" for n in item.repositories if (forge_dir("git") / f"{n}.git").exists()
    ]
    found += [
        f"chart {p.name}"
        for n in item.charts
        for p in sorted(forge_dir("charts").glob(f"{n}-[0-9]*.tgz"))
    ]
    if item.helm_repos:
        listed = sh("helm repo list -o json", check=False, timeout=30)
        known = {repo["name"] for repo in json.loads(listed.output or "[]")} if listed.ok else set()
        found += [f"helm_repository {n}" for n in item.helm_repos if n in known]
    return found


def _owned_namespaces(item: Chapter, existing: list[str]) -> list[str]:
    """The namespaces of ``existing`` that ``item`` owns (by name or prefix)."""
    prefixes = item.namespace_prefixes
    return [n for n in existing if n in item.namespaces or (prefixes and n.startswith(prefixes))]


def _cluster_leftovers(item: Chapter) -> list[str]:
    """The chapter's namespaces, cluster objects, volumes and cordons the cluster still has."""
    from . import cluster
    from .kubectl import kubectl

    if not cluster.reachable():
        return []
    listed = kubectl("get namespaces -o name", check=False).output.split()
    namespaces = _owned_namespaces(item, [e.removeprefix("namespace/") for e in listed])
    found = [f"namespace {n}" for n in namespaces]
    for thing in item.cluster_objects:
        if kubectl(f"get {thing} --ignore-not-found -o name", check=False).output.strip():
            found.append(f"object {thing}")
    volumes = json.loads(kubectl("get pv -o json", check=False).output or '{"items": []}')
    owned = set(item.namespaces)
    for volume in volumes.get("items", []):
        claim = (volume.get("spec") or {}).get("claimRef") or {}
        space = claim.get("namespace", "")
        if space in owned or (
            item.namespace_prefixes and space.startswith(item.namespace_prefixes)
        ):
            found.append(f"volume {volume['metadata']['name']}")
    if item.uncordon:
        nodes = json.loads(kubectl("get nodes -o json", check=False).output or '{"items": []}')
        found += [
            f"cordon_on {node['metadata']['name']}"
            for node in nodes.get("items", [])
            if (node.get("spec") or {}).get("unschedulable")
        ]
    return found


def _release_volumes(item: Chapter) -> None:
    """Let the PersistentVolumes its namespaces claimed go: Retain becomes Delete, then delete."""
    from . import cluster
    from .kubectl import kubectl

    if not cluster.reachable():
        return
    volumes = json.loads(kubectl("get pv -o json", check=False).output or '{"items": []}')
    for volume in volumes.get("items", []):
        claim = (volume.get("spec") or {}).get("claimRef") or {}
        space = claim.get("namespace", "")
        if space in item.namespaces or (
            item.namespace_prefixes and space.startswith(item.namespace_prefixes)
        ):
            name = volume["metadata"]["name"]
            patch = '{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}'
            kubectl(f"patch pv {name} -p '{patch}'", check=False)
            if volume.get("status", {}).get("phase") in ("Released", "Available", "Failed"):
                kubectl(f"delete pv {name} --ignore-not-found --wait=false", check=False)
