import pytest

from labkit import LabkitError, Verdict, check
from labkit._lesson.docker import EngineInfo
from labkit._lesson.exercises import ch00


def fake_info():
    return EngineInfo("20.10", "overlay2", "1", ("http://127.0.0.1:5001/",))


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(LabkitError, match="00.storage-driver"):
        check("99.nothing")


def test_a_wrong_answer_gets_a_verdict_and_a_hint(monkeypatch):
    monkeypatch.setattr(ch00, "info", fake_info)
    verdict = check("00.storage-driver", "vfs")
    assert not verdict
    assert str(verdict) == (
        "✗ Not yet (00.storage-driver): 'vfs' is not the storage driver of this engine.\n"
        "  Hint: Run `docker info` and read the line 'Storage Driver'."
    )


def test_the_right_answer_passes(monkeypatch):
    monkeypatch.setattr(ch00, "info", fake_info)
    assert check("00.storage-driver", " Overlay2 ")
    assert check("00.mirror", "http://127.0.0.1:5001")
    assert not check("00.mirror", "http://127.0.0.1:5000")


def test_a_labkit_error_in_a_check_becomes_a_verdict_with_its_fix(monkeypatch):
    def broken():
        raise LabkitError("No Docker engine answers.", "Run `labkit up`.")

    monkeypatch.setattr(ch00, "info", broken)
    verdict = check("00.storage-driver", "overlay2")
    assert verdict == Verdict(
        "00.storage-driver", False, "No Docker engine answers.", "Run `labkit up`."
    )
