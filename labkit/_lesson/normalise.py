"""Masking of volatile values (IDs, digests, ages, sizes, addresses) in command output.

The same rules serve two purposes: labkit's own checks compare normalised text, and
``tools/make_sanitize.py`` writes them as nbval's sanitize file, so committed notebook
outputs keep their real values for the learner while CI compares only what is stable.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_K8S_RAND = "[bcdfghjklmnpqrstvwxz2456789]"  # alphabet of Kubernetes' generated names
_K8S_HASH = "[4-9bcdf]"  # a pod-template-hash: decimal digits 0-9 spelt 4-9, b, c, d, f


class Rule(NamedTuple):
    """One masking rule: a regular expression and what replaces its matches."""

    name: str
    regex: str
    replace: str


RULES: tuple[Rule, ...] = (
    # client-go's own log lines on stderr (klog: "E1203 14:05:02.472461  27091 request.go:1198]
    # ..."), e.g. a watch cut short when `helm --timeout` or `kubectl wait` gives up: whether
    # one is printed depends on where the deadline falls. They say nothing the command's own
    # error does not, and go whole.
    Rule(
        "client-go-log",
        r"(?m)^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6} +\d+ [\w.-]+:\d+\] [^\n]*(?:\n|\Z)",
        "",
    ),
    # Own-engine mode (`labkit._engines.OWN`): the course's engine beside another one has its
    # own socket, run and data folders, settings and bridge; they compare as Docker's usual
    # ones, which recorded outputs show (the run folder is written /var/run or /run).
    Rule("engine-run-folder", r"(?:/var)?/run/(?:labkit/)?docker(?![\w-])", "/run/docker"),
    Rule("engine-data-folder", r"/var/lib/labkit-docker(?![\w-])", "/var/lib/docker"),
    Rule("engine-settings", r"\b(daemon|dockerd)-own\.(json|log)\b", r"\1.\2"),
    Rule("engine-bridge", r"\blabkit0\b", "docker0"),
    # BuildKit's plain progress (`docker build`): a step still running is printed, then printed
    # again with "done" (only when it took long enough), and how long it took.
    Rule("buildkit-progress", r"(?m)^(#\d+ [^\n]*)\n(?=\1 (?:\d+(?:\.\d+)?s )?done$)", ""),
    Rule("buildkit-done", r"(?m) \d+(?:\.\d+)?s done$", " done"),
    Rule("buildkit-output", r"(?m)^(#\d+) \d+\.\d+ ", r"\1 <t> "),  # a RUN's output line
    # `docker push` / `pull`: one status line per blob, transferred in parallel — their order,
    # their number ("Waiting" or not) and their wording (already there?) vary from run to run.
    Rule("blob-progress", r"(?m)^(?:[0-9a-f]{12}: [^\n]*\n)+", "<blob progress>\n"),
    # Where the course is checked out differs between machines: /home/me/docker-plus-plus...
    Rule("checkout", r"(/[\w.+-]+)+(?=/notebooks/)", "<checkout>"),
    Rule("digest", r"sha256:[0-9a-f]{64}", "sha256:<digest>"),
    Rule(  # also inside names, e.g. a lease holder "course-control-plane_<uuid>"
        "uuid",
        r"(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])",
        "<uuid>",
    ),
    Rule("long-id", r"\b[0-9a-f]{64}\b", "<id>"),
    # Docker's short ids stand alone wherever they are (IMAGE ID / CONTAINER ID columns,
    # `--->` and progress lines, tags ending in a hash): any 12 hex digits make one, even
    # all digits ("457420197654") or all letters.
    Rule("short-id", r"\b[0-9a-f]{12}\b", "<id>"),
    Rule(
        "timestamp",
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?( ?(Z|[+-]\d{2}:?\d{2}))?( UTC)?",
        "<time>",
    ),
    Rule(  # kubectl describe: "Wed, 25 Nov 2026 20:10:22 +0000"
        "rfc1123",
        r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}",
        "<time>",
    ),
    Rule(  # helm's LAST DEPLOYED / UPDATED, `date`: "Wed Dec  2 04:35:17 2026"
        "ctime",
        r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
        r" [ \d]\d \d{2}:\d{2}:\d{2}( [A-Z]{3,4})? \d{4}\b",
        "<time>",
    ),
    Rule(
        "age",
        r"\b(Less than a second|About an? (second|minute|hour)|an? (second|minute|hour|day|week"
        r"|month|year)|\d+ (second|minute|hour|day|week|month|year)s?)( ago)?\b",
        "<age>",
    ),
    # Layer and blob sizes in registry JSON change whenever an image is rebuilt.
    Rule("json-size", r'"size": ?\d+', '"size": <bytes>'),
    # Kubernetes: generated Pod names (ReplicaSet hash + random suffix), object versions,
    # and the AGE column ("45s", "2m30s", "5h") of kubectl tables. A pod-template-hash is
    # the decimal form of a 32-bit hash, one character per digit: 1 to 10 characters (6 or
    # more but for one hash in 40 000), all digits for one hash in a hundred.
    Rule("resource-version", r'resourceVersion: "\d+"', 'resourceVersion: "<n>"'),
    Rule("pod-name", rf"(?<=-){_K8S_HASH}{{6,10}}-{_K8S_RAND}{{5}}\b", "<hash>-<id>"),
    Rule("rs-hash", rf"(?<=[-=: ]){_K8S_HASH}{{6,10}}\b", "<hash>"),
    Rule("pod-suffix", rf"(?<=-){_K8S_RAND}{{5}}\b", "<id>"),
    Rule("restart-age", r"\(\d+[smhd](\d+[smh])? ago\)", "(<age> ago)"),
    Rule("k8s-age", r"(?m)([^:\s][ \t]{2,})\d+[smhd](\d+[smh])?(?=[ \t]|$)", r"\1<age>"),
    Rule("size", r"\b\d+(\.\d+)?\s?(B|kB|KB|KiB|MB|MiB|GB|GiB)\b", "<size>"),
    Rule("duration", r"\b\d+(\.\d+)?(ms|s)\b", "<duration>"),
    Rule("ipv4", r"\b(?!127\.0\.0\.1\b)(?!0\.0\.0\.0\b)(\d{1,3}\.){3}\d{1,3}\b", "<ip>"),
    # Ports the kernel picks (Linux's ephemeral range 32768-60999): `kubectl port-forward`'s
    # local end, `docker run -P`. The course's fixed ports (5000, 8080, 30080...) stay.
    Rule(
        "ephemeral-port",
        r"(?<=:)(3276[89]|327[7-9]\d|32[89]\d\d|3[3-9]\d{3}|[45]\d{4}|60\d{3})\b",
        "<port>",
    ),
    Rule("columns", r"[ \t]{2,}", "  "),
)

_COMPILED = tuple((re.compile(rule.regex), rule.replace) for rule in RULES)


def normalise(text: str) -> str:
    """Return ``text`` with every volatile value masked (see `RULES`)."""
    for regex, replace in _COMPILED:
        text = regex.sub(replace, text)
    return text
