"""A compose file as a checked model, and the state of its services' containers.

The model holds the services, the declared networks and volumes, and each service's depth in
the depends_on graph; the states come from the compose labels of the engine's containers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .._errors import RecipeError
from .._lesson.docker import client
from ._compose_service import Service, describe, parse_service, wrong_type
from ._engine_api import PROJECT_LABEL, SERVICE_LABEL, EngineApi

__all__ = [
    "ComposeModel",
    "compose_states",
    "interpolate",
    "parse_compose",
    "project_name",
    "service_states",
]


@dataclass(frozen=True)
class ComposeModel:
    """A parsed, checked compose file."""

    services: Mapping[str, Service]
    networks: tuple[str, ...]
    volumes: tuple[str, ...]
    levels: Mapping[str, int]  # 0 for services that depend on nothing, then 1 + deepest
    name: str | None = None


def _levels(services: Mapping[str, Service]) -> dict[str, int]:
    """Each service's depth in the depends_on graph; raise on unknown services and cycles."""
    levels: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> int:
        if name in path:
            cycle = " → ".join((*path[path.index(name) :], name))
            raise RecipeError(
                f"depends_on forms a cycle: {cycle}.", "Remove one of these dependencies."
            )
        if name not in levels:
            for dep in services[name].depends_on:
                if dep not in services:
                    raise RecipeError(
                        f"service '{name}' depends on '{dep}', which is not a service of this "
                        "file.",
                        f"Use one of: {', '.join(services)}.",
                    )
            deps = [visit(dep, (*path, name)) for dep in services[name].depends_on]
            levels[name] = 1 + max(deps, default=-1)
        return levels[name]

    for name in services:
        visit(name, ())
    return levels


def _top_names(doc: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """The names declared under a top-level ``networks:`` or ``volumes:``."""
    value = doc.get(key)
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise wrong_type("the compose file", key, "a mapping", value)
    return tuple(str(name) for name in value)


_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)")


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Replace ``$VAR``, ``${VAR}``, ``${VAR:-default}`` in a parsed file's strings, like compose.

    Args:
        value: a parsed YAML value; lists and mappings are walked.
        env: the variables; an unset one without default becomes "" (``$$`` stays a ``$``).

    Returns:
        The value with its strings interpolated.
    """
    if isinstance(value, str):
        return _VARIABLE.sub(
            lambda m: "$" if m[0] == "$$" else env.get(m[1] or m[3]) or m[2] or "", value
        )
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    return value


def parse_compose(text: str, env: Mapping[str, str] | None = None) -> ComposeModel:
    """Parse and check a compose file's services, ports, networks, volumes and depends_on.

    Args:
        text: the YAML text of the file.
        env: the variables ``${VAR:-default}`` takes its values from; the process's own
            environment by default.

    Returns:
        The checked model, with each service's depth in the dependency graph.

    Raises:
        RecipeError: (a `LabkitError`) naming the service, the key and the fix when the file is
            not valid YAML or does not follow the Compose format.
    """
    try:
        doc = interpolate(yaml.safe_load(text), os.environ if env is None else env)
    except yaml.YAMLError as err:
        raise RecipeError(
            f"The compose file is not valid YAML: {err}",
            "Check the indentation around that line (spaces only, no tabs).",
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        got = describe(doc.get("services") if isinstance(doc, dict) else doc)
        raise RecipeError(
            f"The compose file has no `services:` mapping (got {got}).",
            "Start it with `services:` and one indented entry per service.",
        )
    networks, volumes = _top_names(doc, "networks"), _top_names(doc, "volumes")
    services = {
        str(name): parse_service(str(name), spec, networks, volumes)
        for name, spec in doc["services"].items()
    }
    name = doc.get("name")
    return ComposeModel(services, networks, volumes, _levels(services), name and str(name))


def compose_states(containers: Iterable[Mapping[str, Any]], project: str) -> dict[str, str]:
    """Map each service of compose ``project`` to its container's state.

    Args:
        containers: dicts as ``client().api.containers(all=True)`` returns them.
        project: the compose project name (label ``com.docker.compose.project``).

    Returns:
        ``{service: state}``; a scaled service counts as running when one replica runs.
    """
    states: dict[str, str] = {}
    for data in containers:
        labels = data.get("Labels") or {}
        service = labels.get(SERVICE_LABEL)
        if labels.get(PROJECT_LABEL) == project and service and states.get(service) != "running":
            states[service] = data.get("State", "?")
    return states


def service_states(project: str, api: EngineApi | None = None) -> dict[str, str]:
    """The state of each service of compose ``project``, read from the engine.

    Args:
        project: the compose project name (by default the folder of the compose file).
        api: what to read the containers from; the engine (``client().api``) by default.

    Returns:
        ``{service: state}``, e.g. ``{"db": "running", "app": "exited"}``; services without a
        container are missing.
    """
    return compose_states((api or client().api).containers(all=True), project)


def project_name(path: Path) -> str:
    """The project name compose gives a file's folder: lower case, ``[a-z0-9_-]`` only."""
    return re.sub(r"[^a-z0-9_-]", "", path.resolve().parent.name.lower()).lstrip("_-")
