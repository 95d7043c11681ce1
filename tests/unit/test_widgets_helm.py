"""Cluster-free tests of the release dashboard, on JSON recorded from helm 4.3.1.

The files under ``data/helm/`` are what chapter 14's release ``wordpress-1`` gave:
``helm history wordpress-1 -n wordpress -o json`` after its five revisions (install, new
title, failed upgrade to a missing image, automatic rollback, rollback to 1), and
``helm get values wordpress-1 -n wordpress --revision N -o json`` for each of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from labkit._errors import CommandFailed, LabkitError
from labkit._lesson.sh import Result
from labkit.widgets import ReleaseHistory
from labkit.widgets._releases import (
    Change,
    ReleaseLog,
    flatten,
    read_release,
    revisions,
    values_diff,
)

DATA = Path(__file__).parent / "data" / "helm"


def recorded(name: str) -> str:
    return (DATA / name).read_text()


class FakeHelm:
    """Answers helm's commands from the recorded files; remembers what it was asked."""

    def __init__(self, history: str = "history.json", missing: bool = False) -> None:
        self.history = history
        self.missing = missing
        self.calls: list[list[str]] = []

    def run(self, args: Sequence[str], timeout: float = 60) -> Result:
        self.calls.append(list(args))
        command = "helm " + " ".join(args)
        if self.missing:
            return Result(command, 1, "Error: release: not found\n")
        if args[0] == "history":
            return Result(command, 0, recorded(self.history))
        if args[:2] == ["get", "values"]:
            revision = args[args.index("--revision") + 1]
            return Result(command, 0, recorded(f"values-{revision}.json"))
        return Result(command, 1, f"Error: unknown command {args[0]!r}\n")


# --- the model ---------------------------------------------------------------------------


def test_revisions_from_recorded_history():
    rows = revisions(json.loads(recorded("history.json")))
    assert [row.revision for row in rows] == [1, 2, 3, 4, 5]
    assert [row.status for row in rows] == [
        "superseded",
        "superseded",
        "failed",
        "superseded",
        "deployed",
    ]
    assert {row.chart for row in rows} == {"wordpress-1.0.0"}
    assert {row.app_version for row in rows} == {"6.1"}
    assert rows[0].description == "Install complete"
    assert rows[3].description == "Rollback to 2"
    assert rows[4].description == "Rollback to 1"
    assert rows[2].description.startswith('Upgrade "wordpress-1" failed')
    assert rows[0].chart_name == "wordpress" and rows[0].chart_version == "1.0.0"
    assert [row.rollback_to for row in rows] == [None, None, None, 2, 1]


def test_revisions_are_sorted_and_tolerate_missing_fields():
    rows = revisions([{"revision": 2, "status": "deployed"}, {"revision": 1}])
    assert [row.revision for row in rows] == [1, 2]
    assert rows[0].status == "unknown" and rows[0].chart == ""
    assert rows[0].chart_name == "" and rows[0].chart_version == ""


def test_chart_name_with_dashes_and_a_prerelease_version():
    row = revisions([{"revision": 1, "chart": "my-web-app-2.3.4-rc.1"}])[0]
    assert (row.chart_name, row.chart_version) == ("my-web-app", "2.3.4-rc.1")


def test_flatten_names_keys_as_set_does():
    values = json.loads(recorded("values-1.json"))
    flat = flatten(values)
    assert flat["ingress.hosts[0].name"] == "wordpress-1.default.weeble.tech"
    assert flat["ingress.enabled"] is True
    assert flat["serviceType"] == "ClusterIP"
    assert flat["wordpressBlogName"] == "Hello Wordpress!"


def test_flatten_keeps_empty_maps_and_lists_and_reads_null_as_nothing():
    assert flatten(None) == {}
    assert flatten({"a": {}, "b": [], "c": None}) == {"a": {}, "b": [], "c": None}
    assert flatten({"x": [{"y": 1}, 2]}) == {"x[0].y": 1, "x[1]": 2}


def test_values_diff_between_recorded_revisions():
    one, two, three = (json.loads(recorded(f"values-{n}.json")) for n in (1, 2, 3))
    assert [str(c) for c in values_diff(one, two)] == [
        '~ wordpressBlogName: "Hello Wordpress!" → "Hello Helm!"'
    ]
    assert [str(c) for c in values_diff(two, three)] == ['+ image.tag: "6.9"']
    assert [str(c) for c in values_diff(three, two)] == ['- image.tag: "6.9"']
    assert values_diff(one, one) == []


def test_change_kinds():
    assert Change("a", after=1).kind == "added"
    assert Change("a", before=1).kind == "removed"
    assert Change("a", 1, 2).kind == "changed"
    assert str(Change("a", None, True)) == "~ a: null → true"


def test_release_log_table_summary_and_diff_text():
    log = read_release("wordpress-1", "wordpress", FakeHelm())
    assert log.summary() == (
        "release wordpress-1 in wordpress: 5 revisions · revision 5 deployed "
        "(wordpress-1.0.0, app 6.1)"
    )
    lines = log.table().splitlines()
    assert lines[0].split() == ["REVISION", "STATUS", "CHART", "APP", "VERSION", "DESCRIPTION"]
    assert lines[1].split()[:4] == ["1", "superseded", "wordpress-1.0.0", "6.1"]
    assert lines[5].endswith("Rollback to 1")
    assert log.diff_text(1, 2) == (
        'values, revision 1 → 2: 1 change\n~ wordpressBlogName: "Hello Wordpress!" → "Hello Helm!"'
    )
    assert log.diff_text(1, 5) == "values, revision 1 → 5: no change"


def test_release_log_refuses_an_unknown_revision():
    log = read_release("wordpress-1", "wordpress", FakeHelm())
    with pytest.raises(LabkitError, match=r"no revision 9 \(it has \[1, 2, 3, 4, 5\]\)"):
        log.diff(1, 9)
    assert ReleaseLog("x", "y").summary() == "release x in y: no revision read"


def test_read_release_asks_helm_for_history_then_each_revision():
    helm = FakeHelm()
    read_release("wordpress-1", "wordpress", helm)
    assert helm.calls[0] == ["history", "wordpress-1", "--namespace", "wordpress", "-o", "json"]
    assert [call[4] for call in helm.calls[1:]] == ["1", "2", "3", "4", "5"]


def test_read_release_of_a_missing_release_raises_with_the_command():
    with pytest.raises(CommandFailed, match="helm history nothing"):
        read_release("nothing", "wordpress", FakeHelm(missing=True))


# --- the widget --------------------------------------------------------------------------


def test_widget_picks_the_last_two_revisions_and_shows_their_diff():
    dash = ReleaseHistory("wordpress-1", "wordpress", reader=FakeHelm())
    assert dash.before.value == 4 and dash.after.value == 5
    assert dash.before.options == tuple((f"revision {n}", n) for n in range(1, 6))
    assert "revision 4 → 5" in dash.body.value
    assert "Hello Helm!" in dash.body.value  # revision 4 had the second title
    assert "Rollback to 1" in dash.body.value
    assert dash.summary().startswith("release wordpress-1 in wordpress: 5 revisions")
    assert "refreshed" in dash.status.value


def test_widget_redraws_when_a_revision_is_picked():
    dash = ReleaseHistory("wordpress-1", "wordpress", reader=FakeHelm())
    dash.before.value = 1
    dash.after.value = 2
    assert "revision 1 → 2" in dash.body.value
    assert "wordpressBlogName" in dash.body.value
    dash.after.value = 5
    assert "no change" in dash.body.value


def test_widget_keeps_the_picked_revisions_on_refresh():
    dash = ReleaseHistory("wordpress-1", "wordpress", reader=FakeHelm())
    dash.before.value = 2
    dash.refresh()
    assert dash.before.value == 2 and dash.after.value == 5


def test_widget_shows_a_failure_in_its_status_line():
    dash = ReleaseHistory("nothing", "wordpress", reader=FakeHelm(missing=True))
    assert "release: not found" in dash.status.value
    assert dash.summary() == "release nothing in wordpress: no revision read"
    assert "has no revision" in dash.body.value


def test_widget_shows_unreadable_json_as_an_error():
    class Garbage(FakeHelm):
        def run(self, args, timeout=60):
            return Result("helm " + " ".join(args), 0, "not json")

    dash = ReleaseHistory("wordpress-1", "wordpress", reader=Garbage())
    assert "helm answered something unexpected" in dash.status.value
