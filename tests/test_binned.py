"""Binned drift statistics: the exact values lie within the stated bounds, the grid KS test
raises no more false alarms than its level, and the count statistics equal the in-memory ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pytest_mlops.checks import _binned as bn
from pytest_mlops.checks import _drift_columns as dc
from pytest_mlops.checks import _drift_stats as st
from pytest_mlops.errors import MlopsInputError

#: Float slack on comparisons between two exact computations of the same number.
TOL = 1e-12

Sampler = Callable[[np.random.Generator, int], np.ndarray]
SAMPLERS: dict[str, tuple[Sampler, Sampler]] = {
    "same normal": (lambda g, n: g.normal(size=n), lambda g, n: g.normal(size=n)),
    "shifted": (lambda g, n: g.normal(size=n), lambda g, n: g.normal(0.2, 1.3, size=n)),
    "heavy-tailed": (
        lambda g, n: g.standard_t(2, size=n),
        lambda g, n: 1.1 * g.standard_t(2, size=n) + 0.1,
    ),
    "discrete with ties": (
        lambda g, n: g.poisson(3.0, size=n).astype(float),
        lambda g, n: g.poisson(3.3, size=n).astype(float),
    ),
}


def summarise(
    ref: np.ndarray, cur: np.ndarray, bins: int = bn.GRID_BINS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What an engine returns: edges at the reference's 1/bins quantiles, counts per side."""
    ordered = np.sort(ref)
    edges = bn.grid_edges(ordered[(np.arange(1, bins) * len(ordered)) // bins])

    def count(values: np.ndarray) -> np.ndarray:
        return np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)

    return edges, count(ref), count(cur)


def pairs(name: str, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random pairs with 50 to 200,000 values a side (more pairs where they are cheap)."""
    rng = np.random.default_rng(seed)
    draw_ref, draw_cur = SAMPLERS[name]
    out = []
    for n, reps in [(50, 20), (300, 20), (2_000, 10), (20_000, 3), (200_000, 1)]:
        for _ in range(reps):
            out.append((draw_ref(rng, n), draw_cur(rng, int(n * rng.uniform(0.5, 2)))))
    return out


@pytest.mark.parametrize("name", SAMPLERS)
def test_scipy_ks_and_wasserstein_lie_within_the_bounds(name: str) -> None:
    rng = np.random.default_rng(1)
    for i, (ref, cur) in enumerate(pairs(name, seed=len(name))):
        bins = int(rng.choice([10, 20, 100]))
        edges, ref_counts, cur_counts = summarise(ref, cur, bins)
        ks = bn.ks_on_grid(ref_counts, cur_counts)
        exact = stats.ks_2samp(ref, cur, method="asymp")
        assert ks.statistic - TOL <= exact.statistic <= ks.statistic + ks.bound + TOL, (i, bins)
        assert ks.p_value >= exact.pvalue - TOL  # conservative
        low, high = min(ref.min(), cur.min()), max(ref.max(), cur.max())
        distance, bound = bn.wasserstein_on_grid(edges, ref_counts, cur_counts, low, high)
        assert abs(stats.wasserstein_distance(ref, cur) - distance) <= bound + 1e-9, (i, bins)


def test_ks_bound_is_at_most_the_largest_bin_share() -> None:
    rng = np.random.default_rng(2)
    for _ in range(50):
        ref_counts, cur_counts = rng.integers(0, 40, size=(2, int(rng.integers(2, 30))))
        ref_counts[0] += 1
        cur_counts[-1] += 1
        ks = bn.ks_on_grid(ref_counts, cur_counts)
        largest = np.maximum(st.shares(ref_counts), st.shares(cur_counts)).max()
        assert 0 <= ks.bound <= largest + TOL


def test_p_value_is_scipys_asymptotic_one_on_a_grid_that_loses_nothing() -> None:
    # With an edge at every distinct value the grid statistic is the exact D.
    rng = np.random.default_rng(3)
    ref, cur = rng.normal(size=3_000), rng.normal(0.08, 1, size=4_500)
    edges = np.unique(np.concatenate([ref, cur]))
    ks = bn.ks_on_grid(
        *(
            np.bincount(np.searchsorted(edges, x, side="right"), minlength=len(edges) + 1)
            for x in (ref, cur)
        )
    )
    exact = stats.ks_2samp(ref, cur, method="asymp")
    assert ks.statistic == pytest.approx(exact.statistic, abs=TOL)
    assert ks.p_value == pytest.approx(exact.pvalue, rel=1e-9)
    assert ks.to_dict() == {"statistic": ks.statistic, "p_value": ks.p_value, "bound": ks.bound}


def test_no_drift_false_alarms_stay_at_the_level_and_the_bound_always_holds() -> None:
    """400 same-distribution pairs (2,000 and 3,000 values), G = 100, alpha = 0.05.

    At most 31 rejections are allowed: were the true rate exactly alpha, more than 31 of
    400 would happen with probability 0.7% (binomial). Every grid rejection must also be a
    rejection of SciPy's asymptotic test on the raw data (the grid test is conservative).
    """
    rng = np.random.default_rng(4)
    alpha, reps = 0.05, 400
    rejected, errors = 0, []
    for _ in range(reps):
        ref, cur = rng.normal(size=2_000), rng.normal(size=3_000)
        ks = bn.ks_on_grid(*summarise(ref, cur)[1:])
        exact = stats.ks_2samp(ref, cur, method="asymp")
        assert ks.statistic - TOL <= exact.statistic <= ks.statistic + ks.bound + TOL
        assert ks.p_value >= alpha or exact.pvalue < alpha
        rejected += ks.p_value < alpha
        errors.append(exact.statistic - ks.statistic)
    assert rejected <= stats.binom.ppf(0.99, reps, alpha) == 31
    # measured: 16 grid rejections (20 on the raw data); error mean 0.0015, max 0.0045,
    # against a bound of 0.01 (the grid step) and a typical D of 0.03
    assert np.mean(errors) < 0.0025 and max(errors) <= 0.01 + TOL


def test_discrete_no_drift_false_alarms_stay_at_the_level() -> None:
    rng = np.random.default_rng(5)
    rejected = 0
    for _ in range(400):
        ref, cur = rng.poisson(3.0, size=1_000), rng.poisson(3.0, size=1_500)
        rejected += bn.ks_on_grid(*summarise(ref, cur)[1:]).p_value < 0.05
    assert rejected <= 31  # ties make KS conservative: measured 2 of 400


def test_tail_quantiles_shrink_the_wasserstein_error_and_bound_on_heavy_tails() -> None:
    rng = np.random.default_rng(10)
    n = 200_000
    ref, cur = rng.standard_t(3, size=n), rng.standard_t(3, size=n) + 0.2
    ordered = np.sort(ref)
    exact = stats.wasserstein_distance(ref, cur)
    low, high = min(ref.min(), cur.min()), max(ref.max(), cur.max())
    found = []
    for extra in ([], [1e-4, 1e-3, 1 - 1e-3, 1 - 1e-4]):
        levels = np.sort(np.concatenate([np.arange(1, 100) / 100, extra]))
        edges = bn.grid_edges(ordered[np.floor(levels * n).astype(int)])
        ref_counts, cur_counts = st.bin_counts(ordered, edges), st.bin_counts(np.sort(cur), edges)
        distance, bound = bn.wasserstein_on_grid(edges, ref_counts, cur_counts, low, high)
        assert abs(exact - distance) <= bound
        found.append((abs(exact - distance), bound))
    (error, bound), (tail_error, tail_bound) = found
    assert tail_error < error / 5 and tail_bound < bound / 5


def test_wasserstein_normalised_like_the_in_memory_effect() -> None:
    rng = np.random.default_rng(6)
    ref, cur = rng.normal(10, 3, size=50_000), rng.normal(10.5, 3, size=40_000)
    row = dc.column_row(
        "x", "numeric", pd.Series(ref), pd.Series(cur), method="wasserstein", min_samples=10
    )
    edges, ref_counts, cur_counts = summarise(ref, cur)
    low, high = min(ref.min(), cur.min()), max(ref.max(), cur.max())
    distance, bound = bn.wasserstein_on_grid(
        edges, ref_counts, cur_counts, low, high, reference_std=float(np.std(ref))
    )
    assert abs(row["effect_size"] - distance) <= bound
    raw, raw_bound = bn.wasserstein_on_grid(edges, ref_counts, cur_counts, low, high)
    assert distance == pytest.approx(raw / np.std(ref)) and bound == pytest.approx(
        raw_bound / np.std(ref)
    )


def test_wasserstein_stays_finite_near_the_float_limit() -> None:
    rng = np.random.default_rng(7)
    ref, cur = rng.uniform(-1, 1, size=5_000), rng.uniform(-0.8, 1, size=5_000)
    edges, ref_counts, cur_counts = summarise(ref, cur)
    small = bn.wasserstein_on_grid(edges, ref_counts, cur_counts, -1.0, 1.0, reference_std=0.5)
    huge = 1.5e308
    big = bn.wasserstein_on_grid(
        edges * huge, ref_counts, cur_counts, -huge, huge, reference_std=0.5 * huge
    )
    assert big == pytest.approx(small, rel=1e-12)


def test_chi_squared_on_the_counts_equals_scipy() -> None:
    rng = np.random.default_rng(8)
    ref, cur = rng.exponential(size=8_000), rng.exponential(1.1, size=6_000)
    _, ref_counts, cur_counts = summarise(ref, cur, bins=20)
    statistic, p_value, _ = st.chi_squared(ref_counts, cur_counts)
    table = np.vstack([ref_counts, cur_counts])
    expected = stats.chi2_contingency(table[:, table.sum(axis=0) > 0])
    assert statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9)


@pytest.mark.parametrize("method", ["psi", "jensenshannon"])
@pytest.mark.parametrize("name", SAMPLERS)
def test_decile_psi_and_js_from_percentiles_equal_the_in_memory_ones(
    method: str, name: str
) -> None:
    rng = np.random.default_rng(9)
    draw_ref, draw_cur = SAMPLERS[name]
    ref, cur = draw_ref(rng, 12_345), draw_cur(rng, 9_876)
    ordered = np.sort(ref)
    quantiles = ordered[(np.arange(1, 100) * len(ordered)) // 100]
    edges, ref_counts, cur_counts = summarise(ref, cur)
    deciles = bn.grid_edges(quantiles[9::10])
    assert np.array_equal(deciles, st.quantile_edges(ordered, dc.BINS))
    ref_deciles = bn.merge_bins(edges, ref_counts, deciles)
    cur_deciles = bn.merge_bins(edges, cur_counts, deciles)
    assert np.array_equal(ref_deciles, st.bin_counts(ordered, deciles))
    assert np.array_equal(cur_deciles, st.bin_counts(np.sort(cur), deciles))
    effect = {"psi": st.psi, "jensenshannon": st.jensen_shannon}[method]
    row = dc.column_row(
        "x", "numeric", pd.Series(ref), pd.Series(cur), method=method, min_samples=10
    )
    assert effect(ref_deciles, cur_deciles) == row["effect_size"]


def test_merge_bins_sums_the_fine_bins_of_each_coarse_one() -> None:
    counts = [4, 1, 2, 3, 5]
    assert bn.merge_bins([1.0, 2.0, 3.0, 4.0], counts, keep=[2.0, 4.0]).tolist() == [5, 5, 5]
    assert bn.merge_bins([1.0, 2.0, 3.0, 4.0], counts, keep=[]).tolist() == [15]
    assert bn.grid_edges([1.0, 2.0, 2.0, 5.0]).tolist() == [1.0, 2.0, 5.0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bn.grid_edges([1.0, np.nan]), bn.MSG_QUANTILES.split("{")[0]),
        (lambda: bn.grid_edges([2.0, 1.0]), "a value below the one before it"),
        (lambda: bn.ks_on_grid([1, 2], [1, 2, 3]), "cur_counts has 3 counts where 2"),
        (lambda: bn.ks_on_grid([0, 0], [1, 2]), "ref_counts must be"),
        (lambda: bn.ks_on_grid([1, -1], [1, 2]), "not a whole number"),
        (lambda: bn.ks_on_grid([1.5, 1], [1, 2]), "not a whole number"),
        (lambda: bn.ks_on_grid([[1, 1]], [1, 2]), "shape (1, 2)"),
        (lambda: bn.merge_bins([1.0, 2.0], [1, 2, 3], keep=[1.5]), "not among edges"),
        (lambda: bn.merge_bins([1.0, 2.0], [1, 2, 3], keep=[2.0, 1.0]), "do not increase"),
        (lambda: bn.merge_bins([2.0, 1.0], [1, 2, 3], keep=[]), bn.MSG_EDGES),
        (lambda: bn.wasserstein_on_grid([0.0], [1, 1], [1, 1], 1.0, -1.0), "low <= high"),
        (lambda: bn.wasserstein_on_grid([0.0], [1, 1], [1, 1], 0.5, 1.0), "bin 0 holds values"),
        (
            lambda: bn.wasserstein_on_grid([0.0], [1, 1], [1, 1], -1.0, 1.0, reference_std=0.0),
            "STDDEV_POP",
        ),
    ],
)
def test_bad_input_gets_its_documented_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(MlopsInputError) as caught:
        call()
    assert message in str(caught.value)
