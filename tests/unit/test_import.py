import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, os, sys
before = (dict(os.environ), os.getcwd())
import labkit, labkit.widgets
after = (dict(os.environ), os.getcwd())
print(json.dumps({"same": before == after, "path": os.environ["PATH"]}))
"""


def test_importing_labkit_changes_no_environment_folder_or_cache(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "LABKIT_CACHE": str(cache), "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["same"], "importing labkit changed os.environ or the current folder"
    assert str(cache) not in seen["path"]
    assert not cache.exists(), "importing labkit created the cache folder"


PHASES = """
import json, pkgutil, sys
import labkit, labkit.widgets, labkit._lesson
for info in pkgutil.walk_packages(labkit._lesson.__path__, "labkit._lesson."):
    __import__(info.name)
print(json.dumps(sorted(name for name in sys.modules if name.startswith("labkit._setup"))))
"""


def test_importing_labkit_and_every_lesson_module_imports_no_setup_module(tmp_path):
    env = {**os.environ, "LABKIT_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", PHASES], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [], "lesson code imports set-up code at import time"


def test_doctor_is_public_and_imported_on_first_use():
    import labkit
    from labkit._setup.commands import doctor

    assert "doctor" in labkit.__all__
    assert labkit.doctor is doctor
    assert all(hasattr(labkit, name) for name in labkit.__all__)


def test_the_cli_puts_the_course_tools_first_on_path(tmp_path, monkeypatch):
    from labkit._setup import cli

    monkeypatch.setenv("LABKIT_CACHE", str(tmp_path))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setattr(cli, "_reset", lambda args: 0)
    assert cli.main(["reset", "02"]) == 0
    assert os.environ["PATH"] == f"{tmp_path / 'tools'}:/usr/bin:/bin"


def test_every_exception_class_is_defined_in_errors_and_re_exported_as_before():
    import importlib
    import inspect
    import pkgutil

    import labkit
    from labkit import _errors

    modules = [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(labkit.__path__, "labkit.")
        if ".recipes" not in info.name
    ]
    elsewhere = {
        f"{module.__name__}.{name}"
        for module in modules
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__.startswith("labkit.")
        and value.__module__ != "labkit._errors"
    }
    assert not elsewhere, f"exceptions defined outside labkit/_errors.py: {sorted(elsewhere)}"
    from labkit._lesson.exercises import Failed
    from labkit._lesson.kubectl import ClusterUnavailable, ManifestError
    from labkit._poll import NotYet

    assert labkit.ClusterUnavailable is ClusterUnavailable is _errors.ClusterUnavailable
    assert labkit.ManifestError is ManifestError is _errors.ManifestError
    assert labkit.NotYet is NotYet is _errors.NotYet
    assert Failed is _errors.Failed
