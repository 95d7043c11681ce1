"""Tidy the progress output of docker and docker compose into a stable, readable summary.

``docker pull``/``push`` and ``docker compose`` print one progress line per event, in an order
that depends on timing. A notebook keeps the last state of each layer or object, in a stable
order, which is what a learner reads in a terminal once the command has finished anyway.
"""

from __future__ import annotations

import re

_LAYER = re.compile(
    r"^(?P<id>[0-9a-f]{12}): (?P<state>Pulling fs layer|Waiting|Downloading.*|Verifying Checksum"
    r"|Download complete|Extracting.*|Pull complete|Already exists|Preparing|Pushing.*|Pushed"
    r"|Layer already exists|Mounted from .*)$"
)
_COMPOSE = re.compile(
    r"^\s*(?P<kind>Network|Volume|Container|Image)\s+(?P<name>\"?[\w./:-]+\"?)\s+(?P<state>.+?)\s*$"
)
_KIND_ORDER = {"Image": 0, "Network": 1, "Volume": 2, "Container": 3}
_SPINNER = re.compile(r"^\s*\[\+\] \w+.*$")
# `kubectl rollout status` prints one line per change it sees while it waits.
_ROLLOUT_WAIT = re.compile(
    r"^Waiting for (deployment|daemon set|partitioned roll out|statefulset|rollout) "
)
# `docker compose rm` names the containers it will remove in the order it found them.
_GOING_TO_REMOVE = re.compile(r"^(?P<head>Going to remove) (?P<names>.+)$")


def last_segment(line: str) -> str:
    """What a terminal shows of a line redrawn with carriage returns: its last segment."""
    return line.rstrip("\r").split("\r")[-1]


def tidy(output: str) -> str:
    """Collapse per-layer and per-object progress lines to their final state.

    The waiting lines of ``kubectl rollout status`` are dropped: its last line says how it
    ended.
    The container names of compose's ``Going to remove a, b`` line are sorted too.
    """
    lines = [last_segment(line) for line in output.splitlines()]
    kept: list[str | tuple[str, str]] = []
    layers: dict[str, str] = {}
    objects: dict[tuple[int, str, str], str] = {}
    for line in lines:
        if _SPINNER.match(line) or _ROLLOUT_WAIT.match(line):
            continue
        going = _GOING_TO_REMOVE.match(line)
        if going:
            names = ", ".join(sorted(going["names"].split(", ")))
            kept.append(f"{going['head']} {names}")
            continue
        layer = _LAYER.match(line)
        if layer:
            if layer["id"] not in layers:
                kept.append(("layer", layer["id"]))
            layers[layer["id"]] = layer["state"]
            continue
        compose = _COMPOSE.match(line)
        if compose and not line.startswith(" " * 4):
            key = (_KIND_ORDER[compose["kind"]], compose["kind"], compose["name"])
            if not objects:
                kept.append(("compose", ""))
            objects[key] = compose["state"]
            continue
        kept.append(line)
    result = []
    for item in kept:
        if isinstance(item, str):
            result.append(item)
        elif item[0] == "layer":
            result.append(f"{item[1]}: {layers[item[1]]}")
        else:
            result.extend(
                f" {kind} {name}  {objects[(rank, kind, name)]}"
                for rank, kind, name in sorted(objects)
            )
    return "\n".join(result) + ("\n" if result else "")
