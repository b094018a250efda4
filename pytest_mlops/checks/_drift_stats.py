"""The statistics behind drift detection, computed from sorted arrays and bin counts.

Each numeric column is sorted once per side; the two-sample Kolmogorov-Smirnov statistic,
the Wasserstein distance and the reference-quantile bin counts all come from the sorted
arrays and their merge. Values equal SciPy's (``ks_2samp``, ``wasserstein_distance``,
``jensenshannon``, ``chi2_contingency``); the tests check it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import numpy as np

#: PSI clips each bin's share at this value so an empty bin does not give ln(0).
PSI_EPSILON: Final = 1e-4
#: Up to this many rows on both sides the KS test is SciPy's ``ks_2samp`` (exact p-value);
#: above it the statistic comes from the sorted arrays and the p-value from Kolmogorov's
#: limiting distribution.
KS_EXACT_MAX_N: Final = 10_000


def ks_and_wasserstein(
    ref_sorted: np.ndarray, cur_sorted: np.ndarray
) -> tuple[float, float, float]:
    """Two-sample KS statistic, its p-value, and the Wasserstein-1 distance."""
    from scipy import stats

    n1, n2 = len(ref_sorted), len(cur_sorted)
    if max(n1, n2) <= KS_EXACT_MAX_N:
        ks = stats.ks_2samp(ref_sorted, cur_sorted)
        return (
            float(ks.statistic),
            float(ks.pvalue),
            float(stats.wasserstein_distance(ref_sorted, cur_sorted)),
        )
    statistic, wasserstein = _cells_ks_and_wasserstein(ref_sorted, cur_sorted)
    big, small = max(n1, n2), min(n1, n2)
    effective_n = round(big * small / (big + small))
    # Kolmogorov's limiting distribution: what SciPy used before 1.5, within about 1% of
    # its finite-n ``kstwo`` at these sizes, and microseconds instead of up to a second.
    p_value = float(stats.kstwobign.sf(statistic * math.sqrt(effective_n)))
    return statistic, p_value, wasserstein


def _cells_ks_and_wasserstein(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The exact KS statistic and Wasserstein-1 distance of two sorted arrays, merging only
    where the answer can lie.

    Every ``CELL``-th reference value cuts the line into cells. Where a cell starts, both
    empirical CDFs are known from one ``searchsorted`` of the cut points, and inside a cell
    each CDF stays between its values at the two ends. So a cell cannot hold the KS maximum
    when that box is below the largest gap already seen at a cell start, and where the box
    says the two CDFs do not cross, the integral of ``|F_a - F_b|`` over the cell follows
    from the cell's sums. Only the other cells (a few percent of the values) are merged
    value by value, so the result is what a merge of the whole arrays gives.
    """
    import numpy as np

    n1, n2 = len(a), len(b)
    edges = np.concatenate([[min(a[0], b[0])], a[CELL::CELL], [max(a[-1], b[-1])]])
    below_a = np.append(np.searchsorted(a, edges[:-1], side="left"), n1)
    below_b = np.append(np.searchsorted(b, edges[:-1], side="left"), n2)
    # gaps in units of 1 / (n1 n2): exact integers, so the choice of cells is exact
    scaled_a, scaled_b = below_a * n2, below_b * n1
    largest = int(np.max(np.abs(scaled_a - scaled_b)))
    bound = np.maximum(scaled_a[1:] - scaled_b[:-1], scaled_b[1:] - scaled_a[:-1])
    a_above = scaled_a[:-1] >= scaled_b[1:]
    no_crossing = a_above | (scaled_a[1:] <= scaled_b[:-1])
    merge = (bound > largest) | ~no_crossing
    gaps = below_a / n1 - below_b / n2
    statistic = float(np.max(np.abs(gaps)))
    fast = ~merge
    if fast.any():
        # the integral over a cell of F_a is (values below) * width + sum(end - value) / n1
        widths = np.diff(edges)
        inside_a = _cell_sums(a, below_a, edges[1:])
        inside_b = _cell_sums(b, below_b, edges[1:])
        signed = gaps[:-1] * widths + (inside_a / n1 - inside_b / n2)
        wasserstein = float(np.sum(np.abs(signed[fast])))
    else:
        wasserstein = 0.0
    if merge.any():
        ks_cells, w_cells = _merged_cells(a, b, below_a, below_b, edges, np.flatnonzero(merge))
        statistic = max(statistic, ks_cells)
        wasserstein += w_cells
    return statistic, wasserstein


#: Reference values per cell in :func:`_cells_ks_and_wasserstein`.
CELL: Final = 16


def _cell_sums(values: np.ndarray, below: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per cell, the sum of ``end - value`` over its values (zero for an empty cell).

    Values are summed relative to their median, so the sums stay exact to rounding however
    far the data sit from zero.
    """
    import numpy as np

    center = values[len(values) // 2]
    shifted = np.empty(len(values) + 1)
    np.subtract(values, center, out=shifted[:-1])
    shifted[-1] = 0.0  # lets a cell start past the last value
    counts = np.diff(below)
    sums = np.add.reduceat(shifted, below[:-1])
    return np.where(counts > 0, counts * (ends - center) - sums, 0.0)


def _ranges(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The concatenated ``arange(start, stop)`` of each pair, and each one's pair number."""
    import numpy as np

    lengths = stops - starts
    offsets = np.cumsum(lengths) - lengths
    indices = np.arange(int(lengths.sum())) - np.repeat(offsets - starts, lengths)
    return indices, np.repeat(np.arange(len(starts)), lengths)


def _merged_cells(
    a: np.ndarray,
    b: np.ndarray,
    below_a: np.ndarray,
    below_b: np.ndarray,
    edges: np.ndarray,
    cells: np.ndarray,
) -> tuple[float, float]:
    """The largest CDF gap in ``cells`` and the integral of the absolute gap over them,
    from one merge of their values (a stable argsort: Timsort merges the two sorted runs)."""
    import numpy as np

    take_a, cell_a = _ranges(below_a[cells], below_a[cells + 1])
    take_b, cell_b = _ranges(below_b[cells], below_b[cells + 1])
    both = np.concatenate([a[take_a], b[take_b]])
    order = np.argsort(both, kind="stable")
    merged = both[order]
    cell = np.concatenate([cell_a, cell_b])[order]
    from_a = order < len(take_a)
    seen_a = np.cumsum(from_a)
    seen_b = np.arange(1, len(merged) + 1) - seen_a
    # each cell's merged prefix starts at the counts below the cell, not at zero
    before_a = np.cumsum(below_a[cells + 1] - below_a[cells]) - (
        below_a[cells + 1] - below_a[cells]
    )
    before_b = np.cumsum(below_b[cells + 1] - below_b[cells]) - (
        below_b[cells + 1] - below_b[cells]
    )
    seen_a += (below_a[cells] - before_a)[cell]
    seen_b += (below_b[cells] - before_b)[cell]
    gaps = seen_a / len(a) - seen_b / len(b)
    last_of_ties = np.empty(len(merged), dtype=bool)
    np.not_equal(merged[1:], merged[:-1], out=last_of_ties[:-1])
    last_of_ties[-1] = True
    statistic = float(np.max(np.abs(gaps[last_of_ties])))
    # the gap holds from a value to the next one in its cell, or to the cell's end
    following = edges[cells + 1][cell]
    same_cell = cell[1:] == cell[:-1]
    following[:-1][same_cell] = merged[1:][same_cell]
    return statistic, float(np.sum(np.abs(gaps) * (following - merged)))


def quantile_edges(ref_sorted: np.ndarray, bins: int) -> np.ndarray:
    """Interior bin edges at the reference's quantiles (ties merged)."""
    import numpy as np

    positions = (np.arange(1, bins) * len(ref_sorted)) // bins
    return np.unique(ref_sorted[positions])


def bin_counts(values_sorted: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts in ``(-inf, e0), [e0, e1), ..., [ek, inf)`` of sorted values."""
    import numpy as np

    cuts = np.searchsorted(values_sorted, edges, side="left")
    return np.diff(np.concatenate([[0], cuts, [len(values_sorted)]]))


def shares(counts: np.ndarray) -> np.ndarray:
    import numpy as np

    total = counts.sum()
    return counts / total if total else np.zeros(len(counts))


def psi(ref_counts: np.ndarray, cur_counts: np.ndarray, epsilon: float = PSI_EPSILON) -> float:
    """Population Stability Index: sum of (cur - ref) * ln(cur / ref) over bins."""
    import numpy as np

    p = np.clip(shares(ref_counts), epsilon, None)
    q = np.clip(shares(cur_counts), epsilon, None)
    return float(np.sum((q - p) * np.log(q / p)))


def jensen_shannon(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Jensen-Shannon distance (base 2, so between 0 and 1) of two count vectors."""
    import numpy as np

    p, q = shares(ref_counts), shares(cur_counts)
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / m[mask])))

    return math.sqrt(max((kl(p) + kl(q)) / 2, 0.0))


def total_variation(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    import numpy as np

    return float(np.abs(shares(ref_counts) - shares(cur_counts)).sum() / 2)


def chi_squared(ref_counts: np.ndarray, cur_counts: np.ndarray) -> tuple[float, float, float]:
    """Chi-squared test of homogeneity on a 2 x k table; returns (statistic, p, Cramér's V).

    Categories empty on both sides are dropped; with one category left there is nothing
    to test (p = 1).
    """
    import numpy as np
    from scipy import stats

    table = np.vstack([ref_counts, cur_counts]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 0.0, 1.0, 0.0
    result = stats.chi2_contingency(table)
    statistic = float(result.statistic)
    cramers_v = math.sqrt(statistic / table.sum())
    return statistic, float(result.pvalue), min(cramers_v, 1.0)


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of a pooled two-proportion z-test (1.0 when it is undefined)."""
    from scipy import stats

    if n1 == 0 or n2 == 0:
        return 1.0
    pooled = (k1 + k2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    z = (k1 / n1 - k2 / n2) / math.sqrt(variance)
    return float(2 * stats.norm.sf(abs(z)))


def adjust(p_values: list[float], correction: str) -> list[float]:
    """Multiple-testing adjustment: Bonferroni, Benjamini-Hochberg, or none."""
    import numpy as np
    from scipy import stats

    if not p_values or correction == "none":
        return list(p_values)
    if correction == "bonferroni":
        return [min(p * len(p_values), 1.0) for p in p_values]
    return [float(p) for p in stats.false_discovery_control(np.asarray(p_values), method="bh")]


def anderson(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """Anderson-Darling k-sample statistic and its (SciPy-capped) p-value."""
    import warnings

    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # p-value capped at 0.001 / 0.25
        result: Any = stats.anderson_ksamp([ref, cur])
    return float(result.statistic), float(result.pvalue)
