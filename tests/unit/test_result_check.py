import pytest

from labkit import CommandFailed, Result, sh


def test_a_successful_result_checks_to_itself():
    result = sh("echo hi", check=False)
    assert result.check(fix="never shown") is result


def test_a_failed_result_raises_command_failed_with_code_output_and_fix():
    result = sh("echo boom; exit 3", check=False)
    with pytest.raises(CommandFailed) as caught:
        result.check(fix="Do the other thing.")
    err = caught.value
    assert (err.command, err.code, err.output) == ("echo boom; exit 3", 3, "boom\n")
    assert str(err) == (
        "The command `echo boom; exit 3` returned with code 3. Its output ends with:\nboom\n"
        "Fix: Do the other thing."
    )


def test_sh_check_true_raises_the_same_error_as_result_check():
    with pytest.raises(CommandFailed) as by_sh:
        sh("exit 2", fix="F.")
    with pytest.raises(CommandFailed) as by_check:
        Result("exit 2", 2, "").check("F.")
    assert str(by_sh.value) == str(by_check.value)
