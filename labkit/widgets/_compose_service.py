"""One service of a compose file, read and checked: image, ports, networks, volumes, depends_on.

The errors name the service, the key and the fix, for files written by hand in class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._errors import RecipeError
from ._html import shorten

__all__ = ["Service", "describe", "parse_service", "wrong_type"]

COMPOSE_DOCS = "https://docs.docker.com/reference/compose-file/services/"
CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")


@dataclass(frozen=True)
class Service:
    """One service of a compose file, as far as the graph needs it."""

    name: str
    image: str
    ports: tuple[str, ...] = ()
    networks: tuple[str, ...] = ("default",)
    volumes: tuple[str, ...] = ()
    depends_on: Mapping[str, str] = field(default_factory=dict)  # name -> condition


def describe(value: object) -> str:
    """What a YAML value is, for error messages: ``a string 'pgdata:/var…'``."""
    if isinstance(value, str):
        return f"a string {shorten(value, 60)!r}"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if value is None:
        return "an empty value"
    return "a list" if isinstance(value, list) else "a mapping"


def wrong_type(where: str, key: str, expected: str, value: object) -> RecipeError:
    """The error for ``key`` of ``where`` holding the wrong kind of value."""
    fix = f"See the Compose reference for `{key}`: {COMPOSE_DOCS}"
    if "list" in expected and isinstance(value, str):
        fix = (
            f"Write `{key}` as a YAML list, one item per line starting with '- ', "
            f"e.g. `- {value.split()[0] if value.split() else '...'}`."
        )
    return RecipeError(f"{where}: `{key}` must be {expected}, got {describe(value)}.", fix)


def _entries(spec: Mapping[str, Any], key: str, where: str, mapping_ok: bool) -> list[Any]:
    """The items of a list-valued key (or the keys of a mapping, when allowed); [] if absent."""
    value = spec.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if mapping_ok and isinstance(value, dict):
        return list(value)
    raise wrong_type(where, key, "a list or a mapping" if mapping_ok else "a list", value)


def _port(entry: object, where: str) -> str:
    """A port entry, short (``"8080:80"``) or long syntax, as short text."""
    if isinstance(entry, str | int) and not isinstance(entry, bool):
        return str(entry)
    if isinstance(entry, dict) and "target" in entry:
        published = f"{entry['published']}:" if entry.get("published") else ""
        return f"{published}{entry['target']}/{entry.get('protocol', 'tcp')}"
    raise wrong_type(where, "ports", "items like '8080:80'", entry)


def _volume(entry: object, where: str, declared: Sequence[str]) -> str:
    """A volume entry as short text, checking that a named volume is declared."""
    if isinstance(entry, str):
        source = entry.split(":", 1)[0] if ":" in entry else None
        text = entry
    elif isinstance(entry, dict) and "target" in entry:
        source = entry.get("source") if entry.get("type", "volume") == "volume" else None
        text = f"{source}:{entry['target']}" if source else str(entry["target"])
    else:
        raise wrong_type(where, "volumes", "items like 'data:/var/lib/data'", entry)
    if source and not source.startswith(("/", ".", "~", "$")) and source not in declared:
        raise RecipeError(
            f"{where} uses volume '{source}', which is not declared under the top-level "
            "`volumes:`.",
            f"Declare it at the end of the file:\nvolumes:\n  {source}:",
        )
    return text


def _depends_on(spec: Mapping[str, Any], where: str) -> dict[str, str]:
    """``depends_on`` in list or mapping form, as ``{service: condition}``."""
    value = spec.get("depends_on")
    if not isinstance(value, dict):
        return {str(name): "service_started" for name in _entries(spec, "depends_on", where, False)}
    result = {}
    for name, options in value.items():
        options = options or {}
        if not isinstance(options, dict):
            raise wrong_type(where, f"depends_on.{name}", "a mapping", options)
        condition = options.get("condition", "service_started")
        if condition not in CONDITIONS:
            raise RecipeError(
                f"{where}: depends_on '{name}' has condition {condition!r}.",
                f"Use one of {', '.join(CONDITIONS)}.",
            )
        result[str(name)] = condition
    return result


def _image(spec: Mapping[str, Any], where: str) -> str:
    """The service's image, or ``build <context>`` when it is built."""
    if isinstance(spec.get("image"), str):
        return spec["image"]
    build = spec.get("build")
    if isinstance(build, dict):
        build = build.get("context", ".")
    if isinstance(build, str):
        return f"build {build}"
    if "image" in spec:
        raise wrong_type(where, "image", "a string", spec["image"])
    raise RecipeError(
        f"{where} has neither `image` nor `build`.",
        "Give it an image (`image: nginx:1.22`) or a build folder (`build: ./web`).",
    )


def parse_service(
    name: str, spec: object, networks: Sequence[str], volumes: Sequence[str]
) -> Service:
    """One checked `Service`."""
    where = f"service '{name}'"
    if not isinstance(spec, dict):
        raise RecipeError(
            f"{where} must be a mapping (image, ports, ...), got {describe(spec)}.",
            "Indent the service's settings under its name.",
        )
    joined = tuple(str(n) for n in _entries(spec, "networks", where, True)) or ("default",)
    for network in joined:
        if network not in (*networks, "default"):
            raise RecipeError(
                f"{where} joins network '{network}', which is not declared under the top-level "
                "`networks:`.",
                f"Declare it at the end of the file:\nnetworks:\n  {network}:",
            )
    return Service(
        name=name,
        image=_image(spec, where),
        ports=tuple(_port(p, where) for p in _entries(spec, "ports", where, False)),
        networks=joined,
        volumes=tuple(_volume(v, where, volumes) for v in _entries(spec, "volumes", where, False)),
        depends_on=_depends_on(spec, where),
    )
