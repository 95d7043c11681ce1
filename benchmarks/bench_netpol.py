"""Measure NetworkPolicy enforcement: apply → blocked, delete → allowed again (goal < 1 s).

    .venv/bin/python benchmarks/bench_netpol.py            # 10 rounds
    .venv/bin/python benchmarks/bench_netpol.py --rounds 30

In a scratch namespace of the running cluster (``bench-netpol``, deleted at the end), a web
server Pod and a client Pod, on two nodes when the scheduler can. Each round applies a
default-deny ingress policy for the server and times until the client's connections to it are
blocked, then deletes the policy and times until they pass again.

The client watches from inside: a loop in its Pod opens a TCP connection to the server's IP
every 10 ms (each attempt bounded to 50 ms, so a dropped SYN is seen as blocked), and prints
the start time of the first of two attempts in a row that show the awaited state. The Pod's
clock is the host's (kind's nodes are containers), so that time is compared with the moment
`kubectl apply` / `kubectl delete` returned. Results (seconds) are printed and saved to
benchmarks/results/netpol-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _results import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labkit._lesson.kubectl import apply, delete_namespace, get, kubectl, wait_for  # noqa: E402
from labkit._paths import use_course_tools  # noqa: E402

NAMESPACE = "bench-netpol"
PODS = f"""
apiVersion: v1
kind: Namespace
metadata:
  name: {NAMESPACE}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: {NAMESPACE}
  labels: {{app: web}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: nginx
      image: nginx
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: {NAMESPACE}
spec:
  terminationGracePeriodSeconds: 0
  affinity:
    podAntiAffinity:  # another node than web's: the policy is enforced on web's node
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            labelSelector: {{matchLabels: {{app: web}}}}
            topologyKey: kubernetes.io/hostname
  containers:
    - name: debian
      image: debian:bookworm
      command: ["sleep", "infinity"]
"""
POLICY = f"""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-web
  namespace: {NAMESPACE}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  policyTypes: [Ingress]
"""
DELETE = f"delete networkpolicy deny-web -n {NAMESPACE}"
# Runs in the client: $1 = the awaited state (open/blocked), $2 = the server's IP. Prints
# "ready" once the state is the other one, then the start (ns) of the first of two attempts in
# a row that show the awaited state; "timeout" after 20 s.
WATCH = r"""
want=$1 ip=$2 end=$(( $(date +%s) + 20 )) ready= first= streak=0
while [ "$(date +%s)" -lt "$end" ]; do
  t=$(date +%s%N)
  if timeout 0.05 bash -c "</dev/tcp/$ip/80" 2>/dev/null; then s=open; else s=blocked; fi
  if [ -z "$ready" ]; then
    [ "$s" != "$want" ] && { ready=1; echo ready; }
  elif [ "$s" = "$want" ]; then
    streak=$(( streak + 1 )); [ -z "$first" ] && first=$t
    [ "$streak" -ge 2 ] && { echo "$first"; exit 0; }
  else
    streak=0 first=
  fi
  sleep 0.01
done
echo timeout; exit 1
"""


def set_up() -> str:
    """Create the scratch namespace, its two Pods; the server's IP."""
    delete_namespace(NAMESPACE)
    apply(PODS)
    wait_for("pods --all", "condition=Ready", NAMESPACE, timeout=180)
    web, client = get("pod", "web", NAMESPACE), get("pod", "client", NAMESPACE)
    nodes = web["spec"]["nodeName"], client["spec"]["nodeName"]
    print(f"web on {nodes[0]}, client on {nodes[1]}", file=sys.stderr)
    return web["status"]["podIP"]


def timed_change(change: str, want: str, ip: str) -> float:
    """Seconds from `kubectl ``change``` returning to the client seeing ``want``."""
    watcher = subprocess.Popen(
        ["kubectl", "exec", "-n", NAMESPACE, "client", "--", "bash", "-c", WATCH, "_", want, ip],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if (line := watcher.stdout.readline().strip()) != "ready":
            raise SystemExit(f"the client never saw the state before {change!r}: {line!r}")
        kubectl(change, input=POLICY if change.startswith("apply") else None)
        returned = time.time_ns()
        seen = watcher.stdout.readline().strip()
        watcher.wait(timeout=30)
    finally:
        watcher.kill()
    if not seen.isdigit():
        raise SystemExit(f"{want} not seen within 20 s of `kubectl {change}`: {seen!r}")
    return (int(seen) - returned) / 1e9


def summary(values: list[float]) -> dict[str, object]:
    """Median and max (s), and every value (ms)."""
    return {
        "median (s)": round(statistics.median(values), 3),
        "max (s)": round(max(values), 3),
        "each (ms)": [round(v * 1000) for v in values],
    }


def main() -> int:
    """Run the rounds, print and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="apply/delete rounds (10)")
    args = parser.parse_args()
    use_course_tools()
    results: dict[str, object] = {"when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    blocked, allowed = [], []
    try:
        ip = set_up()
        for _ in range(args.rounds):
            blocked.append(timed_change("apply -f -", "blocked", ip))
            allowed.append(timed_change(DELETE, "open", ip))
    finally:
        delete_namespace(NAMESPACE)
    results["apply → blocked"] = summary(blocked)
    results["delete → allowed again"] = summary(allowed)
    results["goal < 1 s met"] = max(blocked + allowed) < 1
    report(results, "netpol-")
    return 0


if __name__ == "__main__":
    sys.exit(main())
