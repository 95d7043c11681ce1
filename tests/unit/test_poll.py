import pytest

from labkit._errors import TimeoutExpired
from labkit._poll import NotYet, poll


def test_returns_the_first_answer():
    answers = iter([None, None, "ready"])
    assert poll(lambda: next(answers), timeout=5, what="x", fix="y", every=0) == "ready"


def test_gives_up_in_time_naming_the_last_reason():
    def probe():
        raise NotYet("2 of 3 endpoints ready")

    with pytest.raises(TimeoutExpired) as err:
        poll(probe, timeout=0.2, what="the Service web", fix="look at it", every=0.05)
    assert "the Service web" in str(err.value) and "2 of 3 endpoints ready" in str(err.value)
    assert "look at it" in str(err.value)


def test_retryable_errors_mean_not_yet_and_others_propagate():
    calls = iter([ConnectionError("refused"), 7])

    def probe():
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    assert poll(probe, timeout=5, what="x", fix="y", every=0, retry_on=(OSError,)) == 7
    with pytest.raises(KeyError):
        poll(lambda: {}["k"], timeout=5, what="x", fix="y", retry_on=(OSError,))
