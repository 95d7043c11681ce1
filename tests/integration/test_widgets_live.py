"""The Kubernetes widgets follow the real cluster: scale a Deployment, see them change live.

Everything happens in the namespace ``wt-widgets``, created and deleted by a fixture. The
widgets read through `KubeApi` (the ``kubernetes`` client); counting its lists shows that what
they show after a change came from their watches, not from listing again.
"""

from __future__ import annotations

import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import nbformat
import pytest

from labkit._lesson.kubectl import apply, delete_namespace, kubectl, wait_rollout
from labkit._poll import NotYet, poll
from labkit.widgets import KubeApi, NodeView, PodList, QuotaGauge, ScaleSlider, Source

pytestmark = pytest.mark.k8s

NAMESPACE = "wt-widgets"
WEB = f"""
apiVersion: v1
kind: Namespace
metadata:
  name: {NAMESPACE}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {NAMESPACE}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: nginx
          image: nginx
"""
QUOTA = f"""
apiVersion: v1
kind: ResourceQuota
metadata:
  name: pods-max
  namespace: {NAMESPACE}
spec:
  hard: {{pods: "3"}}
"""
LIVE = 90.0  # seconds the widgets follow in these tests
WITHIN = 60.0  # seconds a change may take to show


class CountingApi(KubeApi):
    """The real reader, counting its lists."""

    def __init__(self) -> None:
        super().__init__()
        self.lists: list[str] = []

    def list(self, source: Source) -> Mapping[str, Any]:
        self.lists.append(str(source))
        return super().list(source)


@pytest.fixture
def web(cluster) -> Iterator[str]:
    """A one-replica Deployment ``web`` in the namespace ``wt-widgets``, deleted afterwards."""
    delete_namespace(NAMESPACE)
    apply(WEB)
    try:
        wait_rollout("deployment/web", NAMESPACE, timeout=120)
        yield "web"
    finally:
        delete_namespace(NAMESPACE)


def apply_quota() -> None:
    """Apply the quota, and wait (bounded) until the quota controller has counted the Pods."""
    apply(QUOTA)
    args = f"get resourcequota pods-max -n {NAMESPACE} -o jsonpath={{.status.used.pods}}"

    def counted() -> str:
        used = kubectl(args).output.strip()
        if not used:
            raise NotYet("not counted yet")
        return used

    poll(counted, timeout=30, what="the quota's usage", fix="", every=0.2)


def scale(replicas: int) -> float:
    """``kubectl scale`` the Deployment; the time it was asked."""
    kubectl(f"scale deployment web -n {NAMESPACE} --replicas={replicas}")
    return time.monotonic()


def shows(summary: Callable[[], str], wanted: str, since: float) -> float:
    """Wait (bounded) until ``summary()`` is ``wanted``; the seconds it took since ``since``."""

    def probe() -> float:
        if (now := summary()) != wanted:
            raise NotYet(now)
        return time.monotonic() - since

    took = poll(probe, timeout=WITHIN, what=f"the widget to show {wanted!r}", fix="", every=0.1)
    print(f"{wanted!r} shown {took:.2f} s after the change")
    return took


def ours(view: NodeView) -> list[tuple[str, str]]:
    """(node, Pod) for the Pods of our namespace (other namespaces change meanwhile)."""
    return sorted(
        (row.name, pod) for row in view.rows for pod in row.pods if pod.startswith(NAMESPACE)
    )


def watching_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("labkit watch")]


def test_pod_list_follows_kubectl_scale_without_listing_again(web: str) -> None:
    reader = CountingApi()
    pods = PodList("app=web", namespace=NAMESPACE, reader=reader)
    assert pods.summary() == "1 Pod in wt-widgets (app=web), 1 Running"
    assert pods.follow(LIVE) is not None
    listed = len(reader.lists)
    shows(pods.summary, "3 Pods in wt-widgets (app=web), 3 Running", scale(3))
    shows(pods.summary, "1 Pod in wt-widgets (app=web), 1 Running", scale(1))
    assert len(reader.lists) == listed, "the changes came from the watch"
    fresh = PodList("app=web", namespace=NAMESPACE)
    assert [(r.name, r.status) for r in pods.rows] == [(r.name, r.status) for r in fresh.rows]
    pods.stop()


def test_scale_slider_follows_its_own_move_and_a_quota_refusal(web: str) -> None:
    apply_quota()
    reader = CountingApi()
    slider = ScaleSlider("web", NAMESPACE, maximum=6, reader=reader, follow=LIVE)
    assert slider.summary() == "deployment web: 1 desired, 1 current, 1 ready · pods 1/3"
    moved = time.monotonic()
    slider.slider.value = 5  # the learner moves the slider: kubectl scale, then it follows
    listed = len(reader.lists)
    wanted = "deployment web: 5 desired, 3 current, 3 ready · pods 3/3 · FailedCreate"
    shows(slider.summary, wanted, moved)
    assert len(reader.lists) == listed, "the changes came from the watches"
    assert "exceeded quota" in slider.body.value
    fresh = ScaleSlider("web", NAMESPACE, follow=0)
    assert fresh.summary() == slider.summary(), "followed and listed, the same snapshot"
    slider.stop()


def test_quota_gauge_and_node_view_follow_pods_coming(web: str) -> None:
    apply_quota()
    gauge = QuotaGauge(NAMESPACE)
    view = NodeView()
    assert gauge.follow(LIVE) is not None and view.follow(LIVE) is not None
    since = scale(3)
    shows(gauge.summary, "1 ResourceQuota in wt-widgets: 1 resource, 1 at its limit", since)
    shows(lambda: str(len(ours(view))), "3", since)
    assert ours(view) == ours(NodeView()), "followed and listed, the same placement"
    gauge.stop()
    view.stop()


def test_a_follow_ends_by_itself(web: str) -> None:
    pods = PodList(namespace=NAMESPACE)
    started = time.monotonic()
    follow = pods.follow(3)
    assert follow is not None and pods.follow_button.value
    assert follow.join(20), "a follow ends by itself, soon after its deadline"
    took = time.monotonic() - started
    print(f"a 3 s follow ended after {took:.2f} s")
    assert took < 15 and not watching_threads()
    assert not pods.follow_button.value and "live until" not in pods.status.value


def test_in_a_kernel_changes_arrive_while_the_cell_awaits(web: str, tmp_path) -> None:
    """In ipykernel, the watching threads hand changes to the kernel's event loop."""
    from nbclient import NotebookClient

    cells = [
        f"""\
        from labkit.widgets import PodList
        import asyncio, threading, time
        from labkit import kubectl

        pods = PodList("app=web", namespace={NAMESPACE!r})
        applied = set()
        update = pods._update
        pods._update = lambda: applied.add(threading.get_ident()) or update()
        pods.follow(60)
        print(pods.summary())""",
        f"""\
        kubectl("scale deployment web -n {NAMESPACE} --replicas=2")
        start = time.monotonic()
        while pods.summary().endswith(", 1 Running") and time.monotonic() - start < 60:
            await asyncio.sleep(0.1)
        pods.stop()
        print(pods.summary())
        print(applied == {{threading.get_ident()}})""",
    ]
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(textwrap.dedent(cell)) for cell in cells]
    )
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    out = ["".join(o.get("text", "") for o in cell.outputs) for cell in notebook.cells]
    assert out[0] == "1 Pod in wt-widgets (app=web), 1 Running\n"
    assert out[1] == "2 Pods in wt-widgets (app=web), 2 Running\nTrue\n"
