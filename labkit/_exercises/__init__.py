"""Exercise checks: ``labkit.check("02.run")`` gives a verdict and, when it fails, a hint."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._errors import LabkitError


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


class Failed(Exception):
    """Raised inside a check: the learner's work is not there yet (message = what was seen)."""


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
