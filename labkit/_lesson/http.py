"""HTTP at lesson time: GET a page, and wait (bounded) until a page answers."""

from __future__ import annotations

import urllib.error
import urllib.request

from .._poll import NotYet, poll
from .docker import client, is_reachable


def http_get(url: str, timeout: float = 5, headers: dict[str, str] | None = None) -> str:
    """GET ``url`` and return the body as text (raises urllib's errors)."""
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode("utf-8", errors="replace")


def wait_http(
    url: str,
    expect: str | None = None,
    timeout: float = 30,
    headers: dict[str, str] | None = None,
) -> str:
    """Wait until ``url`` answers (with ``expect`` in its body, if given); return the body.

    Args:
        url: the page to GET.
        expect: text the body must contain (default: any answer will do).
        timeout: seconds before `TimeoutExpired` is raised.
        headers: HTTP headers sent with each request (e.g. ``{"Host": "web.local"}``).

    Raises:
        TimeoutExpired: no answer (or none containing ``expect``) within ``timeout``.
        EngineUnavailable: the page does not answer and no Docker engine runs at all.

    Example:
        >>> page = wait_http("http://localhost:8080", expect="Welcome to nginx!")
    """

    def probe() -> str:
        try:
            body = http_get(url, timeout=3, headers=headers)
        except (urllib.error.URLError, ConnectionError, OSError) as err:
            if not is_reachable():
                client()  # raises EngineUnavailable at once: no container can answer
            raise NotYet(str(err)) from err
        if expect is not None and expect not in body:
            raise NotYet(f"the page did not contain {expect!r}")
        return body

    return poll(
        probe,
        timeout=timeout,
        what=f"{url} to answer" + (f" with {expect!r}" if expect is not None else ""),
        fix="Check the container is running (`docker ps -a`) and read its logs "
        "(`docker logs NAME`).",
    )
