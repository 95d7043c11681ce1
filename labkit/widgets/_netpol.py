"""The NetworkPolicy dashboard: which Pod reaches which target, each cell a real bounded probe."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import CommandFailed, TimeoutExpired
from ._html import plural
from ._k8s_html import Mark, mark_grid
from ._k8s_reader import K8sDashboard, KubeReader

__all__ = [
    "PROBE_COMMAND",
    "ReachabilityMatrix",
    "probe_args",
    "probe_mark",
    "split_ref",
    "target_url",
]

PROBE_COMMAND = "wget -q -T 2 -O /dev/null {url}"
_EXIT = "command terminated with exit code"


def split_ref(ref: str) -> tuple[str, str]:
    """``"demo/web"`` → ``("demo", "web")``.

    Raises:
        ValueError: when ``ref`` is not ``namespace/name``.
    """
    namespace, _, name = ref.partition("/")
    if not namespace or not name or "/" in name:
        raise ValueError(f"expected namespace/name, got {ref!r}")
    return namespace, name


def target_url(target: str, pod: Mapping[str, Any] | None = None) -> str:
    """The URL a probe fetches: ``target`` itself, or ``http://POD_IP:PORT/`` for a Pod.

    Args:
        target: a URL (``"http://web.demo"``) or a Pod as ``namespace/name[:port]``.
        pod: the Pod object when ``target`` names one (its ``status.podIP`` is used).
    """
    if pod is None:
        return target
    port = target.rpartition(":")[2] if ":" in target else "80"
    ip = (pod.get("status") or {}).get("podIP")
    if not ip:
        raise ValueError(f"Pod {target} has no IP yet")
    return f"http://{ip}:{port}/"


def _is_pod(target: str) -> bool:
    return "://" not in target and target.count("/") == 1


def probe_args(source: str, url: str, command: str = PROBE_COMMAND) -> str:
    """``exec -n NS POD -- wget -q -T 2 -O /dev/null URL`` for a source ``namespace/name``."""
    namespace, pod = split_ref(source)
    return f"exec -n {shlex.quote(namespace)} {shlex.quote(pod)} -- " + command.format(
        url=shlex.quote(url)
    )


def probe_mark(code: int, output: str) -> Mark:
    """Read a probe's answer: exit 0 is reachable, the probe failing in the Pod is blocked.

    Args:
        code: kubectl's exit code (the probe's own, when it ran).
        output: kubectl's merged output.

    Returns:
        ``Mark(True)``, ``Mark(False, why)`` when the command ran in the Pod and failed
        (timed out, refused...), ``Mark(None, output)`` when kubectl could not run it at all
        (no such Pod, no such container...).
    """
    if code == 0:
        return Mark(True, "reachable")
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if any(line.startswith(_EXIT) for line in lines) or any("wget:" in line for line in lines):
        why = [line for line in lines if not line.startswith(_EXIT)]
        return Mark(False, "timed out" if "timed out" in output else (why or [_EXIT])[-1])
    return Mark(None, output.strip() or f"exit code {code}")


class ReachabilityMatrix(K8sDashboard):
    """A NetworkPolicy matrix: one row per source Pod, one column per target, ✓ or ✗.

    Each cell runs the probe command in the source Pod (``kubectl exec``), one after the
    other, each bounded by ``timeout`` seconds; a probe still waiting then counts as blocked.

    Args:
        sources: Pods as ``namespace/name``; their image needs ``wget`` (busybox has it).
        targets: URLs (``"http://web.demo"``) or Pods as ``namespace/name[:port]`` (port 80
            by default), probed at their IP.
        command: the probe, with ``{url}`` where the URL goes.
        timeout: seconds each probe may take.
        reader: what to read the cluster through; kubectl by default.
    """

    def __init__(
        self,
        sources: Sequence[str],
        targets: Sequence[str],
        command: str = PROBE_COMMAND,
        timeout: float = 5.0,
        reader: KubeReader | None = None,
    ) -> None:
        """Check the sources, then run every probe once."""
        for source in sources:
            split_ref(source)
        self.sources, self.targets = list(sources), list(targets)
        self.command, self.timeout = command, timeout
        super().__init__([], reader)
        self.marks: dict[tuple[str, str], Mark] = {}
        self.refresh()

    def _url(self, target: str) -> str | Mark:
        """The target's URL, or an error `Mark` when its Pod cannot be read."""
        if not _is_pod(target):
            return target
        namespace, name = split_ref(target.partition(":")[0])
        try:
            return target_url(target, self.reader.get("pod", name, namespace))
        except (CommandFailed, ValueError) as err:
            return Mark(None, str(err))

    def _probe(self, source: str, url: str) -> Mark:
        try:
            result = self.reader.run(probe_args(source, url, self.command), timeout=self.timeout)
        except TimeoutExpired:
            return Mark(False, f"timed out: no answer within {self.timeout:g} s")
        return probe_mark(result.code, result.output)

    def _load(self) -> None:
        marks = {}
        for target in self.targets:
            url = self._url(target)
            for source in self.sources:
                marks[source, target] = url if isinstance(url, Mark) else self._probe(source, url)
        self.marks = marks

    def results(self) -> dict[tuple[str, str], bool | None]:
        """``{(source, target): True/False}``; ``None`` where the probe could not run."""
        return {
            (source, target): self.marks[source, target].ok
            for source in self.sources
            for target in self.targets
            if (source, target) in self.marks
        }

    def _body(self) -> str:
        return mark_grid(self.sources, self.targets, self.marks, "Nothing to probe.")

    def summary(self) -> str:
        """``"2 sources × 3 targets: 4 reachable, 2 blocked"`` (``", 1 error"``)."""
        oks = [mark.ok for mark in self.marks.values()]
        line = (
            f"{plural(len(self.sources), 'source')} × {plural(len(self.targets), 'target')}: "
            f"{oks.count(True)} reachable, {oks.count(False)} blocked"
        )
        errors = oks.count(None)
        return line + (f", {plural(errors, 'error')}" if errors else "")
