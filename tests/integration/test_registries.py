"""The offline images, the registry mirror and the course registry, for real."""

import base64
import json
import urllib.error
import urllib.request

import pytest

from labkit import LabkitError, PortBusy, Registry, sh
from labkit._lesson.registry import COURSE_REGISTRY, MANIFEST_TYPES, MIRROR, registry_spec
from labkit._setup.images import image_ref, recipe
from labkit._setup.registry import ensure_registry

pytestmark = pytest.mark.docker


def test_mirror_serves_the_course_images_under_docker_hub_names(engine):
    registry = Registry(MIRROR)
    assert {"library/nginx", "library/redis", "library/postgres"} <= set(registry.catalog())
    assert {"latest", "1.22"} <= set(registry.tags("library/nginx"))
    headers, _ = registry.get("library/nginx/manifests/latest", MANIFEST_TYPES)
    # Docker 29 (containerd image store): an image's ID is the digest of its manifest
    assert headers["Docker-Content-Digest"] == engine.images.get(image_ref(recipe("nginx"))).id


def test_plain_docker_pull_goes_through_the_mirror(engine):
    sh("docker rmi redis:latest", check=False)
    result = sh("docker pull redis:latest", timeout=120)
    assert "Downloaded newer image for redis:latest" in result.output
    sh("docker rmi redis:latest")


def test_course_image_is_small(engine):
    assert engine.images.get(image_ref(recipe("nginx"))).attrs["Size"] < 190e6


def test_course_registry_refuses_anonymous_access_and_accepts_the_course_login(engine):
    url = f"{COURSE_REGISTRY.url}/v2/_catalog"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 401
    token = base64.b64encode(b"student:docker-plus-plus").decode()
    request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert "repositories" in json.loads(response.read())


def test_ensure_registry_is_idempotent(engine):
    assert "already running" in ensure_registry(MIRROR)


def test_a_port_taken_by_another_program_is_reported(engine):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        spec = registry_spec("labkit-test-busy", sock.getsockname()[1], False, "LABKIT_TEST_PORT")
        with pytest.raises(PortBusy, match="LABKIT_TEST_PORT"):
            ensure_registry(spec)
    assert not engine.containers.list(all=True, filters={"name": "labkit-test-busy"})


def test_registry_reader_names_a_missing_tag(engine):
    with pytest.raises(LabkitError, match="answered 404"):
        Registry(MIRROR).manifest("library/nginx", "no-such-tag")
