"""Chapter 03 exercises: write a compose file, and drive the voting app."""

from __future__ import annotations

import json
import urllib.error

from ..._errors import RecipeError, TimeoutExpired
from ..._paths import work_dir
from ..._poll import poll
from ...widgets import service_states
from ..http import http_get, wait_http
from ..sh import sh
from . import Failed, exercise


@exercise(
    "03.compose-file",
    "Describe web (nginx, port 8083) and cache (redis:7) in a compose "
    "file and start it as project ex03",
    (
        "The voting app's compose file shows the shape (services, image, ports, depends_on); "
        "`docker compose config` on your file says whether it is valid, and the global option"
        " `-p` names the project when you start it."
    ),
)
def compose_file() -> str:
    """work/ex03/compose.yaml must be valid and its project ex03 must serve on 8083."""
    folder = work_dir("03-docker-compose") / "ex03"
    path = folder / "compose.yaml"
    if not path.is_file():
        raise Failed(f"there is no {path.relative_to(work_dir('03-docker-compose'))} yet.")
    config = sh(f"docker compose -p ex03 -f {path} config --format json", check=False, timeout=60)
    if not config.ok:
        message = config.output.strip().replace(f"{folder.parent}/", "")
        raise RecipeError(
            f"compose.yaml is not valid: {message}",
            "Fix the key the message names; `docker compose config`, run on your file, "
            "re-checks it.",
        )
    services = json.loads(config.output)["services"]
    if set(services) != {"web", "cache"}:
        raise Failed(f"the services are {sorted(services)}, not ['cache', 'web'].")
    images = {
        name: str(spec.get("image", "")).removeprefix("docker.io/").removeprefix("library/")
        for name, spec in services.items()
    }
    if images["web"].split(":")[0] != "nginx" or images["cache"] != "redis:7":
        raise Failed(f"the images are web={images['web']!r}, cache={images['cache']!r}.")
    if "cache" not in (services["web"].get("depends_on") or {}):
        raise Failed("web does not depend on cache.")
    running = {name for name, state in service_states("ex03").items() if state == "running"}
    if running != {"web", "cache"}:
        raise Failed(
            f"the file is right; now start it as project ex03 (running: {sorted(running)})."
        )
    try:
        body = wait_http("http://127.0.0.1:8083/", timeout=10)
    except TimeoutExpired:
        raise Failed("ex03 runs, but nothing answers on port 8083.") from None
    if "Welcome to nginx!" not in body:
        raise Failed("port 8083 answers, but not with nginx's welcome page.")
    return "ex03 is valid, and its web service answers on port 8083."


@exercise(
    "03.votes",
    "Make the result read Cats 1, Dogs 3",
    (
        "Start the app again as in the chapter, then vote: each `curl` without a cookie jar "
        "is a new voter, option a is Cats and b is Dogs."
    ),
)
def votes() -> str:
    """The result app's API must report a=1, b=3 (within 10 s: the worker is asynchronous)."""
    seen: list[dict] = []

    def counted() -> dict | None:
        try:
            seen.append(json.loads(http_get("http://127.0.0.1:8081/api/results")))
        except (urllib.error.URLError, OSError):
            raise Failed("the result app does not answer on port 8081: is the app up?") from None
        return seen[-1] if (seen[-1].get("a"), seen[-1].get("b")) == (1, 3) else None

    try:
        poll(counted, timeout=10, what="the result Cats 1, Dogs 3", fix="")
    except TimeoutExpired:
        counts = seen[-1]
        raise Failed(f"the result reads Cats {counts.get('a')}, Dogs {counts.get('b')}.") from None
    return "the worker moved every vote from redis to postgres: Cats 1, Dogs 3."
