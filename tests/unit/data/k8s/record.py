"""Record what the Kubernetes widgets read, from the course cluster, for the unit tests.

In the namespace ``wt-widgets`` (created, then deleted): a one-replica Deployment ``web`` and
a quota of 3 Pods. It lists what ScaleSlider, PodList and QuotaGauge read (``before``),
watches the same lists with ``kubectl get --watch-only --output-watch-events -o json`` while
the Deployment is scaled to 5 (the quota refuses 2 Pods), and lists them again (``after``).
The tests replay the watch on ``before`` and expect what ``after`` shows.

Run it from the repository, with the cluster up::

    PYTHONPATH=$PWD .venv/bin/python tests/unit/data/k8s/record.py
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from labkit._lesson.kubectl import apply, delete_namespace, kubectl, wait_rollout
from labkit._paths import use_course_tools
from labkit._poll import NotYet, poll

HERE = Path(__file__).parent
NAMESPACE = "wt-widgets"
MANIFEST = f"""
apiVersion: v1
kind: Namespace
metadata: {{name: {NAMESPACE}}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {{name: pods-max, namespace: {NAMESPACE}}}
spec:
  hard: {{pods: "3"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {NAMESPACE}}}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{{name: nginx, image: nginx}}]
"""
# file name → the kubectl arguments of the list the widgets read
LISTS = {
    "pods": f"pods -n {NAMESPACE} -l app=web",
    "deployments": f"deployments -n {NAMESPACE} --field-selector metadata.name=web",
    "resourcequotas": f"resourcequotas -n {NAMESPACE}",
    "events": f"events -n {NAMESPACE} --field-selector "
    "involvedObject.kind=ReplicaSet,reason=FailedCreate",
}
WATCH_SECONDS = 45


def record(stage: str) -> None:
    for name, args in LISTS.items():
        output = kubectl(f"get {args} -o json").output
        (HERE / f"{name}-{stage}.json").write_text(output)


def json_stream(text: str) -> list[dict]:
    """The JSON documents kubectl printed one after the other."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while (at := _skip_space(text, at)) < len(text):
        doc, at = decoder.raw_decode(text, at)
        found.append(doc)
    return found


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def main() -> None:
    use_course_tools()
    delete_namespace(NAMESPACE)
    try:
        apply(MANIFEST)
        wait_rollout("deployment/web", NAMESPACE, timeout=120)
        used = f"get quota pods-max -n {NAMESPACE} -o jsonpath={{.status.used.pods}}"
        poll(lambda: kubectl(used).output.strip() or None, timeout=30, what="the usage", fix="")
        record("before")
        watches = {
            name: subprocess.Popen(
                f"timeout {WATCH_SECONDS} kubectl get {args} --watch-only --output-watch-events"
                " -o json",
                shell=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            for name, args in LISTS.items()
        }
        time.sleep(2)  # the watches have started
        kubectl(f"scale deployment web -n {NAMESPACE} --replicas=5")

        def settled() -> bool:
            ready = kubectl(
                f"get deployment web -n {NAMESPACE} -o jsonpath={{.status.readyReplicas}}"
            ).output
            refused = kubectl(f"get {LISTS['events']} -o name").output.strip()
            if ready != "3" or not refused:
                raise NotYet(f"{ready} ready, refusals: {bool(refused)}")
            return True

        poll(settled, timeout=90, what="3 ready Pods and a refusal", fix="", every=0.5)
        for name, proc in watches.items():
            output, _ = proc.communicate(timeout=WATCH_SECONDS + 10)
            events = json_stream(output)
            (HERE / f"{name}-watch.json").write_text(json.dumps(events, indent=1) + "\n")
            print(f"{name}: {len(events)} watch events")
        record("after")
    finally:
        delete_namespace(NAMESPACE)


if __name__ == "__main__":
    main()
