"""What the Kubernetes dashboards read the cluster through: a small injectable kubectl reader."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import ipywidgets as w

from .._errors import CommandFailed, LabkitError
from .._lesson import kubectl as _kubectl
from .._lesson.sh import Result
from ._dashboard import Dashboard

__all__ = ["KUBECTL", "K8sDashboard", "KubeReader", "Kubectl", "get_all", "items"]


class KubeReader(Protocol):
    """The two kubectl calls the dashboards make (a fake one in tests)."""

    def get(
        self, kind: str, name: str = "", namespace: str | None = None, selector: str = ""
    ) -> Any:
        """``kubectl get KIND [NAME] -o json [-n NS] [-l SELECTOR]``, parsed."""
        ...

    def run(self, args: str, timeout: float = 60) -> Result:
        """``kubectl ARGS``, bounded, its exit code not checked."""
        ...


class Kubectl:
    """The real reader: `labkit._k8s.kubectl`, with a cluster that does not answer raised."""

    def get(
        self, kind: str, name: str = "", namespace: str | None = None, selector: str = ""
    ) -> Any:
        """``kubectl get ... -o json``, parsed; a failure raises a `LabkitError`."""
        return _kubectl.get(kind, name, namespace, selector)

    def run(self, args: str, timeout: float = 60) -> Result:
        """``kubectl ARGS`` (not checked); `ClusterUnavailable` when no cluster answers."""
        result = _kubectl.kubectl(args, timeout=timeout, check=False)
        if not result.ok and _kubectl._unreachable(result.output):
            raise _kubectl.ClusterUnavailable(
                "The course's Kubernetes cluster does not answer.", _kubectl.NO_CLUSTER_FIX
            )
        return result


KUBECTL = Kubectl()


def items(data: Any) -> list[Mapping[str, Any]]:
    """The ``items`` of a kubectl list (``[]`` for anything else)."""
    found = data.get("items") if isinstance(data, Mapping) else None
    return [item for item in found or () if isinstance(item, Mapping)]


def get_all(reader: KubeReader, kind: str, selector: str = "") -> list[Mapping[str, Any]]:
    """The objects of ``kind`` in every namespace (``kubectl get KIND -A -o json``).

    Raises:
        CommandFailed: when kubectl exits with a non-zero code.
    """
    args = f"get {kind} -A -o json" + (f" -l {shlex.quote(selector)}" if selector else "")
    result = reader.run(args)
    if not result.ok:
        raise CommandFailed(f"kubectl {args}", result.code, result.output)
    return items(json.loads(result.output))


class K8sDashboard(Dashboard):
    """A `Dashboard` that reads the cluster through a `KubeReader`, never the Docker engine."""

    def __init__(self, controls: Sequence[w.Widget], reader: KubeReader | None) -> None:
        """Keep the reader (`KUBECTL` by default), then lay out the dashboard."""
        self._reader = reader
        super().__init__(controls, None)

    @property
    def reader(self) -> KubeReader:
        """The injected reader, or the real kubectl one."""
        return self._reader if self._reader is not None else KUBECTL

    def _run(self, load: Callable[[], None]) -> None:
        """Like `Dashboard._run`; kubectl output that cannot be read is shown as an error too."""

        def guarded() -> None:
            try:
                load()
            except (ValueError, KeyError, TypeError, subprocess.SubprocessError) as err:
                raise LabkitError(
                    f"kubectl answered something unexpected: {err}",
                    "Check the cluster with `kubectl get nodes`, then press Refresh.",
                ) from err

        super()._run(guarded)
