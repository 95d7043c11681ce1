"""Small live dashboards for the notebooks: containers, image layers, a compose graph, Kubernetes.

The Kubernetes ones show Pods, a Deployment's scaling, quotas, nodes, RBAC and NetworkPolicy.

In a notebook, the last expression of a cell shows the dashboard::

    from labkit.widgets import ContainerList, LayerExplorer, ComposeGraph

    ContainerList()                       # the engine's containers, filterable by name
    LayerExplorer("debian:bookworm")      # an image's layers, their sizes, its start-up config
    ComposeGraph("compose.yaml")          # services, depends_on arrows, each service's state

    from labkit.widgets import PodList, ScaleSlider, QuotaGauge, NodeView, WhoCan
    from labkit.widgets import ReachabilityMatrix

    PodList("app=web", namespace="demo")  # Pods: ready x/y, status, restarts, node, IP
    ScaleSlider("web", "demo", maximum=8) # a slider running `kubectl scale`; quota refusals
    QuotaGauge("demo")                    # each ResourceQuota: a used/hard bar per resource
    NodeView()                            # nodes, cordon/drain status, the Pods on each
    WhoCan(["system:serviceaccount:demo:reader"], ["get", "delete"], ["pods"], "demo")
    ReachabilityMatrix(["demo/client"], ["http://web.demo", "demo/db:5432"])

Each one reads the engine once, then again only when asked: its Refresh button, or a bounded
``dash.start(every=2.0, times=30)`` (``dash.stop()`` ends it early). A failure (no engine, a
broken compose file) is shown in its status line instead of raising. PodList, NodeView,
QuotaGauge and ScaleSlider also *follow* the cluster: their Follow toggle (or
``dash.follow(60)``, and every move of the slider) watches the Kubernetes API for a bounded
time and updates them as Pods come and go, nodes are cordoned or quotas fill up.

Each dashboard has two halves. The *model* is plain functions and frozen dataclasses that turn
the engine's API dicts (or a compose file) into rows, tables and SVG (`container_rows`,
`layer_rows`, `parse_compose`, `compose_svg`...): they are tested with fake dicts, with no
browser and no daemon. The *widget* composes ipywidgets and reads the engine through an
injectable ``api`` object (``client().api`` by default, a fake in tests). The Kubernetes ones
(`pod_rows`, `quota_rows`, `node_rows`, `can_i_mark`, `probe_mark`...) read the cluster through
an injectable ``reader`` instead (`KubeReader`: `KubeApi`, the ``kubernetes`` client and the
course's kubectl, by default; a fake serving recorded JSON in tests), and need no Docker
engine.
"""

from ._compose_graph import ComposeGraph
from ._compose_model import (
    ComposeModel,
    compose_states,
    interpolate,
    parse_compose,
    project_name,
    service_states,
)
from ._compose_service import Service
from ._compose_svg import compose_svg
from ._containers import (
    ContainerList,
    ContainerRow,
    container_rows,
    containers_table,
    filter_rows,
    format_ports,
)
from ._engine_api import EngineApi
from ._html import human_size
from ._k8s_html import Mark
from ._k8s_live import Follow
from ._k8s_reader import KubeApi, KubeReader, Source
from ._layers import (
    ImageConfig,
    LayerExplorer,
    LayerRow,
    clean_created_by,
    config_table,
    image_config,
    image_tags,
    layer_rows,
    layers_table,
)
from ._netpol import ReachabilityMatrix, probe_mark, target_url
from ._nodes import NodeRow, NodeView, node_roles, node_rows
from ._pipeline import PipelineView
from ._pods import PodList, PodRow, filter_pods, pod_rows, pod_status
from ._quota import QuotaGauge, QuotaRow, parse_quantity, quota_rows
from ._rbac import WhoCan, can_i_mark
from ._releases import ReleaseHistory
from ._scale import DeploymentState, FailedCreate, ScaleSlider, deployment_state, failed_create

__all__ = [
    "ComposeGraph",
    "ComposeModel",
    "ContainerList",
    "ContainerRow",
    "DeploymentState",
    "EngineApi",
    "FailedCreate",
    "ImageConfig",
    "Follow",
    "KubeApi",
    "KubeReader",
    "LayerExplorer",
    "LayerRow",
    "Mark",
    "NodeRow",
    "NodeView",
    "PipelineView",
    "PodList",
    "PodRow",
    "QuotaGauge",
    "QuotaRow",
    "ReachabilityMatrix",
    "ReleaseHistory",
    "ScaleSlider",
    "Service",
    "Source",
    "WhoCan",
    "can_i_mark",
    "clean_created_by",
    "compose_states",
    "compose_svg",
    "config_table",
    "container_rows",
    "containers_table",
    "deployment_state",
    "failed_create",
    "filter_pods",
    "filter_rows",
    "format_ports",
    "human_size",
    "image_config",
    "image_tags",
    "interpolate",
    "layer_rows",
    "layers_table",
    "node_roles",
    "node_rows",
    "parse_compose",
    "parse_quantity",
    "pod_rows",
    "pod_status",
    "probe_mark",
    "project_name",
    "quota_rows",
    "service_states",
    "target_url",
]
