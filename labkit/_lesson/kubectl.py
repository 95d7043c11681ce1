"""kubectl from Python: bounded calls, safe server-side apply, waits, exec and port-forward."""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from .._errors import ClusterUnavailable, LabkitError, ManifestError, TimeoutExpired
from .._poll import NotYet, poll
from .sh import Result, sh

FIELD_MANAGER = "labkit"
SERVICE_LABEL = "kubernetes.io/service-name"  # the label tying an EndpointSlice to its Service
NO_CLUSTER_FIX = "Run `labkit up` (it creates the course's kind cluster), then re-run this cell."


def kubectl(args: str, *, input: str | None = None, timeout: float = 60, check: bool = True):
    """Run ``kubectl ARGS`` (bounded); a cluster that does not answer is one clear error."""
    result = sh(f"kubectl {args}", input=input, timeout=timeout, check=False)
    return _checked(result) if check else result


def _unreachable(output: str) -> bool:
    markers = (
        "connection refused",
        "no such host",
        "Unable to connect to the server",
        "current-context is not set",
        "context was not found",
    )
    return any(marker in output for marker in markers)


def get(kind: str, name: str = "", namespace: str | None = None, selector: str = "") -> Any:
    """The object (or list) as parsed JSON."""
    args = f"get {kind} {name} -o json"
    args += f" -n {namespace}" if namespace else ""
    args += f" -l {shlex.quote(selector)}" if selector else ""
    return json.loads(kubectl(args).output)


def documents(text: str, source: str = "manifest") -> list[dict]:
    """Parse YAML documents; a malformed one is a `ManifestError` naming document and line."""
    try:
        docs = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "an unknown line"
        number = text[: _offset(text, mark.line if mark else 0)].count("\n---") + 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ManifestError(
            f"{source}: document {number}, {where}: {problem}.",
            "Fix the YAML there (indentation, `key: value`, lists with `- `); nothing was applied.",
        ) from None
    for number, doc in enumerate(docs, 1):
        if not isinstance(doc, dict) or not {"apiVersion", "kind"} <= doc.keys():
            raise ManifestError(
                f"{source}: document {number} is not a Kubernetes object "
                "(it needs apiVersion, kind and metadata).",
                "Fix that document; nothing was applied.",
            )
    return docs


def _offset(text: str, line: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(row) for row in lines[:line])


def apply(
    manifest: str | Path,
    *,
    namespace: str | None = None,
    timeout: float = 120,
    validate: bool = True,
) -> str:
    """Server-side apply of YAML text or a file, all or nothing; re-applying is a no-op.

    The whole manifest is validated by the API server first (``--dry-run=server``). A dry run
    creates nothing, so the Namespaces and CustomResourceDefinitions the manifest itself
    defines are applied first; if the rest is then refused, the ones created here are
    deleted again, and nothing is left half-applied. ``validate=False`` applies at once
    (labkit's own add-ons: known good, applied again by the next `labkit up`; on a cluster
    just created every call takes seconds).
    """
    source = str(manifest) if isinstance(manifest, Path) else "manifest"
    text = manifest.read_text() if isinstance(manifest, Path) else manifest
    docs = documents(text, source)
    args = f"apply --server-side --force-conflicts --field-manager={FIELD_MANAGER} -f -"
    args += f" -n {namespace}" if namespace else ""
    if validate and _dry_run(args, text, timeout) is not None:
        created = _apply_foundations(docs, args, timeout)
        refusal = _dry_run(args, text, timeout)
        if refusal is not None:
            if created:
                _delete(created)
            raise ManifestError(
                f"The cluster refused {source}: {refusal}",
                "Fix the object named above; nothing was applied.",
            )
    return kubectl(args, input=text, timeout=timeout).output


def _dry_run(args: str, text: str, timeout: float) -> str | None:
    """None when the server would accept the manifest, else its refusal."""
    dry = kubectl(f"{args} --dry-run=server", input=text, timeout=timeout, check=False)
    return None if dry.ok else dry.output.strip()


def _apply_foundations(docs: list[dict], args: str, timeout: float) -> list[str]:
    """Apply the manifest's missing Namespaces and CRDs; return those created (kind/name).

    One `kubectl get` finds the missing ones and one `kubectl apply` creates them (an
    add-on's manifest defines a dozen: one call each took seconds).
    """
    wanted = {
        f"{doc['kind'].lower()}/{doc['metadata']['name']}": doc
        for doc in docs
        if doc["kind"] in ("Namespace", "CustomResourceDefinition")
    }
    if not wanted:
        return []
    found = kubectl(f"get {' '.join(wanted)} --ignore-not-found -o name", timeout=timeout)
    # `-o name` spells a CRD customresourcedefinition.apiextensions.k8s.io/NAME
    present = set()
    for line in found.output.split():
        kind, _, name = line.partition("/")
        present.add(f"{kind.split('.')[0]}/{name}")
    created = [ref for ref in wanted if ref not in present]
    if not created:
        return []
    try:
        kubectl(args, input=yaml.safe_dump_all(wanted[ref] for ref in created), timeout=timeout)
        crds = [ref for ref in created if ref.startswith("customresourcedefinition/")]
        if crds:
            kubectl(f"wait --for=condition=Established {' '.join(crds)} --timeout=60s", timeout=90)
    except LabkitError:
        _delete(created)  # some may have been made before the refusal
        raise
    return created


def _delete(refs: list[str]) -> None:
    """Delete (bounded, absent is fine) the objects ``refs`` (kind/name)."""
    kubectl(f"delete --ignore-not-found --timeout=60s {' '.join(refs)}", timeout=90, check=False)


def wait_rollout(kind_name: str, namespace: str, timeout: float = 180) -> Result:
    """Wait (bounded) until a Deployment/DaemonSet/StatefulSet has rolled out."""
    return _wait(f"rollout status {kind_name} -n {namespace} --timeout={int(timeout)}s", timeout)


def wait_for(what: str, condition: str, namespace: str | None = None, timeout: float = 180):
    """Bounded `kubectl wait`, e.g. ``wait_for("pods -l app=web", "condition=Ready")``."""
    ns = f" -n {namespace}" if namespace else ""
    return _wait(f"wait --for={condition} {what}{ns} --timeout={int(timeout)}s", timeout)


def _wait(args: str, timeout: float) -> Result:
    result = kubectl(args, timeout=timeout + 30, check=False)
    if result.ok:
        return result
    if "timed out" in result.output:
        raise TimeoutExpired(
            f"`kubectl {args}` gave up: {result.output.strip()}",
            "Look at `kubectl get events --sort-by=.lastTimestamp` for the reason.",
        )
    return _checked(result)


def _checked(result: Result) -> Result:
    """A kubectl call's result if it succeeded, else `ClusterUnavailable` or `CommandFailed`."""
    if not result.ok and _unreachable(result.output):
        raise ClusterUnavailable("The course's Kubernetes cluster does not answer.", NO_CLUSTER_FIX)
    return result.check()


def wait_endpoints(service: str, namespace: str, ready: int = 1, timeout: float = 60) -> list[str]:
    """Wait (bounded) until a Service's EndpointSlices list ``ready`` ready endpoints.

    A Deployment that has rolled out has ready Pods, but its Service only routes to them once
    the EndpointSlice controller has listed them and kube-proxy has written its rules on each
    node: until then a request is refused (curl exit 7, "Failed to connect").

    Returns:
        The ready endpoints' addresses.

    Raises:
        TimeoutExpired: fewer ready endpoints after ``timeout`` (the count is in the message).
    """

    def probe() -> list[str] | None:
        slices = get("endpointslices", namespace=namespace, selector=f"{SERVICE_LABEL}={service}")
        addresses = [
            address
            for item in slices["items"]
            for endpoint in item.get("endpoints") or []
            if (endpoint.get("conditions") or {}).get("ready")
            for address in endpoint["addresses"]
        ]
        if len(addresses) < ready:
            raise NotYet(f"{len(addresses)} of {ready} endpoints ready")
        return addresses

    return poll(
        probe,
        timeout=timeout,
        what=f"the Service {service} (namespace {namespace}) to list {ready} ready endpoints",
        fix=f"Look at its Pods' readiness: `kubectl get pods,endpointslices -n {namespace}`.",
        every=0.25,
    )


def delete_namespace(name: str, timeout: float = 180) -> None:
    """Delete a namespace and wait (bounded) until it is gone; absent is fine."""
    kubectl(
        f"delete namespace {name} --ignore-not-found --wait --timeout={int(timeout)}s",
        timeout=timeout + 30,
    )


def exec_in(pod: str, command: str, namespace: str, container: str = "", timeout: float = 30):
    """Run ``command`` (sh -c) in a Pod's container; return the `Result` (not checked)."""
    target = f"-c {container} " if container else ""
    return kubectl(
        f"exec {pod} -n {namespace} {target}-- sh -c {shlex.quote(command)}",
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def port_forward(target: str, remote: int, namespace: str, timeout: float = 30) -> Iterator[int]:
    """Forward a local port to ``target`` (e.g. ``svc/web``) while the block runs; yield it."""
    local = free_port()
    proc = subprocess.Popen(
        ["kubectl", "port-forward", "-n", namespace, target, f"{local}:{remote}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    fix = f"Check that {target} has a ready Pod: `kubectl get pods -n {namespace}`."

    def listening() -> int:
        if proc.poll() is not None:
            Result(f"kubectl port-forward {target}", proc.returncode, proc.stdout.read()).check(fix)
            raise NotYet("kubectl port-forward exited")
        socket.create_connection(("127.0.0.1", local), timeout=1).close()
        return local

    try:
        yield poll(
            listening,
            timeout=timeout,
            what=f"kubectl port-forward {target} to listen on 127.0.0.1:{local}",
            fix=fix,
            every=0.2,
            retry_on=(OSError,),
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
