"""The plugin end to end, as users run it: options, markers, severities, skips, exit status."""

from __future__ import annotations

import json

import pytest

PASSING = """
import pytest

@pytest.mark.mlops_model
def test_good(mlops):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 1, 0], thresholds={"accuracy": 0.9})
"""

FAILING = """
import pytest

@pytest.mark.mlops_model
def test_bad(mlops):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0], thresholds={"accuracy": 0.9})
"""

WARNING = """
import pytest

@pytest.mark.mlops_model(severity="warn")
def test_soft(mlops):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0], thresholds={"accuracy": 0.9})
"""


def test_markers_are_registered_without_mlops(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mlops_data
        @pytest.mark.mlops_pipeline
        @pytest.mark.mlops_model
        @pytest.mark.mlops_fairness
        @pytest.mark.mlops_drift(severity="warn")
        def test_all_markers():
            pass
        """
    )
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(skipped=1)
    markers = pytester.runpytest("--markers")
    for name in ("mlops_data", "mlops_pipeline", "mlops_model", "mlops_fairness", "mlops_drift"):
        markers.stdout.fnmatch_lines([f"@pytest.mark.{name}(severity='block'): *"])


def test_without_mlops_marked_tests_skip_and_nothing_is_written(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        FAILING
        + """
def test_uses_fixture_only(mlops):
    raise AssertionError("must not run")

def test_ordinary():
    assert True
"""
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(["*ML checks run with --mlops*"])
    assert not (pytester.path / "mlops-report").exists()
    assert "mlops gate" not in result.stdout.str()


def test_passing_run_writes_reports_and_exits_zero(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(PASSING)
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*= mlops gate =*", "gate: PASS (fail-on=block; 1 pass)"])
    report = report_of()
    assert report["gate"]["decision"] == "pass"
    assert report["summary"]["pass"] == 1 and report["summary"]["total"] == 1
    (check,) = report["checks"]
    assert check["id"] == "test_passing_run_writes_reports_and_exits_zero.py::test_good::metrics"
    assert check["category"] == "model" and check["severity"] == "block"
    assert check["metrics"] == {"accuracy": 1.0}
    assert check["thresholds"] == {"accuracy": {"min": 0.9}}
    assert check["location"]["line"] == 5  # the check's call, not the decorator
    assert (
        (pytester.path / "mlops-report" / "summary.md")
        .read_text()
        .startswith("## ✅ mlops gate: PASS")
    )
    assert (pytester.path / "mlops-report" / "report.html").exists()


def test_blocking_failure_fails_test_gate_and_exit(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(FAILING)
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*MlopsCheckFailed: model/metrics: accuracy = 0.75 (95% CI *), must be >= 0.9 (n=4)*",
            "gate: FAIL (fail-on=block; 1 fail)",
            "FAIL ?block? *::test_bad::metrics: accuracy = 0.75 (95% CI *), must be >= 0.9*",
        ]
    )
    report = report_of()
    assert report["gate"]["decision"] == "fail"
    assert report["gate"]["blocking_checks"] == [report["checks"][0]["id"]]
    assert report["checks"][0]["status"] == "fail"


def test_warn_severity_passes_test_and_warns(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(WARNING)
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(passed=1, warnings=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        ["*PytestMlopsWarning: model/metrics: accuracy = 0.75*", "gate: PASS*", "WARN ?warn? *"]
    )
    report = report_of()
    assert report["checks"][0]["status"] == "warn"
    assert report["gate"]["decision"] == "pass"


def test_fail_on_warn_fails_the_run_on_warnings(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(WARNING)
    result = pytester.runpytest("--mlops", "--mlops-fail-on", "warn")
    result.assert_outcomes(passed=1, warnings=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert report_of()["gate"]["decision"] == "fail"


def test_severity_argument_overrides_marker(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mlops_model(severity="block")
        def test_soft_by_argument(mlops):
            mlops.check_metrics([0, 1], y_pred=[1, 0], thresholds={"accuracy": 0.9},
                                severity="warn")

        def test_unmarked_defaults_to_block(mlops):
            mlops.check_metrics([0, 1], y_pred=[1, 0], thresholds={"accuracy": 0.9})
        """
    )
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(passed=1, failed=1, warnings=1)
    severities = {c["nodeid"].split("::")[1]: c["severity"] for c in report_of()["checks"]}
    assert severities == {
        "test_soft_by_argument": "warn",
        "test_unmarked_defaults_to_block": "block",
    }


def test_bad_marker_severity_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mlops_model(severity="fatal")
        def test_x(mlops):
            pass
        """
    )
    result = pytester.runpytest("--mlops")
    result.stderr.fnmatch_lines(
        ["*@pytest.mark.mlops_model(severity='fatal') must use severity='block' or*"]
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_bad_severity_argument_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_x(mlops):
            mlops.check_metrics([0, 1], y_pred=[0, 1], severity="loud")
        """
    )
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*severity must be one of 'block', 'warn'; got 'loud'*"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--mlops-fail-on", "error"],
            "*--mlops-fail-on / mlops_fail_on must be 'block' or 'warn'; got 'error'*",
        ),
        (
            ["--mlops-seed", "-3"],
            "*--mlops-seed / mlops_seed must be a whole number from 0 to 4294967295; got '-3'*",
        ),
        (["--mlops-seed", "abc"], "*--mlops-seed / mlops_seed must be a whole number*got 'abc'*"),
    ],
)
def test_invalid_options_stop_at_startup(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    pytester.makepyfile(PASSING)
    result = pytester.runpytest("--mlops", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_invalid_ini_values_stop_at_startup(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmlops_fail_on = sometimes\n")
    pytester.makepyfile(PASSING)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mlops_fail_on must be 'block' or 'warn'; got 'sometimes'*"])


def test_report_dir_that_is_a_file_is_rejected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PASSING)
    pytester.path.joinpath("taken").write_text("x")
    result = pytester.runpytest("--mlops", "--mlops-report-dir", "taken")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mlops_report_dir * is a file, not a folder*"])


def test_baseline_that_is_a_folder_or_malformed_is_rejected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PASSING)
    pytester.mkdir("base")
    result = pytester.runpytest("--mlops", "--mlops-baseline", "base")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mlops_baseline * is a folder*"])
    pytester.path.joinpath("broken.json").write_text("{not json")
    result = pytester.runpytest("--mlops", "--mlops-baseline", "broken.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*baseline file *broken.json cannot be read*"])


def test_ini_twins_configure_the_run(pytester: pytest.Pytester, report_of) -> None:
    pytester.makeini(
        """
        [pytest]
        mlops = true
        mlops_report_dir = out/gate
        mlops_seed = 7
        mlops_fail_on = warn
        """
    )
    pytester.makepyfile(WARNING)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    report = report_of("out/gate")
    assert report["seed"] == 7
    assert report["gate"]["fail_on"] == "warn"


def test_command_line_overrides_ini(pytester: pytest.Pytester, report_of) -> None:
    pytester.makeini("[pytest]\nmlops_fail_on = warn\nmlops_seed = 7\n")
    pytester.makepyfile(WARNING)
    result = pytester.runpytest("--mlops", "--mlops-fail-on", "block", "--mlops-seed", "3")
    assert result.ret == 0
    assert report_of()["seed"] == 3


def test_seed_makes_randomness_repeatable(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json, random
        import numpy as np

        def test_draw(mlops, tmp_path_factory):
            out = {"rng": mlops.rng.integers(0, 10**9, 3).tolist(),
                   "np": np.random.randint(0, 10**9, 3).tolist(),
                   "random": random.randint(0, 10**9), "seed": mlops.seed}
            with open("draws.jsonl", "a") as handle:
                handle.write(json.dumps(out) + "\\n")
        """
    )
    for seed in ("5", "5", "6"):
        assert pytester.runpytest("--mlops", "--mlops-seed", seed).ret == 0
    first, second, third = (json.loads(line) for line in (pytester.path / "draws.jsonl").open())
    assert first == second
    assert first["seed"] == 5 and third["seed"] == 6
    for key in ("rng", "np", "random"):
        assert first[key] != third[key]


def test_ordinary_failure_fails_run_but_not_gate(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(PASSING + "\ndef test_plain():\n    assert 1 == 2\n")
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert report_of()["gate"]["decision"] == "pass"


def test_marked_test_that_crashes_fails_the_gate_closed(
    pytester: pytest.Pytester, report_of
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mlops_data(severity="warn")
        def test_crash_warn(mlops):
            raise RuntimeError("loader broke")

        @pytest.mark.mlops_drift
        def test_crash_block(mlops):
            raise RuntimeError("no current data")
        """
    )
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(failed=2)
    checks = {c["nodeid"].split("::")[1]: c for c in report_of()["checks"]}
    assert checks["test_crash_block"]["status"] == "error"
    assert checks["test_crash_block"]["category"] == "drift"
    assert "RuntimeError: no current data" in checks["test_crash_block"]["message"]
    assert checks["test_crash_warn"]["severity"] == "warn"
    assert report_of()["gate"]["blocking_checks"] == [checks["test_crash_block"]["id"]]


def test_input_error_is_recorded_as_error_check(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        def test_unknown_metric(mlops):
            mlops.check_metrics([0, 1], y_pred=[0, 1], thresholds={"auc": 0.9})
        """
    )
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*MlopsInputError: unknown metric 'auc'; valid metrics are: *"])
    (check,) = report_of()["checks"]
    assert check["status"] == "error" and check["reason"] == "invalid_input"
    assert report_of()["gate"]["decision"] == "fail"


def test_uncomputable_metric_is_error_status(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        def test_one_class(mlops):
            mlops.check_metrics([1, 1, 1], y_score=[0.2, 0.6, 0.9], thresholds={"roc_auc": 0.8})
        """
    )
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(failed=1)
    (check,) = report_of()["checks"]
    assert check["status"] == "error"
    assert "only one class (1) is present in y_true" in check["message"]


def test_several_checks_in_one_test_get_distinct_ids(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        def test_two(mlops):
            mlops.check_metrics([0, 1], y_pred=[0, 1])
            mlops.check_metrics([0, 1], y_pred=[0, 1])
        """
    )
    assert pytester.runpytest("--mlops").ret == 0
    ids = [c["id"] for c in report_of()["checks"]]
    assert ids == [
        "test_several_checks_in_one_test_get_distinct_ids.py::test_two::metrics",
        "test_several_checks_in_one_test_get_distinct_ids.py::test_two::metrics[2]",
    ]


def test_report_header_names_the_settings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PASSING)
    result = pytester.runpytest("--mlops", "--mlops-seed", "9")
    result.stdout.fnmatch_lines(["mlops: on (seed=9, fail-on=block, *"])


def test_no_checks_still_writes_a_passing_report(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    assert pytester.runpytest("--mlops").ret == 0
    report = report_of()
    assert report["gate"] == {
        "decision": "pass",
        "fail_on": "block",
        "reasons": ["no ML check ran in this session"],
        "blocking_checks": [],
    }


def test_paths_in_ini_are_relative_to_the_ini_file_and_cli_paths_to_cwd(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\nmlops_report_dir = from-ini\n")
    sub = pytester.mkdir("sub")
    (sub / "test_sub.py").write_text(PASSING)
    monkeypatch.chdir(sub)
    assert pytester.runpytest("--mlops").ret == 0
    assert (pytester.path / "from-ini" / "report.json").exists()
    assert pytester.runpytest("--mlops", "--mlops-report-dir", "from-cli").ret == 0
    assert (sub / "from-cli" / "report.json").exists()
