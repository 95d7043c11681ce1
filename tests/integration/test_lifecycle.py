"""`labkit down` leaves nothing behind; `labkit up` brings everything back; no engine → one line."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from labkit._lesson import cluster
from labkit._lesson.chapters import CHAPTERS
from labkit._lesson.kubectl import kubectl
from labkit._lesson.registry import COURSE_REGISTRY, MIRROR
from labkit._setup.cli import main
from labkit._setup.engine import stop_dockerd
from labkit._setup.forge import SERVICES as FORGE

SERVICES = {spec.name for spec in (MIRROR, COURSE_REGISTRY, *FORGE)}

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parents[2]


def course_objects(engine):
    def ours(labels):
        return any(
            key.startswith("org.dockerplusplus") or key.startswith("com.docker.compose")
            for key in (labels or {})
        )

    names = {n for c in CHAPTERS for n in c.containers} | set(SERVICES)
    containers = [
        c.name for c in engine.containers.list(all=True) if c.name in names or ours(c.labels)
    ]
    networks = [n.name for n in engine.networks.list() if ours(n.attrs.get("Labels"))]
    volumes = [
        v.name
        for v in engine.volumes.list()
        if v.name.startswith("labkit-") or ours(v.attrs.get("Labels"))
    ]
    return containers, networks, volumes


def test_down_removes_everything_then_up_restores_it(engine):
    assert main(["down"]) == 0
    assert course_objects(engine) == ([], [], [])
    assert cluster.node_containers() == []
    assert main(["up"]) == 0
    containers, _, _ = course_objects(engine)
    assert sorted(containers) == sorted(SERVICES)
    assert cluster.nodes_ready() == (3, 3)


@pytest.mark.k8s
def test_an_engine_restart_keeps_the_cluster(engine, capsys):
    """A laptop reboot: the engine stops, starts again; the same cluster serves again."""
    uid = kubectl("get namespace kube-system -o jsonpath={.metadata.uid}").output
    stop_dockerd()
    capsys.readouterr()
    assert main(["up"]) == 0
    assert f"kind cluster {cluster.NAME!r} reused" in capsys.readouterr().err
    assert kubectl("get namespace kube-system -o jsonpath={.metadata.uid}").output == uid
    assert cluster.nodes_ready() == (3, 3)


def test_doctor_is_green_after_up(engine):
    result = subprocess.run(
        [sys.executable, "-m", "labkit._setup.cli", "doctor"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout
    assert "✗" not in result.stdout


@pytest.mark.parametrize("chapter", [c.slug for c in CHAPTERS])
def test_without_an_engine_notebooks_say_so_in_one_line(chapter, tmp_path, engine):
    """Binder: no engine; every error is a one-line labkit message, never a traceback wall."""
    notebook = nbformat.read(ROOT / "notebooks" / f"{chapter}.ipynb", as_version=4)
    env = {
        **os.environ,
        "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock",
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
    }
    client = NotebookClient(
        notebook,
        timeout=120,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    )
    client.km = client.create_kernel_manager()
    client.start_new_kernel(env=env)
    try:
        client.start_new_kernel_client()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    finally:
        client._cleanup_kernel()
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    for error in errors:
        assert error.ename in {
            "EngineUnavailable",
            "ClusterUnavailable",
            "CommandFailed",
            "LabkitError",
        }, error.ename
        assert len(error.traceback) == 1, error.traceback
    texts = "".join(
        o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "No Docker engine" in texts
