"""Cluster-free tests of the Kubernetes dashboards: models on fake JSON, widgets on fake kubectl."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from labkit._errors import CommandFailed, TimeoutExpired
from labkit._lesson.kubectl import NO_CLUSTER_FIX, ClusterUnavailable
from labkit._lesson.sh import Result
from labkit.widgets import (
    Kubectl,
    NodeView,
    PodList,
    QuotaGauge,
    ReachabilityMatrix,
    ScaleSlider,
    WhoCan,
    can_i_mark,
    deployment_state,
    failed_create,
    filter_pods,
    node_roles,
    node_rows,
    parse_quantity,
    pod_rows,
    pod_status,
    probe_mark,
    quota_rows,
    target_url,
)
from labkit.widgets._k8s_reader import get_all
from labkit.widgets._netpol import probe_args, split_ref
from labkit.widgets._rbac import can_i_args

# --- fixtures: realistic API JSON, trimmed --------------------------------------------------


def pod(
    name: str,
    namespace: str = "demo",
    *,
    phase: str = "Running",
    ready: bool = True,
    waiting: str | None = None,
    restarts: int = 0,
    node: str = "worker",
    ip: str = "10.244.1.5",
    deleting: bool = False,
    conditions: list[dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    state: dict[str, Any] = {"running": {"startedAt": "2024-05-01T10:00:00Z"}}
    if waiting:
        state = {"waiting": {"reason": waiting, "message": "back-off 5m0s restarting"}}
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels or {}}
    if deleting:
        meta["deletionTimestamp"] = "2024-05-01T10:05:00Z"
    status: dict[str, Any] = {"phase": phase, "conditions": conditions or []}
    if phase != "Pending":
        status |= {
            "podIP": ip,
            "containerStatuses": [
                {"name": "app", "ready": ready, "restartCount": restarts, "state": state}
            ],
        }
    spec = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    if phase != "Pending":
        spec["nodeName"] = node
    return {"kind": "Pod", "metadata": meta, "spec": spec, "status": status}


UNSCHEDULABLE = [
    {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": "0/3 nodes are available: 3 Insufficient cpu.",
    }
]


def pod_list(*pods: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "items": list(pods)}


def deployment(name: str, desired: int, current: int, ready: int) -> dict[str, Any]:
    status: dict[str, Any] = {"replicas": current, "observedGeneration": 3}
    if ready:
        status["readyReplicas"] = ready
    return {
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "demo"},
        "spec": {"replicas": desired},
        "status": status,
    }


def quota(name: str, hard: dict[str, str], used: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": "ResourceQuota",
        "metadata": {"name": name, "namespace": "demo"},
        "spec": {"hard": hard},
        "status": {"hard": hard, "used": used},
    }


def event(rs: str, message: str, when: str, reason: str = "FailedCreate") -> dict[str, Any]:
    return {
        "kind": "Event",
        "metadata": {"name": f"{rs}.17c", "creationTimestamp": when},
        "involvedObject": {"kind": "ReplicaSet", "name": rs, "namespace": "demo"},
        "reason": reason,
        "message": message,
        "lastTimestamp": when,
        "count": 3,
        "type": "Warning",
    }


QUOTA_MESSAGE = (
    'Error creating: pods "web-7c5ddbdf54-x2b9q" is forbidden: exceeded quota: pods, '
    "requested: pods=1, used: pods=5, limited: pods=5"
)


def node(name: str, role: str | None = None, ready: str = "True", cordoned: bool = False):
    labels = {"kubernetes.io/hostname": name}
    if role:
        labels[f"node-role.kubernetes.io/{role}"] = ""
    spec: dict[str, Any] = {"podCIDR": "10.244.0.0/24"}
    if cordoned:
        spec["unschedulable"] = True
    return {
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": spec,
        "status": {
            "conditions": [
                {"type": "MemoryPressure", "status": "False"},
                {"type": "Ready", "status": ready, "reason": "KubeletReady"},
            ],
            "nodeInfo": {"kubeletVersion": "v1.31.0"},
        },
    }


class FakeReader:
    """Stands for kubectl: serves fixed objects by kind (or (kind, name)), answers `run`."""

    def __init__(
        self,
        objects: dict[Any, Any] | None = None,
        answer: Callable[[str], Result] | None = None,
    ) -> None:
        self.objects = objects or {}
        self.answer = answer
        self.calls: list[str] = []

    def get(
        self, kind: str, name: str = "", namespace: str | None = None, selector: str = ""
    ) -> Any:
        self.calls.append(f"get {kind} {name} ns={namespace} l={selector}")
        value = self.objects.get((kind, name), self.objects.get(kind))
        if isinstance(value, Exception):
            raise value
        if value is None:
            raise AssertionError(f"unexpected get {kind} {name}")
        return value

    def run(self, args: str, timeout: float = 60) -> Result:
        self.calls.append(args)
        assert timeout <= 60
        match = re.fullmatch(r"get (\w+) -A -o json.*", args)
        if match and self.answer is None:
            value = self.objects[match[1]]
            if isinstance(value, Exception):
                raise value
            return Result(f"kubectl {args}", 0, json.dumps(value))
        assert self.answer is not None, args
        return self.answer(args)


def no_cluster() -> ClusterUnavailable:
    return ClusterUnavailable("The course's Kubernetes cluster does not answer.", NO_CLUSTER_FIX)


def first_cells(html_text: str) -> list[str]:
    return re.findall(r"<tr(?: class=\"muted\")?><td>([^<]*)</td>", html_text)


# --- Pods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (pod("a"), "Running"),
        (pod("a", ready=False, waiting="CrashLoopBackOff", restarts=4), "CrashLoopBackOff"),
        (pod("a", waiting="ImagePullBackOff", ready=False), "ImagePullBackOff"),
        (pod("a", deleting=True), "Terminating"),
        (pod("a", phase="Pending", conditions=UNSCHEDULABLE), "Pending (Unschedulable)"),
        (pod("a", phase="Pending"), "Pending"),
    ],
)
def test_pod_status_like_kubectl(data: dict[str, Any], status: str) -> None:
    assert pod_status(data) == status


def test_pod_status_completed_and_init() -> None:
    done = pod("job-1", phase="Succeeded", ready=False)
    done["status"]["containerStatuses"][0]["state"] = {
        "terminated": {"exitCode": 0, "reason": "Completed"}
    }
    assert pod_status(done) == "Completed"
    init = pod("a", phase="Pending")
    init["spec"]["initContainers"] = [{"name": "wait"}, {"name": "migrate"}]
    init["status"]["initContainerStatuses"] = [
        {"name": "wait", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
        {"name": "migrate", "state": {"running": {}}},
    ]
    assert pod_status(init) == "Init:1/2"


def test_pod_rows_and_filter() -> None:
    rows = pod_rows(
        [
            pod("web-2", restarts=2, ip="10.244.2.7"),
            pod("web-1", ready=False, waiting="CrashLoopBackOff", restarts=7),
            pod("coredns-1", "kube-system", node="control-plane"),
            pod("pending-1", phase="Pending", conditions=UNSCHEDULABLE),
        ]
    )
    assert [(r.namespace, r.name) for r in rows] == [
        ("demo", "pending-1"),
        ("demo", "web-1"),
        ("demo", "web-2"),
        ("kube-system", "coredns-1"),
    ]
    pending, crashing, web2, _ = rows
    assert (pending.ready, pending.node, pending.ip) == ("0/1", "", "")
    assert (crashing.ready, crashing.restarts, crashing.running) == ("0/1", 7, False)
    assert (web2.ready, web2.node, web2.ip, web2.running) == ("1/1", "worker", "10.244.2.7", True)
    assert [r.name for r in filter_pods(rows, "WEB")] == ["web-1", "web-2"]
    assert [r.name for r in filter_pods(rows, "kube-system/")] == ["coredns-1"]


def test_pod_list_all_namespaces_uses_dash_a() -> None:
    reader = FakeReader({"pods": pod_list(pod("web-1"), pod("web-2"), pod("web-3", deleting=True))})
    dash = PodList("app=nginx-1", reader=reader)
    assert reader.calls == ["get pods -A -o json -l app=nginx-1"]
    assert first_cells(dash.body.value) == ["web-1", "web-2", "web-3"]
    assert 'class="muted"><td>web-3<' in dash.body.value
    assert dash.summary() == "3 Pods (app=nginx-1), 2 Running"
    assert "refreshed" in dash.status.value

    dash.name_filter.value = "-2"
    assert first_cells(dash.body.value) == ["web-2"]
    assert dash.summary() == "3 Pods (app=nginx-1), 2 Running · 1 shown"
    assert len(reader.calls) == 1, "filtering must not read the cluster again"
    bundle = dash._repr_mimebundle_()
    assert bundle["text/plain"] == "PodList: 3 Pods (app=nginx-1), 2 Running · 1 shown"


def test_pod_list_one_namespace_and_escaping() -> None:
    reader = FakeReader({"pods": pod_list(pod("<b>x</b>"))})
    dash = PodList(namespace="demo", reader=reader)
    assert reader.calls == ["get pods  ns=demo l="]
    assert "&lt;b&gt;x&lt;/b&gt;" in dash.body.value and "<b>x" not in dash.body.value
    assert dash.summary() == "1 Pod in demo, 1 Running"


def test_pod_list_shows_no_cluster_in_status_line() -> None:
    reader = FakeReader({"pods": no_cluster()})
    dash = PodList(namespace="demo", reader=reader)
    assert "does not answer" in dash.status.value
    assert "labkit up" in dash.status.value
    assert dash.summary() == "0 Pods in demo, 0 Running"


def test_get_all_failure_and_garbage_are_shown() -> None:
    failing = FakeReader(answer=lambda args: Result(f"kubectl {args}", 1, "error: boom"))
    dash = PodList(reader=failing)
    assert "returned with code 1" in dash.status.value and "error: boom" in dash.status.value
    garbage = FakeReader(answer=lambda args: Result(f"kubectl {args}", 0, "not json"))
    dash = PodList(reader=garbage)
    assert "kubectl answered something unexpected" in dash.status.value
    with pytest.raises(Exception, match="boom"):
        get_all(failing, "pods")


# --- quotas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5", Decimal(5)),
        ("256Mi", Decimal(256 * 2**20)),
        ("1Gi", Decimal(2**30)),
        ("500m", Decimal("0.5")),
        ("2", Decimal(2)),
        ("1.5", Decimal("1.5")),
        ("1k", Decimal(1000)),
        ("1e3", Decimal(1000)),
        (3, Decimal(3)),
    ],
)
def test_parse_quantity(text: str | int, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "Mi", "5 apples", "1.2.3", "5Xi"])
def test_parse_quantity_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        parse_quantity(text)


def test_quota_rows_compare_mixed_units() -> None:
    rows = quota_rows(
        [
            quota(
                "compute",
                {"pods": "5", "requests.memory": "1Gi", "requests.cpu": "2"},
                {"pods": "5", "requests.memory": "256Mi", "requests.cpu": "500m"},
            ),
            {"metadata": {"name": "fresh"}, "spec": {"hard": {"services": "0"}}},
        ]
    )
    table = {(r.quota, r.resource): (r.used, r.hard, r.fraction, r.full) for r in rows}
    assert table == {
        ("compute", "pods"): ("5", "5", 1.0, True),
        ("compute", "requests.cpu"): ("500m", "2", 0.25, False),
        ("compute", "requests.memory"): ("256Mi", "1Gi", 0.25, False),
        ("fresh", "services"): ("0", "0", 1.0, True),
    }


def test_quota_gauge_bars_red_at_limit() -> None:
    reader = FakeReader(
        {
            "resourcequota": pod_list(
                quota("compute", {"pods": "5", "cpu": "2"}, {"pods": "5", "cpu": "1"})
            )
        }
    )
    dash = QuotaGauge("demo", reader=reader)
    assert dash.summary() == "1 ResourceQuota in demo: 2 resources, 1 at its limit"
    assert "5 / 5 (100%)" in dash.body.value and "1 / 2 (50%)" in dash.body.value
    assert "width:100%;background:#c62828" in dash.body.value
    assert "width:50%;background:#2e7d32" in dash.body.value
    empty = QuotaGauge("other", reader=FakeReader({"resourcequota": pod_list()}))
    assert "No ResourceQuota" in empty.body.value
    assert empty.summary() == "0 ResourceQuotas in other: 0 resources, 0 at its limit"


# --- scale ----------------------------------------------------------------------------------


def test_failed_create_latest_of_the_deployments_replicasets() -> None:
    events = [
        event("web-7c5ddbdf54", "old refusal", "2024-05-01T10:00:00Z"),
        event("web-7c5ddbdf54", QUOTA_MESSAGE, "2024-05-01T10:02:00Z"),
        event("web-api-5d9c7b", "someone else's", "2024-05-01T10:09:00Z"),
        event("web-7c5ddbdf54", "Created pod", "2024-05-01T10:08:00Z", "SuccessfulCreate"),
    ]
    found = failed_create(events, "web")
    assert found is not None
    assert (found.replicaset, found.time, found.count) == (
        "web-7c5ddbdf54",
        "2024-05-01T10:02:00Z",
        3,
    )
    assert "exceeded quota: pods, requested: pods=1, used: pods=5, limited: pods=5" in (
        found.message
    )
    assert failed_create(events, "db") is None


def test_deployment_state_defaults() -> None:
    state = deployment_state({"metadata": {"name": "web"}, "spec": {}, "status": {}})
    assert (state.desired, state.current, state.ready, state.short) == (1, 0, 0, True)


def scale_reader(desired: int, current: int) -> FakeReader:
    scaled: list[str] = []

    def answer(args: str) -> Result:
        scaled.append(args)
        wanted = int(args.rpartition("=")[2])
        reader.objects["deployment", "web"] = deployment("web", wanted, min(wanted, 5), 5)
        return Result(f"kubectl {args}", 0, "deployment.apps/web scaled\n")

    reader = FakeReader(
        {
            ("deployment", "web"): deployment("web", desired, current, current),
            "resourcequota": pod_list(quota("pods-max", {"pods": "5"}, {"pods": str(current)})),
            "events": pod_list(event("web-7c5ddbdf54", QUOTA_MESSAGE, "2024-05-01T10:02:00Z")),
        },
        answer,
    )
    return reader


def test_scale_slider_runs_kubectl_scale_and_shows_the_quota_refusal() -> None:
    reader = scale_reader(desired=3, current=3)
    dash = ScaleSlider("web", "demo", maximum=8, reader=reader)
    assert dash.slider.value == 3 and dash.slider.max == 8
    assert dash.summary() == "deployment web: 3 desired, 3 current, 3 ready · pods 3/5"
    assert "FailedCreate" not in dash.body.value, "not short of Pods: no refusal shown"
    assert not any(call.startswith("scale") for call in reader.calls), "loading must not scale"

    dash.slider.value = 6
    assert "scale deployment web -n demo --replicas=6" in reader.calls
    assert dash.summary().startswith("deployment web: 6 desired, 5 current, 5 ready")
    assert dash.summary().endswith("· FailedCreate")
    assert "exceeded quota: pods, requested: pods=1, used: pods=5" in dash.body.value
    assert dash.slider.value == 6

    dash.scale(2)
    assert reader.calls.count("scale deployment web -n demo --replicas=2") == 1
    assert dash.slider.value == 2
    assert [c for c in reader.calls if c.startswith("scale")] == [
        "scale deployment web -n demo --replicas=6",
        "scale deployment web -n demo --replicas=2",
    ], "syncing the slider must not scale again"


def test_scale_slider_widens_to_current_replicas_and_shows_scale_errors() -> None:
    reader = scale_reader(desired=12, current=5)
    reader.answer = lambda args: Result(f"kubectl {args}", 1, 'Error from server (Forbidden): "x"')
    dash = ScaleSlider("web", "demo", maximum=10, reader=reader)
    assert (dash.slider.value, dash.slider.max) == (12, 12)
    dash.slider.value = 4
    assert "returned with code 1" in dash.status.value
    assert "Forbidden" in dash.status.value


def test_scale_slider_without_quota_or_cluster() -> None:
    reader = FakeReader(
        {
            ("deployment", "web"): deployment("web", 2, 2, 1),
            "resourcequota": pod_list(),
            "events": pod_list(),
        }
    )
    dash = ScaleSlider("web", "demo", reader=reader)
    assert dash.summary() == "deployment web: 2 desired, 2 current, 1 ready"
    assert "ResourceQuota" not in dash.body.value
    down = ScaleSlider("web", "demo", reader=FakeReader({"deployment": no_cluster()}))
    assert "does not answer" in down.status.value
    assert down.summary() == "deployment web: not read"


# --- nodes ----------------------------------------------------------------------------------


def test_node_roles() -> None:
    assert node_roles({"node-role.kubernetes.io/control-plane": ""}) == "control-plane"
    assert node_roles({"kubernetes.io/hostname": "w"}) == "<none>"


def test_node_rows_drain_view() -> None:
    nodes = [node("w2", cordoned=True), node("cp", "control-plane"), node("w1", ready="False")]
    pods = [
        pod("coredns-1", "kube-system", node="cp"),
        pod("web-1", node="w1"),
        pod("web-2", node="w2", deleting=True),
        pod("job-1", node="w2", phase="Succeeded"),
        pod("pending", phase="Pending"),
    ]
    cp, w1, w2 = node_rows(nodes, pods)
    assert (cp.roles, cp.status, cp.version, cp.pod_count, cp.pods) == (
        "control-plane",
        "Ready",
        "v1.31.0",
        1,
        (),
    )
    assert (w1.status, w1.pods) == ("NotReady", ("demo/web-1",))
    assert (w2.status, w2.schedulable, w2.pod_count) == ("Ready,SchedulingDisabled", False, 1)
    assert w2.pods == ("demo/web-2 (terminating)",)


def test_node_view_reads_pods_of_all_namespaces() -> None:
    reader = FakeReader(
        {
            "nodes": pod_list(node("cp", "control-plane"), node("w1", cordoned=True)),
            "pods": pod_list(pod("web-1", node="cp"), pod("dns", "kube-system", node="cp")),
        }
    )
    dash = NodeView(reader=reader)
    assert "get pods -A -o json" in reader.calls
    assert dash.summary() == "2 nodes (2 Ready, 1 SchedulingDisabled), 2 Pods"
    assert "Ready,SchedulingDisabled" in dash.body.value
    assert "demo/web-1" in dash.body.value and "kube-system/dns" not in dash.body.value
    assert 'class="muted"><td>w1<' in dash.body.value
    down = NodeView(reader=FakeReader({"nodes": no_cluster()}))
    assert "does not answer" in down.status.value


# --- RBAC -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "output", "ok"),
    [
        (0, "yes\n", True),
        (0, "Warning: resource 'widgets' is not namespace scoped\nyes\n", True),
        (1, "no\n", False),
        (1, 'no - RBAC: role.rbac.authorization.k8s.io "x" not found\n', False),
        (1, "error: you must specify two arguments: verb resource\n", None),
        (0, "", None),
        (1, "Unable to connect to the server: dial tcp 127.0.0.1:6443\n", None),
    ],
)
def test_can_i_mark(code: int, output: str, ok: bool | None) -> None:
    assert can_i_mark(code, output).ok is ok


def test_who_can_grid() -> None:
    coredns = "system:serviceaccount:kube-system:coredns"
    reader_sa = "system:serviceaccount:rbac-demo:ns-reader"
    allowed = {(reader_sa, "get", "pods"), (reader_sa, "list", "pods"), (coredns, "list", "pods")}

    def answer(args: str) -> Result:
        match = re.fullmatch(r"auth can-i (\S+) (\S+) --as (\S+) -n rbac-demo", args)
        assert match, args
        if match[1] == "delete" and match[2] == "secrets":
            return Result(args, 1, "error: boom <script>\n")
        yes = (match[3], match[1], match[2]) in allowed
        return Result(args, 0 if yes else 1, "yes\n" if yes else "no\n")

    dash = WhoCan(
        [coredns, reader_sa],
        ["get", "list", "delete"],
        ["pods", "secrets"],
        "rbac-demo",
        FakeReader(answer=answer),
    )
    assert dash.columns[:3] == ["get pods", "list pods", "delete pods"]
    results = dash.results()
    assert results[reader_sa, "get pods"] is True
    assert results[coredns, "get pods"] is False
    assert results[coredns, "delete secrets"] is None
    assert dash.summary() == "2 subjects × 6 checks in rbac-demo: 3 allowed, 7 denied, 2 errors"
    body = dash.body.value
    assert body.count("✓") == 3 and body.count("✗") == 7 and body.count(">?<") == 2
    assert "&lt;script&gt;" in body and "<script>" not in body


def test_can_i_args_quote_subjects() -> None:
    assert can_i_args("system:serviceaccount:a:b", "get", "pods") == (
        "auth can-i get pods --as system:serviceaccount:a:b"
    )
    quoted = "auth can-i list pods --as 'jane doe' -n ns"
    assert can_i_args("jane doe", "list", "pods", "ns") == quoted


def test_who_can_no_cluster_in_status_line() -> None:
    def answer(args: str) -> Result:
        raise no_cluster()

    dash = WhoCan(["u"], ["get"], ["pods"], reader=FakeReader(answer=answer))
    assert "does not answer" in dash.status.value
    assert dash.results() == {}


# --- NetworkPolicy reachability ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "output", "ok"),
    [
        (0, "", True),
        (1, "wget: download timed out\ncommand terminated with exit code 1\n", False),
        (1, "wget: can't connect to remote host: Connection refused\n", False),
        (4, "command terminated with exit code 4\n", False),
        (1, 'Error from server (NotFound): pods "client" not found\n', None),
        (1, "error: unable to upgrade connection: container not found\n", None),
    ],
)
def test_probe_mark(code: int, output: str, ok: bool | None) -> None:
    assert probe_mark(code, output).ok is ok


def test_probe_mark_reasons_and_args() -> None:
    assert probe_mark(1, "wget: download timed out\n").detail == "timed out"
    assert probe_args("demo/client", "http://web.demo") == (
        "exec -n demo client -- wget -q -T 2 -O /dev/null http://web.demo"
    )
    assert probe_args("a/b", "http://x/?q=1 2", "curl -m 2 {url}") == (
        "exec -n a b -- curl -m 2 'http://x/?q=1 2'"
    )
    assert target_url("http://web.demo") == "http://web.demo"
    assert target_url("demo/db:5432", {"status": {"podIP": "10.244.1.9"}}) == (
        "http://10.244.1.9:5432/"
    )
    assert target_url("demo/web", {"status": {"podIP": "10.244.1.8"}}) == "http://10.244.1.8:80/"
    with pytest.raises(ValueError, match="namespace/name"):
        split_ref("client")


def test_reachability_matrix() -> None:
    def answer(args: str) -> Result:
        if "client-b" in args and "10.244.1.8" in args:
            raise TimeoutExpired("`kubectl exec` was still running after 5 s and was stopped.")
        if "client-b" in args:
            return Result(args, 1, "wget: download timed out\ncommand terminated with exit code 1")
        return Result(args, 0, "")

    reader = FakeReader(
        {
            ("pod", "web"): {"status": {"podIP": "10.244.1.8"}},
            ("pod", "gone"): CommandFailed("kubectl get pod gone", 1, "NotFound: gone"),
        },
        answer,
    )
    dash = ReachabilityMatrix(
        ["demo/client-a", "other/client-b"],
        ["http://web.demo", "demo/web", "demo/gone"],
        reader=reader,
    )
    assert dash.results() == {
        ("demo/client-a", "http://web.demo"): True,
        ("demo/client-a", "demo/web"): True,
        ("demo/client-a", "demo/gone"): None,
        ("other/client-b", "http://web.demo"): False,
        ("other/client-b", "demo/web"): False,
        ("other/client-b", "demo/gone"): None,
    }
    assert "exec -n demo client-a -- wget -q -T 2 -O /dev/null http://10.244.1.8:80/" in (
        reader.calls
    )
    assert dash.summary() == "2 sources × 3 targets: 2 reachable, 2 blocked, 2 errors"
    assert dash.marks["other/client-b", "demo/web"].detail.startswith("timed out")
    assert dash.body.value.count("✓") == 2 and dash.body.value.count("✗") == 2


def test_reachability_matrix_no_cluster_and_bad_source() -> None:
    def answer(args: str) -> Result:
        raise no_cluster()

    dash = ReachabilityMatrix(["demo/a"], ["http://web"], reader=FakeReader(answer=answer))
    assert "does not answer" in dash.status.value
    assert dash.summary() == "1 source × 1 target: 0 reachable, 0 blocked"
    with pytest.raises(ValueError):
        ReachabilityMatrix(["client"], ["http://web"], reader=FakeReader())


# --- the real reader, without a cluster -----------------------------------------------------


def test_kubectl_reader_raises_cluster_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    from labkit._lesson import kubectl as module

    def fake(args: str, **kwargs: Any) -> Result:
        return Result(f"kubectl {args}", 1, "Unable to connect to the server: refused")

    monkeypatch.setattr(module, "kubectl", fake)
    with pytest.raises(ClusterUnavailable):
        Kubectl().run("auth can-i get pods")
    monkeypatch.setattr(module, "kubectl", lambda args, **kw: Result(args, 1, "no\n"))
    assert Kubectl().run("auth can-i get pods").output == "no\n"
