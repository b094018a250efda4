"""Drift on a fixed grid: profiles with a fine reference-quantile grid, from pandas or from
an engine (DuckDB, polars lazy, Dask, Spark), and columns compared from counts alone.

A numeric column's profile entry carries, besides the decile bins every profile has, a
``grid``: the reference's percentiles and four tail quantiles (:data:`GRID_LEVELS`, ties
merged) and the reference's counts in them. The current side is reduced to counts on the
same edges, on its engine, so neither side is collected. From the counts:

- the KS statistic at the grid edges, with its p-value and a proven bound on how far the
  exact statistic can lie above it (:func:`pytest_mlops.checks._binned.ks_on_grid`);
- the Wasserstein distance from the two CDFs on the grid, divided by the reference's
  standard deviation as in memory, with its error bound;
- PSI and Jensen-Shannon on the decile bins (merged from the grid, so the same bins as in
  memory), chi-squared and total variation on the counts.

The ``anderson`` method needs the rows themselves, so it is refused here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _binned as bn
from pytest_mlops.checks import _drift_columns as dc
from pytest_mlops.checks import _drift_stats as st
from pytest_mlops.checks._drift_columns import BINS, EFFECT_OF
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from pytest_mlops.engines import Source

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
MSG_KIND: Final = (
    "{name} column {column!r} has the engine type {kind!r}, which the drift check cannot "
    "compare (numbers, booleans, text and categories can be); leave it out with columns="
)


@dataclass
class Counts:
    """One column of the current side reduced to what a profile comparison needs."""

    rows: int
    missing: int
    #: numeric: counts in the reference's bins; categorical: counts per category text
    counts: Any
    low: float | None = None
    high: float | None = None


# ------------------------------------------------------------------------------ profiles


#: The grid's levels in ten-thousandths: the percentiles, plus 0.01%, 0.1%, 99.9% and
#: 99.99% so the outer bins (closed by the overall min and max) stay narrow, which is what
#: keeps the Wasserstein error small on long tails. The deciles are among them.
GRID_LEVELS: Final = (1, 10, *range(100, 10_000, 100), 9_990, 9_999)


def grid_entry(sorted_values: np.ndarray, bins: int = BINS) -> dict[str, Any]:
    """The fine grid of one numeric column held in memory (sorted, finite values): the
    order statistics at rank ``level * n // 10000``, and those at ``k * n // bins`` that
    the profile's coarse bins take (so the coarse bins merge from the grid exactly)."""
    import numpy as np

    n = len(sorted_values)
    positions = np.concatenate(
        [np.asarray(GRID_LEVELS, dtype=np.int64) * n // 10_000, np.arange(1, bins) * n // bins]
    )
    edges = np.unique(sorted_values[positions])
    return {"edges": edges.tolist(), "counts": st.bin_counts(sorted_values, edges).tolist()}


def source_profile(
    source: Source,
    columns: Sequence[str],
    categorical: set[str],
    bins: int = BINS,
    max_categories: int = 200,
) -> dict[str, Any]:
    """A profile (``build_profile``'s format, with a ``grid`` per numeric column) computed
    on the engine: one summary pass, the quantiles, one counting pass, category counts."""
    import numpy as np

    kinds = {c: kind_on_engine(source, c, categorical) for c in columns}
    summary = source.summary(list(columns), distinct=False)
    numeric = [c for c in columns if kinds[c] == "numeric"]
    probs = [level / 10_000 for level in GRID_LEVELS] + [k / bins for k in range(1, bins)]
    decile_at = range(len(GRID_LEVELS), len(probs))
    edges: dict[str, list[float]] = {}
    deciles: dict[str, list[float]] = {}
    filled = [c for c in numeric if summary[c].n - summary[c].nulls - summary[c].nan > 0]
    placed, every = source.grid_quantiles(filled, probs)
    for column in numeric:
        if column not in placed:
            edges[column] = deciles[column] = []
            continue
        values = [float(q) for q in placed[column]]
        edges[column] = sorted(set(values))
        deciles[column] = sorted({values[i] for i in decile_at})
    counted = source.cdf_counts({c: e for c, e in edges.items() if e}) if edges else {}
    texts = [c for c in columns if kinds[c] == "categorical"]
    categories = source.category_counts(texts, max_categories) if texts else {}
    profile: dict[str, Any] = {
        "version": dc_profile_version(),
        "n": source.count(),
        "columns": {},
        "engine": source.backend,
        "exact_quantiles": bool(getattr(source, "exact_quantiles", True)) and every == 1,
        # the grid's edges from about one row in this many (1: from every row)
        "grid_sample_every": every,
    }
    for column in columns:
        s = summary[column]
        entry: dict[str, Any] = {"kind": kinds[column], "missing": int(s.nulls + s.nan)}
        if kinds[column] == "numeric":
            grid_counts = counted.get(column, np.zeros(1, dtype=np.int64))
            some = bool(edges[column])
            entry.update(
                edges=deciles[column],
                counts=bn.merge_bins(edges[column], grid_counts, deciles[column]).tolist(),
                mean=_finite(s.mean),
                std=_finite(s.std),
                min=_finite(s.min) if some else None,
                max=_finite(s.max) if some else None,
                grid={"edges": edges[column], "counts": [int(c) for c in grid_counts]},
            )
        else:
            top, _distinct = categories.get(column, ({}, 0))
            kept = dict(top)
            other = int(s.n - s.nulls) - sum(kept.values())
            if other > 0:
                kept["__other__"] = other
            entry["counts"] = kept
        profile["columns"][column] = entry
    return profile


def dc_profile_version() -> int:
    from pytest_mlops.checks._drift_profile import PROFILE_VERSION

    return PROFILE_VERSION


def _finite(value: Any) -> float | None:
    import math

    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def kind_on_engine(source: Source, column: str, categorical: set[str]) -> str:
    """``numeric``, ``categorical`` or ``datetime`` from the engine's schema."""
    kind = source.kinds()[column]
    if column in categorical or kind in ("boolean", "categorical"):
        return "categorical"
    if kind in ("numeric", "datetime"):
        return kind
    raise MlopsInputError(MSG_KIND.format(name=source.name, column=column, kind=kind))


# ------------------------------------------------------------------ the current side


def current_from_source(
    source: Source, entries: Mapping[str, Mapping[str, Any]]
) -> dict[str, Counts]:
    """Each profiled column of the current side, counted on the engine on the reference's
    edges (the grid when the entry has one, else its deciles)."""
    columns = list(entries)
    summary = source.summary(columns, distinct=False)
    numeric = {c: _edges_of(e) for c, e in entries.items() if e["kind"] == "numeric"}
    counted = source.cdf_counts({c: e for c, e in numeric.items() if e}) if numeric else {}
    texts = [c for c, e in entries.items() if e["kind"] == "categorical"]
    limit = max((len(entries[c]["counts"]) for c in texts), default=0) + 1
    categories = source.category_counts(texts, max(limit, 1_000)) if texts else {}
    import numpy as np

    out: dict[str, Counts] = {}
    for column in columns:
        s = summary[column]
        missing = int(s.nulls + s.nan)
        if column in numeric:
            counts = counted.get(column, np.array([s.n - missing], dtype=np.int64))
            some = s.n - missing > 0
            out[column] = Counts(
                s.n,
                missing,
                counts,
                _finite(s.min) if some else None,
                _finite(s.max) if some else None,
            )
        else:
            top, _ = categories.get(column, ({}, 0))
            kept = dict(top)
            other = int(s.n - s.nulls) - sum(kept.values())
            if other > 0:
                kept["__more__"] = other  # categories beyond the limit, pooled below
            out[column] = Counts(s.n, missing, kept)
    return out


def current_from_series(entry: Mapping[str, Any], series: pd.Series) -> Counts:
    """One column of current data held in memory, reduced like :func:`current_from_source`."""
    import numpy as np

    missing = int(series.isna().sum())
    if entry["kind"] not in ("numeric", "datetime"):
        return Counts(len(series), missing, dc.category_counts(series))
    values = dc.numeric_values(series, sort=False)
    edges = np.asarray(_edges_of(entry), dtype=float)
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    some = len(values) > 0
    return Counts(
        len(series),
        missing,
        counts,
        float(values.min()) if some else None,
        float(values.max()) if some else None,
    )


def _edges_of(entry: Mapping[str, Any]) -> list[float]:
    grid = entry.get("grid")
    return list(grid["edges"]) if isinstance(grid, Mapping) else list(entry["edges"])


# -------------------------------------------------------------------------- comparing


def grid_row(
    column: str,
    entry: Mapping[str, Any],
    current: Counts,
    method: str | Mapping[Any, str],
    min_samples: int,
) -> dict[str, Any]:
    """The row of one numeric column with a grid, compared from counts."""
    import numpy as np

    chosen = method.get(column, "auto") if isinstance(method, Mapping) else method
    if chosen not in GRID_METHODS:
        raise MlopsInputError(
            MSG_NEEDS_ROWS.format(method=chosen, column=column, allowed=", ".join(GRID_METHODS))
        )
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
    effect = GRID_EFFECT[chosen]
    deciles = list(entry["edges"])
    if chosen in ("tv", "chisquare"):
        statistic, p_value, cramers_v = st.chi_squared(ref_counts, cur_counts)
        test = "chi_squared (grid)"
    else:
        statistic, p_value, test = ks.statistic, ks.p_value, "kolmogorov_smirnov (grid)"
    note = f"compared on the reference's {len(edges) + 1} percentile bins"
    bound: float | None = None
    spread = entry.get("std")
    if effect == "wasserstein" and not spread:
        # A constant reference: its distribution is a point, so the share of current values
        # away from it is what KS measures (in memory: the share that differ). A spread the
        # profile could not hold (None) is judged the same way, and says so.
        effect = "ks_statistic"
        note = MSG_CONSTANT_REFERENCE if spread == 0 else MSG_NO_SPREAD
    if effect == "wasserstein":
        size, bound = bn.wasserstein_on_grid(
            edges, ref_counts, cur_counts, low, high, reference_std=float(spread or 0.0)
        )
    elif effect == "ks_statistic":
        size, bound = ks.statistic, ks.bound
    elif effect == "cramers_v":
        size = cramers_v
    else:
        a = bn.merge_bins(edges, ref_counts, deciles)
        b = bn.merge_bins(edges, cur_counts, deciles)
        size = {
            "psi": st.psi,
            "jensenshannon": st.jensen_shannon,
            "tv": st.total_variation,
        }[effect](a, b)
    row.update(
        judged=True,
        method=chosen,
        test=test,
        statistic=float(statistic),
        p_value=float(p_value),
        effect=effect,
        effect_size=float(size),
        note=note,
        ks_bound=float(ks.bound),
        effect_bound=None if bound is None else float(bound),
        histogram=_histogram(edges, ref_counts, cur_counts, low, high),
    )
    return row


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


def pooled_categories(known: Mapping[str, int], current: Mapping[str, int]) -> dict[str, int]:
    """Current category counts with the categories a profile pooled as ``__other__``
    (and those beyond the engine's counting limit) pooled the same way."""
    if "__other__" not in known:
        extra = current.get("__more__", 0)
        out = {k: v for k, v in current.items() if k != "__more__"}
        if extra:
            out["__other__"] = out.get("__other__", 0) + extra
        return out
    pooled: dict[str, int] = {}
    for category, count in current.items():
        key = category if category in known else "__other__"
        pooled[key] = pooled.get(key, 0) + count
    return pooled
