"""The zero-code standard suite and the [tool.pytest-mlops] settings."""

from __future__ import annotations

import pytest

from pytest_mlops.config import ConfigError, defaults, load

CONFTEST = """
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from pytest_mlops import MlopsDataset

@pytest.fixture(scope="session")
def mlops_dataset():
    frame = load_iris(as_frame=True).frame
    frame = frame[frame.target < 2].reset_index(drop=True)
    frame["site"] = ["a", "b"] * (len(frame) // 2)
    train, test = train_test_split(frame, test_size=0.4, random_state=0, stratify=frame.target)
    return MlopsDataset(train=train, test=test, label="target", sensitive=["site"])

@pytest.fixture(scope="session")
def mlops_model():
    return lambda: make_pipeline(StandardScaler(), LogisticRegression())
"""

ITEMS = [
    "test_mlops_data_integrity[[]train[]]",
    "test_mlops_data_integrity[[]test[]]",
    "test_mlops_schema",
    "test_mlops_train_test",
    "test_mlops_drift_train_vs_test",
    "test_mlops_metrics",
    "test_mlops_against_baseline",
    "test_mlops_fairness",
    "test_mlops_determinism",
    "test_mlops_serialization",
]


def test_suite_items_are_collected_only_with_mlops(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest("--mlops", "--collect-only", "-q")
    result.stdout.fnmatch_lines([f"conftest.py::{item}" for item in ITEMS])
    plain = pytester.runpytest("--collect-only", "-q")
    assert "test_mlops_" not in plain.stdout.str()


# The second run on two xdist workers costs three times the serial one: CI runs it with
# the slow tests; tests/test_reports.py guards xdist in the default suite.
@pytest.mark.parametrize(
    "second_run", [(), pytest.param(("-n", "2"), marks=pytest.mark.slow)], ids=["serial", "xdist"]
)
def test_suite_runs_and_first_run_records_the_baseline(
    pytester: pytest.Pytester, report_of, second_run: tuple[str, ...]
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyprojecttoml(
        """
        [tool.pytest-mlops]
        thresholds = { accuracy = 0.9 }
        [tool.pytest-mlops.fairness]
        min_group_size = 10
        """
    )
    first = pytester.runpytest("--mlops", "--mlops-update-baseline")
    first.assert_outcomes(passed=10)
    names = {c["name"] for c in report_of()["checks"]}
    assert names >= {
        "data_integrity",
        "schema",
        "train_test",
        "drift",
        "metrics",
        "baseline_comparison",
        "fairness",
        "determinism",
        "serialization",
    }
    metrics = next(c for c in report_of()["checks"] if c["name"] == "metrics")
    assert metrics["thresholds"] == {"accuracy": {"min": 0.9}}
    second = pytester.runpytest("--mlops", *second_run)
    second.assert_outcomes(passed=10)


def test_suite_items_are_selectable(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest("--mlops", "-m", "mlops_data", "-k", "not schema")
    result.assert_outcomes(passed=3)
    deselected = pytester.runpytest("--mlops", "-k", "determinism or serialization")
    deselected.assert_outcomes(passed=2)


def test_suite_can_be_turned_off(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyprojecttoml("[tool.pytest-mlops]\nsuite = false\n")
    result = pytester.runpytest("--mlops", "--collect-only", "-q")
    assert "test_mlops_" not in result.stdout.str()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[tool.pytest-mlops]\nthreshold = 1\n",
            "*unknown key 'threshold'; valid keys: baseline_name, drift, fairness, gate_on, "
            "manual, max_drop, schema, schema_name, severity, suite, thresholds*",
        ),
        ("[tool.pytest-mlops]\nsuite = 'yes'\n", "*suite must be a bool; got 'yes' (str)*"),
        ("[tool.pytest-mlops]\ngate_on = 'median'\n", "*gate_on must be one of point, interval*"),
        (
            "[tool.pytest-mlops.fairness]\nmin_group_size = 2.5\n",
            "*fairness.min_group_size must be a int*",
        ),
        (
            "[tool.pytest-mlops.drift]\nmethod = 'ks'\n",
            "*unknown key 'drift.method'; valid keys: alpha*",
        ),
        (
            "[tool.pytest-mlops.severity]\nmodel = 'fatal'\n",
            "*severity.model must be one of block, warn*",
        ),
    ],
)
def test_bad_settings_stop_the_run(pytester: pytest.Pytester, toml: str, message: str) -> None:
    pytester.makepyprojecttoml(toml)
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("--mlops")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_mlops_toml_wins_and_defaults_fill_in(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pytest-mlops]\nbaseline_name = 'from-pyproject'\n"
    )
    settings, source = load(tmp_path)
    assert settings["baseline_name"] == "from-pyproject" and source.name == "pyproject.toml"
    assert settings["fairness"] == defaults()["fairness"]
    (tmp_path / "mlops.toml").write_text(
        "baseline_name = 'from-mlops-toml'\n[drift]\nalpha = 0.01\n"
    )
    settings, source = load(tmp_path)
    assert settings["baseline_name"] == "from-mlops-toml" and source.name == "mlops.toml"
    assert settings["drift"] == {
        "max_drifted_share": 0.0,
        "drift_share": None,
        "alpha": 0.01,
        "correction": "bonferroni",
    }
    (tmp_path / "mlops.toml").write_text("alpha = [")
    with pytest.raises(ConfigError, match="cannot be read"):
        load(tmp_path)


def test_settings_reach_hand_written_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest-mlops]\nthresholds = { accuracy = 0.7 }\n")
    pytester.makepyfile(
        """
        def test_uses_project_thresholds(mlops):
            result = mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0],
                                         thresholds=mlops.settings["thresholds"])
            assert result.thresholds == {"accuracy": {"min": 0.7}}
        """
    )
    pytester.runpytest("--mlops").assert_outcomes(passed=1)
