"""Chapter 16 exercises: today's API versions, and the capstone — the voting app by Helm chart.

The capstone's check proves the chart works end to end: real votes cast through the
Ingress are counted by the result app, and a Pod without the allowed labels cannot reach
redis or the database while the worker can.
"""

from __future__ import annotations

import json
import secrets
import shlex
import urllib.error
import urllib.parse
import urllib.request

from ..._errors import TimeoutExpired
from ..._poll import poll
from ...widgets import parse_quantity
from ..cluster import INGRESS_PORT
from ..kubectl import get, kubectl
from ..sh import sh
from . import Failed, exercise, require

NAMESPACE = "capstone"
DOMAIN = "capstone.weeble.tech"
APPS = ("vote", "result", "worker", "redis", "db")
STRAY = "labkit-stray"  # the check's own Pod, with none of the apps' labels
KINDS = ("Ingress", "CronJob", "HorizontalPodAutoscaler")


def _served() -> tuple[dict[str, str], set[str]]:
    """The API version the server prefers for each kind, and every group/version it serves."""
    preferred = {}
    for row in kubectl("api-resources --no-headers").output.splitlines():
        fields = row.split()  # NAME [SHORTNAMES] APIVERSION NAMESPACED KIND
        if len(fields) >= 4:
            preferred.setdefault(fields[-1], fields[-3])
    versions = set(kubectl("api-versions").output.split())
    return preferred, versions


@exercise(
    "16.api-versions",
    "Give today's apiVersion of Ingress, CronJob and HorizontalPodAutoscaler",
    "The API reference that replaced the deck's v1.13 overview lists each kind under its "
    "group and version. The cluster can answer too: kubectl lists the API resources the "
    "server serves, with the version of each.",
)
def api_versions(answer: object = None) -> str:
    """``answer`` maps each kind to the apiVersion this cluster prefers for it."""
    if not isinstance(answer, dict):
        raise Failed(f"{answer!r} is not a dict such as {{'Ingress': 'group/version', ...}}.")
    given = {str(kind).lower(): str(version).strip() for kind, version in answer.items()}
    preferred, served = _served()
    wrong = []
    for kind in KINDS:
        version = given.get(kind.lower())
        if version is None:
            wrong.append(f"{kind} is missing")
        elif version != preferred[kind]:
            state = "no longer served by this cluster"
            if version in served:
                state = "served, but not the version the server prefers"
            wrong.append(f"{kind}: {version} is {state}")
    if wrong:
        raise Failed("; ".join(wrong) + ".")
    found = ", ".join(f"{kind} {preferred[kind]}" for kind in KINDS)
    return f"{found}: the versions a manifest should say today."


def _http(
    host: str, path: str = "/", form: dict[str, str] | None = None, cookie: str = ""
) -> tuple[int, str]:
    """Ask the Ingress controller for ``http://HOST/PATH``; return (status, body)."""
    headers = {"Host": host}
    if cookie:
        headers["Cookie"] = cookie
    data = urllib.parse.urlencode(form).encode() if form else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{INGRESS_PORT}{path}", data=data, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", errors="replace")


def _page(host: str, path: str, expect: str, timeout: float = 30) -> str:
    """The body of ``host``'s ``path`` once it answers 200 with ``expect`` in it (bounded)."""
    seen = ["no answer"]

    def probe() -> str | None:
        try:
            status, body = _http(host, path)
        except OSError as err:
            seen.append(str(err))
            return None
        seen.append(f"HTTP {status}")
        return body if status == 200 and expect in body else None

    try:
        return poll(probe, timeout=timeout, what=f"{host}{path}", fix="")
    except TimeoutExpired:
        raise Failed(
            f"http://127.0.0.1:{INGRESS_PORT}{path} with Host: {host} does not answer as "
            f"expected (last: {seen[-1]})."
        ) from None


def _tally() -> dict[str, int]:
    body = _page(f"result.{DOMAIN}", "/api/results", '"total"')
    return json.loads(body)


def _require_release() -> str:
    listed = sh(f"helm list -n {NAMESPACE} -o json", check=False, timeout=30)
    releases = json.loads(listed.output) if listed.ok and listed.output.strip() else []
    deployed = [item["name"] for item in releases if item.get("status") == "deployed"]
    if not deployed:
        raise Failed(f"there is no deployed Helm release in namespace {NAMESPACE}.")
    return deployed[0]


def _require_apps(release: str) -> None:
    deployments = {
        item["metadata"]["name"]: item for item in get("deployments", namespace=NAMESPACE)["items"]
    }
    missing = [app for app in APPS if app not in deployments]
    if missing:
        have = ", ".join(sorted(deployments)) or "none"
        raise Failed(
            f"release {release} has these Deployments: {have}; missing: {', '.join(missing)}."
        )
    for app in APPS:
        owner = (deployments[app]["metadata"].get("annotations") or {}).get(
            "meta.helm.sh/release-name"
        )
        if owner != release:
            raise Failed(f"Deployment {app} does not come from the Helm release {release}.")
        for container in deployments[app]["spec"]["template"]["spec"]["containers"]:
            requests = (container.get("resources") or {}).get("requests") or {}
            if not {"cpu", "memory"} <= requests.keys():
                raise Failed(f"container {container['name']} of {app} requests no CPU or memory.")
    services = {item["metadata"]["name"] for item in get("services", namespace=NAMESPACE)["items"]}
    absent = [name for name in ("vote", "result", "redis", "db") if name not in services]
    if absent:
        raise Failed(f"no Service {', '.join(absent)} in namespace {NAMESPACE}.")
    for app in APPS:
        waited = kubectl(
            f"rollout status deployment/{app} -n {NAMESPACE} --timeout=120s",
            timeout=150,
            check=False,
        )
        if not waited.ok:
            raise Failed(f"Deployment {app} is not ready: {waited.output.strip()}")


def _require_quota() -> None:
    quotas = get("resourcequotas", namespace=NAMESPACE)["items"]
    for quota in quotas:
        hard = quota["spec"].get("hard") or {}
        if {"requests.cpu", "requests.memory"} <= hard.keys():
            used = quota.get("status", {}).get("used") or {}
            if parse_quantity(used.get("requests.cpu", "0")) <= 0:
                raise Failed(f"the ResourceQuota {quota['metadata']['name']} counts nothing yet.")
            return
    raise Failed(
        f"no ResourceQuota of namespace {NAMESPACE} limits requests.cpu and requests.memory."
    )


def _cast_votes() -> str:
    """Three new voters vote through the Ingress; wait until result counts them."""
    before = _tally()
    _page(f"vote.{DOMAIN}", "/", "<form")
    ballots = {"a": 2, "b": 1}
    for option, count in ballots.items():
        for _ in range(count):
            voter = f"voter_id={secrets.token_hex(8)}"
            status, body = _http(f"vote.{DOMAIN}", "/", {"vote": option}, voter)
            if status != 200:
                raise Failed(f"vote answered HTTP {status} to a vote: {body.strip()[:120]}")

    seen = [before]

    def counted() -> dict[str, int] | None:
        seen.append(_tally())
        now = seen[-1]
        done = all(now.get(key, 0) >= before.get(key, 0) + n for key, n in ballots.items())
        return now if done else None

    try:
        poll(counted, timeout=60, what="the votes to be counted", fix="")
    except TimeoutExpired:
        now = seen[-1]
        raise Failed(
            "3 votes went in through vote, but result does not count them (it reads Cats "
            f"{now.get('a')}, Dogs {now.get('b')}): does the worker reach redis and db?"
        ) from None
    return "2 votes for Cats and 1 for Dogs, cast through the Ingress, were counted by result"


def _pod_of(app: str) -> str:
    pods = get("pods", namespace=NAMESPACE, selector=_selector(app))["items"]
    ready = [
        pod["metadata"]["name"]
        for pod in pods
        if pod["metadata"].get("deletionTimestamp") is None
        and any(
            c["type"] == "Ready" and c["status"] == "True"
            for c in pod["status"].get("conditions", [])
        )
    ]
    if not ready:
        raise Failed(f"no ready Pod of {app}.")
    return ready[0]


def _selector(app: str) -> str:
    labels = get("deployment", app, NAMESPACE)["spec"]["selector"].get("matchLabels") or {}
    return ",".join(f"{key}={value}" for key, value in labels.items())


def _connects(pod: str, host: str, port: int) -> bool:
    """True when ``pod`` opens a TCP connection to ``host:port`` within 3 s."""
    probe = shlex.quote(f"</dev/tcp/{host}/{port}")
    command = f"exec -n {NAMESPACE} {pod} -- timeout 3 bash -c {probe}"
    return kubectl(command, check=False, timeout=20).ok


def _blocked(pod: str, host: str, port: int, who: str) -> None:
    """Fail unless ``pod`` cannot connect (asked again for a few seconds: policies apply)."""

    def probe() -> bool | None:
        return None if _connects(pod, host, port) else True

    try:
        poll(probe, timeout=8, what=f"{who} → {host}:{port} to be blocked", fix="", every=1)
    except TimeoutExpired:
        raise Failed(
            f"{who} connects to {host}:{port}: a NetworkPolicy must keep {host} private."
        ) from None


STRAY_POD = f"""
apiVersion: v1
kind: Pod
metadata:
  name: {STRAY}
  namespace: {NAMESPACE}
  labels:
    labkit-check: {STRAY}
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: debian
      image: debian:bookworm
      command: ["sleep", "infinity"]
      resources:
        requests: {{cpu: 10m, memory: 16Mi}}
        limits: {{cpu: 100m, memory: 32Mi}}
"""


def _stray_pod() -> str:
    """Start the check's stray Pod (no app label) and return its name once Ready."""
    kubectl(f"delete pod {STRAY} -n {NAMESPACE} --ignore-not-found --timeout=60s", timeout=90)
    created = kubectl("apply -f -", input=STRAY_POD, check=False)
    if not created.ok:
        raise Failed(
            "the check could not start its test Pod (10m CPU, 16Mi requested): "
            f"{created.output.strip()}"
        )
    waited = kubectl(
        f"wait --for=condition=Ready pod/{STRAY} -n {NAMESPACE} --timeout=90s",
        timeout=120,
        check=False,
    )
    if not waited.ok:
        raise Failed(f"the check's test Pod {STRAY} did not become Ready.")
    return STRAY


def _require_privacy() -> str:
    worker = _pod_of("worker")
    for host, port in (("db", 5432), ("redis", 6379)):
        if not _connects(worker, host, port):
            raise Failed(f"worker cannot connect to {host}:{port}.")
    _blocked(_pod_of("vote"), "db", 5432, "vote")
    _blocked(_pod_of("result"), "redis", 6379, "result")
    stray = _stray_pod()
    try:
        _blocked(stray, "db", 5432, "a Pod without the apps' labels")
        _blocked(stray, "redis", 6379, "a Pod without the apps' labels")
    finally:
        kubectl(
            f"delete pod {STRAY} -n {NAMESPACE} --ignore-not-found --timeout=60s",
            timeout=90,
            check=False,
        )
    return (
        "worker reaches db and redis; vote cannot reach db, result cannot reach redis, "
        "and a stray Pod reaches neither"
    )


@exercise(
    "16.capstone",
    "Install the voting app with your own chart: Ingress, private redis and db, a quota",
    "Work template by template, redis.yaml as your model; after each step upgrade your "
    "release with the chart as it is and run the check again: its message names the next "
    "thing missing. `helm template` shows what your chart renders; the namespace's events "
    "say why a Pod does not start.",
)
def capstone() -> str:
    """A Helm release in capstone runs the five apps, reachable, counted and private."""
    require("namespace", NAMESPACE, missing=f"there is no namespace {NAMESPACE} yet.")
    release = _require_release()
    _require_apps(release)
    _require_quota()
    votes = _cast_votes()
    privacy = _require_privacy()
    return f"release {release}: {votes}; {privacy}."
