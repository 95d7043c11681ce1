import json

import pytest

from labkit import ClusterUnavailable, CommandFailed, Result, check
from labkit._lesson import kubectl as kubectl_module
from labkit._lesson.exercises import Failed, require

POD = {"kind": "Pod", "metadata": {"name": "web", "namespace": "ex06"}}


@pytest.fixture
def answers(monkeypatch):
    """Replace the shell under kubectl: each command gets the (code, output) given for it."""
    table: dict[str, tuple[int, str]] = {}
    seen: list[str] = []

    def fake_sh(command, **kwargs):
        seen.append(command)
        code, output = table.get(command, (1, "Error from server (NotFound): not found\n"))
        return Result(command, code, output)

    monkeypatch.setattr(kubectl_module, "sh", fake_sh)
    return table, seen


def test_an_existing_object_comes_back_as_json(answers):
    table, seen = answers
    table["kubectl get pod web -o json -n ex06"] = (0, json.dumps(POD))
    assert require("Pod", "web", "ex06") == POD
    assert seen == ["kubectl get pod web -o json -n ex06"]


def test_a_missing_object_is_a_verdict_naming_kind_name_and_namespace(answers):
    with pytest.raises(Failed, match=r"^there is no Pod web in namespace ex06\.$"):
        require("Pod", "web", "ex06")
    with pytest.raises(Failed, match=r"^there is no ClusterRole viewer\.$"):
        require("ClusterRole", "viewer")
    with pytest.raises(Failed, match=r"^there is no namespace ex10 yet\.$"):
        require("namespace", "ex10", missing="there is no namespace ex10 yet.")


def test_an_unreachable_cluster_or_another_failure_is_not_a_verdict(answers):
    table, _ = answers
    table["kubectl get pod web -o json -n ex06"] = (
        1,
        "The connection to the server 127.0.0.1:6443 was refused - connection refused",
    )
    with pytest.raises(ClusterUnavailable):
        require("Pod", "web", "ex06")
    table["kubectl get pod web -o json -n ex06"] = (1, 'error: the server doesn\'t have "pod"')
    with pytest.raises(CommandFailed):
        require("Pod", "web", "ex06")


def test_checks_keep_their_verdicts(answers):
    assert str(check("06.once")) == (
        "✗ Not yet (06.once): there is no namespace ex06.\n"
        "  Hint: Which `restartPolicy` leaves a container stopped once it exited with code 0? "
        "Set it in the Pod's spec, then wait for the Pod's phase."
    )
    assert check("08.ingress").message == "there is no Deployment web in namespace ex08."
    assert check("13.storageclass").message == "there is no StorageClass ex13-fast."
    assert check("07.compute").message == "there is no namespace ex07."
