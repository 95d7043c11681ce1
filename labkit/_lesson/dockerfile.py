"""A small Dockerfile reader that names the line of a malformed instruction."""

from __future__ import annotations

from pathlib import Path

from .._errors import RecipeError

INSTRUCTIONS = frozenset(
    "FROM RUN CMD LABEL MAINTAINER EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG "
    "ONBUILD STOPSIGNAL HEALTHCHECK SHELL".split()
)


def instructions(path: Path, shown: str | None = None) -> list[tuple[int, str, str]]:
    """Parse ``path`` into (line number, INSTRUCTION, arguments); raise `RecipeError` if bad.

    ``shown`` is how messages name the file (default: its path).
    """
    shown = shown or str(path)
    if not path.is_file():
        raise RecipeError(
            f"There is no Dockerfile at {shown} yet.",
            f"Create it, e.g. `cat > {shown} <<EOF` ... `EOF`.",
        )
    result: list[tuple[int, str, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text, pending = pending + line, ""
        keyword, _, arguments = text.partition(" ")
        if keyword.upper() not in INSTRUCTIONS:
            raise RecipeError(
                f"{shown}, line {start}: unknown instruction {keyword!r}.",
                f"Each instruction starts with one of {', '.join(sorted(INSTRUCTIONS))}.",
            )
        if not arguments.strip():
            raise RecipeError(
                f"{shown}, line {start}: {keyword.upper()} needs arguments.",
                "See https://docs.docker.com/reference/dockerfile/.",
            )
        result.append((start, keyword.upper(), arguments.strip()))
    if pending:
        raise RecipeError(
            f"{shown} ends with a line continued by '\\'.",
            "Remove the trailing backslash of the last instruction.",
        )
    first = next((item for item in result if item[1] != "ARG"), None)
    if first is None or first[1] != "FROM":
        where = f"line {first[0]}" if first else "the file"
        raise RecipeError(
            f"{shown}: {where} must start with FROM.",
            "Begin with the image you build on, e.g. `FROM nginx:1.22`.",
        )
    return result
