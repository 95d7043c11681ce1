"""Run a shell command from Python with captured, merged, bounded output."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .._errors import CommandFailed, TimeoutExpired
from .normalise import normalise


@dataclass(frozen=True)
class Result:
    """What a command did: the command line, its exit code and its merged output."""

    command: str
    code: int
    output: str

    @property
    def ok(self) -> bool:
        """True when the command exited with code 0."""
        return self.code == 0

    @property
    def normalised(self) -> str:
        """The output with volatile values masked, for comparisons."""
        return normalise(self.output)

    def __repr__(self) -> str:
        """Short form: the command and its exit code."""
        return f"<Result `{self.command}` exit={self.code}>"

    def check(self, fix: str | None = None) -> Result:
        """Return this result if the command succeeded, else raise `CommandFailed`.

        Args:
            fix: the hint put in the error message when the command failed.

        Raises:
            CommandFailed: the exit code was not 0; names the command, the code, the output's
                tail and ``fix``.

        Example:
            >>> sh("true", check=False).check(fix="Retry.").code
            0
        """
        if self.ok:
            return self
        raise CommandFailed(self.command, self.code, self.output, fix)


def sh(
    command: str,
    *,
    cwd: str | Path | None = None,
    timeout: float = 120,
    check: bool = True,
    env: dict[str, str] | None = None,
    input: str | None = None,
    fix: str | None = None,
    shown: str | None = None,
) -> Result:
    """Run ``command`` with bash, wait at most ``timeout`` seconds, return its `Result`.

    Args:
        command: a bash command line, as a learner would type it.
        cwd: folder to run in (default: the current one).
        timeout: seconds before the command is killed and `TimeoutExpired` is raised.
        check: raise `CommandFailed` on a non-zero exit code.
        env: extra environment variables.
        input: text given on standard input (default: none, never the terminal).
        fix: the hint put in the error message when the command fails.
        shown: how messages and the `Result` name the command (default: ``command``).
    """
    shown = shown or command
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=full_env,
            input=input if input is not None else "",
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise TimeoutExpired(
            f"`{shown}` was still running after {timeout:.0f} s and was stopped.",
            fix or "Check that the service it talks to is up (`labkit doctor`).",
        ) from err
    result = Result(shown, proc.returncode, proc.stdout)
    return result.check(fix) if check else result
