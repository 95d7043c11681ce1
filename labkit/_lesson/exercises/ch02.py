"""Chapter 02 exercises: run, build, tag and push with the Docker CLI."""

from __future__ import annotations

import urllib.error

from ..._paths import work_dir
from ..dockerfile import instructions
from ..http import http_get
from ..registry import COURSE_REGISTRY, Registry
from ..sh import sh
from . import Failed, exercise


@exercise(
    "02.run",
    "Serve nginx on 127.0.0.1:8082 from a container named ex02-web",
    "The `-p` option can name the host's address too, before the host port (the help of "
    "`docker run` gives the form); `docker ps` then shows it in the PORTS column.",
)
def run_web() -> str:
    """http://127.0.0.1:8082 must answer nginx's welcome page."""
    try:
        body = http_get("http://127.0.0.1:8082/")
    except (urllib.error.URLError, OSError) as err:
        raise Failed(f"nothing answers on http://127.0.0.1:8082 ({err}).") from None
    if "Welcome to nginx!" not in body:
        raise Failed("http://127.0.0.1:8082 answers, but not with nginx's welcome page.")
    return "ex02-web serves nginx's welcome page on 127.0.0.1:8082."


@exercise(
    "02.push",
    "Build ex02-hello:1.0 saying 'Hello Docker++' and push it to localhost:5000",
    "The same steps as my-app in the chapter, with other names: a Dockerfile and a page in "
    "ex02/, `docker build`, a tag that starts with the registry's address, `docker login`, "
    "`docker push`.",
)
def push_hello() -> str:
    """The course registry must hold ex02-hello:1.0, whose page says Hello Docker++."""
    dockerfile = work_dir("02-docker-engine") / "ex02" / "Dockerfile"
    if not dockerfile.is_file():
        raise Failed("there is no ex02/Dockerfile yet.")
    instructions(dockerfile, "ex02/Dockerfile")  # names the line of a malformed instruction
    tags = Registry(COURSE_REGISTRY).tags("ex02-hello") if _has_repo("ex02-hello") else []
    if "1.0" not in tags:
        raise Failed("localhost:5000 has no ex02-hello:1.0 yet.")
    page = sh(
        "docker run --rm localhost:5000/ex02-hello:1.0 cat /usr/share/nginx/html/index.html",
        check=False,
        timeout=60,
    )
    if "Hello Docker++" not in page.output:
        raise Failed("ex02-hello:1.0's index.html does not say 'Hello Docker++'.")
    return "localhost:5000/ex02-hello:1.0 is pushed and serves 'Hello Docker++'."


def _has_repo(name: str) -> bool:
    return name in Registry(COURSE_REGISTRY).catalog()
