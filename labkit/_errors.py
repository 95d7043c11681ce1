"""The one exception family labkit raises: every message names what failed and the fix."""

from __future__ import annotations


class LabkitError(Exception):
    """Base error: ``str(err)`` says what was tried, what came back, and how to fix it."""

    def __init__(self, problem: str, fix: str | None = None) -> None:
        """Store the problem and, when known, the fix shown after it."""
        self.problem = problem
        self.fix = fix
        super().__init__(problem if fix is None else f"{problem}\nFix: {fix}")

    def _render_traceback_(self) -> list[str]:
        """How IPython shows it: the message alone, not a traceback wall."""
        return [f"{type(self).__name__}: {self}"]


class EngineUnavailable(LabkitError):
    """No Docker engine answers (Binder, a laptop with Docker stopped, ...)."""


class CommandFailed(LabkitError):
    """A command run through labkit exited with a non-zero code."""

    def __init__(self, command: str, code: int, output: str, fix: str | None = None) -> None:
        """Keep the command, its exit code and its (tail of) output."""
        self.command = command
        self.code = code
        self.output = output
        tail = "\n".join(output.rstrip().splitlines()[-15:])
        super().__init__(
            f"The command `{command}` returned with code {code}. Its output ends with:\n{tail}",
            fix,
        )


class TimeoutExpired(LabkitError):
    """A bounded wait ran out before the condition held."""


class RecipeError(LabkitError):
    """An image recipe or a learner's Dockerfile / compose file is malformed."""


class PortBusy(LabkitError):
    """A port the course needs is already taken by another program."""
