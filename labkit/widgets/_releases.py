"""The release dashboard: a Helm release's revisions, and what changed in its values.

The model reads what ``helm history RELEASE -o json`` and ``helm get values RELEASE
--revision N -o json`` print: `revisions` turns the first into `Revision` rows, `flatten`
and `values_diff` compare two revisions' values key by key (``ingress.hosts[0].name``), and
`ReleaseLog` holds both for one release. `ReleaseHistory` is the widget on top: the table of
revisions, two revision pickers, and the differences between them.
"""

from __future__ import annotations

import html
import json
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import ipywidgets as w

from .._errors import CommandFailed, LabkitError
from .._lesson.sh import Result, sh
from ._dashboard import Dashboard
from ._html import plural, table

__all__ = [
    "Change",
    "Helm",
    "HelmReader",
    "ReleaseHistory",
    "ReleaseLog",
    "Revision",
    "flatten",
    "read_release",
    "revisions",
    "values_diff",
]

_CHART = re.compile(r"^(?P<name>.+?)-(?P<version>v?\d+\.\d+\.\d+\S*)$")  # "wordpress-1.0.0"


@dataclass(frozen=True)
class Revision:
    """One revision of a release, as ``helm history`` lists it."""

    revision: int
    updated: str
    status: str
    chart: str
    app_version: str
    description: str
    rollback_to: int | None = None  # the revision a rollback brought back

    @property
    def chart_name(self) -> str:
        """The chart's name: ``"wordpress"`` for ``"wordpress-1.0.0"``."""
        found = _CHART.match(self.chart)
        return found["name"] if found else self.chart

    @property
    def chart_version(self) -> str:
        """The chart's version: ``"1.0.0"`` for ``"wordpress-1.0.0"`` (``""`` if none)."""
        found = _CHART.match(self.chart)
        return found["version"] if found else ""


def revisions(history: Iterable[Mapping[str, Any]]) -> list[Revision]:
    """The revisions listed by ``helm history -o json``, oldest first.

    Args:
        history: the parsed JSON, a list of objects with ``revision``, ``updated``,
            ``status``, ``chart``, ``app_version``, ``description`` and, for a rollback,
            ``rollback_revision`` (Helm 4).

    Returns:
        One `Revision` per entry, sorted by revision number.
    """
    rows = [
        Revision(
            revision=int(entry.get("revision") or 0),
            updated=str(entry.get("updated") or ""),
            status=str(entry.get("status") or "unknown"),
            chart=str(entry.get("chart") or ""),
            app_version=str(entry.get("app_version") or ""),
            description=" ".join(str(entry.get("description") or "").split()),
            rollback_to=int(entry["rollback_revision"]) if entry.get("rollback_revision") else None,
        )
        for entry in history
    ]
    return sorted(rows, key=lambda row: row.revision)


def flatten(values: Any, prefix: str = "") -> dict[str, Any]:
    """Values as one level of keys, the way ``--set`` names them.

    ``{"ingress": {"hosts": [{"name": "a"}]}}`` gives ``{"ingress.hosts[0].name": "a"}``.
    An empty map or list is kept as a value of its own (``{}`` or ``[]``), so that setting
    one shows as a change.

    Args:
        values: parsed values (``helm get values -o json``); ``None`` stands for none.
        prefix: the key of ``values`` itself (used when recursing).

    Returns:
        A flat dict from dotted keys to scalar values.
    """
    if isinstance(values, Mapping) and values:
        flat: dict[str, Any] = {}
        for key, value in values.items():
            flat |= flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return flat
    if isinstance(values, list) and values:
        flat = {}
        for index, value in enumerate(values):
            flat |= flatten(value, f"{prefix}[{index}]")
        return flat
    if values is None and not prefix:
        return {}
    return {prefix: values}


_MISSING = object()


def _shown(value: Any) -> str:
    """A value as JSON would write it (strings quoted), for the diff's lines."""
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Change:
    """One key whose value differs between two revisions."""

    key: str
    before: Any = _MISSING
    after: Any = _MISSING

    @property
    def kind(self) -> str:
        """``"added"``, ``"removed"`` or ``"changed"``."""
        if self.before is _MISSING:
            return "added"
        if self.after is _MISSING:
            return "removed"
        return "changed"

    def __str__(self) -> str:
        """``+ key: value``, ``- key: value`` or ``~ key: before → after``."""
        if self.kind == "added":
            return f"+ {self.key}: {_shown(self.after)}"
        if self.kind == "removed":
            return f"- {self.key}: {_shown(self.before)}"
        return f"~ {self.key}: {_shown(self.before)} → {_shown(self.after)}"


def values_diff(before: Any, after: Any) -> list[Change]:
    """What changed from one revision's values to another's, key by key, sorted by key.

    Args:
        before: the older values (parsed ``helm get values -o json``; ``None`` for none).
        after: the newer values.

    Returns:
        One `Change` per key added, removed or given another value.
    """
    old, new = flatten(before), flatten(after)
    return [
        Change(key, old.get(key, _MISSING), new.get(key, _MISSING))
        for key in sorted(old.keys() | new.keys())
        if old.get(key, _MISSING) != new.get(key, _MISSING)
    ]


class HelmReader(Protocol):
    """How the dashboard runs helm (a fake one in tests)."""

    def run(self, args: Sequence[str], timeout: float = 60) -> Result:
        """``helm ARGS``, bounded, its exit code not checked."""
        ...


class Helm:
    """The real reader: the course's ``helm``, first on PATH."""

    def run(self, args: Sequence[str], timeout: float = 60) -> Result:
        """``helm ARGS`` (not checked)."""
        return sh(shlex.join(["helm", *args]), timeout=timeout, check=False)


HELM = Helm()


def _json(reader: HelmReader, args: Sequence[str]) -> Any:
    """Run helm and parse its JSON; a failed command raises `CommandFailed`."""
    result = reader.run(args)
    if not result.ok:
        raise CommandFailed(
            shlex.join(["helm", *args]),
            result.code,
            result.output,
            "Check the release's name and namespace: `helm list --all-namespaces`.",
        )
    return json.loads(result.output)


@dataclass
class ReleaseLog:
    """A release's revisions and each revision's values: what the dashboard shows.

    Args:
        release: the release's name.
        namespace: its namespace.
        revisions: its revisions, oldest first (`revisions`).
        values: the values given by the user (``helm get values``), by revision number.
    """

    release: str
    namespace: str
    revisions: list[Revision] = field(default_factory=list)
    values: dict[int, Any] = field(default_factory=dict)

    @property
    def numbers(self) -> list[int]:
        """The revision numbers, oldest first."""
        return [row.revision for row in self.revisions]

    @property
    def current(self) -> Revision | None:
        """The newest revision (``None`` before any was read)."""
        return self.revisions[-1] if self.revisions else None

    def revision(self, number: int) -> Revision:
        """Revision ``number``; `LabkitError` when the release has no such revision."""
        for row in self.revisions:
            if row.revision == number:
                return row
        raise LabkitError(
            f"Release {self.release} has no revision {number} (it has {self.numbers}).",
            f"`helm history {self.release} --namespace {self.namespace}` lists them.",
        )

    def diff(self, before: int, after: int) -> list[Change]:
        """The changes of values from revision ``before`` to revision ``after``."""
        self.revision(before)
        self.revision(after)
        return values_diff(self.values.get(before), self.values.get(after))

    def table(self) -> str:
        """The revisions as a plain-text table (dates left out: they change at every run)."""
        rows = [("REVISION", "STATUS", "CHART", "APP VERSION", "DESCRIPTION")]
        rows += [
            (str(r.revision), r.status, r.chart, r.app_version, r.description)
            for r in self.revisions
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
            + "  "
            + row[4]
            for row in rows
        )

    def diff_text(self, before: int, after: int) -> str:
        """The changes from ``before`` to ``after``, one per line, under a heading."""
        changes = self.diff(before, after)
        heading = f"values, revision {before} → {after}: "
        if not changes:
            return heading + "no change"
        return heading + plural(len(changes), "change") + "\n" + "\n".join(map(str, changes))

    def summary(self) -> str:
        """``"release web in demo: 3 revisions · revision 3 deployed (web-1.0.0, app 6.1)"``."""
        if self.current is None:
            return f"release {self.release} in {self.namespace}: no revision read"
        c = self.current
        return (
            f"release {self.release} in {self.namespace}: "
            f"{plural(len(self.revisions), 'revision')} · revision {c.revision} {c.status} "
            f"({c.chart}, app {c.app_version})"
        )


def read_release(release: str, namespace: str, reader: HelmReader | None = None) -> ReleaseLog:
    """Read a release's history and every revision's values with helm.

    Args:
        release: the release's name.
        namespace: its namespace.
        reader: how to run helm; the course's helm by default.

    Returns:
        The `ReleaseLog` of the release.

    Raises:
        CommandFailed: when helm fails (no such release, no cluster).

    Example:
        >>> read_release("wordpress-1", "wordpress").diff(1, 2)  # doctest: +SKIP
    """
    reader = reader or HELM
    where = ["--namespace", namespace, "-o", "json"]
    log = ReleaseLog(release, namespace, revisions(_json(reader, ["history", release, *where])))
    for number in log.numbers:
        args = ["get", "values", release, "--revision", str(number), *where]
        log.values[number] = _json(reader, args)
    return log


class ReleaseHistory(Dashboard):
    """A Helm release's revisions, and the differences of values between two of them.

    Args:
        release: the release's name.
        namespace: its namespace.
        reader: how to run helm; the course's helm by default (a fake one in tests).
    """

    def __init__(self, release: str, namespace: str, reader: HelmReader | None = None) -> None:
        """Build the two revision pickers and read the release once."""
        self.release = release
        self.namespace = namespace
        self._helm = reader
        self.before = w.Dropdown(description="from", options=[], layout=w.Layout(width="140px"))
        self.after = w.Dropdown(description="to", options=[], layout=w.Layout(width="140px"))
        super().__init__([self.before, self.after], None)
        self.log = ReleaseLog(release, namespace)
        for picker in (self.before, self.after):
            picker.observe(lambda _change: self._render(), "value")
        self.refresh()

    def _load(self) -> None:
        try:
            self.log = read_release(self.release, self.namespace, self._helm)
        except (ValueError, KeyError, TypeError) as err:
            raise LabkitError(
                f"helm answered something unexpected: {err}",
                "Run `helm history` in a terminal, then press Refresh.",
            ) from err
        numbers = self.log.numbers
        options = [(f"revision {n}", n) for n in numbers]
        for picker, default in ((self.before, -2), (self.after, -1)):
            kept = picker.value if picker.value in numbers else None
            picker.options = options
            if numbers:
                picker.value = kept if kept is not None else numbers[max(default, -len(numbers))]

    def _body(self) -> str:
        rows = [
            (
                (
                    str(r.revision),
                    r.updated[:19].replace("T", " "),
                    r.status,
                    r.chart,
                    r.app_version,
                    r.description,
                ),
                r.status == "superseded",
            )
            for r in self.log.revisions
        ]
        out = table(
            ("revision", "updated", "status", "chart", "app version", "description"),
            rows,
            f"Release {self.release} has no revision in {self.namespace}.",
        )
        if self.before.value is None or self.after.value is None:
            return out
        changes = self.log.diff(self.before.value, self.after.value)
        colours = {"added": "#166534", "removed": "#c62828", "changed": "#92400e"}
        lines = "".join(
            f'<div style="color:{colours[c.kind]}">{html.escape(str(c))}</div>' for c in changes
        )
        title = f"values, revision {self.before.value} → {self.after.value}"
        return (
            out
            + f"<p><b>{html.escape(title)}</b></p>"
            + (
                f'<div style="font-family:monospace">{lines}</div>'
                if changes
                else "<i>no change</i>"
            )
        )

    def summary(self) -> str:
        """The `ReleaseLog` summary line."""
        return self.log.summary()
