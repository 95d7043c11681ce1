"""What the Kubernetes dashboards read the cluster through: lists and bounded watches of the API.

The real reader, `KubeApi`, lists and watches objects with the ``kubernetes`` client and returns
them as the API sends them (the JSON ``kubectl get -o json`` prints), so the dashboards' logic
is tested on recorded JSON through a fake reader. It runs the few commands that have no such
reading (``auth can-i``, ``exec``, ``scale``) with the course's kubectl. Every API error that
means "no cluster here" becomes `ClusterUnavailable` in one place, `cluster_errors`.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import ipywidgets as w
import urllib3
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes import watch as k8s_watch
from kubernetes.client.rest import ApiException

from .._errors import LabkitError
from .._lesson import kubectl as _kubectl
from .._lesson.kubectl import NO_CLUSTER_FIX, ClusterUnavailable
from .._lesson.sh import Result
from ._dashboard import Dashboard

__all__ = [
    "K8sDashboard",
    "KubeApi",
    "KubeReader",
    "Source",
    "Stream",
    "cluster_errors",
    "items",
    "kubeconfig",
]

REQUEST_TIMEOUT = (5.0, 30.0)  # seconds to connect, seconds a read may stay silent
HTTP_GONE = 410  # a watch's resourceVersion is too old: list again


@dataclass(frozen=True)
class Source:
    """One list a dashboard reads and follows: a kind, where, and which objects.

    Args:
        kind: the plural resource (``"pods"``, ``"nodes"``, ``"resourcequotas"``, ``"events"``,
            ``"deployments"``).
        namespace: one namespace; every namespace (or a cluster-scoped kind) when ``None``.
        selector: a label selector (``"app=web"``).
        fields: a field selector (``"metadata.name=web"``).
    """

    kind: str
    namespace: str | None = None
    selector: str = ""
    fields: str = ""

    def __str__(self) -> str:
        """The equivalent kubectl arguments, e.g. ``"pods -n demo -l app=web"``."""
        where = f" -n {self.namespace}" if self.namespace else ""
        where += " -A" if self.namespace is None and self.kind in _NAMESPACED else ""
        which = f" -l {self.selector}" if self.selector else ""
        which += f" --field-selector {self.fields}" if self.fields else ""
        return f"{self.kind}{where}{which}"


class Stream(Protocol):
    """A watch that is running: iterate its events; `stop` ends it from another thread."""

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        """``{"type": "ADDED", "object": {...}}``; also MODIFIED, DELETED, BOOKMARK, ERROR."""
        ...

    def stop(self) -> None:
        """End the watch at once, even while it waits for an event."""
        ...


class KubeReader(Protocol):
    """How the dashboards read the cluster (a fake one in tests)."""

    def list(self, source: Source) -> Mapping[str, Any]:
        """The objects of ``source``: a List with ``items`` and ``metadata.resourceVersion``."""
        ...

    def watch(self, source: Source, resource_version: str, timeout: float) -> Stream:
        """The changes to ``source`` after ``resource_version``, for at most ``timeout`` s."""
        ...

    def get(
        self, kind: str, name: str = "", namespace: str | None = None, selector: str = ""
    ) -> Any:
        """``kubectl get KIND [NAME] -o json [-n NS] [-l SELECTOR]``, parsed."""
        ...

    def run(self, args: str, timeout: float = 60) -> Result:
        """``kubectl ARGS``, bounded, its exit code not checked."""
        ...


# plural → (API group class, the resource as the client's method names spell it)
_RESOURCES: dict[str, tuple[Callable[[k8s.ApiClient], Any], str]] = {
    "pods": (k8s.CoreV1Api, "pod"),
    "nodes": (k8s.CoreV1Api, "node"),
    "resourcequotas": (k8s.CoreV1Api, "resource_quota"),
    "events": (k8s.CoreV1Api, "event"),
    "deployments": (k8s.AppsV1Api, "deployment"),
}
_NAMESPACED = {"pods", "resourcequotas", "events", "deployments"}


def kubeconfig() -> str:
    """The kube config kubectl reads: ``$KUBECONFIG`` (one or more files), else ``~/.kube/config``.

    ``labkit up`` (``kind export kubeconfig``) writes the course cluster's context there and
    makes it the current one; the client uses that context, as the course's kubectl does.
    """
    return os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")


def _unavailable(detail: str) -> ClusterUnavailable:
    return ClusterUnavailable(
        f"The course's Kubernetes cluster does not answer ({detail}).", NO_CLUSTER_FIX
    )


@contextmanager
def cluster_errors(what: str) -> Iterator[None]:
    """Turn what the ``kubernetes`` client raises into labkit errors (the one place that does).

    No kube config, a refused or silent connection: `ClusterUnavailable`. A refusal by the API
    server (403, 404...): a `LabkitError` with its status and message.

    Args:
        what: what was asked, for the message (``"list pods -n demo"``).
    """
    try:
        yield
    except k8s_config.ConfigException as err:
        raise _unavailable(f"no usable kube config at {kubeconfig()}: {err}") from None
    except ApiException as err:
        if err.status == 0 or err.status is None:
            raise _unavailable(str(err.reason)) from None
        message = err.reason
        try:
            message = json.loads(err.body or "{}").get("message") or message
        except (ValueError, AttributeError):
            pass
        raise LabkitError(
            f"The API server refused `{what}`: {err.status} {message}",
            f"Check it with `kubectl {what}`, then press Refresh.",
        ) from None
    except (urllib3.exceptions.HTTPError, OSError) as err:
        raise _unavailable(f"{type(err).__name__}: {err}") from None


class _RawWatch(k8s_watch.Watch):
    """The client's `Watch` without its models: each event's object stays the JSON as sent.

    (The models validate strictly: one field they do not expect would end the watch.)
    """

    def get_return_type(self, func: Callable[..., Any]) -> None:
        """No model to turn objects into."""
        return None


class _ApiStream:
    """A bounded watch of one `Source` through the ``kubernetes`` client's `Watch`."""

    def __init__(self, call: Callable[..., Any], args: dict[str, Any], what: str) -> None:
        self._call, self._args, self._what = call, args, what
        self._watch = _RawWatch()

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        with cluster_errors(self._what):
            try:
                for event in self._watch.stream(self._call, **self._args):
                    if event is not None:  # None: a line that is not JSON
                        yield {"type": event["type"], "object": event["raw_object"]}
            except ApiException as err:
                if err.status != HTTP_GONE:
                    raise
                yield {"type": "ERROR", "object": {"kind": "Status", "code": HTTP_GONE}}

    def stop(self) -> None:
        self._watch.stop()


class KubeApi:
    """The real reader: the Kubernetes API through the current context of the kube config."""

    def __init__(self) -> None:
        """No connection yet: the first call loads the kube config."""
        self._client: k8s.ApiClient | None = None
        self._loaded: tuple[str, tuple[float, ...]] | None = None

    def _api(self) -> k8s.ApiClient:
        """An API client for the kube config as it is now (re-read when the file changed)."""
        files = kubeconfig()
        stamp = tuple(
            Path(f).expanduser().stat().st_mtime if Path(f).expanduser().exists() else 0.0
            for f in files.split(os.pathsep)
        )
        if self._client is None or self._loaded != (files, stamp):
            self._client = k8s_config.new_client_from_config(
                config_file=files, persist_config=False
            )
            self._loaded = (files, stamp)
        return self._client

    def _method(self, source: Source, verb: str) -> tuple[Callable[..., Any], dict[str, Any]]:
        """The client method that lists ``source``, and its arguments."""
        if source.kind not in _RESOURCES:
            raise LabkitError(
                f"labkit's dashboards do not read {source.kind!r}.",
                f"Use one of {', '.join(sorted(_RESOURCES))}.",
            )
        group, resource = _RESOURCES[source.kind]
        api = group(self._api())
        args: dict[str, Any] = {}
        if source.kind not in _NAMESPACED:
            call = getattr(api, f"{verb}_{resource}")
        elif source.namespace is None:
            call = getattr(api, f"{verb}_{resource}_for_all_namespaces")
        else:
            call = getattr(api, f"{verb}_namespaced_{resource}")
            args["namespace"] = source.namespace
        if source.selector:
            args["label_selector"] = source.selector
        if source.fields:
            args["field_selector"] = source.fields
        return call, args

    def list(self, source: Source) -> Mapping[str, Any]:
        """``GET`` the list (bounded), as the API sent it.

        Raises:
            ClusterUnavailable: no cluster answers.
            LabkitError: the API server refused.
        """
        with cluster_errors(f"get {source}"):
            call, args = self._method(source, "list")
            response = call(**args, _preload_content=False, _request_timeout=REQUEST_TIMEOUT)
            return json.loads(response.data)

    def watch(self, source: Source, resource_version: str, timeout: float) -> Stream:
        """A watch from ``resource_version`` that the API server ends after ``timeout`` s.

        A silent connection ends it too, a few seconds later. An expired ``resource_version``
        is one ``ERROR`` event with code 410 (list again).
        """
        with cluster_errors(f"get {source} --watch"):
            call, args = self._method(source, "list")
        seconds = max(1, int(timeout))
        args |= {
            "resource_version": resource_version,
            "timeout_seconds": seconds,
            "allow_watch_bookmarks": True,
            "_request_timeout": (REQUEST_TIMEOUT[0], seconds + 10),
        }
        return _ApiStream(call, args, f"get {source} --watch")

    def get(
        self, kind: str, name: str = "", namespace: str | None = None, selector: str = ""
    ) -> Any:
        """``kubectl get ... -o json``, parsed; a failure raises a `LabkitError`."""
        return _kubectl.get(kind, name, namespace, selector)

    def run(self, args: str, timeout: float = 60) -> Result:
        """``kubectl ARGS`` (not checked); `ClusterUnavailable` when it failed for want of one.

        A command that failed is followed by one bounded question to the API server
        (``/version``): whether the cluster answers decides between the two.
        """
        result = _kubectl.kubectl(args, timeout=timeout, check=False)
        if not result.ok:
            try:
                with cluster_errors("version"):
                    k8s.VersionApi(self._api()).get_code(
                        _preload_content=False, _request_timeout=REQUEST_TIMEOUT
                    )
            except ClusterUnavailable:
                raise
            except LabkitError:
                pass  # the API server answers, if only to refuse: the failure is the command's
        return result


KUBE_API = KubeApi()


def items(data: Any) -> list[Mapping[str, Any]]:
    """The ``items`` of a kubectl or API list (``[]`` for anything else)."""
    found = data.get("items") if isinstance(data, Mapping) else None
    return [item for item in found or () if isinstance(item, Mapping)]


class K8sDashboard(Dashboard):
    """A `Dashboard` that reads the cluster through a `KubeReader`, never the Docker engine."""

    def __init__(self, controls: Sequence[w.Widget], reader: KubeReader | None) -> None:
        """Keep the reader (`KUBE_API` by default), then lay out the dashboard."""
        self._reader = reader
        super().__init__(controls, None)

    @property
    def reader(self) -> KubeReader:
        """The injected reader, or the real one."""
        return self._reader if self._reader is not None else KUBE_API

    def _run(self, load: Callable[[], None]) -> None:
        """Like `Dashboard._run`; an answer that cannot be read is shown as an error too."""
        super()._run(lambda: unexpected_as_error(load))


def unexpected_as_error(load: Callable[[], None]) -> None:
    """Run ``load``; an answer it cannot read (bad JSON, a missing key) is a `LabkitError`."""
    try:
        load()
    except (ValueError, KeyError, TypeError, AttributeError, subprocess.SubprocessError) as err:
        raise LabkitError(
            f"The cluster answered something unexpected: {err}",
            "Check the cluster with `kubectl get nodes`, then press Refresh.",
        ) from err
