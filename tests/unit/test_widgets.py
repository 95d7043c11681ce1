"""Daemon-free tests of the dashboards: the model on fake API dicts, the widgets driven headless."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from labkit import LabkitError
from labkit.widgets import (
    ComposeGraph,
    ContainerList,
    LayerExplorer,
    clean_created_by,
    compose_states,
    compose_svg,
    container_rows,
    filter_rows,
    human_size,
    image_config,
    image_tags,
    layer_rows,
    parse_compose,
    service_states,
)

DECK_MALFORMED = """\
version: "3"
services:
  app:
    image: my-tomcat:9.0
    ports:
      - "8080:8080"
    networks:
      - my-app
    depends_on:
      - db
  db:
    image: postgres:10.6
    networks:
      - my-app
    volumes:
        pgdata:/var/lib/postgresql/data postgres
networks:
  my-app:
volumes:
  pgdata:
"""

VOTING_APP = """\
name: voting
services:
  vote:
    image: dockerplusplus/vote:1
    depends_on:
      redis:
        condition: service_healthy
    ports:
      - "5000:80"
    networks: [front-tier, back-tier]
  result:
    build:
      context: ./result
    depends_on:
      db:
        condition: service_healthy
    ports:
      - target: 80
        published: 5001
    networks: [front-tier, back-tier]
  worker:
    image: dockerplusplus/worker:1
    depends_on:
      redis:
        condition: service_started
      db:
        condition: service_healthy
    networks: [back-tier]
  redis:
    image: redis:7
    networks: [back-tier]
  db:
    image: postgres:15
    volumes:
      - db-data:/var/lib/postgresql/data
    networks: [back-tier]
volumes:
  db-data:
networks:
  front-tier:
  back-tier:
"""


def container(
    name: str,
    state: str = "running",
    image: str = "nginx:latest",
    ports: list[dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A dict shaped like one item of ``APIClient.containers(all=True)``."""
    return {
        "Id": "c0ffee" * 10 + "0000",
        "Names": [f"/{name}"],
        "Image": image,
        "State": state,
        "Status": "Up 3 minutes" if state == "running" else "Exited (0) 2 minutes ago",
        "Ports": ports or [],
        "Labels": labels or {},
    }


def compose_labels(project: str, service: str) -> dict[str, str]:
    return {"com.docker.compose.project": project, "com.docker.compose.service": service}


class FakeApi:
    """Stands for ``client().api``: serves fixed dicts and counts the calls."""

    def __init__(
        self,
        containers: list[dict[str, Any]] | None = None,
        images: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] | None = None,
    ) -> None:
        self.container_list = containers or []
        self.image_data = images or {}
        self.calls: list[str] = []

    def containers(self, all: bool = False) -> list[dict[str, Any]]:
        self.calls.append("containers")
        assert all, "the dashboards must list stopped containers too"
        return self.container_list

    def images(self) -> list[dict[str, Any]]:
        self.calls.append("images")
        tags = [[tag] for tag in self.image_data] + [["<none>:<none>"]]
        return [{"Id": f"sha256:{i}", "RepoTags": t, "Size": 1} for i, t in enumerate(tags)]

    def history(self, image: str) -> list[dict[str, Any]]:
        self.calls.append(f"history {image}")
        return self.image_data[image][0]

    def inspect_image(self, image: str) -> dict[str, Any]:
        self.calls.append(f"inspect {image}")
        return self.image_data[image][1]


def table_names(html_text: str) -> list[str]:
    """The first cell of each body row of a labkit table."""
    return re.findall(r"<tr(?: class=\"muted\")?><td>([^<]*)</td>", html_text)


# --- containers ------------------------------------------------------------------------------


def test_container_rows_sorted_and_cleaned() -> None:
    rows = container_rows(
        [
            container(
                "web",
                ports=[
                    {"PrivatePort": 80, "PublicPort": 8080, "Type": "tcp", "IP": "0.0.0.0"},
                    {"PrivatePort": 80, "PublicPort": 8080, "Type": "tcp", "IP": "::"},
                    {"PrivatePort": 443, "Type": "tcp"},
                ],
            ),
            container("app-db-1", "exited", "postgres:15", labels=compose_labels("app", "db")),
            container("cache", image="sha256:" + "ab" * 32),
        ]
    )
    assert [row.name for row in rows] == ["app-db-1", "cache", "web"]
    db, cache, web = rows
    assert (db.state, db.running, db.compose) == ("exited", False, "app/db")
    assert cache.image == "abababababab"
    assert web.ports == "8080->80/tcp, 443/tcp"
    assert web.compose == ""


def test_container_name_ignores_link_aliases() -> None:
    data = container("db")
    data["Names"] = ["/web/db-alias", "/db"]
    assert container_rows([data])[0].name == "db"


def test_filter_rows_by_name_and_state() -> None:
    rows = container_rows(
        [container("web-1"), container("web-2", "exited"), container("Cache", "exited")]
    )
    assert [r.name for r in filter_rows(rows, "WEB")] == ["web-1", "web-2"]
    assert [r.name for r in filter_rows(rows, "web", show_stopped=False)] == ["web-1"]
    assert [r.name for r in filter_rows(rows, "cache")] == ["Cache"]
    assert filter_rows(rows, "nothing") == []


def test_container_list_widget_headless() -> None:
    api = FakeApi([container("web"), container("db", "exited"), container("worker")])
    dash = ContainerList(api=api)
    assert table_names(dash.body.value) == ["db", "web", "worker"]
    assert 'class="muted"><td>db<' in dash.body.value
    assert "3 containers (2 running) · 3 shown · refreshed" in dash.status.value

    dash.name_filter.value = "w"
    assert table_names(dash.body.value) == ["web", "worker"]
    dash.show_stopped.value = False
    dash.name_filter.value = ""
    assert table_names(dash.body.value) == ["web", "worker"]
    assert "2 shown" in dash.status.value
    assert api.calls == ["containers"], "filtering must not read the engine again"

    api.container_list = [container("web"), container("new-one")]
    dash.refresh_button.click()
    assert table_names(dash.body.value) == ["new-one", "web"]
    assert api.calls == ["containers", "containers"]
    assert "2 containers (2 running)" in dash.status.value

    dash.name_filter.value = "zzz"
    assert "No container matches." in dash.body.value
    bundle = dash._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "ContainerList: 2 containers (2 running) · 0 shown"


def test_dashboard_shows_engine_errors_instead_of_raising() -> None:
    class NoEngine(FakeApi):
        def containers(self, all: bool = False) -> list[dict[str, Any]]:
            raise LabkitError("No Docker engine answers.", "Start it.")

    dash = ContainerList(api=NoEngine())
    assert "No Docker engine answers." in dash.status.value
    assert "Fix: Start it." in dash.status.value


def test_bounded_auto_refresh() -> None:
    api = FakeApi([container("web")])
    dash = ContainerList(api=api)
    assert dash.start(every=0.01, times=3) is None  # no running loop: does nothing

    async def run() -> None:
        task = dash.start(every=0.001, times=3)
        assert task is not None
        await task

    asyncio.run(run())
    assert api.calls.count("containers") == 1 + 3
    with pytest.raises(ValueError):
        dash.start(every=0, times=3)


# --- image layers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0B"),
        (999, "999B"),
        (1000, "1kB"),
        (1536, "1.54kB"),
        (5300, "5.3kB"),
        (999_999, "1MB"),
        (141_000_000, "141MB"),
        (73_088_600, "73.1MB"),
        (1_230_000_000, "1.23GB"),
    ],
)
def test_human_size_like_docker(size: int, text: str) -> None:
    assert human_size(size) == text


def test_human_size_rejects_negative() -> None:
    with pytest.raises(ValueError):
        human_size(-1)


HISTORY = [
    {"CreatedBy": '/bin/sh -c #(nop)  CMD ["redis-server"]', "Size": 0, "Comment": ""},
    {"CreatedBy": "/bin/sh -c #(nop)  EXPOSE map[6379/tcp:{} 6380/udp:{}]", "Size": 0},
    {
        "CreatedBy": "RUN /bin/sh -c apt-get update && apt-get install -y redis # buildkit",
        "Size": 13_805_524,
        "Comment": "buildkit.dockerfile.v0",
    },
    {"CreatedBy": "|1 VERSION=7 /bin/sh -c echo $VERSION > /v", "Size": 2, "Comment": ""},
    {"CreatedBy": "", "Size": 73_088_600, "Comment": "Imported from -"},
]
INSPECT = {
    "Size": 86_894_126,
    "Config": {
        "Entrypoint": None,
        "Cmd": ["redis-server"],
        "ExposedPorts": {"6379/tcp": {}},
        "Env": ["PATH=/usr/bin:/bin", "REDIS=7"],
    },
}


def test_layer_rows_cleaning() -> None:
    rows = layer_rows(HISTORY)
    assert [row.created_by for row in rows] == [
        'CMD ["redis-server"]',
        "EXPOSE 6379/tcp 6380/udp",
        "RUN apt-get update && apt-get install -y redis",
        "RUN echo $VERSION > /v",
        "(Imported from -)",
    ]
    assert [row.empty for row in rows] == [True, True, False, False, False]
    assert [row.size_text for row in rows] == [
        "metadata only",
        "metadata only",
        "13.8MB",
        "2B",
        "73.1MB",
    ]


def test_clean_created_by_shortens() -> None:
    text = clean_created_by("/bin/sh -c " + "x" * 200, width=40)
    assert len(text) == 40 and text.startswith("RUN xxx") and text.endswith("…")


def test_image_config_and_tags() -> None:
    config = image_config(INSPECT)
    assert config.entrypoint is None and config.cmd == ("redis-server",)
    assert config.exposed_ports == ("6379/tcp",)
    assert config.env == ("PATH=/usr/bin:/bin", "REDIS=7")
    images = [
        {"RepoTags": ["redis:7", "redis:latest"]},
        {"RepoTags": ["labkit/redis:latest"]},
        {"RepoTags": ["<none>:<none>"]},
        {"RepoTags": None},
    ]
    assert image_tags(images) == ["redis:7", "redis:latest"]
    assert image_tags(images, include_internal=True) == [
        "labkit/redis:latest",
        "redis:7",
        "redis:latest",
    ]


def test_layer_explorer_widget_headless() -> None:
    small = ([{"CreatedBy": "", "Size": 5300, "Comment": ""}], {"Config": {"Cmd": ["sh"]}})
    api = FakeApi(
        images={"redis:7": (HISTORY, INSPECT), "alpine:3": small, "labkit/debian:latest": small}
    )
    dash = LayerExplorer(api=api)
    assert dash.picker.options == ("alpine:3", "redis:7")
    assert dash.picker.value == "alpine:3"
    assert "total 5.3kB" in dash.body.value

    dash.picker.value = "redis:7"
    body = dash.body.value
    assert "RUN apt-get update &amp;&amp; apt-get install -y redis" in body
    assert body.count('<tr class="muted">') == 2 and body.count("metadata only") >= 2
    assert "total 86.9MB" in body
    assert "[&quot;redis-server&quot;]" in body and "6379/tcp" in body and "REDIS=7" in body
    assert "redis:7: 3 layers (5 history entries), 86.9MB" in dash.status.value
    assert dash.layer_count == 3 and len(dash.history) == 5
    assert "in 3 layers — 5 history entries, 2 of them metadata only" in body

    dash.include_internal.value = True
    assert dash.picker.options == ("alpine:3", "labkit/debian:latest", "redis:7")
    assert dash.picker.value == "redis:7", "the chosen image stays chosen"
    dash.refresh_button.click()
    assert dash.picker.value == "redis:7"
    assert api.calls.count("history redis:7") == 3


def test_layer_explorer_unknown_image_and_no_image() -> None:
    api = FakeApi(images={"alpine:3": ([], {"Config": {}})})
    dash = LayerExplorer("nope:1", api=api)
    assert dash.picker.value == "alpine:3"
    assert "No local image is tagged &#x27;nope:1&#x27;" in dash.status.value
    empty = LayerExplorer(api=FakeApi())
    assert empty.picker.options == ()
    assert "No image to show" in empty.body.value


# --- compose ---------------------------------------------------------------------------------


def test_parse_compose_deck_malformed_file_names_service_and_key() -> None:
    with pytest.raises(LabkitError) as caught:
        parse_compose(DECK_MALFORMED)
    message = str(caught.value)
    assert "service 'db'" in message
    assert "`volumes` must be a list, got a string 'pgdata:/var/lib/postgresql/data" in message
    assert "- pgdata:/var/lib/postgresql/data" in caught.value.fix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("services: [a, b]", "no `services:` mapping"),
        ("services:\n  a: {image: x, ports: '80:80'}", "service 'a': `ports` must be a list"),
        ("services:\n  a: {build: ., networks: [back]}", "joins network 'back'"),
        ("services:\n  a: {image: x, volumes: ['data:/d']}", "uses volume 'data'"),
        ("services:\n  a: {image: x, depends_on: [b]}", "depends on 'b', which is not"),
        ("services:\n  a: {ports: ['80']}", "service 'a' has neither `image` nor `build`"),
        ("services:\n  a: {image: x, depends_on: {a: {condition: up}}}", "condition 'up'"),
        (
            "services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}",
            "cycle: a → b → a",
        ),
        ("services:\n  a: [image]", "service 'a' must be a mapping"),
        ("services:\n  a:\n image: x", "not valid YAML"),
    ],
)
def test_parse_compose_errors(text: str, expected: str) -> None:
    with pytest.raises(LabkitError, match=re.escape(expected)):
        parse_compose(text)


def test_parse_compose_voting_app() -> None:
    model = parse_compose(VOTING_APP)
    assert model.name == "voting"
    assert list(model.services) == ["vote", "result", "worker", "redis", "db"]
    assert model.networks == ("front-tier", "back-tier") and model.volumes == ("db-data",)
    vote, result, worker = (model.services[n] for n in ("vote", "result", "worker"))
    assert vote.depends_on == {"redis": "service_healthy"}
    assert worker.depends_on == {"redis": "service_started", "db": "service_healthy"}
    assert result.image == "build ./result" and result.ports == ("5001:80/tcp",)
    assert vote.ports == ("5000:80",) and vote.networks == ("front-tier", "back-tier")
    assert model.services["db"].volumes == ("db-data:/var/lib/postgresql/data",)
    assert model.levels == {"vote": 1, "result": 1, "worker": 1, "redis": 0, "db": 0}


def test_parse_compose_interpolates_variables() -> None:
    text = "services:\n  web:\n    image: nginx:${TAG}\n    ports: ['${PORT:-8080}:80', '$$1']"
    web = parse_compose(text, env={"TAG": "1.22"}).services["web"]
    assert (web.image, web.ports) == ("nginx:1.22", ("8080:80", "$1"))
    web = parse_compose(text, env={"PORT": "9000"}).services["web"]
    assert (web.image, web.ports[0]) == ("nginx:", "9000:80")


def test_parse_compose_list_form_and_default_network() -> None:
    model = parse_compose("services:\n  web: {image: nginx, depends_on: [api]}\n  api: {image: x}")
    assert model.services["web"].depends_on == {"api": "service_started"}
    assert model.services["api"].networks == ("default",)
    assert model.levels == {"web": 1, "api": 0}


def svg_box(svg: str, service: str) -> str:
    """The ``<g>`` group drawing one service."""
    found = re.search(rf'<g class="service" data-service="{service}".*?</g>', svg, re.S)
    assert found, f"no box for {service}"
    return found.group(0)


def test_compose_svg_boxes_arrows_and_colours() -> None:
    model = parse_compose(VOTING_APP)
    svg = compose_svg(model, {"vote": "running", "db": "exited", "worker": "paused"})
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    colours = {"vote": "#2e7d32", "db": "#c62828", "redis": "#9e9e9e", "worker": "#ef6c00"}
    for name in model.services:
        box = svg_box(svg, name)
        assert f">{name}</text>" in box
        if name in colours:
            assert f'stroke="{colours[name]}"' in box
    assert 'data-state="absent"' in svg_box(svg, "result")
    assert svg.count("<line ") == 4 and svg.count(">healthy</text>") == 3
    assert "networks: front-tier, back-tier" in svg_box(svg, "vote")
    assert "db-data:/var/lib/postgresql/data" in svg_box(svg, "db")
    # dependencies are drawn below the services that need them
    y = {n: float(re.search(r'<rect x="\d+" y="(\d+)"', svg_box(svg, n))[1]) for n in colours}
    assert y["redis"] == y["db"] > y["vote"] == y["worker"]


def test_compose_states_from_labels() -> None:
    containers = [
        container("voting-vote-1", labels=compose_labels("voting", "vote")),
        container("voting-db-1", "exited", labels=compose_labels("voting", "db")),
        container("voting-worker-1", "exited", labels=compose_labels("voting", "worker")),
        container("voting-worker-2", labels=compose_labels("voting", "worker")),
        container("other-db-1", labels=compose_labels("other", "db")),
        container("plain"),
    ]
    expected = {"vote": "running", "db": "exited", "worker": "running"}
    assert compose_states(containers, "voting") == expected
    assert service_states("voting", FakeApi(containers)) == expected


def test_compose_graph_widget_headless(tmp_path: Any) -> None:
    folder = tmp_path / "My_App"
    folder.mkdir()
    path = folder / "compose.yaml"
    path.write_text("services:\n  web: {image: nginx, depends_on: [db]}\n  db: {image: pg}\n")
    api = FakeApi([container("my_app-web-1", labels=compose_labels("my_app", "web"))])
    graph = ComposeGraph(path, api=api)
    assert graph.project == "my_app"
    assert 'data-service="web" data-state="running"' in graph.body.value
    assert 'data-service="db" data-state="absent"' in graph.body.value
    assert "project my_app: 2 services, 1 running" in graph.status.value

    api.container_list.append(container("my_app-db-1", labels=compose_labels("my_app", "db")))
    path.write_text(path.read_text() + "  cache: {image: redis}\n")
    graph.refresh_button.click()
    assert 'data-service="db" data-state="running"' in graph.body.value
    assert 'data-service="cache"' in graph.body.value

    path.write_text(DECK_MALFORMED)
    graph.refresh_button.click()
    assert "`volumes` must be a list" in graph.status.value
    assert 'data-service="cache"' in graph.body.value, "the last good graph stays"


def test_compose_graph_from_text() -> None:
    graph = ComposeGraph(VOTING_APP, api=FakeApi())
    assert graph.path is None and graph.project == "voting"
    assert graph.body.value.count('class="service"') == 5
    bad = ComposeGraph(DECK_MALFORMED, api=FakeApi())
    assert "service &#x27;db&#x27;" in bad.status.value and bad.body.value == ""
    missing = ComposeGraph("no/such/compose.yaml", api=FakeApi())
    assert "There is no compose file at no/such/compose.yaml" in missing.status.value
