"""The course's long-running containers on loopback: registries, Git server, chart repository.

Each is a `Service` (`labkit._lesson.services`): a course image, a port on 127.0.0.1, what
it mounts. `ensure_service` starts it (or keeps the running one); its restart policy brings it
back after an engine restart. `join_cluster_network` lets the kind nodes reach one by its name.
"""

from __future__ import annotations

import docker.errors

from .._lesson.docker import client, port_free, require_port
from .._lesson.http import wait_http
from .._lesson.services import Service
from .._poll import poll
from .images import image_ref, recipe

INFRA_LABEL = "org.dockerplusplus.role=infrastructure"
CLUSTER_NETWORK = "kind"  # the Docker network of the kind nodes


def ensure_service(service: Service, recreate: bool = False) -> str:
    """Start ``service`` from the current image, or keep it running; return what was done."""
    image = image_ref(recipe(service.recipe))
    cli = client()
    try:
        container = cli.containers.get(service.name)
    except docker.errors.NotFound:
        container = None
    current = container is not None and container.attrs["Config"]["Image"] == image
    if current and not recreate and container.status == "running":
        return f"{service.name} already running on 127.0.0.1:{service.port}"
    if container is not None:
        container.remove(force=True, v=True)
    require_port(service.port, service.purpose, service.port_variable)
    cli.containers.run(
        image,
        list(service.command) or None,
        name=service.name,
        detach=True,
        ports={f"{service.container_port}/tcp": ("127.0.0.1", service.port)},
        environment=dict(service.environment),
        volumes={source: {"bind": target} for source, target in service.mounts},
        labels=dict([INFRA_LABEL.split("=")]),
        restart_policy={"Name": "unless-stopped"},
    )
    if service.ready is not None:
        wait_http(f"{service.url}{service.ready}", timeout=30)
    else:
        poll(
            lambda: True if not port_free(service.port) else None,
            timeout=30,
            what=f"{service.name} to listen on 127.0.0.1:{service.port}",
            fix=f"Read its logs: `docker logs {service.name}`.",
        )
    return f"started {service.name} on 127.0.0.1:{service.port}"


def join_cluster_network(name: str) -> None:
    """Let the kind nodes reach container ``name`` by its name, when the cluster exists."""
    try:
        network = client().networks.get(CLUSTER_NETWORK)
    except docker.errors.NotFound:
        return  # no cluster yet: creating it connects the services
    network.reload()
    if name not in {c.name for c in network.containers}:
        network.connect(name)
