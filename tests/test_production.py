"""Production-readiness checks on planted defects and clean cases; the ML Test Score."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pytest_mlops.checks import (
    check_dependencies,
    check_feature_importance,
    check_latency,
    check_numerical_stability,
    check_skew,
    check_staleness,
)
from pytest_mlops.checks.dependencies import change_level, declared_requirements
from pytest_mlops.checks.latency import median_interval
from pytest_mlops.errors import MlopsInputError, MlopsTypeError
from pytest_mlops.scorecard import BANDS, RUBRIC_IDS, band, scorecard


@pytest.fixture(scope="module")
def cancer():
    frame = load_breast_cancer(as_frame=True)
    X, y = frame.data.iloc[:, :10], frame.target
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    return X, y, model


def test_skew_finds_a_feature_rounded_differently(cancer) -> None:
    X, _, _ = cancer

    def offline(raw):
        return pd.DataFrame(
            {"ratio": raw["mean radius"] / raw["mean texture"], "area": raw["mean area"]}
        )

    def online_rounding(raw):
        return pd.DataFrame(
            {"ratio": (raw["mean radius"] / raw["mean texture"]).round(2), "area": raw["mean area"]}
        )

    clean = check_skew(offline, offline, X)
    assert clean.status == "pass"
    skewed = check_skew(offline, online_rounding, X)
    assert skewed.status == "fail"
    (feature,) = skewed.details["features"]
    expected = int(
        (
            np.abs(
                (X["mean radius"] / X["mean texture"]).round(2)
                - X["mean radius"] / X["mean texture"]
            )
            > 1e-6
        ).sum()
    )
    assert feature["feature"] == "ratio" and feature["rows"] == expected
    row_wise = check_skew(offline, lambda row: offline(row), X.head(20), row_wise=True)
    assert row_wise.status == "pass"


class Slow(BaseEstimator, RegressorMixin):
    """Planted defect: a model slowed by a sleep."""

    def __init__(self, delay: float = 0.05):
        self.delay = delay

    def predict(self, X):
        time.sleep(self.delay)
        return np.zeros(len(X))


def test_latency_budgets_are_absolute(cancer) -> None:
    X, _, model = cancer
    fast = check_latency(model.predict, X, p95_ms=2000, repeats=5, single_rows=10)
    assert fast.status == "pass"
    assert fast.metrics["row_p50_ms"] <= fast.metrics["row_p95_ms"] <= fast.metrics["row_p99_ms"]
    slow = check_latency(Slow(0.05).predict, X, p95_ms=5, repeats=2, single_rows=3, warmup=1)
    assert slow.status == "fail" and "row_p95_ms" in slow.message
    assert slow.reason == "threshold_not_met"


def test_latency_has_no_machine_speed_in_its_verdict(cancer) -> None:
    """The old verdict scaled a stored number by a "machine speed ratio" that moved with
    the machine's load; nothing of it is left."""
    X, _, model = cancer
    result = check_latency(model.predict, X, champion=model, repeats=2, single_rows=3)
    assert not any("speed" in key for key in (*result.metrics, *result.details))


@pytest.mark.parametrize("n", [10, 11, 25, 30, 31, 60, 100])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_median_interval_is_the_sign_test_interval(n: int, confidence: float) -> None:
    """Independent computation: the largest rank k with P(Binomial(n, 1/2) < k) <= alpha/2."""
    from scipy.stats import binom

    k = int(binom.ppf((1 - confidence) / 2, n, 0.5))
    if binom.cdf(k, n, 0.5) > (1 - confidence) / 2:
        k -= 1  # ppf gives the smallest k with cdf >= tail; we need cdf(k - 1) <= tail
    k += 1
    values = list(np.random.default_rng(n).permutation(np.arange(1.0, n + 1)))
    assert median_interval(values, confidence) == (float(k), float(n - k + 1))


def test_median_interval_keeps_its_coverage() -> None:
    """Seeded simulation: paired ratios with a known median (lognormal noise, heavy
    right tail as timings have); the 95% interval must cover the median at least 95% of
    the time (the exact sign-test coverage at n = 30 is 95.7%)."""
    rng = np.random.default_rng(20261203)
    draws, n, true_median = 2000, 30, 1.3
    covered = 0
    for _ in range(draws):
        ratios = true_median * np.exp(rng.standard_t(3, size=n) * 0.3)
        interval = median_interval(list(ratios), 0.95)
        assert interval is not None
        covered += interval[0] <= true_median <= interval[1]
    assert 0.94 <= covered / draws <= 0.975


def test_latency_interleaves_champion_and_candidate(cancer) -> None:
    """Every round alternates the two models call by call, and which goes first."""
    X, _, _ = cancer
    calls: list[str] = []

    def candidate(rows):
        calls.append("B")

    def champion(rows):
        calls.append("A")

    check_latency(candidate, X, champion=champion, warmup=0, repeats=1, single_rows=1, rounds=10)
    timed_alone = 1 + 1 + 1  # one batch call, one one-row call, the memory call
    interleaved = calls[timed_alone:]
    assert len(interleaved) == 10 * 2 * 3
    assert all(a != b for a, b in zip(interleaved[::2], interleaved[1::2], strict=True))
    assert interleaved[:6] == ["A", "B", "B", "A", "A", "B"]


class Busy(BaseEstimator, RegressorMixin):
    """A model that costs ``work`` units of interpreted Python per call: CPU-bound, so
    load on the machine slows two of them alike (a sleep would not scale with load)."""

    def __init__(self, work: int = 1000):
        self.work = work

    def predict(self, X):
        sum(range(self.work))
        return np.zeros(len(X))


def test_latency_against_a_champion_measured_in_the_same_run(cancer, tmp_path) -> None:
    """Ratios measured in the same run, with a wide margin: a candidate doing twenty times
    the champion's work fails; the same model passes, however busy the machine is."""
    import joblib

    X, _, model = cancer
    same = check_latency(model.predict, X, champion=model, repeats=2, single_rows=3)
    assert same.status == "pass"
    assert same.metrics["slowdown_ci_low"] <= same.metrics["slowdown_ratio"]
    assert same.metrics["slowdown_ratio"] <= same.metrics["slowdown_ci_high"]
    assert same.details["champion"]["rounds"] == 30
    slower = check_latency(
        Busy(100_000).predict, X, champion=Busy(5_000), repeats=2, single_rows=3, warmup=1
    )
    assert slower.status == "fail" and slower.reason == "regression_detected"
    assert slower.metrics["slowdown_ci_low"] > 1.5
    assert "credibly more than 1.5x" in slower.message
    path = tmp_path / "champion.joblib"
    joblib.dump(model, path)
    loaded = check_latency(model.predict_proba, X, champion=path, repeats=2, single_rows=3)
    assert loaded.status == "pass" and "slowdown_ratio" in loaded.metrics
    with pytest.raises(MlopsInputError, match=r"champion .* is not a file"):
        check_latency(model.predict, X, champion=tmp_path / "missing.joblib")


def test_latency_against_a_stored_number_is_reported_not_judged(cancer) -> None:
    """A number recorded by another run (another machine, another load) never fails the
    check: the old verdict failed it whenever this machine ran slower than that one."""
    X, _, model = cancer
    result = check_latency(model.predict, X, baseline={"row_p50_ms": 1e-6}, single_rows=5)
    assert result.status == "pass"
    stored = result.details["stored_baseline"]
    assert stored["judged"] is False and stored["looks_slower"] is True
    assert "reported, not judged" in result.message


def test_latency_stored_comparison_never_fails_the_gate(pytester: pytest.Pytester, report_of):
    """Even with --mlops-fail-on warn: the stored comparison is a Python warning, and the
    check's status comes from the budgets and the same-run comparison only."""
    pytester.makefile(
        ".json",
        **{
            "mlops-baseline": json.dumps(
                {
                    "schema_version": 1,
                    "entries": {"latency": {"tiny": {"row_p50_ms": 1e-6}}},
                }
            )
        },
    )
    pytester.makepyfile(
        """
        import numpy as np

        def test_latency(mlops):
            mlops.check_latency(lambda X: np.zeros(len(X)), np.ones((20, 3)), name="tiny")
        """
    )
    result = pytester.runpytest("--mlops", "--mlops-fail-on", "warn")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*PytestMlopsWarning: model/latency*stored as latency/tiny*"])
    (check,) = report_of()["checks"]
    assert check["status"] == "pass" and check["details"]["stored_baseline"]["judged"] is False
    assert report_of()["gate"]["decision"] == "pass"


def test_latency_user_errors_end_as_status_error(cancer) -> None:
    X, _, _ = cancer

    def broken(rows):
        raise RuntimeError("weights not loaded")

    result = check_latency(broken, X)
    assert result.status == "error"
    assert "predict raised RuntimeError: weights not loaded" in result.message
    assert result.details["exception"] == "RuntimeError"


class Overflows(BaseEstimator, RegressorMixin):
    """Planted defect: exp() of a raw input overflows to inf on large values."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        with np.errstate(over="ignore"):
            return np.exp(np.asarray(X, dtype=float)[:, 0] * 40)


def test_numerical_stability(cancer) -> None:
    X, _, model = cancer
    assert check_numerical_stability(model, X).status == "pass"
    broken = check_numerical_stability(Overflows(), X)
    assert broken.status == "fail" and "edge inputs" in broken.message


def test_dependencies_changes_and_blocking() -> None:
    recorded = {"scikit-learn": "1.5.2", "numpy": "2.0.0", "old-lib": "1.0"}
    current = {"scikit-learn": "2.0.0", "numpy": "2.0.1", "new-lib": "0.1"}
    declared = ["scikit-learn", "numpy", "old-lib", "new-lib"]
    result = check_dependencies(
        declared, recorded=recorded, current=current, block_on={"scikit-learn": "major"}
    )
    changes = {c["package"]: c for c in result.details["changes"]}
    assert set(changes) == {"scikit-learn", "numpy", "old-lib", "new-lib"}
    assert changes["scikit-learn"]["change"] == "major" and changes["scikit-learn"]["blocking"]
    assert changes["numpy"]["change"] == "patch" and not changes["numpy"]["blocking"]
    assert changes["old-lib"]["now"] is None and changes["old-lib"]["change"] == "absent"
    assert result.details["blocking"] is True
    minor_only = check_dependencies(
        ["scikit-learn"],
        recorded={"scikit-learn": "1.5.2"},
        current={"scikit-learn": "1.6.0"},
        block_on={"scikit-learn": "major"},
    )
    assert minor_only.status == "fail" and minor_only.details["blocking"] is False
    assert check_dependencies(["a"], recorded={"a": "1"}, current={"a": "1"}).status == "pass"
    assert check_dependencies(["a"], current={"a": "1"}).status == "skipped"
    with pytest.raises(MlopsInputError, match=r"block_on\['numpy'\] must be one of"):
        check_dependencies(declared, recorded=recorded, block_on={"numpy": "huge"})


@pytest.mark.parametrize(
    ("before", "after", "level"),
    [
        ("1.0rc1", "1.0", "patch"),  # a pre-release to its release: the old code said minor
        ("2.0", "2.0.0", None),  # the same version, spelled twice
        ("1.9.1", "1.10.0", "minor"),
        ("1.5.2", "2.0.0", "major"),
        ("2.1.0", "2.0.9", "minor"),  # a downgrade is a change too
        ("1.0+cpu", "1.0+cu118", "patch"),
        ("1.26.4", "1.26.4.post1", "patch"),
        ("nightly-a", "nightly-b", "unknown"),
        ("nightly-a", "nightly-a", None),
    ],
)
def test_dependency_versions_compare_as_pep440(before: str, after: str, level) -> None:
    assert change_level(before, after) == level


def test_dependencies_compare_only_what_the_model_needs() -> None:
    """The shipped baseline was recorded with the test extras installed (pandera, pyarrow,
    pytest-xdist): a fresh `pip install -e .` warned about them on every run."""
    recorded = {"numpy": "2.4.6", "scikit-learn": "1.9.1", "pandera": "0.35.0", "pyarrow": "26"}
    fresh = {"numpy": "2.4.6", "scikit-learn": "1.9.1"}
    result = check_dependencies(["scikit-learn", "numpy"], recorded=recorded, current=fresh)
    assert result.status == "pass" and result.metrics["declared"] == 2


def test_dependencies_read_a_distributions_declared_requirements() -> None:
    import sys

    declared = declared_requirements("pytest-mlops")
    assert {"scikit-learn", "numpy", "pandas"} <= set(declared)
    assert "pytest-xdist" not in declared and "pandera" not in declared  # the test extra
    assert ("tomli" in declared) == (sys.version_info < (3, 11))  # markers are evaluated
    result = check_dependencies(distribution="pytest-mlops")
    assert result.status == "skipped" and "scikit-learn" in result.details["versions"]
    with pytest.raises(MlopsInputError, match="'no-such-dist' is not installed"):
        check_dependencies(distribution="no-such-dist")
    with pytest.raises(MlopsInputError, match="name the packages the model needs"):
        check_dependencies()


def test_shipped_baseline_records_declared_packages_and_no_interpreter_path(tmp_path):
    import sys
    from pathlib import Path

    from pytest_mlops.environment import environment

    shipped = json.loads(
        (Path(__file__).parent.parent / "examples" / "mlops-baseline.json").read_text()
    )
    recorded = shipped["entries"]["dependencies"]["breast-cancer-classifier"]
    assert set(recorded) == {"scikit-learn", "numpy", "scipy", "joblib", "pandas"}
    assert "executable" not in shipped["environment"]
    env = environment(tmp_path)
    assert "executable" not in env and sys.executable not in json.dumps(env)
    assert sys.prefix not in json.dumps(env)


def test_fixture_dependencies_from_the_baseline(pytester: pytest.Pytester, report_of) -> None:
    baseline = {"schema_version": 1, "entries": {"dependencies": {"model": {"numpy": "0.0.1"}}}}
    pytester.makefile(".json", **{"mlops-baseline": json.dumps(baseline)})
    pytester.makepyfile(
        """
        def test_warns(mlops):
            mlops.check_dependencies(["numpy"])

        def test_blocks(mlops):
            mlops.check_dependencies(["numpy"], block_on={"numpy": "major"})
        """
    )
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(passed=1, failed=1, warnings=1)
    checks = {c["nodeid"].split("::")[-1]: c for c in report_of()["checks"]}
    warned, blocked = checks["test_warns"], checks["test_blocks"]
    assert (warned["status"], warned["severity"]) == ("warn", "warn")
    assert (blocked["status"], blocked["severity"]) == ("fail", "block")
    assert "numpy 0.0.1 -> " in warned["message"]


def test_staleness(tmp_path) -> None:
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    assert check_staleness(date(2026, 5, 20), max_age=30, now=now).status == "pass"
    old = check_staleness("2026-01-01T00:00:00+00:00", max_age=timedelta(days=30), now=now)
    assert old.status == "fail" and old.metrics["age_days"] == pytest.approx(151)
    model_file = tmp_path / "model.joblib"
    model_file.write_bytes(b"x")
    fresh = check_staleness(model_file, max_age=1)
    assert fresh.status == "pass" and "modification time" in fresh.details["source"]
    with pytest.raises(MlopsInputError, match="neither an ISO date/time nor an existing file"):
        check_staleness("last tuesday")


def test_feature_importance_finds_useless_features(cancer) -> None:
    X, y, _ = cancer
    rng = np.random.default_rng(0)
    noisy = X.assign(noise1=rng.normal(size=len(X)), noise2=rng.normal(size=len(X)))
    train = np.arange(len(noisy)) % 2 == 0  # importance is measured on held-out rows
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(noisy[train], y[train])
    noisy, y = noisy[~train], y[~train]
    result = check_feature_importance(model, noisy, y, n_repeats=5, max_useless_share=0.0)
    useless = {f["feature"] for f in result.details["features"] if not f["beneficial"]}
    assert {"noise1", "noise2"} <= useless
    assert result.status == "fail"
    lenient = check_feature_importance(model, noisy, y, n_repeats=5, max_useless_share=1.0)
    assert lenient.status == "pass"


def test_scorecard_arithmetic_hand_worked() -> None:
    def check(name: str, status: str = "pass", category: str = "model") -> dict:
        return {"id": f"t::{name}", "name": name, "status": status, "category": category}

    checks = [
        check("schema", category="data"),  # Data 1 and Monitor 2
        check("transformer", category="pipeline"),  # Data 7 and Infra 2
        check("determinism", category="pipeline"),  # Infra 1
        check("metrics"),  # Infra 4 (with the gate), and Infra 3 with data+pipeline+model
        check("fairness", "fail", "fairness"),  # Model 7: a failed check earns nothing
        check("drift", "warn", "drift"),  # Monitor 2 broken by it, although schema passed
        check("staleness", "skipped"),  # skipped earns nothing
    ]
    card = scorecard(checks, gate_passed=True, manual=["Model 1", "Data 5"])
    points = {t["id"]: t["points"] for t in card["tests"]}
    # Data: Data 1 (1) + Data 5 manual (0.5) + Data 7 (1) = 2.5
    assert card["sections"]["Data"] == 2.5
    # Model: Model 1 manual (0.5); Model 7 failed (0); Model 4 skipped (0)
    assert card["sections"]["Model"] == 0.5 and points["Model 7"] == 0 and points["Model 4"] == 0
    # Infra: 1 + 2 + 3 + 4 = 4 points
    assert card["sections"]["Infra"] == 4.0
    assert points["Monitor 2"] == 0.0 and card["sections"]["Monitor"] == 0.0
    assert card["final"] == 0.0 and card["band"] == BANDS[0][1]
    failed_gate = scorecard(checks, gate_passed=False)
    assert {t["id"]: t["points"] for t in failed_gate["tests"]}["Infra 4"] == 0.0
    assert len(card["tests"]) == len(RUBRIC_IDS) == 28


@pytest.mark.parametrize(
    ("score", "index"),
    [(0, 0), (0.5, 1), (1, 1), (1.5, 2), (2, 2), (3, 3), (4.5, 4), (5, 4), (6, 5)],
)
def test_score_bands(score: float, index: int) -> None:
    assert band(score) == BANDS[index][1]


def test_scorecard_in_every_report(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyprojecttoml("[tool.pytest-mlops]\nmanual = ['Model 1']\n")
    pytester.makepyfile(
        """
        def test_gate(mlops):
            mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 1, 0], thresholds={"accuracy": 0.5})
        """
    )
    result = pytester.runpytest("--mlops")
    result.stdout.fnmatch_lines(["ML Test Score: 0 (Data 0, Model 0.5, Infra 1, Monitor 0) - *"])
    card = report_of()["scorecard"]
    assert card["manual"] == ["Model 1"] and card["sections"]["Infra"] == 1.0
    summary = (pytester.path / "mlops-report" / "summary.md").read_text()
    assert "### ML Test Score" in summary and "**Final score 0**" in summary
    assert "All 28 rubric tests" in (pytester.path / "mlops-report" / "report.html").read_text()
    pytester.makepyprojecttoml("[tool.pytest-mlops]\nmanual = ['Model 9']\n")
    bad = pytester.runpytest("--mlops")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*manual: 'Model 9' is not an ML Test Score test*"])


def test_example_project_end_to_end(pytester: pytest.Pytester) -> None:
    """The shipped example suite passes its gate and reaches ML Test Score 3 (Infra 3)."""
    from pathlib import Path

    examples = Path(__file__).parent.parent / "examples"
    result = pytester.runpytest_subprocess(
        "--mlops",
        str(examples),
        "-p",
        "no:cacheprovider",
        "--mlops-report-dir",
        str(pytester.path / "out"),
    )
    assert result.ret == 0, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines(
        ["gate: PASS*", "ML Test Score: 3 (Data 3, Model 4, Infra 4, Monitor *"]
    )


def test_staleness_accepts_naive_datetimes_as_local_time() -> None:
    """`check_staleness(now=datetime.now())` raised TypeError (naive minus aware)."""
    now = datetime.now()
    two_days = check_staleness(now - timedelta(days=2), now=now)
    assert two_days.status == "pass" and two_days.metrics["age_days"] == pytest.approx(2)
    aware = datetime.now(timezone.utc)
    assert check_staleness(now - timedelta(days=40), now=aware, max_age=30).status == "fail"
    assert check_staleness(date.today(), now=now).metrics["age_days"] < 1.01
    local_iso = (now - timedelta(days=3)).isoformat()
    assert check_staleness(local_iso, now=now).metrics["age_days"] == pytest.approx(3)


def test_staleness_in_the_future_cannot_decide() -> None:
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    result = check_staleness(now + timedelta(days=2), now=now)
    assert result.status == "error" and "clock or time-zone mistake" in result.message
    with pytest.raises(MlopsInputError, match="max_age must be a positive duration"):
        check_staleness(now, max_age=timedelta(days=-1), now=now)
    with pytest.raises(MlopsInputError, match="does not exist"):
        check_staleness(Path("/no/such/model.joblib"))


class Raises(BaseEstimator, RegressorMixin):
    """Planted defect: a model whose predict fails for a reason of its own."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        raise RuntimeError("weights not loaded")


def _raise(*args, **kwargs):
    raise KeyError("no column 'income'")


@pytest.mark.parametrize(
    ("check", "arguments", "culprit"),
    [
        (check_skew, lambda X, y: (_raise, lambda raw: raw, X), "offline(raw) raised KeyError"),
        (check_skew, lambda X, y: (lambda r: r, _raise, X), "online(raw) raised KeyError"),
        (check_numerical_stability, lambda X, y: (Raises(), X), "predict raised RuntimeError"),
        (check_feature_importance, lambda X, y: (Raises(), X, y), "predict raised RuntimeError"),
    ],
)
def test_user_code_that_raises_ends_as_status_error(cancer, check, arguments, culprit) -> None:
    X, y, _ = cancer
    result = check(*arguments(X, y))
    assert result.status == "error" and culprit in result.message
    assert result.details["exception"] in ("KeyError", "RuntimeError")


def test_user_code_that_raises_is_an_error_in_the_report(pytester: pytest.Pytester, report_of):
    pytester.makepyfile(
        """
        import numpy as np

        def broken(rows):
            raise RuntimeError("weights not loaded")

        def test_latency(mlops):
            mlops.check_latency(broken, np.ones((5, 2)))
        """
    )
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*predict raised RuntimeError: weights not loaded*"])
    (check,) = report_of()["checks"]
    assert check["status"] == "error" and report_of()["gate"]["decision"] == "fail"


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (lambda X, m: check_latency(m.predict, X, p95_ms="50"), MlopsTypeError, "p95_ms"),
        (lambda X, m: check_latency(m.predict, X, rounds=3), MlopsInputError, "rounds"),
        (lambda X, m: check_latency(m.predict, X, champion=3), MlopsTypeError, "champion"),
        (lambda X, m: check_skew(m.predict, m.predict, X, tolerance=-1), MlopsInputError, "tol"),
        (lambda X, m: check_staleness(date.today(), max_age="30"), MlopsTypeError, "max_age"),
        (lambda X, m: check_dependencies("numpy"), MlopsTypeError, "packages"),
        (
            lambda X, m: check_dependencies(["numpy"], block_on={"numpy": 1}),
            MlopsTypeError,
            "block_on",
        ),
        (
            lambda X, m: check_numerical_stability(m, X, float32_tolerance=None),
            MlopsTypeError,
            "float32_tolerance",
        ),
        (
            lambda X, m: check_feature_importance(m, X, X.iloc[:, 0], n_repeats=1),
            MlopsInputError,
            "n_repeats",
        ),
        (
            lambda X, m: check_feature_importance(m, X, X.iloc[:, 0] > 10, metric="auc"),
            MlopsInputError,
            "did you mean 'roc_auc'",
        ),
    ],
)
def test_production_options_are_validated(cancer, call, error, text) -> None:
    X, _, model = cancer
    with pytest.raises(error, match=text):
        call(X, model)


def test_production_and_pipeline_checks_come_from_the_registry() -> None:
    """No hand-written fixture forwarding methods: each method is derived from its spec."""
    import importlib.util

    from pytest_mlops.core import registry
    from pytest_mlops.fixture import Mlops

    methods = [
        "check_skew",
        "check_latency",
        "check_numerical_stability",
        "check_dependencies",
        "check_staleness",
        "check_feature_importance",
        "check_deterministic",
        "check_serialization",
        "check_transformer",
        "check_invariance",
        "check_directional",
        "check_robustness",
    ]
    for method in methods:
        spec = registry.get(method)
        assert spec is not None, method
        assert getattr(Mlops, method).__signature__ == spec.signature()
    for module in ("pytest_mlops._fixture.production", "pytest_mlops._fixture.pipeline"):
        assert importlib.util.find_spec(module) is None
