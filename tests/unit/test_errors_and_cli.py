import socket

import pytest

from labkit import LabkitError, PortBusy
from labkit._lesson.chapters import find
from labkit._lesson.docker import require_port
from labkit._setup.cli import main


def test_errors_carry_their_fix_and_render_as_one_entry():
    err = LabkitError("It broke.", "Do this.")
    assert str(err) == "It broke.\nFix: Do this."
    assert err._render_traceback_() == ["LabkitError: It broke.\nFix: Do this."]


def test_chapters_are_found_by_number_or_slug():
    assert find("02").slug == "02-docker-engine"
    assert find("03-docker-compose").title == "docker-compose"
    with pytest.raises(LabkitError, match="Use one of: 00-start-here"):
        find("42")


def test_cli_reports_a_bad_chapter_in_one_line(capsys):
    assert main(["reset", "42"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("labkit reset: No chapter is called '42'.")


def test_a_taken_port_names_the_program_finder_and_the_variable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(PortBusy, match=f"Port {port} .* already taken") as caught:
            require_port(port, "course registry", "LABKIT_REGISTRY_PORT")
    assert "LABKIT_REGISTRY_PORT" in str(caught.value)
    assert f"sport = :{port}" in str(caught.value)


def test_without_engine_root_or_apt_the_manual_steps_are_given(monkeypatch, tmp_path):
    from labkit import EngineUnavailable
    from labkit._setup import engine

    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path))  # no own engine remembered
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("LABKIT_OWN_ENGINE", raising=False)
    monkeypatch.setattr(engine, "ensure_client", lambda: "the course's client")
    monkeypatch.setattr(engine, "is_reachable", lambda: False)
    monkeypatch.setattr(engine.os, "geteuid", lambda: 1000)
    with pytest.raises(EngineUnavailable, match="needs root and apt-get") as caught:
        engine.ensure_engine()
    assert "docs.docker.com/engine/install" in str(caught.value)


def test_an_unreachable_engine_names_the_socket_and_the_fix(monkeypatch, tmp_path):
    from labkit import EngineUnavailable
    from labkit._lesson import docker

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    docker.client.cache_clear()
    with pytest.raises(EngineUnavailable, match=f"No Docker engine answers at unix://{tmp_path}"):
        docker.client()
    docker.client.cache_clear()
