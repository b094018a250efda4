"""One numeric column with a grid compared from counts alone: the reference's counts on its
grid (a profile entry, :mod:`._drift_grid`) against the current side's on the same edges.
From the counts:

- the KS statistic at the grid edges, with its p-value and a proven bound on how far the
  exact statistic can lie above it (:func:`pytest_mlops.checks._binned.ks_on_grid`);
- the Wasserstein distance from the two CDFs on the grid, divided by the reference's
  standard deviation as in memory, with its error bound;
- PSI and Jensen-Shannon on the decile bins (merged from the grid, so the same bins as in
  memory), chi-squared and total variation on the counts.

The ``anderson`` method needs the rows themselves, so it is refused here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _binned as bn
from pytest_mlops.checks import _drift_columns as dc
from pytest_mlops.checks import _drift_stats as st
from pytest_mlops.checks._drift_columns import EFFECT_OF
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.checks._drift_grid import Counts

#: The methods a grid compares (``anderson`` needs the rows).
GRID_METHODS: Final = ("auto", "ks", "wasserstein", "psi", "jensenshannon", "tv", "chisquare")
GRID_EFFECT: Final = {
    **{m: EFFECT_OF[("numeric", m)] for m in GRID_METHODS[:5]},
    "tv": "tv",
    "chisquare": "cramers_v",
}
MSG_NEEDS_ROWS: Final = (
    "method {method!r} of column {column!r} needs the rows in memory; data on an engine or a "
    "stored profile is compared on a grid: use one of {allowed}"
)
MSG_CONSTANT_REFERENCE: Final = (
    "the reference is constant; effect = KS statistic (the share of current values away "
    "from it, on the grid)"
)
MSG_NO_SPREAD: Final = (
    "the profile holds no standard deviation for this column; effect = KS statistic"
)


def grid_row(
    column: str,
    entry: Mapping[str, Any],
    current: Counts,
    method: str | Mapping[Any, str],
    min_samples: int,
) -> dict[str, Any]:
    """The row of one numeric column with a grid, compared from counts."""
    import numpy as np

    chosen = _grid_method(column, method)
    grid = entry["grid"]
    ref_counts = np.asarray(grid["counts"], dtype=np.int64)
    cur_counts = np.asarray(current.counts, dtype=np.int64)
    n_ref = int(ref_counts.sum()) + int(entry["missing"])
    row = dc.base_row(
        column, "numeric", int(entry["missing"]), n_ref, current.missing, current.rows
    )
    n_a, n_b = int(ref_counts.sum()), int(cur_counts.sum())
    row["n_reference"], row["n_current"] = n_a, n_b
    if min(n_a, n_b) < min_samples:
        return dc.not_judged(row, dc.too_few(n_a, n_b, min_samples))
    edges = list(grid["edges"])
    if ((ref_counts > 0) | (cur_counts > 0)).sum() < 2:
        return dc.not_judged(row, dc.MSG_CONSTANT.format(value=f"{entry.get('min', 0):.6g}"))
    low, high = _outer(entry, current, edges)
    ks = bn.ks_on_grid(ref_counts, cur_counts)
    cramers_v = None
    if chosen in ("tv", "chisquare"):
        statistic, p_value, cramers_v = st.chi_squared(ref_counts, cur_counts)
        test = "chi_squared (grid)"
    else:
        statistic, p_value, test = ks.statistic, ks.p_value, "kolmogorov_smirnov (grid)"
    sides = _Sides(edges, ref_counts, cur_counts, low, high)
    effect, size, bound, note = _grid_effect(GRID_EFFECT[chosen], entry, sides, ks, cramers_v)
    return dc.judged_row(
        row,
        chosen,
        test,
        float(statistic),
        float(p_value),
        effect,
        size,
        note=note,
        ks_bound=float(ks.bound),
        effect_bound=None if bound is None else float(bound),
        histogram=_histogram(edges, ref_counts, cur_counts, low, high),
    )


def _grid_method(column: str, method: str | Mapping[Any, str]) -> str:
    """The column's method, refused when it needs the rows."""
    chosen = method.get(column, "auto") if isinstance(method, Mapping) else method
    if chosen not in GRID_METHODS:
        raise MlopsInputError(
            MSG_NEEDS_ROWS.format(method=chosen, column=column, allowed=", ".join(GRID_METHODS))
        )
    return chosen


@dataclass(frozen=True)
class _Sides:
    """Both sides of a numeric column on the grid: its edges, the counts, the overall range."""

    edges: list[float]
    ref: np.ndarray
    cur: np.ndarray
    low: float
    high: float


def _grid_effect(
    effect: str,
    entry: Mapping[str, Any],
    sides: _Sides,
    ks: bn.KsGrid,
    cramers_v: float | None,
) -> tuple[str, float, float | None, str]:
    """The effect (``ks_statistic`` for Wasserstein without a spread), its size, its error
    bound (None when exact) and the row's note."""
    note = f"compared on the reference's {len(sides.edges) + 1} percentile bins"
    spread = entry.get("std")
    if effect == "wasserstein" and not spread:
        # A constant reference: its distribution is a point, so the share of current values
        # away from it is what KS measures (in memory: the share that differ). A spread the
        # profile could not hold (None) is judged the same way, and says so.
        effect = "ks_statistic"
        note = MSG_CONSTANT_REFERENCE if spread == 0 else MSG_NO_SPREAD
    if effect == "wasserstein":
        size, bound = bn.wasserstein_on_grid(
            sides.edges,
            sides.ref,
            sides.cur,
            sides.low,
            sides.high,
            reference_std=float(spread or 0.0),
        )
        return effect, size, bound, note
    if effect == "ks_statistic":
        return effect, ks.statistic, ks.bound, note
    if effect == "cramers_v":
        assert cramers_v is not None  # chisquare's effect: the test was chi-squared
        return effect, cramers_v, None, note
    deciles = list(entry["edges"])
    a = bn.merge_bins(sides.edges, sides.ref, deciles)
    b = bn.merge_bins(sides.edges, sides.cur, deciles)
    size = {
        "psi": st.psi,
        "jensenshannon": st.jensen_shannon,
        "tv": st.total_variation,
    }[effect](a, b)
    return effect, size, None, note


def _outer(entry: Mapping[str, Any], current: Counts, edges: list[float]) -> tuple[float, float]:
    """The overall minimum and maximum of both sides (closing the outer bins)."""
    lows = [v for v in (entry.get("min"), current.low) if v is not None]
    highs = [v for v in (entry.get("max"), current.high) if v is not None]
    low = min([*lows, edges[0]]) if edges else min(lows)
    high = max([*highs, edges[-1]]) if edges else max(highs)
    return float(low), float(high)


def _histogram(
    edges: list[float], ref: np.ndarray, cur: np.ndarray, low: float, high: float
) -> dict[str, Any] | None:
    """The sparkline's counts: the grid merged to at most 20 bins."""
    import itertools

    step = max(len(edges) // dc.HISTOGRAM_BINS, 1)
    kept = edges[step - 1 :: step] if step > 1 else edges
    outer = [low, *kept, high]
    if not all(b > a for a, b in itertools.pairwise(outer)):
        return None
    return {
        "edges": outer,
        "reference": bn.merge_bins(edges, ref, kept).tolist(),
        "current": bn.merge_bins(edges, cur, kept).tolist(),
    }
