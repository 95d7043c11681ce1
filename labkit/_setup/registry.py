"""The course's registries at set-up time: start them, publish the course images to the mirror.

What they are (ports, login) and the reader of their HTTP API: `labkit._lesson.registry`.
"""

from __future__ import annotations

from .._errors import LabkitError
from .._lesson.docker import client
from .._lesson.registry import COURSE_REGISTRY, MIRROR, Registry, RegistrySpec
from .._lesson.sh import Result
from .._progress import step
from .images import RECIPES, Recipe, image_ref
from .services import ensure_service, join_cluster_network


def ensure_registry(spec: RegistrySpec, recreate: bool = False) -> str:
    """Start ``spec``'s container, reachable from the kind nodes; return what was done."""
    done = ensure_service(spec, recreate)
    join_cluster_network(spec.name)  # the nodes pull through the mirror, and from the registry
    return done


def reset_course_registry() -> None:
    """Give the course registry fresh, empty storage (used when a chapter resets)."""
    ensure_registry(COURSE_REGISTRY, recreate=True)


def published_config_digest(repository: str, tag: str, spec: RegistrySpec = MIRROR) -> str | None:
    """Config digest (= image ID) of ``repository:tag`` in the registry, or None if absent."""
    try:
        manifest = Registry(spec).manifest(repository, tag)
    except LabkitError:
        return None
    return manifest.get("config", {}).get("digest")


def publish(item: Recipe) -> list[str]:
    """Push ``item``'s image to the mirror under its public names; return the names pushed."""
    cli = client()
    image = cli.images.get(image_ref(item))
    pushed = []
    for name in item.publish:
        repository, tag = name.split(":")
        repository = repository if "/" in repository else f"library/{repository}"
        if published_config_digest(repository, tag) == image.id:
            continue
        target = f"127.0.0.1:{MIRROR.port}/{repository}"
        image.tag(target, tag)
        try:
            for chunk in cli.api.push(target, tag, stream=True, decode=True):
                if "error" in chunk:
                    Result(f"docker push {target}:{tag}", 1, chunk["error"]).check(
                        "Check the mirror runs: `docker logs labkit-mirror`."
                    )
        finally:
            cli.images.remove(f"{target}:{tag}")
        pushed.append(name)
    return pushed


def publish_all() -> list[str]:
    """Make the mirror serve every course image under its public names."""
    pushed = []
    with step(f"publishing course images to the registry mirror 127.0.0.1:{MIRROR.port}"):
        for item in RECIPES:
            if item.publish:
                pushed += publish(item)
    return pushed
