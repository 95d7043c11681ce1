"""Exercise checks: ``labkit.check("02.run")`` gives a verdict and, when it fails, a hint."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..._errors import CommandFailed, Failed, LabkitError
from ..kubectl import get


@dataclass(frozen=True)
class Verdict:
    """The result of a check: passed or not, what was seen, and a hint when it failed."""

    exercise: str
    passed: bool
    message: str
    hint: str = ""

    def __str__(self) -> str:
        """Friendly text: ✓ or ✗, the message, then the hint."""
        mark = "✓ Well done" if self.passed else "✗ Not yet"
        text = f"{mark} ({self.exercise}): {self.message}"
        if not self.passed and self.hint:
            text += f"\n  Hint: {self.hint}"
        return text

    def __repr__(self) -> str:
        """Same as `__str__`, so a notebook cell ending with ``check(...)`` reads well."""
        return str(self)

    def __bool__(self) -> bool:
        """True when the check passed."""
        return self.passed


def require(
    kind: str, name: str, namespace: str | None = None, *, missing: str | None = None
) -> dict[str, Any]:
    """The object as parsed JSON, or the verdict that it is not there.

    Args:
        kind: its kind as a verdict names it (``"Pod"``, ``"ConfigMap"``, ``"PVC"``,
            ``"namespace"``); kubectl gets it in lower case.
        name: its name.
        namespace: its namespace (None for cluster-wide kinds such as namespaces).
        missing: the verdict when it does not exist (default: "there is no KIND NAME in
            namespace NAMESPACE.").

    Raises:
        Failed: the object does not exist.
        ClusterUnavailable: the cluster does not answer.

    Example:
        >>> pod = require("Pod", "web", "ex06")  # or Failed: "there is no Pod web in ..."
    """
    try:
        return get(kind.lower(), name, namespace)
    except CommandFailed as err:
        if "(NotFound)" not in err.output:
            raise
        where = f" in namespace {namespace}" if namespace else ""
        raise Failed(missing or f"there is no {kind} {name}{where}.") from None


@dataclass(frozen=True)
class Exercise:
    """An exercise: its id, title, hint, and the function that checks it."""

    id: str
    title: str
    hint: str
    run: Callable[..., str]


EXERCISES: dict[str, Exercise] = {}


def exercise(
    ident: str, title: str, hint: str
) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register a check function; it returns a success message or raises `Failed`."""

    def register(func: Callable[..., str]) -> Callable[..., str]:
        EXERCISES[ident] = Exercise(ident, title, hint, func)
        return func

    return register


def _register_all() -> None:
    """Import every chapter module (``chNN.py``): importing one registers its exercises."""
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("ch"):
            importlib.import_module(f"{__name__}.{module.name}")


def check(ident: str, *answer: Any) -> Verdict:
    """Check exercise ``ident`` (with the learner's ``answer`` when it asks for one)."""
    _register_all()
    if ident not in EXERCISES:
        raise LabkitError(
            f"No exercise is called {ident!r}.", f"Known exercises: {', '.join(sorted(EXERCISES))}."
        )
    item = EXERCISES[ident]
    try:
        return Verdict(ident, True, item.run(*answer))
    except Failed as failure:
        return Verdict(ident, False, str(failure), item.hint)
    except LabkitError as err:
        return Verdict(ident, False, err.problem, err.fix or item.hint)
