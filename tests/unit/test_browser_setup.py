"""ensure_browser() without touching the machine: apt and the PATH are faked."""

from __future__ import annotations

import pytest

from labkit._errors import LabkitError
from labkit._setup import apt, browser


@pytest.fixture
def machine(monkeypatch, tmp_path):
    """A machine whose PATH, user and apt the test decides; the apt calls it saw."""
    state = {"installed": False, "root": True, "apt": True, "calls": []}
    chromium = tmp_path / "chromium"

    def which(name):
        if name == "chromium":
            return str(chromium) if state["installed"] else None
        if name == "apt-get":
            return "/usr/bin/apt-get" if state["apt"] else None
        return None

    def apt_install(*packages):
        state["calls"].append(packages)
        state["installed"] = True

    monkeypatch.setattr(browser.shutil, "which", which)
    monkeypatch.setattr(browser.os, "geteuid", lambda: 0 if state["root"] else 1000)
    monkeypatch.setattr(apt, "apt_install", apt_install)
    state["path"] = chromium
    return state


def test_a_chromium_on_path_is_used_as_it_is(machine):
    machine["installed"] = True
    assert browser.ensure_browser() == machine["path"]
    assert machine["calls"] == []


def test_as_root_debians_package_is_installed_once(machine):
    assert browser.ensure_browser() == machine["path"]
    assert browser.ensure_browser() == machine["path"]
    assert machine["calls"] == [("chromium",)]


@pytest.mark.parametrize(("root", "apt", "why"), [(False, True, "root"), (True, False, "apt")])
def test_without_root_or_apt_the_error_names_the_fix(machine, root, apt, why):
    machine["root"], machine["apt"] = root, apt
    with pytest.raises(LabkitError) as err:
        browser.ensure_browser()
    assert why in err.value.problem
    assert "apt-get install chromium" in err.value.fix
    assert machine["calls"] == []


def test_the_flags_keep_chromium_headless_and_off_the_network():
    for flag in ("--headless", "--no-sandbox", "--disable-background-networking"):
        assert flag in browser.CHROMIUM_FLAGS
