"""Analytic confidence intervals for group rates and the disparities between them.

Every rate in the fairness check is a binomial proportion ``x / n`` (selection rate,
true and false positive rate, accuracy, precision), so its interval is closed-form:

- a group's rate: the Wilson score interval (Wilson 1927), which stays inside [0, 1]
  and keeps its coverage for small ``n`` and rates near 0 or 1;
- a difference of two groups' rates: Newcombe's hybrid score interval (Newcombe 1998,
  method 10), which combines the two Wilson intervals;
- a ratio of two groups' rates: the MOVER-R interval of Donner and Zou (2012), the same
  idea for a ratio.

A disparity is an extreme over pairs of groups (the largest gap, the smallest ratio), and
over strata and rates. Its *worse* end (the upper end of a difference, the lower end of a
ratio: the end the interval gate reads) is the extreme of the pairs' ends at the stated
confidence: the true disparity is one of those pairs, so that end is exceeded with
probability at most ``alpha / 2``. Its *better* end is a union over every pair, so it uses
a Bonferroni level ``alpha / pairs``. The test suite's simulations measure both.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def z_value(confidence: float) -> float:
    """The standard normal quantile of a two-sided ``confidence`` interval."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``x / n`` (``nan`` where ``n == 0``)."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # Exact ends at the boundary (rounding can leave 1e-17 instead of 0).
    low = np.where(x == 0, 0.0, low)
    high = np.where((x == n) & (n > 0), 1.0, high)
    return low, high


def newcombe(
    p1: np.ndarray,
    interval1: tuple[np.ndarray, np.ndarray],
    p2: np.ndarray,
    interval2: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval of ``p1 - p2`` from each rate's Wilson interval."""
    import numpy as np

    (l1, u1), (l2, u2) = interval1, interval2
    difference = p1 - p2
    low = difference - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def mover_ratio(
    p1: np.ndarray,
    interval1: tuple[np.ndarray, np.ndarray],
    p2: np.ndarray,
    interval2: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """The MOVER-R interval of ``p1 / p2`` (Donner & Zou 2012) from Wilson intervals.

    Where the closed form has no solution (the denominator's interval reaches 0, so the
    ratio is unbounded above, or its upper end exceeds twice the rate, so the lower end
    is not identified) the end is the uninformative one: 0 below, infinity above.
    """
    import numpy as np

    (l1, u1), (l2, u2) = interval1, interval2
    product = p1 * p2
    with np.errstate(divide="ignore", invalid="ignore"):
        low_disc = product**2 - l1 * u2 * (2 * p1 - l1) * (2 * p2 - u2)
        low_den = u2 * (2 * p2 - u2)
        low = (product - np.sqrt(np.maximum(low_disc, 0.0))) / low_den
        high_disc = product**2 - u1 * l2 * (2 * p1 - u1) * (2 * p2 - l2)
        high_den = l2 * (2 * p2 - l2)
        high = (product + np.sqrt(np.maximum(high_disc, 0.0))) / high_den
    low = np.where((low_den > 0) & (low_disc >= 0) & np.isfinite(low), np.maximum(low, 0.0), 0.0)
    high = np.where((high_den > 0) & (high_disc >= 0) & np.isfinite(high), high, np.inf)
    return low, high


@dataclasses.dataclass(frozen=True)
class Pairs:
    """Every pair of groups a disparity compares: their counts ``x / n`` side by side.

    ``first`` and ``second`` index the last axis of the per-group arrays (one entry per
    group of one stratum and one rate, so pairs never cross a stratum or a rate). ``x``
    may carry leading axes (simulated draws): the intervals are then computed per draw.
    """

    x: np.ndarray
    n: np.ndarray
    first: np.ndarray
    second: np.ndarray

    @property
    def size(self) -> int:
        return int(self.first.size)


def _pair_rates(
    pairs: Pairs, z: float
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray, tuple[np.ndarray, np.ndarray]]:
    import numpy as np

    x, n = np.broadcast_arrays(np.asarray(pairs.x, dtype=float), np.asarray(pairs.n, dtype=float))
    low, high = wilson(x, n, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
    i, j = pairs.first, pairs.second
    return p[..., i], (low[..., i], high[..., i]), p[..., j], (low[..., j], high[..., j])


def difference_bounds(pairs: Pairs, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the largest gap ``max |p_i - p_j|`` over ``pairs`` (per draw)."""
    import numpy as np

    alpha = 1 - confidence
    worse = newcombe(*_pair_rates(pairs, z_value(confidence)))
    better = newcombe(*_pair_rates(pairs, z_value(1 - alpha / max(pairs.size, 1))))
    high = np.max(np.maximum(worse[1], -worse[0]), axis=-1)
    low = np.max(np.maximum(better[0], -better[1]), axis=-1)
    return np.maximum(low, 0.0), np.minimum(high, 1.0)


def ratio_bounds(pairs: Pairs, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the smallest ratio ``min p_i / p_j`` over ``pairs`` (per draw, in [0, 1])."""
    import numpy as np

    alpha = 1 - confidence
    p1, i1, p2, i2 = _pair_rates(pairs, z_value(confidence))
    low = np.minimum(
        np.min(mover_ratio(p1, i1, p2, i2)[0], axis=-1),
        np.min(mover_ratio(p2, i2, p1, i1)[0], axis=-1),
    )
    p1, i1, p2, i2 = _pair_rates(pairs, z_value(1 - alpha / max(pairs.size, 1)))
    high = np.minimum(
        np.min(mover_ratio(p1, i1, p2, i2)[1], axis=-1),
        np.min(mover_ratio(p2, i2, p1, i1)[1], axis=-1),
    )
    return np.clip(low, 0.0, 1.0), np.minimum(high, 1.0)


def difference_interval(pairs: Pairs, confidence: float) -> tuple[float, float]:
    """:func:`difference_bounds` of one sample, as floats."""
    low, high = difference_bounds(pairs, confidence)
    return float(low), float(high)


def ratio_interval(pairs: Pairs, confidence: float) -> tuple[float, float]:
    """:func:`ratio_bounds` of one sample, as floats."""
    low, high = ratio_bounds(pairs, confidence)
    return float(low), float(high)
