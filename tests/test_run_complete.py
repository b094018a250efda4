"""An incomplete run never passes the gate, and its report says why (issue 14)."""

from __future__ import annotations

import pytest

GOOD = """
import pytest

@pytest.mark.mlops_model
def test_good(mlops):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 1, 0], thresholds={"accuracy": 0.9})
"""

BAD = """
import pytest

@pytest.mark.mlops_model
def test_bad(mlops):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0], thresholds={"accuracy": 0.9})
"""


def _assert_incomplete(report: dict, why: str) -> None:
    assert report["run"]["complete"] is False
    assert report["run"]["why"] == why
    assert report["gate"]["decision"] == "fail"
    assert report["gate"]["reasons"][0].startswith("incomplete run: ")


def test_a_complete_run_says_so(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(GOOD)
    assert pytester.runpytest("--mlops").ret == 0
    run = report_of()["run"]
    assert run["complete"] is True and run["why"] is None
    assert run["exit_status"] == 0
    assert run["tests_collected"] == run["tests_run"] == 1
    assert len(run["id"]) == 32


def test_ctrl_c_fails_the_gate(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        GOOD
        + """
def test_interrupted():
    raise KeyboardInterrupt

def test_never_runs(mlops):
    mlops.check_metrics([0, 1], y_pred=[1, 0], thresholds={"accuracy": 0.9})
"""
    )
    # a KeyboardInterrupt inside an in-process run would stop this suite too
    result = pytester.runpytest_subprocess("--mlops")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    report = report_of()
    _assert_incomplete(report, "interrupted")
    assert "KeyboardInterrupt" in report["run"]["detail"]
    assert report["run"]["exit_status"] == 2
    assert report["summary"]["pass"] == 1  # the check that ran is still shown
    result.stdout.fnmatch_lines(["gate: FAIL*", "*incomplete run: the run was interrupted*"])


def test_pytest_exit_fails_the_gate(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(GOOD + "\ndef test_stop():\n    pytest.exit('enough', returncode=0)\n")
    pytester.runpytest("--mlops")
    _assert_incomplete(report_of(), "interrupted")


@pytest.mark.parametrize("keep_going", [False, True])
def test_collection_error_fails_the_gate(
    pytester: pytest.Pytester, report_of, keep_going: bool
) -> None:
    pytester.makepyfile(test_good=GOOD, test_broken="import not_a_module_anywhere\n")
    args = ["--mlops", *(["--continue-on-collection-errors"] if keep_going else [])]
    result = pytester.runpytest(*args)
    assert result.ret != 0
    report = report_of()
    _assert_incomplete(report, "collection_error")
    assert "test_broken.py" in report["run"]["detail"]


def test_x_stopping_before_the_failing_check_fails_the_gate(
    pytester: pytest.Pytester, report_of
) -> None:
    pytester.makepyfile(GOOD + "\ndef test_plain():\n    assert 1 == 2\n" + BAD.split("\n", 2)[2])
    result = pytester.runpytest("--mlops", "-x")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    report = report_of()
    _assert_incomplete(report, "stopped_early")
    assert report["run"]["tests_run"] == 2 and report["run"]["tests_collected"] == 3
    assert report["summary"]["fail"] == 0  # the failing check never ran, yet no pass


def test_x_on_the_last_test_is_a_complete_run(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(GOOD + "\ndef test_plain():\n    assert 1 == 2\n")
    pytester.runpytest("--mlops", "-x")
    report = report_of()
    assert report["run"]["complete"] is True
    assert report["gate"]["decision"] == "pass"  # an ordinary failure is not the gate's


def test_maxfail_counts_like_x(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(BAD + "\ndef test_after(mlops):\n    pass\n")
    pytester.runpytest("--mlops", "--maxfail", "1")
    report = report_of()
    _assert_incomplete(report, "stopped_early")
    assert "test_bad::metrics" in report["gate"]["blocking_checks"][0]


def test_collect_only_keeps_the_previous_report(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(BAD)
    pytester.runpytest("--mlops")
    folder = pytester.path / "mlops-report"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = pytester.runpytest("--mlops", "--collect-only")
    assert result.ret == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert report_of()["gate"]["decision"] == "fail"
    result.stdout.fnmatch_lines(["reports not written: --collect-only runs no check*"])


def test_collect_only_writes_nothing_in_a_fresh_folder(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(GOOD)
    pytester.runpytest("--mlops", "--collect-only")
    assert not (pytester.path / "mlops-report").exists()


def test_incomplete_run_shows_in_the_summary(pytester: pytest.Pytester) -> None:
    # pytest.exit interrupts the run in-process (test_ctrl_c_fails_the_gate runs the
    # KeyboardInterrupt, which needs a subprocess of its own)
    pytester.makepyfile(GOOD + "\ndef test_stop():\n    pytest.exit('enough', returncode=0)\n")
    pytester.runpytest("--mlops")
    summary = (pytester.path / "mlops-report" / "summary.md").read_text()
    assert summary.startswith("## ❌ mlops gate: FAIL")
    assert "incomplete run" in summary.lower()
