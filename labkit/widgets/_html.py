"""Small text helpers the dashboards share: sizes as docker shows them, short text, HTML tables."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["human_size", "plural", "shorten", "table"]


def human_size(n: int) -> str:
    """Format a size in bytes the way the docker CLI does (1000-based, 3 significant digits).

    Args:
        n: a size in bytes, zero or more.

    Returns:
        ``"0B"``, ``"5.3kB"``, ``"141MB"``, ``"1.23GB"``...

    Raises:
        ValueError: when ``n`` is negative.
    """
    if n < 0:
        raise ValueError(f"a size cannot be negative, got {n}")
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
    size, i = float(n), 0
    while float(f"{size:.3g}") >= 1000 and i < len(units) - 1:
        size, i = size / 1000, i + 1
    return f"{size:.3g}{units[i]}"


def shorten(text: str, width: int) -> str:
    """``text`` with runs of white space collapsed, cut to ``width`` characters with "…"."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 container"``, ``"3 containers"``; ``many`` is the plural when not ``word + "s"``."""
    return f"{n} {word if n == 1 else many or word + 's'}"


_TABLE_CSS = (
    ".labkit-table{border-collapse:collapse;font-family:monospace;font-size:12px}"
    ".labkit-table th,.labkit-table td{padding:2px 12px 2px 0;text-align:left;vertical-align:top}"
    ".labkit-table th{border-bottom:1px solid #ccc}.labkit-table tr.muted{color:#999}"
)


def table(headers: Sequence[str], rows: Iterable[tuple[Sequence[str], bool]], empty: str) -> str:
    """An HTML table of plain-text cells; rows flagged ``True`` are greyed out.

    Args:
        headers: the column titles.
        rows: ``(cells, muted)`` pairs; the cells are escaped here.
        empty: the sentence shown instead of a table without rows.

    Returns:
        The HTML fragment.
    """
    body = [
        ('<tr class="muted">' if muted else "<tr>")
        + "".join(f"<td>{html.escape(text)}</td>" for text in cells)
        + "</tr>"
        for cells, muted in rows
    ]
    if not body:
        return f"<p><i>{html.escape(empty)}</i></p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    return (
        f'<style>{_TABLE_CSS}</style><table class="labkit-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
