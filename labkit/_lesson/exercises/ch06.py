"""Chapter 06 exercises: a sidecar sharing a volume, one IP per Pod, a Pod that runs once."""

from __future__ import annotations

from ..kubectl import exec_in, get, kubectl
from . import Failed, exercise, require

NAMESPACE = "ex06"
PAGE = "Hello from the sidecar"


def _pod(name: str) -> dict:
    """The Pod ``name`` of ex06 as JSON, or `Failed` naming what is missing."""
    require("namespace", NAMESPACE)
    return require("Pod", name, NAMESPACE)


def _image(container: dict) -> str:
    """The image's short name: ``nginx`` for ``docker.io/library/nginx:latest``."""
    return container["image"].removeprefix("docker.io/").removeprefix("library/").split(":")[0]


def _two_containers() -> tuple[dict, dict, dict]:
    """The Pod web of ex06, its nginx container and its other container."""
    pod = _pod("web")
    containers = pod["spec"]["containers"]
    nginx = [c for c in containers if _image(c) == "nginx"]
    others = [c for c in containers if _image(c) != "nginx"]
    if len(containers) != 2 or len(nginx) != 1:
        images = [c["image"] for c in containers]
        raise Failed(f"web has the containers {images}: expected nginx and one sidecar.")
    return pod, nginx[0], others[0]


@exercise(
    "06.sidecar",
    "A Pod web in ex06: nginx serves the page its sidecar writes in a shared emptyDir",
    (
        "One `emptyDir` volume under `spec.volumes`, mounted by both containers: in nginx "
        "where it serves its pages, in the sidecar wherever you like; the sidecar writes "
        "index.html there, then sleeps."
    ),
)
def sidecar() -> str:
    """Pod web: two containers sharing an emptyDir; nginx serves the sidecar's text."""
    pod, nginx, other = _two_containers()
    empty = {v["name"] for v in pod["spec"].get("volumes") or () if "emptyDir" in v}
    if not empty:
        raise Failed("web declares no emptyDir volume.")
    mounted = [{m["name"] for m in c.get("volumeMounts") or ()} & empty for c in (nginx, other)]
    if not (mounted[0] & mounted[1]):
        raise Failed("nginx and the sidecar do not mount the same emptyDir volume.")
    kubectl(
        f"wait --for=condition=Ready pod/web -n {NAMESPACE} --timeout=60s", timeout=90, check=False
    )
    answer = exec_in("web", "curl -s http://localhost/", NAMESPACE, container=nginx["name"])
    if not answer.ok:
        raise Failed("web is not running yet (or nginx does not answer): wait until it is Ready.")
    if PAGE not in answer.output:
        raise Failed(f"nginx answers {answer.output.strip()[:60]!r}, not {PAGE!r}.")
    return "nginx serves the page its sidecar wrote: one volume, two containers."


@exercise(
    "06.shared-net",
    "Give the IP address the sidecar of web (ex06) sees",
    (
        "`kubectl exec` chooses the container with `-c` (your sidecar's name, from your "
        "manifest); run `hostname -i` there."
    ),
)
def shared_net(answer: object = "") -> str:
    """The answer must be the sidecar's IP, which is nginx's and the Pod's."""
    given = str(answer).strip()
    if not given:
        raise Failed("`answer` is empty: put the sidecar's IP address in it.")
    pod, nginx, other = _two_containers()
    seen = {}
    for container in (nginx, other):
        result = exec_in("web", "hostname -i", NAMESPACE, container=container["name"])
        if not result.ok:
            raise Failed(f"cannot run hostname -i in {container['name']}: is web Ready?")
        seen[container["name"]] = result.output.strip()
    if given != seen[other["name"]]:
        raise Failed(f"{given!r} is not the address the sidecar sees.")
    if len(set(seen.values())) == 1 and given == pod["status"].get("podIP"):
        return "right — and nginx sees the same address, the Pod's: one network namespace."
    return "right."


@exercise(
    "06.once",
    "A Pod once in ex06 that prints done and is not restarted",
    (
        "Which `restartPolicy` leaves a container stopped once it exited with code 0? Set it "
        "in the Pod's spec, then wait for the Pod's phase."
    ),
)
def once() -> str:
    """Pod once: restartPolicy Never or OnFailure, phase Succeeded, logs say done."""
    pod = _pod("once")
    policy = pod["spec"].get("restartPolicy", "Always")
    if policy == "Always":
        raise Failed(
            "once has restartPolicy Always: the kubelet restarts it after every exit. "
            "A Pod's restartPolicy cannot be changed: delete it and declare it again."
        )
    kubectl(
        f"wait --for=jsonpath={{.status.phase}}=Succeeded pod/once -n {NAMESPACE} --timeout=60s",
        timeout=90,
        check=False,
    )
    phase = get("pod", "once", NAMESPACE)["status"].get("phase")
    if phase != "Succeeded":
        raise Failed(f"once is in phase {phase}, not Succeeded (did its container exit with 0?).")
    logs = kubectl(f"logs once -n {NAMESPACE}", check=False).output
    if "done" not in logs:
        raise Failed(f"once ran, but its logs say {logs.strip()[:60]!r}, not done.")
    return f"once ran one time and stays Completed (restartPolicy {policy})."
