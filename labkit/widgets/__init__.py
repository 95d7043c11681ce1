"""Small live dashboards for the notebooks: containers, image layers, and a compose graph.

In a notebook, the last expression of a cell shows the dashboard::

    from labkit.widgets import ContainerList, LayerExplorer, ComposeGraph

    ContainerList()                       # the engine's containers, filterable by name
    LayerExplorer("debian:bookworm")      # an image's layers, their sizes, its start-up config
    ComposeGraph("compose.yaml")          # services, depends_on arrows, each service's state

Each one reads the engine once, then again only when asked: its Refresh button, or a bounded
``dash.start(every=2.0, times=30)`` (``dash.stop()`` ends it early). A failure (no engine, a
broken compose file) is shown in its status line instead of raising.

Each dashboard has two halves. The *model* is plain functions and frozen dataclasses that turn
the engine's API dicts (or a compose file) into rows, tables and SVG (`container_rows`,
`layer_rows`, `parse_compose`, `compose_svg`...): they are tested with fake dicts, with no
browser and no daemon. The *widget* composes ipywidgets and reads the engine through an
injectable ``api`` object (``client().api`` by default, a fake in tests).
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

__all__ = [
    "ComposeGraph",
    "ComposeModel",
    "ContainerList",
    "ContainerRow",
    "EngineApi",
    "ImageConfig",
    "LayerExplorer",
    "LayerRow",
    "Service",
    "clean_created_by",
    "compose_states",
    "compose_svg",
    "config_table",
    "container_rows",
    "containers_table",
    "filter_rows",
    "format_ports",
    "human_size",
    "image_config",
    "image_tags",
    "interpolate",
    "layer_rows",
    "layers_table",
    "parse_compose",
    "project_name",
    "service_states",
]
