"""Every exception labkit defines.

`LabkitError` and its subclasses are what labkit raises: each message names what failed and
the fix. `NotYet` and `Failed` are signals inside labkit (a wait goes on, an exercise check
gives its verdict); they do not reach the learner as errors.
"""

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


class ClusterUnavailable(LabkitError):
    """The course's Kubernetes cluster does not answer."""


class ManifestError(LabkitError):
    """A manifest cannot be read as Kubernetes YAML."""


class NotYet(Exception):
    """Raised by a probe to say why its condition does not hold yet (shown on timeout)."""


class Failed(Exception):
    """Raised inside a check: the learner's work is not there yet (message = what was seen)."""
