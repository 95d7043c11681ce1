from labkit._setup.capfix import RUNTIME_NAME, missing_capabilities
from labkit._setup.engine import daemon_config

FULL = "CapBnd:\t000001ffffffffff\n"
NO_SYS_RESOURCE = "Name:\tx\nCapBnd:\t000001fffeffffff\n"


def test_a_full_bounding_set_lacks_nothing():
    assert missing_capabilities(FULL, last_cap=40) == []


def test_the_missing_capabilities_are_named():
    assert missing_capabilities(NO_SYS_RESOURCE, last_cap=40) == ["CAP_SYS_RESOURCE"]


def test_capabilities_past_the_kernels_last_are_not_asked_for():
    assert missing_capabilities("CapBnd:\t000000ffffffffff\n", last_cap=39) == []
    assert missing_capabilities("CapBnd:\t000000ffffffffff\n", last_cap=40) == [
        "CAP_CHECKPOINT_RESTORE"
    ]


def test_the_wrapper_becomes_the_default_runtime_only_when_built(tmp_path):
    assert "default-runtime" not in daemon_config()
    config = daemon_config(tmp_path / "runc-capfix-x")
    assert config["default-runtime"] == RUNTIME_NAME
    assert config["runtimes"] == {RUNTIME_NAME: {"path": str(tmp_path / "runc-capfix-x")}}
    assert config["registry-mirrors"] == ["http://127.0.0.1:5001"]
