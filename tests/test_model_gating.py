"""Honest model gating: intervals, coverage, baselines, champion vs challenger, slices."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics as skm

from pytest_mlops.checks import _bootstrap as bs
from pytest_mlops.checks import _intervals as iv
from pytest_mlops.checks import (
    check_against_baseline,
    check_beats_dummy,
    check_calibration,
    check_metrics,
    check_overfitting,
    compare_models,
)
from pytest_mlops.checks.compare import delong, mcnemar, relative_change
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

RNG = np.random.default_rng(0)


def binary(n: int, seed: int = 0, separation: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = 1 / (1 + np.exp(-(rng.normal(size=n) + separation * (2 * y - 1))))
    return y, np.round(score, 3)  # rounding makes ties, which the AUC must handle


@pytest.mark.parametrize(
    "name",
    [
        "roc_auc",
        "average_precision",
        "f1",
        "log_loss",
        "brier",
        "mcc",
        "balanced_accuracy",
        "accuracy",
    ],
)
def test_vectorised_resample_values_equal_sklearn_with_weights(name: str) -> None:
    y, score = binary(500)
    pred = (score > 0.5).astype(int)
    compute = bs.binary_statistics([name], y, pred, score)
    weights = next(bs.weight_chunks(len(y), 4, np.random.default_rng(1), strata=y))
    sk = {
        "roc_auc": lambda w: skm.roc_auc_score(y, score, sample_weight=w),
        "average_precision": lambda w: skm.average_precision_score(y, score, sample_weight=w),
        "f1": lambda w: skm.f1_score(y, pred, sample_weight=w),
        "log_loss": lambda w: skm.log_loss(y, score, sample_weight=w),
        "brier": lambda w: skm.brier_score_loss(y, score, sample_weight=w),
        "mcc": lambda w: skm.matthews_corrcoef(y, pred, sample_weight=w),
        "balanced_accuracy": lambda w: skm.balanced_accuracy_score(y, pred, sample_weight=w),
        "accuracy": lambda w: skm.accuracy_score(y, pred, sample_weight=w),
    }[name]
    values = compute(weights)[name]
    for row, value in zip(weights, values, strict=True):
        assert value == pytest.approx(sk(row), abs=1e-12)


def test_regression_resample_values_equal_sklearn() -> None:
    y = RNG.normal(10, 3, 300)
    pred = y + RNG.normal(0, 1, 300)
    names = ["mae", "mse", "rmse", "r2", "mape"]
    weights = next(bs.weight_chunks(300, 3, np.random.default_rng(2)))
    values = bs.regression_statistics(names, y, pred)(weights)
    for i, row in enumerate(weights):
        assert values["mae"][i] == pytest.approx(
            skm.mean_absolute_error(y, pred, sample_weight=row)
        )
        assert values["mse"][i] == pytest.approx(skm.mean_squared_error(y, pred, sample_weight=row))
        assert values["rmse"][i] == pytest.approx(math.sqrt(values["mse"][i]))
        assert values["r2"][i] == pytest.approx(skm.r2_score(y, pred, sample_weight=row))
        assert values["mape"][i] == pytest.approx(
            skm.mean_absolute_percentage_error(y, pred, sample_weight=row)
        )


def test_stratified_resamples_keep_class_counts() -> None:
    y = np.array([0] * 30 + [1] * 10)
    for weights in bs.weight_chunks(40, 50, np.random.default_rng(3), strata=y):
        assert np.all(weights[:, y == 1].sum(axis=1) == 10)
        assert np.all(weights.sum(axis=1) == 40)


def test_wilson_interval_hand_worked() -> None:
    # 3 of 4 at 95%: centre (0.75 + 1.9208/4) / (1 + 3.8415/4), from the Wilson formula
    low, high = iv.wilson(3, 4, 0.95)
    assert (low, high) == (pytest.approx(0.300642, abs=1e-6), pytest.approx(0.954413, abs=1e-6))


def test_check_metrics_auc_interval_covers_the_true_auc_93_to_97_percent() -> None:
    """Binormal scores: positives N(d, 1), negatives N(0, 1), so AUC = Phi(d / sqrt(2))."""
    rng = np.random.default_rng(11)
    d, n, draws = 1.0, 400, 400
    true_auc = stats.norm.cdf(d / math.sqrt(2))
    covered = 0
    for _ in range(draws):
        y = np.r_[np.ones(n // 2, int), np.zeros(n // 2, int)]
        score = np.r_[rng.normal(d, 1, n // 2), rng.normal(0, 1, n // 2)]
        result = check_metrics(
            y,
            y_score=score,
            report=["roc_auc"],
            n_resamples=400,
            random_state=int(rng.integers(1 << 30)),
        )
        row = result.details["rows"][0]
        covered += row["ci_low"] <= true_auc <= row["ci_high"]
    assert 0.93 <= covered / draws <= 0.97, covered / draws


def test_intervals_are_seeded() -> None:
    y, score = binary(300)
    one = check_metrics(y, y_score=score, report=["log_loss"], random_state=4)
    two = check_metrics(y, y_score=score, report=["log_loss"], random_state=4)
    other = check_metrics(y, y_score=score, report=["log_loss"], random_state=5)
    assert one.details == two.details
    assert one.details["rows"] != other.details["rows"]


def test_gate_on_interval_needs_the_whole_interval() -> None:
    y, score = binary(200, separation=0.8)
    point = check_metrics(y, y_score=score, report=["roc_auc"])
    row = point.details["rows"][0]
    bar = (row["value"] + row["ci_low"]) / 2
    assert check_metrics(y, y_score=score, thresholds={"roc_auc": bar}).status == "pass"
    strict = check_metrics(y, y_score=score, thresholds={"roc_auc": bar}, gate_on="lower_bound")
    assert strict.status == "fail"
    assert "(95% CI " in strict.message and "the whole interval must clear it" in strict.message
    # lower-is-better: the upper end is held to the maximum
    high = check_metrics(y, y_score=score, report=["log_loss"]).details["rows"][0]
    cap = (high["value"] + high["ci_high"]) / 2
    assert (
        check_metrics(y, y_score=score, thresholds={"log_loss": cap}, gate_on="interval").status
        == "fail"
    )
    with pytest.raises(MlopsInputError, match="gate_on must be one of"):
        check_metrics(y, y_score=score, thresholds={"roc_auc": 0.5}, gate_on="mean")


def test_relative_change_handles_negative_and_zero_baselines() -> None:
    # R2 from -0.5 to -0.4 improves by 20% of |baseline|; a signed division would say -20%
    assert relative_change(-0.4, -0.5, greater_is_better=True) == pytest.approx(0.2)
    assert relative_change(0.3, 0.0, greater_is_better=True) == pytest.approx(0.3)
    assert relative_change(2.0, 2.5, greater_is_better=False) == pytest.approx(0.2)


def test_against_baseline_rules() -> None:
    y, score = binary(500)
    current = skm.roc_auc_score(y, score)
    champion = {"roc_auc": current + 0.02, "log_loss": 0.1}
    drop = check_against_baseline(
        "model", champion, y, y_score=score, max_drop={"roc_auc": 0.01}, n_resamples=0
    )
    assert drop.status == "fail" and drop.reason == "regression_detected"
    assert "roc_auc dropped 0.02" in drop.message
    ok = check_against_baseline(
        "model", champion, y, y_score=score, max_drop={"roc_auc": 0.03}, n_resamples=0
    )
    assert ok.status == "pass" and ok.details["rows"][0]["change"] == pytest.approx(-0.02)
    improve = check_against_baseline(
        "model",
        {"roc_auc": current - 0.01},
        y,
        y_score=score,
        min_improvement={"roc_auc": 0.02},
        n_resamples=0,
    )
    assert improve.status == "fail" and "at least 0.02 required" in improve.message
    relative = check_against_baseline(
        "model",
        {"roc_auc": current / 0.97},
        y,
        y_score=score,
        max_relative_drop={"roc_auc": 0.02},
        n_resamples=0,
    )
    assert relative.status == "fail" and "(at most 2.00% allowed)" in relative.message


def test_against_baseline_fails_closed() -> None:
    y, score = binary(200)
    missing = check_against_baseline(
        "model",
        None,
        y,
        y_score=score,
        max_drop={"roc_auc": 0.01},
        how_to_create="run with --mlops-update-baseline",
    )
    assert missing.status == "fail" and missing.reason == "missing_baseline"
    assert missing.message == "run with --mlops-update-baseline"
    first = check_against_baseline(
        "model", None, y, y_score=score, max_drop={"roc_auc": 0.01}, first_run=True
    )
    assert first.status == "skipped" and "first baseline" in first.message
    no_metric = check_against_baseline(
        "model",
        {"f1": 0.9},
        y,
        y_score=score,
        max_drop={"roc_auc": 0.01},
        how_to_create="create it",
    )
    assert no_metric.status == "fail" and no_metric.reason == "missing_metric"
    with pytest.raises(MlopsInputError, match="name at least one metric"):
        check_against_baseline("model", {}, y, y_score=score)


def delong_by_pairs(y: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """DeLong's variance from its definition, pair by pair (O(m n)), independent of ranks."""
    pos_a, neg_a, pos_b, neg_b = a[y == 1], a[y == 0], b[y == 1], b[y == 0]

    def psi(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        return (p[:, None] > q[None, :]) + 0.5 * (p[:, None] == q[None, :])

    pa, pb = psi(pos_a, neg_a), psi(pos_b, neg_b)
    v10 = np.vstack([pa.mean(axis=1), pb.mean(axis=1)])
    v01 = np.vstack([pa.mean(axis=0), pb.mean(axis=0)])
    s10, s01 = np.cov(v10), np.cov(v01)
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / pa.shape[0]
    var += (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / pa.shape[1]
    return math.sqrt(var)


def test_delong_equals_the_pairwise_definition() -> None:
    y, a = binary(300, seed=5, separation=0.8)
    _, b = binary(300, seed=6, separation=1.0)
    b = np.where(y == 1, b, a)  # correlated models
    auc_a, auc_b, se = delong(y, a, b)
    assert auc_a == pytest.approx(skm.roc_auc_score(y, a))
    assert auc_b == pytest.approx(skm.roc_auc_score(y, b))
    assert se == pytest.approx(delong_by_pairs(y, a, b), rel=1e-10)


def test_mcnemar_hand_worked() -> None:
    # 10 pairs disagree, 8 in the challenger's favour: exact two-sided binomial p = 0.109375
    champion = np.array([True] * 2 + [False] * 8 + [True] * 30)
    challenger = np.array([False] * 2 + [True] * 8 + [True] * 30)
    b, c, p, test = mcnemar(champion, challenger)
    assert (b, c, test) == (2, 8, "exact binomial")
    assert p == pytest.approx(0.109375)
    many_a = np.array([True] * 15 + [False] * 25 + [True] * 60)
    many_b = np.array([False] * 15 + [True] * 25 + [True] * 60)
    _, _, p_chi, test = mcnemar(many_a, many_b)
    assert test == "chi-squared with continuity correction"
    assert p_chi == pytest.approx(stats.chi2.sf((abs(15 - 25) - 1) ** 2 / 40, 1))


def test_compare_models_non_inferiority() -> None:
    y, a = binary(1000, seed=7)
    better = np.clip(a + 0.15 * (2 * y - 1), 0, 1)
    result = compare_models(y, champion=a, challenger=better, metric="roc_auc", margin=0.01)
    assert result.status == "pass" and result.details["method"] == "DeLong paired test"
    worse = compare_models(y, champion=better, challenger=a, metric="roc_auc", margin=0.01)
    assert worse.status == "fail" and "Keep the champion" in worse.message
    pred_a, pred_b = (a > 0.5).astype(int), (better > 0.5).astype(int)
    acc = compare_models(y, champion=pred_a, challenger=pred_b, metric="accuracy", margin=0.0)
    assert acc.details["champion"] == pytest.approx(skm.accuracy_score(y, pred_a))
    assert "McNemar" in acc.details["method"]
    boot = compare_models(
        y, champion=pred_a, challenger=pred_b, metric="f1", margin=0.02, n_resamples=300
    )
    assert boot.details["method"] == "paired bootstrap"
    assert boot.details["difference"] == pytest.approx(
        skm.f1_score(y, pred_b) - skm.f1_score(y, pred_a)
    )


def test_slices_judge_each_slice_and_report_small_ones() -> None:
    rng = np.random.default_rng(8)
    n = 1200
    region = rng.choice(["north", "south", "tiny"], n, p=[0.5, 0.48, 0.02])
    y = rng.integers(0, 2, n)
    pred = np.where(rng.random(n) < 0.9, y, 1 - y)
    pred = np.where((region == "south") & (rng.random(n) < 0.4), 1 - y, pred)  # weak slice
    result = check_metrics(
        y,
        y_pred=pred,
        thresholds={"accuracy": 0.8},
        slices=pd.DataFrame({"region": region}),
        min_slice_size=30,
    )
    assert result.name == "slice_metrics" and result.status == "fail"
    assert "[region = south] accuracy = " in result.message
    assert result.details["weakest"][0]["slice"] == "region = south"
    assert [s["slice"] for s in result.details["too_small"]] == ["region = tiny"]
    north = next(r for r in result.details["rows"] if r["slice"] == "region = north")
    mask = region == "north"
    assert north["value"] == pytest.approx(skm.accuracy_score(y[mask], pred[mask]))
    combos = check_metrics(
        y,
        y_pred=pred,
        report=["accuracy"],
        slice_combinations=True,
        slices=pd.DataFrame({"region": region, "g": rng.choice(["a", "b"], n)}),
    )
    assert any(" & " in r["slice"] for r in combos.details["rows"])


def test_overfitting_dummy_and_calibration() -> None:
    y, score = binary(800)
    pred = (score > 0.5).astype(int)
    perfect_train = check_overfitting(y, y, train_pred=y, test_pred=pred, metric="accuracy")
    accuracy = skm.accuracy_score(y, pred)
    assert perfect_train.metrics["gap"] == pytest.approx(1 - accuracy)
    assert perfect_train.status == ("fail" if (1 - accuracy) > 0.1 else "pass")
    dummy = check_beats_dummy(y, y, y_pred=pred, metric="accuracy")
    majority = max(np.mean(y), 1 - np.mean(y))
    assert dummy.metrics["dummy_accuracy"] == pytest.approx(majority)
    assert dummy.metrics["gain"] == pytest.approx((accuracy - majority) / (1 - majority))
    assert check_beats_dummy(y, y, y_pred=np.zeros_like(y) + (np.mean(y) > 0.5)).status == "fail"
    score = np.clip(score + 0.0001234, 0, 1)  # no score on a bin edge: the hand binning is floor
    calibration = check_calibration(y, score, n_bins=10)
    index = np.clip(np.floor(score * 10).astype(int), 0, 9)
    ece = sum(abs(y[index == b].sum() - score[index == b].sum()) for b in range(10)) / len(y)
    assert calibration.metrics["ece"] == pytest.approx(ece)
    assert calibration.metrics["brier"] == pytest.approx(skm.brier_score_loss(y, score))
    overconfident = check_calibration(y, np.where(score > 0.5, 0.999, 0.001))
    assert overconfident.status == "fail"


def test_fixture_baseline_lifecycle(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        import os
        import numpy as np
        import pytest

        rng = np.random.default_rng(0)
        y = rng.integers(0, 2, 400)
        score = np.clip(y * 0.4 + rng.random(400) * 0.6, 0, 1)

        @pytest.mark.mlops_model
        def test_candidate(mlops):
            noise = rng.normal(0, 0.3, 400) if os.environ.get("WORSE") else 0
            s = np.clip(score + noise, 0, 1)
            mlops.check_against_baseline("classifier", y, y_score=s, max_drop={"roc_auc": 0.01})
        """
    )
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(failed=1)
    assert report_of()["checks"][0]["reason"] == "missing_baseline"
    first = pytester.runpytest("--mlops", "--mlops-update-baseline")
    first.assert_outcomes(passed=1)
    stored = json.loads((pytester.path / "mlops-baseline.json").read_text())
    assert "roc_auc" in stored["entries"]["metrics"]["classifier"]
    pytester.runpytest("--mlops").assert_outcomes(passed=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORSE", "1")
        worse = pytester.runpytest("--mlops")
        worse.assert_outcomes(failed=1)
        worse.stdout.fnmatch_lines(["*roc_auc dropped * below the champion's *"])


def test_confusion_counts_of_a_stratified_resample_are_binomial() -> None:
    """The fast path draws tp ~ Binomial(n_pos, TPR): its mean and spread match that law."""
    y = np.array([1] * 200 + [0] * 300)
    pred = np.r_[np.ones(150, int), np.zeros(50, int), np.ones(60, int), np.zeros(240, int)]
    values = bs.binomial_counts(["recall"], y, pred, 20000, np.random.default_rng(0))
    recall = values["recall"]
    assert recall.mean() == pytest.approx(0.75, abs=0.002)
    assert recall.std() == pytest.approx(math.sqrt(0.75 * 0.25 / 200), rel=0.03)


def test_compare_models_fails_closed_when_delong_has_no_spread() -> None:
    """Issue 14: a perfect champion against a constant challenger has DeLong SE 0; the
    difference (-0.5) used to pass as an infinitely significant improvement."""
    y = np.array([0, 1] * 50)
    perfect = y * 0.8 + 0.1
    result = compare_models(
        y, champion=perfect, challenger=np.full(100, 0.5), metric="roc_auc", margin=0.01
    )
    assert result.status == "error" and result.reason == "not_computable"
    assert "DeLong paired test: the standard error is 0" in result.message
    assert result.metrics["champion_roc_auc"] == 1.0
    assert result.metrics["challenger_roc_auc"] == 0.5


def test_compare_models_rejects_a_pos_label_that_is_not_a_label() -> None:
    y = np.array([0, 1] * 50)
    score = np.linspace(0, 1, 100)
    with pytest.raises(MlopsInputError, match=r"pos_label 5 is not one of the labels"):
        compare_models(
            y, champion=score, challenger=score[::-1], metric="roc_auc", margin=0.01, pos_label=5
        )


Y100 = np.array([0, 1] * 50)
P100 = np.linspace(0.01, 0.99, 100)


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (
            lambda: check_metrics(y_true=[1], y_pred=[1], n_resamples=0, confidence=None),
            MlopsTypeError,
            "confidence must be a float in (0, 1); got None",
        ),
        (
            lambda: check_metrics(y_true=[1], y_pred=[1], confidence="0.9"),
            MlopsTypeError,
            "confidence must be a float in (0, 1); got '0.9' (str)",
        ),
        (
            lambda: check_metrics(y_true=[True], y_pred=["b"], report=["accuracy"]),
            MlopsTypeError,
            "y_true holds number labels but y_pred holds string labels",
        ),
        (
            lambda: check_metrics(["a", "b", "a"], y_pred=[0, 1, 0], report=["accuracy"]),
            MlopsTypeError,
            "y_true holds string labels but y_pred holds number labels",
        ),
        (
            lambda: compare_models(
                Y100, champion=np.r_[np.nan, P100[1:]], challenger=P100, metric="log_loss"
            ),
            MlopsInputError,
            "champion has 1 NaN or infinite value(s)",
        ),
        (
            lambda: compare_models(
                Y100, champion=P100, challenger=P100[::-1], metric="log_loss", n_resamples=-1
            ),
            MlopsInputError,
            "n_resamples must be an int >= 1; got -1",
        ),
        (
            lambda: compare_models(
                np.arange(99) % 3, champion=P100[:99], challenger=P100[:99], metric="log_loss"
            ),
            MlopsInputError,
            "champion is 1-d but there are 3 classes",
        ),
        (lambda: check_calibration([], []), MlopsInputError, "y_true is empty"),
        (
            lambda: compare_models(Y100, champion=P100, challenger=P100, confidence=0.9),
            MlopsTypeError,
            "unknown argument 'confidence'",
        ),
        (
            lambda: check_beats_dummy([0, 1, np.nan], [0, 1, 1], y_pred=[0, 1, 1]),
            MlopsInputError,
            "y_train has 1 missing value(s)",
        ),
        (lambda: check_beats_dummy([], [], y_pred=[]), MlopsInputError, "y_train is empty"),
        (
            lambda: check_beats_dummy([0, 1], [0, 1], y_pred=[0, 1], metric="auc"),
            MlopsInputError,
            "metric must be one of 'accuracy'",
        ),
        (
            lambda: check_beats_dummy([0.5, 1.5], [0.5, 1.5], y_pred=[1, 1], metric="accuracy"),
            MlopsInputError,
            "metric 'accuracy' does not fit y_train, which is regression data",
        ),
        (
            lambda: check_overfitting(
                [0, 1], [0, 1], train_pred=[0, 1], test_pred=[0, 1], max_gap="x"
            ),
            MlopsTypeError,
            "max_gap must be a float >= 0 or None; got 'x'",
        ),
        (
            lambda: check_overfitting([0, 1], [0, 1]),
            MlopsInputError,
            "pass train_pred, train_score or both",
        ),
        (
            lambda: check_calibration([0, 1], [np.nan, 0.5]),
            MlopsInputError,
            "y_score has 1 NaN or infinite value(s)",
        ),
        (
            lambda: check_calibration([0, 1], [0.1, 0.5], n_bins=1.5),
            MlopsTypeError,
            "n_bins must be an int >= 2; got 1.5",
        ),
        (
            lambda: check_calibration([0, 1], [0.1, 0.5], pos_label=3),
            MlopsInputError,
            "pos_label 3 is not one of the labels",
        ),
        (
            lambda: check_calibration([0, 1, 2], [0.1, 0.5, 0.2]),
            MlopsInputError,
            "needs binary labels; got 3 classes",
        ),
        (
            lambda: check_against_baseline(
                "m", {"roc_auc": "x"}, Y100, y_score=P100, max_drop={"roc_auc": 0.1}
            ),
            MlopsInputError,
            "the champion 'm' stores roc_auc = 'x', which is not a finite number",
        ),
        (
            lambda: check_against_baseline("m", [1], Y100, y_score=P100, max_drop={"roc_auc": 0.1}),
            MlopsTypeError,
            "baseline must be a dict or None",
        ),
        (
            lambda: check_against_baseline("m", {}, Y100, y_score=P100, max_drop={"roc_auc": "a"}),
            MlopsTypeError,
            "max_drop['roc_auc'] must be a float >= 0; got 'a'",
        ),
        (
            lambda: check_metrics([0, 1], y_pred=[0, 1], sample_weight=[-1, 1]),
            MlopsInputError,
            "sample_weight has negative weights",
        ),
        # found by the fuzz module: each was an internal exception
        (
            lambda: check_metrics(np.array([0, 0, "a"], dtype=object), y_pred=[0, 0, 0]),
            MlopsTypeError,
            "y_true mixes label types",
        ),
        (
            lambda: check_metrics([1e308], y_pred=[0], y_score=[0.0]),
            MlopsInputError,
            "y_true holds 1 number(s) that are no class label",
        ),
        (
            lambda: check_beats_dummy([0], [np.inf], y_pred=[np.inf], y_score=[0.0]),
            MlopsInputError,
            "y_test has 1 infinite value(s)",
        ),
        (
            lambda: check_beats_dummy([0], [0.5], y_pred=[0.5], y_score=[0.0]),
            MlopsInputError,
            "y_test holds 1 number(s) that are no class label",
        ),
        (
            lambda: check_beats_dummy(np.array([0, "a"], dtype=object), [0], y_pred=[0]),
            MlopsTypeError,
            "y_train mixes label types",
        ),
        (
            lambda: check_overfitting([0], [0], train_pred=[], test_pred=[0]),
            MlopsInputError,
            "y_train has 1, train_pred has 0",
        ),
    ],
)
def test_bad_model_check_inputs_get_errors_naming_the_argument(call, error, text) -> None:
    with pytest.raises(error) as info:
        call()
    assert text in str(info.value)


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (
            lambda: check_overfitting(
                [1, 1], [0, 1], train_score=[0.2, 0.3], test_score=[0.1, 0.9], metric="roc_auc"
            ),
            "roc_auc could not be computed on train data: only one class",
        ),
        (lambda: check_beats_dummy([1, 1], [1, 1], y_pred=[1, 1]), "the dummy already scores 1"),
        (
            lambda: compare_models(
                [1, 1, 1], champion=[0.1, 0.2, 0.3], challenger=[0.3, 0.2, 0.1], metric="roc_auc"
            ),
            "only one class (1) is present",
        ),
        (
            lambda: compare_models(Y100, champion=Y100, challenger=Y100, metric="accuracy"),
            "the standard error is 0",
        ),
        (
            lambda: check_against_baseline(
                "m",
                {"roc_auc": 0.9},
                np.r_[np.nan, Y100[1:]],
                y_score=P100,
                max_drop={"roc_auc": 0.1},
            ),
            "y_true has 1 missing value(s)",
        ),
    ],
)
def test_undecidable_model_checks_fail_closed(call, text: str) -> None:
    result = call()
    assert result.status == "error" and text in result.message


def test_object_arrays_of_numbers_are_labels() -> None:
    result = check_metrics(
        np.array([0, 1, 0], dtype=object), y_pred=np.array([0, 1, 1], dtype=object)
    )
    assert result.status == "pass" and result.metrics["accuracy"] == pytest.approx(2 / 3)


def test_integer_categorical_labels_work() -> None:
    truth = pd.Series([0, 1, 0, 1]).astype("category")
    result = check_metrics(truth, y_pred=[0, 1, 1, 1])
    assert result.status == "pass" and result.metrics["accuracy"] == 0.75
    assert result.details["confusion_matrix"]["labels"] == [0, 1]


def test_multiclass_resamples_are_vectorised_and_equal_sklearn() -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(0)
    X = X + rng.normal(0, 0.8, X.shape)  # an imperfect model, so that the metrics vary
    model = LogisticRegression(max_iter=500).fit(X, y)
    pred, proba = model.predict(X), model.predict_proba(X)
    labels = np.array([0, 1, 2])
    weights = next(bs.weight_chunks(150, 3, np.random.default_rng(1), strata=y))
    sk = {
        "accuracy": lambda w: skm.accuracy_score(y, pred, sample_weight=w),
        "f1": lambda w: skm.f1_score(y, pred, average="macro", sample_weight=w),
        "precision": lambda w: skm.precision_score(y, pred, average="macro", sample_weight=w),
        "balanced_accuracy": lambda w: skm.balanced_accuracy_score(y, pred, sample_weight=w),
        "mcc": lambda w: skm.matthews_corrcoef(y, pred, sample_weight=w),
        "roc_auc": lambda w: skm.roc_auc_score(
            y, proba, multi_class="ovr", average="macro", sample_weight=w
        ),
    }
    for name, reference in sk.items():
        statistic = bs.statistic(name, y, pred, proba, labels=labels, positive=None)
        assert statistic is not None
        values = statistic(weights)
        for row, value in zip(weights, values, strict=True):
            assert value == pytest.approx(reference(row), abs=1e-10), name


def test_multiclass_brier_interval_is_studentized_and_the_value_sklearns() -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    proba = LogisticRegression(max_iter=500).fit(X, y).predict_proba(X)
    row = check_metrics(y, y_score=proba, report=["brier"]).details["rows"][0]
    assert row["value"] == pytest.approx(skm.brier_score_loss(y, proba))
    assert row["ci_low"] < row["value"] < row["ci_high"]
