"""The course's kind cluster, for real: nodes, networking, policies, storage, labkit's kubectl."""

from __future__ import annotations

import json
import uuid

import pytest

from labkit import (
    ManifestError,
    TimeoutExpired,
    apply,
    http_get,
    kubectl,
    port_forward,
    versions,
    wait_endpoints,
    wait_for,
    wait_rollout,
)
from labkit._lesson import cluster as course
from labkit._lesson.kubectl import ClusterUnavailable, documents

pytestmark = pytest.mark.k8s

WEB = """
apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {ns}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: DoNotSchedule
          labelSelector:
            matchLabels: {{app: web}}
      containers:
        - name: nginx
          image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: {ns}
spec:
  selector: {{app: web}}
  ports: [{{port: 80}}]
"""


@pytest.fixture
def namespace(cluster):
    """A fresh namespace, deleted afterwards."""
    name = f"it-{uuid.uuid4().hex[:6]}"
    yield name
    kubectl(f"delete namespace {name} --ignore-not-found --wait=false")


def test_three_nodes_ready_with_the_pinned_version(cluster):
    nodes = json.loads(kubectl("get nodes -o json").output)["items"]
    assert sorted(n["metadata"]["name"] for n in nodes) == [
        f"{cluster}-control-plane",
        f"{cluster}-worker",
        f"{cluster}-worker2",
    ]
    assert {n["status"]["nodeInfo"]["kubeletVersion"] for n in nodes} == {versions.KUBERNETES}
    runtime = f"containerd://{versions.CONTAINERD.lstrip('v')}"
    assert {n["status"]["nodeInfo"]["containerRuntimeVersion"] for n in nodes} == {runtime}
    assert course.nodes_ready() == (3, 3)


def test_apply_is_idempotent_and_pods_pull_nginx_through_the_mirror(namespace):
    manifest = WEB.format(ns=namespace)
    apply(manifest)
    second = apply(manifest)
    assert "unchanged" in second or "serverside-applied" in second
    wait_rollout("deployment/web", namespace, timeout=120)
    with port_forward("svc/web", 80, namespace) as port:
        assert "Welcome to nginx!" in http_get(f"http://127.0.0.1:{port}/")


def test_pods_on_two_nodes_reach_each_other_and_dns_works(namespace):
    apply(WEB.format(ns=namespace))
    wait_rollout("deployment/web", namespace, timeout=120)
    pods = json.loads(kubectl(f"get pods -n {namespace} -l app=web -o json").output)["items"]
    assert len({p["spec"]["nodeName"] for p in pods}) == 2  # spread over both workers
    source, target = pods[0]["metadata"]["name"], pods[1]["status"]["podIP"]
    curl = f"exec -n {namespace} {source} -- curl -s -m 5"
    result = kubectl(f"{curl} http://{target}/", check=False)  # Pod to Pod, across nodes
    assert "Welcome to nginx!" in result.output, result.output
    # Through the Service: its name resolves at once (CoreDNS answers for every Service), but
    # it routes only once the EndpointSlice lists the Pods ready and kube-proxy has written
    # its rules on the node; until then the connection is refused (curl exit 7).
    assert sorted(wait_endpoints("web", namespace, ready=2)) == sorted(
        p["status"]["podIP"] for p in pods
    )
    url = f"http://web.{namespace}.svc.cluster.local/"
    result = kubectl(f"{curl} --retry 10 --retry-connrefused --retry-delay 1 {url}", check=False)
    assert "Welcome to nginx!" in result.output, result.output


def test_a_malformed_manifest_names_document_and_line_and_applies_nothing(namespace):
    text = f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n---\nkind: [oops\n"
    with pytest.raises(ManifestError) as err:
        apply(text)
    assert "document 2" in str(err.value) and "line" in str(err.value)
    assert not kubectl(f"get namespace {namespace}", check=False).ok


def test_a_manifest_the_server_refuses_applies_nothing(namespace):
    text = (
        f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n---\n"
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: {namespace}\n"
        "spec:\n  containers: []\n"
    )
    with pytest.raises(ManifestError):
        apply(text)
    assert not kubectl(f"get namespace {namespace}", check=False).ok


def _gadgets(group: str, namespace: str, size: str) -> str:
    """A Namespace, a CRD (group ``group``) and one object of it, in one manifest."""
    return f"""apiVersion: v1
kind: Namespace
metadata:
  name: {namespace}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.{group}
spec:
  group: {group}
  scope: Namespaced
  names: {{plural: gadgets, singular: gadget, kind: Gadget}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {{type: object, properties: {{size: {{type: integer}}}}}}
---
apiVersion: {group}/v1
kind: Gadget
metadata:
  name: g
  namespace: {namespace}
spec:
  size: {size}
"""


def test_a_manifest_defining_its_namespace_and_crd_applies_whole_or_not_at_all(namespace):
    group = f"{namespace}.labkit.test"
    try:
        with pytest.raises(ManifestError, match="size"):
            apply(_gadgets(group, namespace, '"big"'))  # refused by the CRD's schema
        assert not kubectl(f"get crd gadgets.{group}", check=False).ok
        assert not kubectl(f"get namespace {namespace}", check=False).ok
        for _ in range(2):  # created, then a no-op
            apply(_gadgets(group, namespace, "3"))
        size = kubectl(f"get gadget g -n {namespace} -o jsonpath={{.spec.size}}").output
        assert size == "3"
    finally:
        kubectl(f"delete crd gadgets.{group} --ignore-not-found", timeout=120)


def test_documents_rejects_non_objects():
    with pytest.raises(ManifestError, match="document 1"):
        documents("just: a mapping\n")


def test_wait_for_is_bounded(namespace):
    kubectl(f"create namespace {namespace}")
    kubectl(f"run stuck -n {namespace} --image=nginx:no-such-tag")
    with pytest.raises(TimeoutExpired, match="gave up"):
        wait_for("pod/stuck", "condition=Ready", namespace=namespace, timeout=3)


def test_no_cluster_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("KUBECONFIG", "/nonexistent/kubeconfig")
    with pytest.raises(ClusterUnavailable, match="labkit up"):
        kubectl("get nodes", timeout=20)
