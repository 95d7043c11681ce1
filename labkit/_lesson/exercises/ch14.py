"""Chapter 14 exercises: a release of your own, a new value in the chart, a rollback."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shlex
from typing import Any

from ..kubectl import get, kubectl
from ..sh import sh
from . import Failed, exercise, require

NAMESPACE = "ex14"
RELEASE = "blog"
TITLE = "Exercise 14"
DEPLOYMENT = f"{RELEASE}-wordpress"  # the chart's name for a release without "wordpress"
_TITLE_TAG = re.compile(r"<title>(.*?)</title>", re.S)


def _helm_json(*args: str) -> Any:
    """``helm ARGS -n ex14 -o json``, parsed; ``None`` when helm fails (no such release)."""
    result = sh(
        shlex.join(["helm", *args, "--namespace", NAMESPACE, "-o", "json"]),
        timeout=60,
        check=False,
    )
    return json.loads(result.output) if result.ok else None


def _history() -> list[dict[str, Any]]:
    """The release's revisions, oldest first; `Failed` when there is no release."""
    history = _helm_json("history", RELEASE)
    if not history:
        raise Failed(f"there is no release {RELEASE} in namespace {NAMESPACE}.")
    return sorted(history, key=lambda entry: int(entry["revision"]))


def _deployed() -> dict[str, Any]:
    """The current revision, which must be deployed."""
    current = _history()[-1]
    if current["status"] != "deployed":
        raise Failed(
            f"revision {current['revision']} of {RELEASE} is {current['status']} "
            f"({current.get('description', '')})."
        )
    return current


def _release_record(revision: int) -> dict[str, Any]:
    """The release as Helm stored it: Secret data, base64, then gzip-compressed JSON."""
    name = f"sh.helm.release.v1.{RELEASE}.v{revision}"
    secret = get("secret", name, NAMESPACE)
    payload = base64.b64decode(base64.b64decode(secret["data"]["release"]))
    return json.loads(gzip.decompress(payload))


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def _memory_request() -> str | None:
    missing = f"release {RELEASE} has no Deployment {DEPLOYMENT}."
    container = _container(require("Deployment", DEPLOYMENT, NAMESPACE, missing=missing))
    return ((container.get("resources") or {}).get("requests") or {}).get("memory")


@exercise(
    "14.install",
    "Install a release blog of the wordpress chart in ex14, titled Exercise 14",
    "Use `helm install` with the release's name first, then the chart (from the `course` "
    "repository or the OCI registry), the namespace (it does not exist yet: one flag creates "
    "it), and one `--set` per value: the chart's values.yaml names the title's and the "
    "Service type's keys. Wait for it, with a bounded timeout.",
)
def install() -> str:
    """Release blog is deployed in ex14, its Service is a ClusterIP, its page has the title."""
    current = _deployed()
    if not current["chart"].startswith("wordpress-"):
        raise Failed(f"release {RELEASE} runs chart {current['chart']}, not wordpress.")
    values = _helm_json("get", "values", RELEASE, "--all") or {}
    if values.get("serviceType") != "ClusterIP":
        raise Failed(f"its serviceType is {values.get('serviceType')!r}, not 'ClusterIP'.")
    kubectl(
        f"rollout status deployment/{DEPLOYMENT} -n {NAMESPACE} --timeout=120s",
        timeout=150,
        check=False,
    )
    page = kubectl(
        f"exec -n {NAMESPACE} deployment/{DEPLOYMENT} -- "
        "curl -s --retry 5 --retry-all-errors --retry-delay 1 http://127.0.0.1/",
        timeout=60,
        check=False,
    )
    found = _TITLE_TAG.search(page.output)
    title = found[1].strip() if found else None
    if title != TITLE:
        raise Failed(f"its home page's title is {title!r}, not {TITLE!r}.")
    return f"release {RELEASE} (revision {current['revision']}) serves {TITLE!r} in {NAMESPACE}."


@exercise(
    "14.schema",
    "Add a value resources to the chart (schema and template), upgrade blog with 128Mi",
    "Work on your copy of the chart: a default for the new key in values.yaml, its type in "
    "values.schema.json (under `properties`), its use in the Deployment's container "
    "(`toYaml` and `nindent`, as other charts do), and a new version in Chart.yaml. Then "
    "upgrade the release from your chart's folder, keeping the values it already has, and "
    "set the memory request.",
)
def new_value() -> str:
    """Release blog runs chart 1.1.0, whose schema knows resources, asking 128Mi."""
    current = _deployed()
    if current["chart"] != "wordpress-1.1.0":
        raise Failed(f"release {RELEASE} runs chart {current['chart']}, not wordpress-1.1.0.")
    chart = _release_record(int(current["revision"]))["chart"]
    schema = json.loads(base64.b64decode(chart.get("schema") or "e30=") or b"{}")
    kind = ((schema.get("properties") or {}).get("resources") or {}).get("type")
    if kind != "object":
        raise Failed(f"the schema of chart 1.1.0 gives resources the type {kind!r}, not object.")
    memory = _memory_request()
    if memory != "128Mi":
        raise Failed(f"the WordPress container requests memory {memory!r}, not '128Mi'.")
    return (
        f"revision {current['revision']}: chart 1.1.0 checks resources, and WordPress "
        "requests 128Mi."
    )


@exercise(
    "14.rollback",
    "Roll blog back to its first revision",
    "`helm history` lists the revisions; one helm command takes the release back to a "
    "revision by its number (it makes a new revision).",
)
def rollback() -> str:
    """The newest revision of blog is a deployed rollback to 1, chart 1.0.0, no request."""
    history = _history()
    current = _deployed()
    if len(history) < 2 or current["description"] != "Rollback to 1":
        raise Failed(
            f"the newest revision, {current['revision']}, is {current['description']!r}, "
            "not a rollback to revision 1."
        )
    if current["chart"] != "wordpress-1.0.0":
        raise Failed(f"it runs chart {current['chart']}, not wordpress-1.0.0.")
    memory = _memory_request()
    if memory is not None:
        raise Failed(f"its WordPress container still requests memory {memory!r}.")
    return f"revision {current['revision']} brought back revision 1: chart 1.0.0, no request."
