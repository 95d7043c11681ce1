"""labkit: the helper package of the Docker++ course.

It wraps, it does not hide: notebooks show the real ``docker`` commands of the deck, and
labkit does what a CLI does badly in a notebook — bounded waits, idempotent clean-up,
tidy outputs, widgets, and exercise checks.
"""

from ._errors import (
    ClusterUnavailable,
    CommandFailed,
    EngineUnavailable,
    LabkitError,
    ManifestError,
    NotYet,
    PortBusy,
    RecipeError,
    TimeoutExpired,
)
from ._lesson.chapters import chapter, finish, reset
from ._lesson.docker import client, is_reachable, wait_healthy
from ._lesson.dockerfile import instructions as dockerfile_instructions
from ._lesson.exercises import Verdict, check
from ._lesson.exercises.ch12 import wait_connection
from ._lesson.http import http_get, wait_http
from ._lesson.kubectl import (
    apply,
    delete_namespace,
    exec_in,
    kubectl,
    port_forward,
    wait_endpoints,
    wait_for,
    wait_rollout,
)
from ._lesson.pipelines import run_pipeline
from ._lesson.procs import process_tree
from ._lesson.registry import COURSE_REGISTRY, MIRROR, Registry
from ._lesson.sh import Result, sh
from ._lesson.terminal import load_ipython_extension
from ._poll import poll

__all__ = [
    "ClusterUnavailable",
    "ManifestError",
    "apply",
    "delete_namespace",
    "exec_in",
    "kubectl",
    "port_forward",
    "wait_endpoints",
    "wait_for",
    "wait_rollout",
    "COURSE_REGISTRY",
    "MIRROR",
    "CommandFailed",
    "EngineUnavailable",
    "LabkitError",
    "NotYet",
    "PortBusy",
    "RecipeError",
    "Registry",
    "Result",
    "TimeoutExpired",
    "Verdict",
    "chapter",
    "check",
    "finish",
    "client",
    "dockerfile_instructions",
    "doctor",
    "http_get",
    "is_reachable",
    "load_ipython_extension",
    "poll",
    "process_tree",
    "reset",
    "run_pipeline",
    "sh",
    "wait_healthy",
    "wait_http",
    "wait_connection",
]


def __getattr__(name: str) -> object:
    """``labkit.doctor``, imported on first use: importing labkit imports no set-up module."""
    if name == "doctor":
        from ._setup.commands import doctor

        return doctor
    raise AttributeError(f"module 'labkit' has no attribute {name!r}")
