"""`reachable()` trusts a recent answer, but never one from before the cluster was deleted."""

from __future__ import annotations

from labkit._lesson import cluster
from labkit._lesson.sh import Result
from labkit._setup.kind import cluster as kind_cluster


def test_a_deleted_cluster_is_asked_again(monkeypatch):
    asked: list[str] = []
    answers = {"readyz": True}

    def sh(command, **_):
        asked.append(command)
        ok = answers["readyz"] if "readyz" in command else True
        return Result(command, 0 if ok else 1, "")

    monkeypatch.setattr(cluster, "sh", sh)
    monkeypatch.setattr(kind_cluster, "sh", sh)
    monkeypatch.setattr(cluster.shutil, "which", lambda name: f"/bin/{name}")
    monkeypatch.setattr(cluster, "_LAST_OK", [0.0])
    assert cluster.reachable()
    assert cluster.reachable()  # trusted for a few seconds: asked once
    assert sum("readyz" in c for c in asked) == 1

    kind_cluster.delete()
    answers["readyz"] = False
    assert not cluster.reachable()  # asked again, and the answer is no
    assert sum("readyz" in c for c in asked) == 2
