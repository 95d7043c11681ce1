"""Plain-text progress lines for long set-up steps (readable in a terminal, a log or CI)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def say(message: str) -> None:
    """Print one progress line at once (unbuffered, so CI logs show it live)."""
    print(message, file=sys.stderr, flush=True)


@contextmanager
def step(title: str) -> Iterator[None]:
    """Announce a step, then report how long it took or that it failed."""
    say(f"→ {title} …")
    start = time.monotonic()
    try:
        yield
    except BaseException:
        say(f"✗ {title} (failed after {time.monotonic() - start:.1f} s)")
        raise
    say(f"✓ {title} ({time.monotonic() - start:.1f} s)")
