"""Chapter 00 exercises: read facts about the engine from the engine itself."""

from __future__ import annotations

from ..docker import info
from . import Failed, exercise


@exercise(
    "00.storage-driver",
    "Which storage driver does the engine use?",
    "Run `docker info` and read the line 'Storage Driver'.",
)
def storage_driver(answer: str = "") -> str:
    """The answer must be the engine's storage driver."""
    actual = info().storage_driver
    if str(answer).strip().lower() != actual.lower():
        raise Failed(f"{answer!r} is not the storage driver of this engine.")
    return f"the engine stores image layers with {actual}."


@exercise(
    "00.mirror",
    "Which registry mirror does the engine use?",
    "Ask the engine, not the course: `docker info` lists its registry mirrors near the end of "
    "its server's part.",
)
def mirror(answer: str = "") -> str:
    """The answer must be one of the engine's registry mirrors."""
    mirrors = [m.rstrip("/") for m in info().mirrors]
    if not mirrors:
        raise Failed("this engine has no registry mirror (it was not started by `labkit up`).")
    if str(answer).strip().rstrip("/") not in mirrors:
        raise Failed(f"{answer!r} is not among this engine's mirrors.")
    return "pulls of Docker Hub images are first asked of this mirror."
