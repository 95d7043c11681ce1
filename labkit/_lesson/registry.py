"""The course's two local registries, and a reader for the registry HTTP API.

* the **mirror** (``127.0.0.1:5001``, anonymous) holds the course images under their Docker Hub
  names (``library/nginx:latest``, ...). dockerd lists it in ``registry-mirrors``, so the deck's
  ``docker pull nginx`` works unchanged with no internet;
* the **course registry** (``localhost:5000``, htpasswd auth) is the deck's "my-registry" for
  ``docker login`` / ``docker push``.
Both are Debian's docker-registry (distribution 2.8) in a container built by labkit; starting
them and publishing the course images is set-up work (`labkit._setup.registry`).
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

from .._errors import LabkitError
from .services import Service

MIRROR_PORT = int(os.environ.get("LABKIT_MIRROR_PORT", "5001"))
REGISTRY_PORT = int(os.environ.get("LABKIT_REGISTRY_PORT", "5000"))
REGISTRY_USER = "student"
REGISTRY_PASSWORD = "docker-plus-plus"
MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ]
)
_LOGIN = (("REGISTRY_USER", REGISTRY_USER), ("REGISTRY_PASSWORD", REGISTRY_PASSWORD))


@dataclass(frozen=True)
class RegistrySpec(Service):
    """A registry container (Debian's docker-registry); with a login when it has one."""

    @property
    def auth(self) -> bool:
        """True when the registry asks for the course login."""
        return bool(self.environment)


def registry_spec(name: str, port: int, auth: bool, port_variable: str) -> RegistrySpec:
    """A registry on ``127.0.0.1:port``: the mirror keeps its images in a named volume."""
    return RegistrySpec(
        name,
        "registry",
        port,
        5000,
        port_variable,
        f"course registry {name}",
        environment=_LOGIN if auth else (),
        mounts=() if auth else ((f"{name}-data", "/var/lib/registry"),),
    )


MIRROR = registry_spec("labkit-mirror", MIRROR_PORT, False, "LABKIT_MIRROR_PORT")
COURSE_REGISTRY = registry_spec("labkit-registry", REGISTRY_PORT, True, "LABKIT_REGISTRY_PORT")


class Registry:
    """Read-only client of a registry's HTTP API (OCI distribution-spec, ``/v2/``)."""

    def __init__(self, spec: RegistrySpec = MIRROR) -> None:
        """Talk to ``spec``'s registry, with the course login when it needs one."""
        self.spec = spec

    def __repr__(self) -> str:
        """Short form: the registry's URL."""
        return f"<Registry {self.spec.url}>"

    def get(self, path: str, accept: str | None = None) -> tuple[dict[str, str], bytes]:
        """GET ``/v2/{path}``; return the response headers and body."""
        headers = {"Accept": accept} if accept else {}
        if self.spec.auth:
            token = base64.b64encode(f"{REGISTRY_USER}:{REGISTRY_PASSWORD}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        request = urllib.request.Request(f"{self.spec.url}/v2/{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            raise LabkitError(
                f"The registry {self.spec.url} answered {err.code} to GET /v2/{path}.",
                "Check the repository and tag exist: `labkit.Registry().tags(REPOSITORY)`.",
            ) from err
        except urllib.error.URLError as err:
            raise LabkitError(
                f"The registry {self.spec.url} does not answer ({err.reason}).",
                "Start the course's services with `labkit up`.",
            ) from err

    def get_json(self, path: str, accept: str | None = None) -> dict:
        """GET ``/v2/{path}`` and decode its JSON body."""
        return json.loads(self.get(path, accept)[1])

    def catalog(self) -> list[str]:
        """Repositories the registry holds."""
        return self.get_json("_catalog")["repositories"]

    def tags(self, repository: str) -> list[str]:
        """Tags of ``repository``."""
        return sorted(self.get_json(f"{repository}/tags/list").get("tags") or [])

    def manifest(self, repository: str, reference: str) -> dict:
        """Image manifest of ``repository:reference`` (image-spec)."""
        return self.get_json(f"{repository}/manifests/{reference}", MANIFEST_TYPES)

    def blob(self, repository: str, digest: str) -> bytes:
        """Content of a blob (a layer or a config) by digest."""
        return self.get(f"{repository}/blobs/{digest}")[1]

    def config(self, repository: str, reference: str) -> dict:
        """Image configuration (image-spec config JSON) of ``repository:reference``."""
        digest = self.manifest(repository, reference)["config"]["digest"]
        return json.loads(self.blob(repository, digest))
