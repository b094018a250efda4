"""Intervals and paired tests that keep their promise on small test sets.

- Proportions (accuracy, precision, recall): the Wilson score interval.
- Binary ROC AUC: DeLong's variance on the logit scale; at an AUC of 0 or 1 (or a zero
  variance) a score interval with Hanley and McNeil's variance, so that a perfect score
  never gets a zero-width interval.
- Means of per-row losses (log loss, Brier, MAE, MSE): the studentized bootstrap
  (bootstrap-t), which follows the skew of a loss distribution where the percentile
  bootstrap is too narrow.
- Paired tests of a challenger against a champion: DeLong's paired test for ROC AUC,
  Tango's score test for a difference of paired proportions (accuracy), and a paired
  bootstrap-t for the mean difference of per-row losses.

``tests/test_intervals.py`` measures each promise with seeded simulations.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np

#: Rows x resamples gathered per chunk (kept small enough to stay in the CPU cache).
CHUNK_CELLS: Final = 1_000_000
#: Points of the grid on which score intervals are inverted.
GRID: Final = 4001


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of ``confidence`` (1.96 at 0.95)."""
    from scipy import stats

    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson(successes: float, trials: float, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a proportion (never zero-width at 0 or 1)."""
    if trials <= 0:
        return math.nan, math.nan
    z = z_value(confidence)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def delong_components(
    truth01: np.ndarray, score: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """AUC and DeLong's structural components (placement values) of the positives and
    the negatives."""
    import numpy as np
    from scipy.stats import rankdata

    pos, neg = score[truth01 == 1], score[truth01 == 0]
    m, n = len(pos), len(neg)
    all_ranks = rankdata(np.r_[pos, neg])
    v10 = (all_ranks[:m] - rankdata(pos)) / n  # share of negatives below each positive
    v01 = 1 - (all_ranks[m:] - rankdata(neg)) / m  # share of positives above each negative
    return float(v10.mean()), v10, v01


def _hanley_mcneil_variance(auc: np.ndarray, m: int, n: int) -> np.ndarray:
    """Hanley and McNeil's (1982) variance of an AUC estimate, at the AUC ``auc``."""
    q1 = auc / (2 - auc)
    q2 = 2 * auc**2 / (1 + auc)
    return (auc * (1 - auc) + (m - 1) * (q1 - auc**2) + (n - 1) * (q2 - auc**2)) / (m * n)


def auc_interval(truth01: np.ndarray, score: np.ndarray, confidence: float) -> tuple[float, float]:
    """Confidence interval of a binary ROC AUC.

    DeLong's variance ``V`` on the logit scale: ``logit(A) +- z sqrt(V) / (A (1 - A))``,
    mapped back, which keeps the interval inside (0, 1) and follows the skew of an AUC
    near 1. Where the logit is undefined (an AUC of 0 or 1, or ``V = 0``), the score
    interval: every ``A0`` with ``(A - A0)^2 <= z^2 V_HM(A0)``, where ``V_HM`` is Hanley and
    McNeil's variance at ``A0`` (as the Wilson interval inverts the binomial variance).
    """
    import numpy as np

    auc, v10, v01 = delong_components(truth01, score)
    m, n = len(v10), len(v01)
    if m < 2 or n < 2:
        return math.nan, math.nan
    z = z_value(confidence)
    variance = float(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n)
    if 0 < auc < 1 and variance > 0:
        centre = math.log(auc / (1 - auc))
        half = z * math.sqrt(variance) / (auc * (1 - auc))
        return 1 / (1 + math.exp(-(centre - half))), 1 / (1 + math.exp(-(centre + half)))
    grid = np.linspace(0.0, 1.0, GRID)
    inside = grid[(auc - grid) ** 2 <= z * z * _hanley_mcneil_variance(grid, m, n)]
    if inside.size == 0:
        return auc, auc
    return float(min(inside.min(), auc)), float(max(inside.max(), auc))


def _uniform_indices(rng: np.random.Generator, shape: tuple[int, int], n: int) -> np.ndarray:
    """Uniform integers in ``[0, n)`` from raw 32-bit draws (multiply-shift).

    Lemire's multiply-shift maps a 32-bit draw ``r`` to ``(r * n) >> 32``; for ``n`` far
    below 2**32 the bias is under ``n / 2**32`` (below 1e-4 at a million rows), and it is
    several times faster than ``Generator.integers``.
    """
    import numpy as np

    raw = rng.bit_generator.random_raw(shape[0] * shape[1])
    raw >>= np.uint64(32)
    raw *= np.uint64(n)
    raw >>= np.uint64(32)
    return raw.view(np.int64).reshape(shape)


def _gathered_chunks(n: int, n_resamples: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Row indices of ``n_resamples`` plain (unstratified) bootstrap resamples, in chunks."""
    per_chunk = max(1, min(n_resamples, CHUNK_CELLS // max(n, 1)))
    done = 0
    while done < n_resamples:
        size = min(per_chunk, n_resamples - done)
        yield _uniform_indices(rng, (size, n), n)
        done += size


def _resampled_t(values: np.ndarray, mean: float, rows: np.ndarray) -> np.ndarray:
    """``(mean* - mean) / se*`` of unweighted resamples, from centred float32 sums (one
    gather of the values and one of their squares; centring keeps the sums exact enough
    whatever the values' scale)."""
    import numpy as np

    centred = (values - mean).astype(np.float32)
    k = rows.shape[1]
    s1 = centred[rows].sum(axis=1, dtype=np.float64)
    s2 = (centred * centred)[rows].sum(axis=1, dtype=np.float64)
    variance = np.maximum(s2 - s1 * s1 / k, 0) / (k - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (s1 / k) / np.sqrt(variance / k)


def _weighted_mean_and_se(
    values: np.ndarray, weight: np.ndarray | None, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and its standard error of ``values`` (per resample when ``rows`` is given).

    With weights the standard error is the linearised (ratio-estimator) one,
    ``sqrt(sum w^2 (x - mean)^2) / sum w``.
    """
    import numpy as np

    x = values if rows is None else values[rows]
    if weight is None:
        k = x.shape[-1]
        mean = x.mean(axis=-1)
        se = x.std(axis=-1, ddof=1) / math.sqrt(k) if k > 1 else np.zeros_like(mean)
        return mean, se
    w = weight if rows is None else weight[rows]
    total = w.sum(axis=-1)
    mean = (w * x).sum(axis=-1) / total
    centred = x - (mean[..., None] if rows is not None else mean)
    se = np.sqrt((w * w * centred * centred).sum(axis=-1)) / total
    return mean, se


@dataclasses.dataclass(frozen=True)
class Studentized:
    """The bootstrap-t of a mean: the estimate, its standard error and the resampled
    t statistics ``(mean* - mean) / se*`` (finite ones only)."""

    mean: float
    se: float
    t: np.ndarray

    def interval(self, confidence: float) -> tuple[float, float]:
        """``mean - t*_(1-a/2) se`` to ``mean - t*_(a/2) se``."""
        import numpy as np

        if not self.se > 0 or self.t.size == 0:
            return self.mean, self.mean
        alpha = 1 - confidence
        low_t, high_t = np.quantile(self.t, [alpha / 2, 1 - alpha / 2])
        return self.mean - float(high_t) * self.se, self.mean - float(low_t) * self.se

    def one_sided(self, alpha: float) -> float:
        """Lower end of the one-sided ``1 - alpha`` interval."""
        import numpy as np

        if not self.se > 0 or self.t.size == 0:
            return self.mean
        return self.mean - float(np.quantile(self.t, 1 - alpha)) * self.se

    def p_above(self, null: float) -> float:
        """One-sided p-value of H0 ``mean <= null`` against ``mean > null``."""
        import numpy as np

        if not self.se > 0 or self.t.size == 0:
            return math.nan
        observed = (self.mean - null) / self.se
        return float((np.sum(self.t >= observed) + 1) / (self.t.size + 1))


def studentized_mean(
    values: np.ndarray,
    weight: np.ndarray | None,
    n_resamples: int,
    rng: np.random.Generator,
) -> Studentized:
    """Bootstrap-t of the (weighted) mean of per-row ``values``, rows resampled plainly
    (the rows of a test set are a sample of the population, class shares included)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    weight = None if weight is None else np.asarray(weight, dtype=float)
    mean, se = (float(v) for v in _weighted_mean_and_se(values, weight))
    parts = []
    if se > 0:
        for rows in _gathered_chunks(len(values), n_resamples, rng):
            if weight is None:
                t = _resampled_t(values, mean, rows)
            else:
                means, ses = _weighted_mean_and_se(values, weight, rows)
                with np.errstate(divide="ignore", invalid="ignore"):
                    t = (means - mean) / ses
            parts.append(t[np.isfinite(t)])
    t_all = np.concatenate(parts) if parts else np.empty(0)
    return Studentized(mean, se, t_all)


@dataclasses.dataclass(frozen=True)
class PairedTest:
    """A non-inferiority test of the difference ``challenger - champion`` (better
    direction): the estimate, the one-sided ``1 - alpha`` interval's ends and the p-value
    of H0 "difference <= -margin"."""

    difference: float
    low: float
    high: float
    p_value: float
    standard_error: float


def delong_paired(
    truth01: np.ndarray, score_a: np.ndarray, score_b: np.ndarray
) -> tuple[float, float, float]:
    """Paired DeLong test: AUC of a, AUC of b, and the standard error of AUC(b) - AUC(a)."""
    import numpy as np

    auc_a, v10_a, v01_a = delong_components(truth01, score_a)
    auc_b, v10_b, v01_b = delong_components(truth01, score_b)
    m, n = len(v10_a), len(v01_a)
    if m < 2 or n < 2:
        return auc_a, auc_b, math.nan
    s10 = np.cov(np.vstack([v10_a, v10_b]))
    s01 = np.cov(np.vstack([v01_a, v01_b]))
    variance = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (
        s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]
    ) / n
    return auc_a, auc_b, float(math.sqrt(max(variance, 0.0)))


def z_test(difference: float, se: float, margin: float, alpha: float) -> PairedTest:
    """One-sided z test of H0 ``difference <= -margin`` with a known standard error."""
    from scipy import stats

    if not se > 0:
        return PairedTest(difference, difference, difference, math.nan, 0.0)
    z = float(stats.norm.ppf(1 - alpha))
    p = float(stats.norm.sf((difference + margin) / se))
    return PairedTest(difference, difference - z * se, difference + z * se, p, se)


def _tango_statistic(b: int, c: int, n: int, null: np.ndarray) -> np.ndarray:
    """Tango's (1998) score statistic for a paired difference of proportions.

    ``b`` rows only the champion gets right, ``c`` only the challenger; the difference
    is ``(c - b) / n``. Under H0 "difference = d" the discordant probabilities are
    re-estimated by maximum likelihood (a quadratic), and the statistic is
    ``((c - b) / n - d) / sqrt((2 p10 + d - d^2) / n)``; at ``d = 0`` it is McNemar's.
    """
    import numpy as np

    d = null
    m = n - b - c
    linear = b * (1 - 3 * d) + c * (1 - d) - 2 * m * d
    p10 = (linear + np.sqrt(np.maximum(linear**2 + 8 * n * b * d * (1 - d), 0))) / (4 * n)
    p10 = np.clip(p10, np.maximum(0, -d), (1 - d) / 2)
    variance = np.maximum(2 * p10 + d - d * d, 0) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((c - b) / n - d) / np.sqrt(variance)


def paired_proportions(b: int, c: int, n: int, margin: float, alpha: float) -> PairedTest:
    """Tango's score test of non-inferiority for paired proportions (accuracy), with
    the interval obtained by inverting it; its standard error is 0 only when the
    models agree on every row and ``margin`` is 0 (then nothing can be shown)."""
    import numpy as np
    from scipy import stats

    difference = (c - b) / n
    statistic = float(_tango_statistic(b, c, n, np.array([-margin]))[0])
    if not math.isfinite(statistic):
        return PairedTest(difference, difference, difference, math.nan, 0.0)
    z = float(stats.norm.ppf(1 - alpha))
    grid = np.linspace(-1, 1, GRID)
    t = _tango_statistic(b, c, n, grid)
    plausible = grid[(t <= z) & (t >= -z)]
    low = float(plausible.min()) if plausible.size else difference
    high = float(plausible.max()) if plausible.size else difference
    se = abs(difference + margin) / abs(statistic) if statistic != 0 else math.nan
    return PairedTest(difference, low, high, float(stats.norm.sf(statistic)), se)


def paired_mean(
    improvement: np.ndarray, margin: float, alpha: float, n_resamples: int, rng: np.random.Generator
) -> PairedTest:
    """Paired bootstrap-t of the mean per-row improvement (challenger over champion)."""
    boot = studentized_mean(improvement, None, n_resamples, rng)
    if not boot.se > 0:
        return PairedTest(boot.mean, boot.mean, boot.mean, math.nan, 0.0)
    low = boot.one_sided(alpha)
    import numpy as np

    high = boot.mean - float(np.quantile(boot.t, alpha)) * boot.se if boot.t.size else boot.mean
    return PairedTest(boot.mean, low, high, boot.p_above(-margin), boot.se)
