"""Cluster-free tests of the Kubernetes dashboards: models on fake JSON, widgets on fake kubectl."""

from __future__ import annotations

import asyncio
import http.server
import json
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest

from labkit._errors import CommandFailed, LabkitError, TimeoutExpired
from labkit._lesson.kubectl import NO_CLUSTER_FIX, ClusterUnavailable
from labkit._lesson.sh import Result
from labkit.widgets import (
    KubeApi,
    NodeView,
    PodList,
    QuotaGauge,
    ReachabilityMatrix,
    ScaleSlider,
    Source,
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
from labkit.widgets._k8s_live import LiveDashboard
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


class FakeStream:
    """A watch that replays recorded events once."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.stopped = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for event in self.events:
            if self.stopped:
                return
            yield event

    def stop(self) -> None:
        self.stopped = True


class FakeReader:
    """Stands for the API and kubectl: serves objects by kind (or (kind, name)), answers `run`.

    ``events[kind]`` are the watch events of that kind, replayed by the first watch only.
    """

    def __init__(
        self,
        objects: dict[Any, Any] | None = None,
        answer: Callable[[str], Result] | None = None,
        events: dict[str, Any] | None = None,
    ) -> None:
        self.objects = objects or {}
        self.answer = answer
        self.events = events or {}
        self.calls: list[str] = []

    def list(self, source: Source) -> dict[str, Any]:
        self.calls.append(f"list {source}")
        value = self.objects.get(source.kind)
        if isinstance(value, Exception):
            raise value
        if value is None:
            raise AssertionError(f"unexpected list {source}")
        listed = dict(value, metadata={"resourceVersion": "100", **value.get("metadata", {})})
        if source.fields.startswith("metadata.name="):
            name = source.fields.partition("=")[2]
            listed["items"] = [o for o in value["items"] if o["metadata"]["name"] == name]
        return listed

    def watch(self, source: Source, resource_version: str, timeout: float) -> FakeStream:
        self.calls.append(f"watch {source} from {resource_version}")
        assert 0 < timeout <= 3600
        value = self.events.pop(source.kind, [])
        if isinstance(value, Exception):
            raise value
        return FakeStream(value)

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


def follow(dash: LiveDashboard, seconds: float = 0.2) -> None:
    """Follow for a moment (the fake's events come at once), until the follow has ended."""
    handle = dash.follow(seconds)
    assert handle is not None, dash.status.value
    assert handle.join(5), "a follow must end by itself"
    assert not dash.following and not dash.follow_button.value


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
    assert reader.calls == ["list pods -A -l app=nginx-1"]
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
    assert reader.calls == ["list pods -n demo"]
    assert "&lt;b&gt;x&lt;/b&gt;" in dash.body.value and "<b>x" not in dash.body.value
    assert dash.summary() == "1 Pod in demo, 1 Running"


def test_pod_list_shows_no_cluster_in_status_line() -> None:
    reader = FakeReader({"pods": no_cluster()})
    dash = PodList(namespace="demo", reader=reader)
    assert "does not answer" in dash.status.value
    assert "labkit up" in dash.status.value
    assert dash.summary() == "0 Pods in demo, 0 Running"


def test_refusals_and_garbage_are_shown() -> None:
    refused = LabkitError("The API server refused `get pods -A`: 403 forbidden", "fix it")
    dash = PodList(reader=FakeReader({"pods": refused}))
    assert "403 forbidden" in dash.status.value
    garbage = FakeReader({"pods": pod_list({"metadata": {"name": "x"}, "spec": "not a dict"})})
    dash = PodList(reader=garbage)
    assert "The cluster answered something unexpected" in dash.status.value


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
            "resourcequotas": pod_list(
                quota("compute", {"pods": "5", "cpu": "2"}, {"pods": "5", "cpu": "1"})
            )
        }
    )
    dash = QuotaGauge("demo", reader=reader)
    assert dash.summary() == "1 ResourceQuota in demo: 2 resources, 1 at its limit"
    assert "5 / 5 (100%)" in dash.body.value and "1 / 2 (50%)" in dash.body.value
    assert "width:100%;background:#c62828" in dash.body.value
    assert "width:50%;background:#2e7d32" in dash.body.value
    empty = QuotaGauge("other", reader=FakeReader({"resourcequotas": pod_list()}))
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
        reader.objects["deployments"] = pod_list(deployment("web", wanted, min(wanted, 5), 5))
        return Result(f"kubectl {args}", 0, "deployment.apps/web scaled\n")

    reader = FakeReader(
        {
            "deployments": pod_list(deployment("web", desired, current, current)),
            "resourcequotas": pod_list(quota("pods-max", {"pods": "5"}, {"pods": str(current)})),
            "events": pod_list(event("web-7c5ddbdf54", QUOTA_MESSAGE, "2024-05-01T10:02:00Z")),
        },
        answer,
    )
    return reader


def test_scale_slider_runs_kubectl_scale_and_shows_the_quota_refusal() -> None:
    reader = scale_reader(desired=3, current=3)
    dash = ScaleSlider("web", "demo", maximum=8, reader=reader, follow=0)
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
    dash = ScaleSlider("web", "demo", maximum=10, reader=reader, follow=0)
    assert (dash.slider.value, dash.slider.max) == (12, 12)
    dash.slider.value = 4
    assert "returned with code 1" in dash.status.value
    assert "Forbidden" in dash.status.value


def test_scale_slider_without_quota_or_cluster() -> None:
    reader = FakeReader(
        {
            "deployments": pod_list(deployment("web", 2, 2, 1), deployment("web-api", 1, 1, 1)),
            "resourcequotas": pod_list(),
            "events": pod_list(),
        }
    )
    dash = ScaleSlider("web", "demo", reader=reader)
    assert dash.summary() == "deployment web: 2 desired, 2 current, 1 ready"
    assert "ResourceQuota" not in dash.body.value
    down = ScaleSlider("web", "demo", reader=FakeReader({"deployments": no_cluster()}))
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
    assert reader.calls == ["list nodes", "list pods -A"]
    assert dash.summary() == "2 nodes (2 Ready, 1 SchedulingDisabled), 2 Pods"
    assert "Ready,SchedulingDisabled" in dash.body.value
    assert "demo/web-1" in dash.body.value and "kube-system/dns" not in dash.body.value
    assert 'class="muted"><td>w1<' in dash.body.value
    down = NodeView(reader=FakeReader({"nodes": no_cluster()}))
    assert "does not answer" in down.status.value


# --- following the cluster: bounded watches -------------------------------------------------


def changed(obj: dict[str, Any], version: str) -> dict[str, Any]:
    """``obj`` as a watch sends it: with its new resourceVersion."""
    obj["metadata"]["resourceVersion"] = version
    return obj


def test_pod_list_follows_added_modified_and_deleted_pods() -> None:
    reader = FakeReader(
        {"pods": pod_list(pod("web-1"), pod("web-3"))},
        events={
            "pods": [
                {"type": "ADDED", "object": changed(pod("web-2", phase="Pending"), "101")},
                {"type": "MODIFIED", "object": changed(pod("web-1", waiting="Error"), "102")},
                {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "103"}}},
                {"type": "DELETED", "object": changed(pod("web-3"), "104")},
            ]
        },
    )
    dash = PodList(namespace="demo", reader=reader)
    assert dash.summary() == "2 Pods in demo, 2 Running"
    follow(dash)
    assert [(r.name, r.status) for r in dash.rows] == [("web-1", "Error"), ("web-2", "Pending")]
    assert dash.summary() == "2 Pods in demo, 0 Running"
    assert first_cells(dash.body.value) == ["web-1", "web-2"]
    assert reader.calls[:2] == ["list pods -n demo", "list pods -n demo"], "follow lists first"
    assert reader.calls[2] == "watch pods -n demo from 100"
    assert "live until" not in dash.status.value, "the follow has ended"
    assert dash._repr_mimebundle_()["text/plain"] == "PodList: 2 Pods in demo, 0 Running"


def test_node_view_follows_a_drain() -> None:
    workers = [node("cp", "control-plane"), node("w1"), node("w2")]
    reader = FakeReader(
        {
            "nodes": pod_list(*workers),
            "pods": pod_list(pod("web-1", node="w1"), pod("web-2", node="w2")),
        },
        events={
            "nodes": [{"type": "MODIFIED", "object": changed(node("w1", cordoned=True), "101")}],
            "pods": [
                {
                    "type": "MODIFIED",
                    "object": changed(pod("web-1", node="w1", deleting=True), "1"),
                },
                {"type": "ADDED", "object": changed(pod("web-4", node="w2"), "102")},
                {"type": "DELETED", "object": changed(pod("web-1", node="w1"), "103")},
            ],
        },
    )
    dash = NodeView(reader=reader)
    assert dash.summary() == "3 nodes (3 Ready, 0 SchedulingDisabled), 2 Pods"
    follow(dash)
    assert dash.summary() == "3 nodes (3 Ready, 1 SchedulingDisabled), 2 Pods"
    by_name = {row.name: row for row in dash.rows}
    assert by_name["w1"].status == "Ready,SchedulingDisabled" and by_name["w1"].pods == ()
    assert by_name["w2"].pods == ("demo/web-2", "demo/web-4")
    assert {"watch nodes from 100", "watch pods -A from 100"} <= set(reader.calls)


def test_quota_gauge_follows_usage_and_a_relist_after_expiry() -> None:
    full = quota("compute", {"pods": "2"}, {"pods": "2"})
    reader = FakeReader(
        {"resourcequotas": pod_list(quota("compute", {"pods": "2"}, {"pods": "0"}))},
        events={
            "resourcequotas": [
                {"type": "MODIFIED", "object": changed(quota("compute", {"pods": "2"}, {}), "1")},
                {"type": "ERROR", "object": EXPIRED},
            ]
        },
    )
    dash = QuotaGauge("demo", reader=reader)
    reader.objects["resourcequotas"] = pod_list(full)  # what the list after the expiry finds
    follow(dash)
    assert dash.summary() == "1 ResourceQuota in demo: 1 resource, 1 at its limit"
    assert reader.calls.count("list resourcequotas -n demo") == 3, "listed again after a 410"


def test_scale_slider_follows_the_deployment_after_a_move() -> None:
    reader = scale_reader(desired=3, current=3)
    refusal = event("web-7c5ddbdf54", QUOTA_MESSAGE, "2024-05-01T10:03:00Z")
    reader.objects["events"] = pod_list()
    reader.events = {
        "deployments": [{"type": "MODIFIED", "object": changed(deployment("web", 6, 5, 5), "2")}],
        "events": [{"type": "ADDED", "object": changed(refusal, "3")}],
    }
    dash = ScaleSlider("web", "demo", maximum=8, reader=reader, follow=0.2)
    dash.slider.value = 6
    assert dash._follow is not None and dash._follow.join(5)
    assert dash.summary() == (
        "deployment web: 6 desired, 5 current, 5 ready · pods 3/5 · FailedCreate"
    )
    assert "2024-05-01T10:03:00Z" in dash.body.value
    watched = [call for call in reader.calls if call.startswith("watch")]
    assert "watch deployments -n demo --field-selector metadata.name=web from 100" in watched
    assert len(watched) == 3 and dash.slider.value == 6


def test_scale_slider_shows_its_deployment_deleted_then_created_again() -> None:
    reader = scale_reader(desired=2, current=2)
    gone = {"type": "DELETED", "object": changed(deployment("web", 2, 2, 2), "5")}
    reader.events = {"deployments": [gone]}
    dash = ScaleSlider("web", "demo", reader=reader, follow=0)
    follow(dash)
    assert "There is no Deployment web in namespace demo" in dash.status.value
    back = {"type": "ADDED", "object": changed(deployment("web", 1, 1, 0), "6")}
    reader.events = {"deployments": [gone, back]}
    follow(dash)
    assert "There is no Deployment" not in dash.status.value
    assert dash.summary() == "deployment web: 1 desired, 1 current, 0 ready · pods 2/5"


def test_a_failing_watch_is_shown_and_ends_the_follow() -> None:
    reader = FakeReader(
        {"nodes": pod_list(node("cp")), "pods": pod_list()},
        events={"pods": no_cluster()},
    )
    dash = NodeView(reader=reader)
    follow(dash, seconds=30)
    assert "does not answer" in dash.status.value
    assert dash.summary() == "1 node (1 Ready, 0 SchedulingDisabled), 0 Pods"


class BlockingStream(FakeStream):
    """A watch with nothing to say: it waits until stopped (or its 10 s run out)."""

    def __init__(self) -> None:
        super().__init__([])
        self.stopping = threading.Event()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.stopping.wait(10)
        yield from ()

    def stop(self) -> None:
        self.stopping.set()


def test_stop_and_the_toggle_end_a_follow_at_once() -> None:
    streams: list[BlockingStream] = []
    reader = FakeReader({"pods": pod_list(pod("web-1"))})
    reader.watch = lambda *args: streams.append(BlockingStream()) or streams[-1]  # type: ignore[method-assign]
    dash = PodList(namespace="demo", reader=reader)
    dash.follow_button.value = True
    handle = dash._follow
    assert handle is not None and dash.following and "live until" in dash.status.value
    started = time.monotonic()
    dash.follow_button.value = False
    assert handle.join(5) and time.monotonic() - started < 2
    assert not dash.following and all(stream.stopping.is_set() for stream in streams)
    handle = dash.follow(60)
    assert handle is not None
    dash.refresh()  # lists again and follows on, from the new list, for what was left
    assert handle.join(2) and dash._follow is not None and dash._follow is not handle
    dash.stop()
    assert not dash.following
    with pytest.raises(ValueError):
        dash.follow(0)


def test_changes_are_applied_on_the_event_loop_when_one_runs() -> None:
    reader = FakeReader(
        {"pods": pod_list(pod("web-1"))},
        events={"pods": [{"type": "ADDED", "object": changed(pod("web-2"), "101")}]},
    )
    applied: list[int] = []

    async def in_a_kernel() -> None:
        dash = PodList(namespace="demo", reader=reader)
        update = dash._update
        dash._update = lambda: applied.append(threading.get_ident()) or update()  # type: ignore[method-assign]
        handle = dash.follow(0.2)
        assert handle is not None
        for _ in range(100):
            if not handle.alive and not dash.following:
                break
            await asyncio.sleep(0.05)
        assert [row.name for row in dash.rows] == ["web-1", "web-2"]

    asyncio.run(in_a_kernel())
    assert set(applied) == {threading.get_ident()}, "widgets change on the loop's thread only"


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


# --- the real reader, against a small fake API server ---------------------------------------


class FakeApi(http.server.BaseHTTPRequestHandler):
    """Answers what `KubeApi` asks: ``/version``, lists, and watches (``?watch=true``)."""

    lists: ClassVar[dict[str, Any]] = {}
    watches: ClassVar[dict[str, list[dict[str, Any]]]] = {}
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path, _, query = self.path.partition("?")
        self.asked.append(self.path)
        args = urllib.parse.parse_qs(query)
        if path.rstrip("/") == "/version":
            return self._send(200, {"major": "1", "minor": "34", "gitVersion": "v1.34.0"})
        if path not in self.lists:
            status = {"kind": "Status", "code": 403, "message": f"{path} is forbidden"}
            return self._send(403, status)
        if args.get("watch") != ["true"]:
            return self._send(200, self.lists[path])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        for event in self.watches.get(path, []):
            self.wfile.write(json.dumps(event).encode() + b"\n")

    def _send(self, code: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


EXPIRED = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "too old resource version: 7 (1042)",
    "reason": "Expired",
    "code": 410,
}


def write_kubeconfig(path: Path, server: str) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "fake", "user": {"token": "t"}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
        "current-context": "fake",
    }
    path.write_text(json.dumps(config))
    return path


@pytest.fixture
def fake_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeApi]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "config", url)))
    FakeApi.lists, FakeApi.watches, FakeApi.asked = {}, {}, []
    yield FakeApi
    server.shutdown()
    server.server_close()


def test_kube_api_lists_and_watches_raw_json(fake_api: type[FakeApi]) -> None:
    pods = "/api/v1/namespaces/demo/pods"
    fake_api.lists[pods] = {**pod_list(pod("web-1")), "metadata": {"resourceVersion": "7"}}
    added = pod("web-2")
    added["metadata"] |= {"resourceVersion": "8", "creationTimestamp": "2024-05-01T10:00:00Z"}
    fake_api.watches[pods] = [
        {"type": "ADDED", "object": added},
        {"type": "ERROR", "object": EXPIRED},
    ]
    api, source = KubeApi(), Source("pods", "demo", "app=web")
    listed = api.list(source)
    assert listed["metadata"]["resourceVersion"] == "7"
    assert [p["metadata"]["name"] for p in listed["items"]] == ["web-1"]
    events = list(api.watch(source, "7", timeout=5))
    assert events[0] == {"type": "ADDED", "object": added}, "the object as sent, not a model"
    assert events[1]["type"] == "ERROR" and events[1]["object"]["code"] == 410
    watch = next(path for path in fake_api.asked if "watch=true" in path)
    assert "resourceVersion=7" in watch and "timeoutSeconds=5" in watch
    assert "labelSelector=app%3Dweb" in watch


def test_kube_api_maps_refusals_and_absent_clusters(
    fake_api: type[FakeApi], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(LabkitError, match="403 /api/v1/nodes is forbidden") as refused:
        KubeApi().list(Source("nodes"))
    assert not isinstance(refused.value, ClusterUnavailable)

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "down", url)))
    api = KubeApi()
    with pytest.raises(ClusterUnavailable, match="does not answer"):
        api.list(Source("pods"))
    with pytest.raises(ClusterUnavailable):
        list(api.watch(Source("pods"), "1", timeout=5))
    closed.close()
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    with pytest.raises(ClusterUnavailable, match="no usable kube config"):
        KubeApi().list(Source("pods"))


def test_kube_api_run_asks_the_api_whether_a_failure_means_no_cluster(
    fake_api: type[FakeApi], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from labkit._lesson import kubectl as module

    monkeypatch.setattr(module, "kubectl", lambda args, **kw: Result(args, 1, "no\n"))
    assert KubeApi().run("auth can-i get pods").output == "no\n"
    assert [path.rstrip("/") for path in fake_api.asked] == ["/version"]
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    with pytest.raises(ClusterUnavailable):
        KubeApi().run("auth can-i get pods")
    monkeypatch.setattr(module, "kubectl", lambda args, **kw: Result(args, 0, "yes\n"))
    assert KubeApi().run("auth can-i get pods").output == "yes\n", "no question when it worked"


# --- recorded on the cluster: a follow ends where a new list starts -------------------------

RECORDED = Path(__file__).parent / "data" / "k8s"  # see record.py there


def recorded_reader(stage: str) -> FakeReader:
    """The lists recorded ``before`` or ``after`` the scale-up, and the watch recorded between."""
    kinds = ("pods", "deployments", "resourcequotas", "events")
    return FakeReader(
        {kind: json.loads((RECORDED / f"{kind}-{stage}.json").read_text()) for kind in kinds},
        events={kind: json.loads((RECORDED / f"{kind}-watch.json").read_text()) for kind in kinds},
    )


@pytest.mark.parametrize(
    ("make", "before", "after"),
    [
        (
            lambda reader: ScaleSlider("web", "wt-widgets", reader=reader, follow=0),
            "deployment web: 1 desired, 1 current, 1 ready · pods 1/3",
            "deployment web: 5 desired, 3 current, 3 ready · pods 3/3 · FailedCreate",
        ),
        (
            lambda reader: PodList("app=web", namespace="wt-widgets", reader=reader),
            "1 Pod in wt-widgets (app=web), 1 Running",
            "3 Pods in wt-widgets (app=web), 3 Running",
        ),
        (
            lambda reader: QuotaGauge("wt-widgets", reader=reader),
            "1 ResourceQuota in wt-widgets: 1 resource, 0 at its limit",
            "1 ResourceQuota in wt-widgets: 1 resource, 1 at its limit",
        ),
    ],
)
def test_following_the_recorded_watch_ends_where_the_recorded_list_after_starts(
    make: Callable[[FakeReader], LiveDashboard], before: str, after: str
) -> None:
    followed = make(recorded_reader("before"))
    assert followed.summary() == before
    follow(followed)
    listed = make(recorded_reader("after"))
    assert followed.summary() == listed.summary() == after
    for shown in ("rows", "state", "quota"):  # what each dashboard shows, as it holds it
        assert getattr(followed, shown, None) == getattr(listed, shown, None)
