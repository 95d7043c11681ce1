"""Chapter 10 exercises: a ClusterRole bound to a ServiceAccount, and reading RBAC answers."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from ..kubectl import kubectl
from . import Failed, exercise, require

VIEWER = "system:serviceaccount:ex10:viewer"
COREDNS = "system:serviceaccount:kube-system:coredns"
VERBS = ("get", "list", "watch", "create", "update", "delete")


def can_i(subject: str, verb: str, resource: str) -> bool:
    """The API server's answer to ``kubectl auth can-i VERB RESOURCE --as SUBJECT``."""
    args = f"auth can-i {verb} {resource} --as={shlex.quote(subject)}"
    result = kubectl(args, check=False, timeout=30)
    if result.ok:
        return True
    if result.code == 1:
        return False
    raise Failed(f"`kubectl {args}` gave no answer: {result.output.strip()}")


@exercise(
    "10.viewer",
    "Let ServiceAccount ex10/viewer get and list namespaces, and nothing more",
    (
        "Three objects: the ServiceAccount, a ClusterRole with the two verbs on `namespaces`,"
        " and a ClusterRoleBinding from the role to the account — the chapter's `ns-reader` "
        "is a model (the help of `kubectl create clusterrole` shows a short form)."
    ),
)
def viewer() -> str:
    """SA ex10/viewer, ClusterRole and ClusterRoleBinding ex10-ns-viewer; get/list only."""
    require("namespace", "ex10", missing="there is no namespace ex10 yet.")
    require("ServiceAccount", "viewer", "ex10")
    require("ClusterRole", "ex10-ns-viewer")
    binding = require("ClusterRoleBinding", "ex10-ns-viewer")
    if binding["roleRef"].get("name") != "ex10-ns-viewer":
        raise Failed(
            f"ClusterRoleBinding ex10-ns-viewer refers to role {binding['roleRef'].get('name')!r},"
            " not ex10-ns-viewer."
        )
    subjects = binding.get("subjects") or []
    if not any(
        s.get("kind") == "ServiceAccount"
        and s.get("name") == "viewer"
        and s.get("namespace") == "ex10"
        for s in subjects
    ):
        raise Failed("ClusterRoleBinding ex10-ns-viewer does not name ServiceAccount ex10/viewer.")
    for verb in ("get", "list"):
        if not can_i(VIEWER, verb, "namespaces"):
            raise Failed(f"ex10/viewer may not {verb} namespaces yet.")
    for verb in ("delete", "create"):
        if can_i(VIEWER, verb, "namespaces"):
            raise Failed(f"ex10/viewer may {verb} namespaces: the role allows too much.")
    return "ex10/viewer may get and list namespaces, and may not create or delete them."


@exercise(
    "10.can-i",
    "Which verbs may kube-system/coredns use on services?",
    (
        "Ask the API server once per verb with `kubectl auth can-i` and `--as` (the chapter "
        "gives the ServiceAccount's full user name), or read the rules of CoreDNS's "
        "ClusterRole."
    ),
)
def coredns_verbs(answer: Sequence[str] | str = ()) -> str:
    """The answer must be the set of verbs the API server allows coredns on services."""
    given = {answer} if isinstance(answer, str) else set(answer)
    given = {str(verb).strip().lower() for verb in given if str(verb).strip()}
    if not given:
        raise Failed("the answer is empty.")
    allowed = {verb for verb in VERBS if can_i(COREDNS, verb, "services")}
    if given != allowed:
        extra, missing = sorted(given - allowed), sorted(allowed - given)
        seen = []
        if extra:
            seen.append(f"the server refuses {', '.join(extra)}")
        if missing:
            seen.append(f"some allowed verbs are missing ({len(missing)})")
        raise Failed(f"{sorted(given)} is not it: {'; '.join(seen)}.")
    return f"coredns may {' and '.join(sorted(allowed))} services, and nothing else."
