"""Chapter 08 exercises: a NodePort Service and an Ingress host of your own."""

from __future__ import annotations

from ..._errors import TimeoutExpired
from ..http import wait_http
from ..kubectl import get, kubectl
from . import Failed, exercise, require

NAMESPACE = "ex08"
NODE_PORT = 30081
HOST = "web.ex08.weeble.tech"
INGRESS = "http://127.0.0.1:8000/"


def _ready_web() -> None:
    """The Deployment web of ex08 must exist and have a Ready Pod."""
    require("Deployment", "web", NAMESPACE)
    kubectl(f"rollout status deployment/web -n {NAMESPACE} --timeout=90s", timeout=120, check=False)
    available = get("deployment", "web", NAMESPACE)["status"].get("availableReplicas", 0)
    if not available:
        raise Failed("the Deployment web has no available Pod yet.")


def _poll(url: str, headers: dict[str, str] | None = None, seconds: float = 20) -> str:
    """GET ``url`` until it answers 200 (bounded); raise `Failed` with the last error."""
    try:
        return wait_http(url, timeout=seconds, headers=headers)
    except TimeoutExpired as err:
        raise Failed(f"{url} does not answer: {err.problem}") from None


@exercise(
    "08.nodeport",
    "Publish a Deployment web of ex08 on node port 30081",
    (
        "A Deployment made by `kubectl create deployment`, then a Service of type NodePort "
        "whose selector matches its Pods' label; the field `nodePort` fixes the port on the "
        "nodes."
    ),
)
def node_port() -> str:
    """Service web of ex08 must be a NodePort on 30081 that serves nginx on the nodes."""
    _ready_web()
    spec = require("Service", "web", NAMESPACE)["spec"]
    if spec.get("type") != "NodePort":
        raise Failed(f"the Service web is of type {spec.get('type')}, not NodePort.")
    ports = [p.get("nodePort") for p in spec.get("ports") or ()]
    if NODE_PORT not in ports:
        raise Failed(f"the Service web's node ports are {ports}, not {NODE_PORT}.")
    nodes = get("nodes")["items"]
    addresses = [
        a["address"]
        for node in nodes
        for a in node["status"]["addresses"]
        if a["type"] == "InternalIP"
    ]
    for address in addresses:
        body = _poll(f"http://{address}:{NODE_PORT}/")
        if "Welcome to nginx!" not in body:
            raise Failed(f"{address}:{NODE_PORT} answers, but not with nginx's welcome page.")
    return f"all {len(addresses)} nodes serve nginx on port {NODE_PORT}."


@exercise(
    "08.ingress",
    "Route the host web.ex08.weeble.tech to the Service web of ex08",
    (
        "The chapter's `ingress.yaml` is a model: change the namespace, the host and the "
        "backend Service."
    ),
)
def ingress_host() -> str:
    """Traefik must serve nginx's page for Host: web.ex08.weeble.tech."""
    _ready_web()
    rules = require("Ingress", "web", NAMESPACE)["spec"].get("rules") or []
    hosts = [rule.get("host") for rule in rules]
    if HOST not in hosts:
        raise Failed(f"the Ingress web routes the hosts {hosts}, not {HOST}.")
    body = _poll(INGRESS, headers={"Host": HOST})
    if "Welcome to nginx!" not in body:
        raise Failed(f"Traefik answers for {HOST}, but not with nginx's welcome page.")
    return f"Traefik routes {HOST} to the Service web of ex08."
