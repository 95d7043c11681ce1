"""The one bounded wait: ask again until the answer comes or the time is up."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from ._errors import NotYet, TimeoutExpired

T = TypeVar("T")


def poll(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    fix: str,
    every: float = 0.5,
    retry_on: tuple[type[BaseException], ...] = (),
) -> T:
    """Call ``probe`` until it returns something other than None; return that.

    Args:
        probe: returns the awaited value, or None (or raises `NotYet`) while it is not there.
        timeout: seconds after which `TimeoutExpired` is raised.
        what: what is awaited, for the error ("the Service web to answer").
        fix: what to look at when it never comes.
        every: seconds between two calls.
        retry_on: exceptions that mean "not yet" too (their message is kept for the error).

    Raises:
        TimeoutExpired: ``what`` did not happen within ``timeout``; names the last reason.

    Example:
        >>> poll(lambda: 42, timeout=1, what="the answer", fix="wait")
        42
    """
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while True:
        try:
            value = probe()
            if value is not None:
                return value
        except (NotYet, *retry_on) as err:
            last = str(err) or type(err).__name__
        if time.monotonic() >= deadline:
            raise TimeoutExpired(f"Waited {timeout:.0f} s for {what}, in vain ({last}).", fix)
        time.sleep(every)
