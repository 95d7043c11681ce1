"""The RBAC dashboard: who can do what, each cell a real ``kubectl auth can-i --as`` answer."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from ._html import plural
from ._k8s_html import Mark, mark_grid
from ._k8s_reader import K8sDashboard, KubeReader

__all__ = ["WhoCan", "can_i_args", "can_i_mark"]


def can_i_args(subject: str, verb: str, resource: str, namespace: str | None = None) -> str:
    """The kubectl arguments asking whether ``subject`` may ``verb`` ``resource``."""
    args = f"auth can-i {shlex.quote(verb)} {shlex.quote(resource)} --as {shlex.quote(subject)}"
    return args + (f" -n {shlex.quote(namespace)}" if namespace else "")


def can_i_mark(code: int, output: str) -> Mark:
    """Read a ``kubectl auth can-i`` answer (warnings around it are ignored).

    Args:
        code: its exit code.
        output: its merged output.

    Returns:
        ``Mark(True)`` for exit 0 and "yes", ``Mark(False)`` for exit 1 and "no" (with the
        reason when kubectl gives one), ``Mark(None)`` with the output for anything else.
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if code == 0 and "yes" in lines:
        return Mark(True, "yes")
    denied = [line for line in lines if line == "no" or line.startswith("no - ")]
    if code == 1 and denied:
        return Mark(False, denied[-1])
    return Mark(None, output.strip() or f"exit code {code}")


class WhoCan(K8sDashboard):
    """An RBAC grid: one row per subject, one column per verb and resource, ✓ or ✗.

    Each cell is the API server's own answer (a SubjectAccessReview through
    ``kubectl auth can-i VERB RESOURCE --as SUBJECT``); hover a cell for the reason.

    Args:
        subjects: users or ServiceAccounts, e.g. ``"system:serviceaccount:rbac-demo:ns-reader"``.
        verbs: e.g. ``["get", "list", "delete"]``.
        resources: e.g. ``["pods", "secrets"]``; each verb is checked on each resource.
        namespace: where to ask; the context's namespace when ``None``.
        reader: what to read the cluster through; kubectl by default.
    """

    def __init__(
        self,
        subjects: Sequence[str],
        verbs: Sequence[str],
        resources: Sequence[str],
        namespace: str | None = None,
        reader: KubeReader | None = None,
    ) -> None:
        """Ask the API server every question once."""
        self.subjects = list(subjects)
        self.checks = [(verb, resource) for resource in resources for verb in verbs]
        self.namespace = namespace
        super().__init__([], reader)
        self.marks: dict[tuple[str, str], Mark] = {}
        self.refresh()

    @property
    def columns(self) -> list[str]:
        """The column labels, ``"get pods"``..."""
        return [f"{verb} {resource}" for verb, resource in self.checks]

    def _load(self) -> None:
        marks = {}
        for subject in self.subjects:
            for verb, resource in self.checks:
                args = can_i_args(subject, verb, resource, self.namespace)
                result = self.reader.run(args, timeout=15)
                marks[subject, f"{verb} {resource}"] = can_i_mark(result.code, result.output)
        self.marks = marks

    def results(self) -> dict[tuple[str, str], bool | None]:
        """``{(subject, "verb resource"): True/False}``, ``None`` where kubectl gave no answer."""
        return {key: mark.ok for key, mark in self.marks.items()}

    def _body(self) -> str:
        return mark_grid(self.subjects, self.columns, self.marks, "Nothing to check.")

    def summary(self) -> str:
        """``"2 subjects × 3 checks in rbac-demo: 4 allowed, 2 denied"`` (``", 1 error"``)."""
        oks = [mark.ok for mark in self.marks.values()]
        where = f" in {self.namespace}" if self.namespace else ""
        line = (
            f"{plural(len(self.subjects), 'subject')} × {plural(len(self.checks), 'check')}"
            f"{where}: {oks.count(True)} allowed, {oks.count(False)} denied"
        )
        errors = oks.count(None)
        return line + (f", {plural(errors, 'error')}" if errors else "")
