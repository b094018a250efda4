"""The fairness intervals keep their promise: seeded simulations of coverage and of the
interval gate's false-pass rate, and the closed forms against independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate
from scipy.stats import binomtest

from pytest_mlops.checks import check_fairness
from pytest_mlops.checks._fairness_disparities import evaluate
from pytest_mlops.checks._fairness_intervals import (
    Pairs,
    difference_bounds,
    newcombe,
    ratio_bounds,
    wilson,
    z_value,
)
from pytest_mlops.checks._fairness_table import DISPARITIES, Strata

Z95 = z_value(0.95)


@pytest.mark.parametrize(("x", "n"), [(81, 263), (15, 148), (0, 20), (1, 29), (29, 29), (5, 7)])
def test_wilson_equals_scipy(x: int, n: int) -> None:
    expected = binomtest(x, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson(np.array([x]), np.array([n]), Z95)
    assert low[0] == pytest.approx(expected.low, abs=1e-9)
    assert high[0] == pytest.approx(expected.high, abs=1e-9)


def test_newcombe_equals_the_published_example() -> None:
    """Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 - 48/80,
    method 10 gives 0.0524 to 0.3339."""
    x, n = np.array([56, 48]), np.array([70, 80])
    low, high = wilson(x, n, Z95)
    p = x / n
    lower, upper = newcombe(p[0], (low[0], high[0]), p[1], (low[1], high[1]))
    assert (round(float(lower), 4), round(float(upper), 4)) == (0.0524, 0.3339)


def _coverage(rates: list[float], n: int, reps: int, seed: int) -> dict[str, float]:
    """Share of seeded draws whose intervals cover the true range and ratio."""
    rng = np.random.default_rng(seed)
    truth = np.array(rates)
    gap, ratio = truth.max() - truth.min(), truth.min() / truth.max()
    first, second = np.triu_indices(len(rates), 1)
    sizes = np.full(len(rates), n)
    pairs = Pairs(rng.binomial(sizes, truth, size=(reps, len(rates))), sizes, first, second)
    low, high = difference_bounds(pairs, 0.95)
    covered = {"difference": np.mean((low <= gap) & (gap <= high))}
    low, high = ratio_bounds(pairs, 0.95)
    covered["ratio"] = np.mean((low <= ratio) & (ratio <= high))
    return {k: float(v) for k, v in covered.items()}


@pytest.mark.parametrize(
    ("rates", "n"),
    [([0.30, 0.45], 200), ([0.55, 0.40], 300), ([0.20, 0.32], 400)],
)
def test_two_group_intervals_cover_95_percent(rates: list[float], n: int) -> None:
    """Two groups of moderate size with a real disparity: 93-97% coverage (4,000 draws,
    binomial standard error 0.35%)."""
    coverage = _coverage(rates, n, reps=4000, seed=11)
    for name, share in coverage.items():
        assert 0.93 <= share <= 0.97, (name, share)


@pytest.mark.parametrize(
    ("rates", "n"),
    [([0.4, 0.4], 200), ([0.3, 0.4, 0.45], 200), ([0.2, 0.3, 0.3, 0.3], 150), ([0.8, 0.9], 50)],
)
def test_intervals_never_undercover(rates: list[float], n: int) -> None:
    """Equal rates, three or four groups, small groups: the intervals are conservative
    (the range of several rates folds in every pair), never below nominal."""
    coverage = _coverage(rates, n, reps=2000, seed=12)
    for name, share in coverage.items():
        assert 0.93 <= share <= 0.995, (name, share)


def test_interval_gate_rarely_passes_a_model_at_the_bound() -> None:
    """True ratio exactly 0.8 and true gap exactly 0.1: gate_on="interval" must pass at
    most 3.5% of draws (one-sided nominal 2.5%)."""
    rng = np.random.default_rng(13)
    sizes, reps = np.array([250, 250]), 4000
    one = (np.array([0]), np.array([1]))
    draws = Pairs(rng.binomial(sizes, [0.4, 0.5], size=(reps, 2)), sizes, *one)
    assert np.mean(ratio_bounds(draws, 0.95)[0] >= 0.8) <= 0.035
    draws = Pairs(rng.binomial(sizes, [0.3, 0.4], size=(reps, 2)), sizes, *one)
    assert np.mean(difference_bounds(draws, 0.95)[1] <= 0.1) <= 0.035


def test_equalized_odds_interval_covers() -> None:
    """Equalized odds (the larger of the TPR and FPR gaps) through the check's own
    evaluation: 93-97% coverage with two groups of 400 (prevalence 0.5)."""
    rng = np.random.default_rng(14)
    tpr, fpr = np.array([0.70, 0.85]), np.array([0.20, 0.25])
    truth = 0.15
    equalized_odds = DISPARITIES[2]
    assert equalized_odds.name == "equalized_odds_difference"
    reps, covered = 1000, 0
    for _ in range(reps):
        positives = rng.binomial(400, 0.5, size=2)
        tp = rng.binomial(positives, tpr)
        fp = rng.binomial(400 - positives, fpr)
        cells = np.stack([400 - positives - fp, fp, positives - tp, tp], axis=1)
        strata = Strata(("all",), ("a", "b"), cells[None], np.ones((1, 2), bool), False)
        row, _ = evaluate("g", equalized_odds, strata, None, "point", 0.95)
        assert row.interval is not None
        covered += row.interval[0] <= truth <= row.interval[1]
    assert 0.93 <= covered / reps <= 0.97


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_point_values_equal_metricframe_with_three_groups_and_strata(seed: int) -> None:
    """An independent computation: fairlearn's MetricFrame, per control stratum."""
    rng = np.random.default_rng(seed)
    n = 3000
    frame = pd.DataFrame(
        {
            "group": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
            "region": rng.choice(["north", "south"], n),
            "y": rng.integers(0, 2, n),
        }
    )
    bias = frame["group"].map({"a": 0.0, "b": 0.1, "c": 0.25}).to_numpy()
    correct = rng.random(n) < 0.8
    pred = np.where(correct, frame["y"], 1 - frame["y"])
    frame["pred"] = np.where(rng.random(n) < bias, 0, pred)
    result = check_fairness(
        frame["y"],
        frame["pred"],
        sensitive_features=frame["group"],
        control_features=frame["region"],
        min_demographic_parity_ratio=None,
        max_equalized_odds_difference=None,
    )
    frames = {
        name: MetricFrame(
            metrics=fn,
            y_true=frame["y"],
            y_pred=frame["pred"],
            sensitive_features=frame["group"],
            control_features=frame["region"],
        )
        for name, fn in (
            ("selection_rate", selection_rate),
            ("tpr", true_positive_rate),
            ("fpr", false_positive_rate),
        )
    }
    expected = {
        "demographic_parity_difference": frames["selection_rate"].difference().max(),
        "demographic_parity_ratio": frames["selection_rate"].ratio().min(),
        "equal_opportunity_difference": frames["tpr"].difference().max(),
        "equalized_odds_difference": np.maximum(
            frames["tpr"].difference(), frames["fpr"].difference()
        ).max(),
        "equalized_odds_ratio": np.minimum(frames["tpr"].ratio(), frames["fpr"].ratio()).min(),
    }
    for name, value in expected.items():
        assert result.metrics[f"group.{name}"] == pytest.approx(value, abs=1e-12), name
