"""Every volatile value the normaliser masks, fed in every shape it can take on a new machine.

Each case is an output line with a placeholder, and a generator of valid values for it. Two
lines that differ only in such a value must normalise to the same text, and the value itself
must be gone: a rule that only masks the values it happened to meet (a short id that holds a
letter, a pod-template-hash of 10 characters) fails here, not on a learner's machine.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import pytest

from labkit._lesson.normalise import normalise

HEX = "0123456789abcdef"
K8S = "bcdfghjklmnpqrstvwxz2456789"  # Kubernetes' alphabet for generated names
RUNS = 60


def _hex(count: int) -> Callable[[random.Random], str]:
    """Hex strings, a third of them all digits and a third all letters."""

    def make(rng: random.Random) -> str:
        alphabet = rng.choice([HEX, "0123456789", "abcdef"])
        return "".join(rng.choice(alphabet) for _ in range(count))

    return make


def _template_hash(rng: random.Random) -> str:
    """A pod-template-hash: the decimal of a 32-bit hash, spelt in the k8s alphabet."""
    digits = str(rng.choice([rng.randrange(10**5, 2**32), rng.randrange(10**8, 10**9)]))
    return "".join("456789bcdf"[int(d)] for d in digits)  # Kubernetes' SafeEncodeString


def _suffix(rng: random.Random) -> str:
    return "".join(rng.choice(rng.choice([K8S, "2456789", "bcdfghjk"])) for _ in range(5))


def _size(rng: random.Random) -> str:
    number = rng.choice(
        [str(rng.randrange(0, 1000)), f"{rng.uniform(0, 999):.{rng.randrange(1, 3)}f}"]
    )
    return (
        number
        + rng.choice(["", " "])
        + rng.choice(["B", "kB", "KB", "KiB", "MB", "MiB", "GB", "GiB"])
    )


def _docker_age(rng: random.Random) -> str:
    return rng.choice(
        [
            "Less than a second",
            "About a minute",
            "About an hour",
            f"{rng.randrange(2, 59)} seconds",
            f"{rng.randrange(2, 59)} minutes",
            f"{rng.randrange(2, 23)} hours",
            f"{rng.randrange(2, 6)} days",
            f"{rng.randrange(2, 4)} weeks",
            "a second",
            "an hour",
        ]
    )


def _k8s_age(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.randrange(0, 120)}s",
            f"{rng.randrange(2, 10)}m{rng.randrange(0, 60)}s",
            f"{rng.randrange(10, 60)}m",
            f"{rng.randrange(1, 24)}h",
            f"{rng.randrange(1, 9)}h{rng.randrange(0, 60)}m",
            f"{rng.randrange(2, 30)}d",
        ]
    )


def _iso(rng: random.Random) -> str:
    base = (
        f"20{rng.randrange(20, 40)}-{rng.randrange(1, 13):02}-{rng.randrange(1, 29):02}"
        f"{rng.choice('T ')}{rng.randrange(24):02}:{rng.randrange(60):02}:{rng.randrange(60):02}"
    )
    fraction = rng.choice(["", f".{rng.randrange(10**9):09}", f".{rng.randrange(1000):03}"])
    zone = rng.choice(["Z", "+00:00", " +0000", " UTC", ""])
    return base + fraction + zone


def _ctime(rng: random.Random) -> str:
    day, month = rng.choice(["Mon", "Wed", "Sun"]), rng.choice(["Jan", "Jun", "Dec"])
    return (
        f"{day} {month} {rng.randrange(1, 29):>2} {rng.randrange(24):02}:{rng.randrange(60):02}:"
        f"{rng.randrange(60):02}{rng.choice(['', ' UTC'])} 20{rng.randrange(20, 40)}"
    )


def _rfc1123(rng: random.Random) -> str:
    return (
        f"{rng.choice(['Mon', 'Thu'])}, {rng.randrange(1, 29):02} {rng.choice(['Feb', 'Nov'])} "
        f"20{rng.randrange(20, 40)} {rng.randrange(24):02}:{rng.randrange(60):02}:"
        f"{rng.randrange(60):02} +0000"
    )


def _ip(rng: random.Random) -> str:
    first = rng.choice([10, 172, 192, 100])
    return ".".join(
        str(n) for n in (first, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
    )


def _uuid(rng: random.Random) -> str:
    parts = (8, 4, 4, 4, 12)
    return "-".join(_hex(n)(rng) for n in parts)


def _duration(rng: random.Random) -> str:
    return rng.choice(
        [f"{rng.uniform(0, 99):.1f}s", f"{rng.randrange(1, 999)}ms", f"{rng.randrange(60)}s"]
    )


CASES: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "push progress": ("{}: Preparing", _hex(12)),
    "pull progress": ("{}: Pull complete", _hex(12)),
    "legacy build step": (" ---> {}", _hex(12)),
    "legacy build result": ("Successfully built {}", _hex(12)),
    "intermediate container": ("Removing intermediate container {}", _hex(12)),
    "IMAGE ID column": ("my-app       1.0       {}   2 minutes ago   91.8MB", _hex(12)),
    "CONTAINER ID column": ('{}   nginx   "nginx -g \'daemon…"   Up 2 seconds', _hex(12)),
    "history row": ("{}   3 weeks ago   COPY dir:abc in /usr   1.2kB", _hex(12)),
    "tag ending in a hash": ("labkit/kind-node:v1.34.4-{}", _hex(12)),
    "container id": ("started {}", _hex(64)),
    "digest": ("Digest: sha256:{}", _hex(64)),
    "uuid": ("uid: {}", _uuid),
    "lease holder": ("course-control-plane_{}", _uuid),
    "pod name": ("hello-{}   1/1   Running", lambda r: f"{_template_hash(r)}-{_suffix(r)}"),
    "replicaset name": ("replicaset.apps/hello-{}   2   2   2", _template_hash),
    "template hash label": ("pod-template-hash={}", _template_hash),
    "daemonset pod": ("kube-proxy-{}   1/1   Running", _suffix),
    "image size": ("nginx   latest   {}", _size),
    "docker age": ("Created {} ago", _docker_age),
    "docker status": ("Up {} (healthy)", _docker_age),
    "kubectl AGE column": ("web-1   1/1   Running   0   {}", _k8s_age),
    "restart age": ("web   1/1   Running   2 ({} ago)   5m", _k8s_age),
    "iso time": ("startedAt: {}", _iso),
    "helm date": ("LAST DEPLOYED: {}", _ctime),
    "describe date": ("Start Time:   {}", _rfc1123),
    "duration": ("Container web  Started {}", _duration),
    "address": ("IP:   {}", _ip),
    "address and port": ("Endpoints:   {}:80", _ip),
    "forwarded port": (
        "Forwarding from 127.0.0.1:{} -> 80",
        lambda r: str(r.randrange(32768, 61000)),
    ),
    "json size": ('"size": {}', lambda r: str(r.randrange(0, 10**9))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_valid_value_is_masked(name):
    template, make = CASES[name]
    rng = random.Random(name)
    reference = normalise(template.format(make(rng)))
    for _ in range(RUNS):
        value = make(rng)
        masked = normalise(template.format(value))
        assert masked == reference, f"{value!r} gives {masked!r}, expected {reference!r}"
        assert value not in masked or value in template, f"{value!r} left in {masked!r}"


@pytest.mark.parametrize(
    "stable",
    [
        "Welcome to nginx! deadbeef 1.0 latest",
        "ports: 127.0.0.1:5000 127.0.0.1:5001 127.0.0.1:8080 127.0.0.1:30080 0.0.0.0:8000",
        "cpu: 256m, memory: 128Mi, pods: 5",
        "kubectl scale deployment/nginx-1 --replicas=10",
        "node-role.kubernetes.io/control-plane",
        "memory.limit_in_bytes holds 67108864.",
        "maxSurge: 25%",
    ],
)
def test_stable_text_is_left_alone(stable):
    assert normalise(stable).replace("  ", " ") == " ".join(stable.split())


def test_hex_alphabets_are_what_the_tools_print():
    assert set(string.hexdigits.lower()) == set(HEX)
