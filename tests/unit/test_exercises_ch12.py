"""Chapter 12's checks wait for a policy's effect (bounded), not for a fixed time."""

from __future__ import annotations

import pytest

from labkit import LabkitError, TimeoutExpired, check
from labkit._lesson import exercises
from labkit._lesson.exercises import ch12
from labkit._lesson.sh import Result


class FakeCluster:
    """Answers ch12's kubectl calls: probes follow ``answers`` (True = connects), then stay.

    Names in ``missing`` (Pods, namespaces, hosts) do not exist: kubectl and bash answer as
    they do then.
    """

    def __init__(self, *answers: bool, missing: tuple[str, ...] = ()) -> None:
        self.answers = list(answers)
        self.missing = missing
        self.probes: list[str] = []

    def kubectl(self, args: str, check: bool = True, timeout: float = 60) -> Result:
        if " -- timeout " in args:
            self.probes.append(args)
            _, _, namespace, pod = args.split()[:4]  # exec -n NAMESPACE POD -- ...
            host = args.split("/dev/tcp/")[1].split("/")[0]
            if namespace in self.missing or pod in self.missing:
                return Result(args, 1, f'Error from server (NotFound): pods "{pod}" not found\n')
            if host in self.missing:
                return Result(
                    args,
                    1,
                    f"bash: line 1: {host}: Name or service not known\n"
                    f"bash: line 1: /dev/tcp/{host}/80: Invalid argument\n"
                    "command terminated with exit code 1\n",
                )
            ok = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
            return Result(args, 0 if ok else 124, "")
        if args.startswith("get namespace ") and args.split()[2] in self.missing:
            name = args.split()[2]
            return Result(args, 1, f'Error from server (NotFound): namespaces "{name}" not found\n')
        return Result(args, 0, "")  # get ... -o name, wait --for=condition=Ready

    def get(self, kind: str, name: str, namespace: str) -> dict:
        if kind == "networkpolicy":
            return {"spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}
        return {"metadata": {"labels": {"role": "frontend"}}, "status": {"podIP": "10.244.1.7"}}


@pytest.fixture
def cluster(monkeypatch):
    def make(*answers: bool, missing: tuple[str, ...] = ()) -> FakeCluster:
        fake = FakeCluster(*answers, missing=missing)
        monkeypatch.setattr(ch12, "kubectl", fake.kubectl)
        monkeypatch.setattr(ch12, "get", fake.get)
        monkeypatch.setattr(exercises, "get", fake.get)  # require() reads through it
        monkeypatch.setattr(ch12.cluster, "reachable", lambda: True)
        monkeypatch.setattr(ch12, "PROBE_EVERY", 0)
        monkeypatch.setattr(ch12, "ENFORCED_WITHIN", 0.05)
        return fake

    return make


def test_wait_connection_returns_once_the_policy_blocks(cluster):
    fake = cluster(True, True, False)
    ch12.wait_connection("other/client", "web.secure", reachable=False)
    assert len(fake.probes) == 3
    assert fake.probes[0] == "exec -n other client -- timeout 2 bash -c '</dev/tcp/web.secure/80'"


def test_wait_connection_gives_up_naming_the_agent(cluster):
    cluster(True)
    with pytest.raises(TimeoutExpired, match="other/client → web.secure:80 to be blocked") as err:
        ch12.wait_connection("other/client", "web.secure", reachable=False)
    assert "kubectl logs -n kube-system -l app=labkit-net" in str(err.value.fix)


@pytest.mark.parametrize(
    ("source", "missing", "problem", "fix"),
    [
        (
            "other/clinet",
            "clinet",
            "There is no Pod clinet in namespace other to probe from.",
            "`kubectl get pods -n other`",
        ),
        (
            "othr/client",
            "othr",
            "There is no namespace othr, hence no Pod othr/client to probe from.",
            "`kubectl get namespaces`",
        ),
    ],
)
def test_wait_connection_refuses_a_source_pod_that_is_not_there(
    cluster, source, missing, problem, fix
):
    fake = cluster(False, missing=(missing,))  # the failed probe must not pass for "blocked"
    with pytest.raises(LabkitError) as err:
        ch12.wait_connection(source, "web.secure", reachable=False)
    assert not isinstance(err.value, TimeoutExpired)
    assert err.value.problem == problem
    assert fix in str(err.value.fix)
    assert len(fake.probes) == 1  # said at once, not after the wait


def test_wait_connection_refuses_a_host_that_is_no_name(cluster):
    cluster(False, missing=("web.secur",))
    with pytest.raises(LabkitError, match=r"web\.secur is no name in the cluster") as err:
        ch12.wait_connection("other/client", "web.secur", reachable=False)
    assert "NAME.NAMESPACE" in str(err.value.fix)


def test_wait_connection_wants_the_namespace_of_its_source(cluster):
    fake = cluster(False)
    with pytest.raises(LabkitError, match="does not name a Pod as `namespace/name`"):
        ch12.wait_connection("client", "web.secure", reachable=False)
    assert fake.probes == []


def test_default_deny_passes_when_the_block_comes_a_moment_later(cluster):
    fake = cluster(True, False)
    verdict = check("12.default-deny")
    assert verdict.passed, verdict
    assert all("10.244.1.7/80" in probe for probe in fake.probes)


def test_allow_other_fails_with_its_own_message_when_frontend_never_connects(cluster):
    cluster(False)
    verdict = check("12.allow-other")
    assert not verdict.passed
    assert "other/frontend cannot connect to web.secure:80 yet." in str(verdict)


def test_allow_other_passes_when_only_frontend_gets_in(cluster):
    fake = cluster(False, True, False, True)  # frontend: blocked, then in; client out; secure in
    verdict = check("12.allow-other")
    assert verdict.passed, verdict
    assert [p.split(" -- ")[0] for p in fake.probes] == [
        "exec -n other frontend",
        "exec -n other frontend",
        "exec -n other client",
        "exec -n secure client",
    ]
