"""Drift on a fixed grid: profiles with a fine reference-quantile grid, from pandas or from
an engine (DuckDB, polars lazy, Dask, Spark), and the current side reduced to counts.

A numeric column's profile entry carries, besides the decile bins every profile has, a
``grid``: the reference's percentiles and four tail quantiles (:data:`GRID_LEVELS`, ties
merged) and the reference's counts in them. The current side is reduced to counts on the
same edges, on its engine, so neither side is collected; :mod:`._drift_grid_row` compares
a column from the two sides' counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _binned as bn
from pytest_mlops.checks import _drift_columns as dc
from pytest_mlops.checks import _drift_stats as st
from pytest_mlops.checks._drift_columns import BINS
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from pytest_mlops.engines import Source

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
    on the engine. Above :data:`~pytest_mlops.engines._source.GRID_SAMPLE_ROWS` rows, a
    sample places each numeric column's lattice and one group-by of its cells gives the
    rest (:mod:`._drift_lattice`); otherwise, and for a column the lattice cannot cut, one
    summary pass, the quantiles and one counting pass. Category counts for the others."""
    from pytest_mlops.engines._source import GRID_SAMPLE_ROWS

    kinds = {c: kind_on_engine(source, c, categorical) for c in columns}
    numeric = [c for c in columns if kinds[c] == "numeric"]
    placed: dict[str, list[float]] = {}
    every = 1
    if numeric and source.count() > GRID_SAMPLE_ROWS:
        placed, every = source.grid_quantiles(numeric, _grid_probs(bins))
    on_lattice = _lattice_entries(source, placed, bins) if every > 1 else {}
    rest = [c for c in columns if c not in on_lattice]
    summary = source.summary(rest, distinct=False) if rest else {}
    kept = [c for c in numeric if c not in on_lattice]
    sampled = (placed, every) if placed else None
    edges, deciles, every = _source_edges(source, kept, summary, bins, sampled)
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
        if column in on_lattice:
            profile["columns"][column] = {"kind": "numeric", **on_lattice[column]}
            continue
        s = summary[column]
        entry: dict[str, Any] = {"kind": kinds[column], "missing": int(s.nulls + s.nan)}
        if kinds[column] == "numeric":
            entry.update(_numeric_entry(s, edges[column], deciles[column], counted.get(column)))
        else:
            top, _distinct = categories.get(column, ({}, 0))
            entry["counts"] = _with_rest(top, s, "__other__")
        profile["columns"][column] = entry
    return profile


def _grid_probs(bins: int) -> list[float]:
    """The grid's levels, then the coarse bins' (``k / bins``), as probabilities."""
    return [level / 10_000 for level in GRID_LEVELS] + [k / bins for k in range(1, bins)]


def _lattice_entries(
    source: Source, placed: Mapping[str, list[float]], bins: int
) -> dict[str, dict[str, Any]]:
    """The profile fields of each sampled column the lattice can cut, from one group-by
    of its cells on the engine (centred on its sampled median, for the moments)."""
    from pytest_mlops.checks import _drift_lattice as lt

    probs = _grid_probs(bins)
    median_at = probs.index(0.5)  # 0.5 is a grid level
    lattices = {}
    centers = {}
    for column, values in placed.items():
        lattice = lt.lattice_for(values)
        if lattice is not None and math.isfinite(float(values[median_at])):
            lattices[column] = lattice
            centers[column] = float(values[median_at])
    counted = source.cell_counts(lattices, centers) if lattices else {}
    levels = probs[: len(GRID_LEVELS)]
    deciles = probs[len(GRID_LEVELS) :]
    found = {}
    for column, cells in counted.items():
        entry = lt.lattice_entry(cells, lattices[column], levels, deciles)
        if entry is not None:
            found[column] = entry
    return found


def _source_edges(
    source: Source,
    numeric: list[str],
    summary: Mapping[str, Any],
    bins: int,
    sampled: tuple[Mapping[str, list[float]], int] | None = None,
) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Each numeric column's grid edges and decile edges (both empty for a column without a
    value), and from about one row in how many the engine placed them (``sampled``: the
    quantiles already placed on a sample, and its thinning step)."""
    probs = _grid_probs(bins)
    decile_at = range(len(GRID_LEVELS), len(probs))
    edges: dict[str, list[float]] = {}
    deciles: dict[str, list[float]] = {}
    filled = [c for c in numeric if summary[c].n - summary[c].nulls - summary[c].nan > 0]
    placed: Mapping[str, list[float]]
    if sampled is None:
        placed, every = source.grid_quantiles(filled, probs) if filled else ({}, 1)
    else:
        placed, every = sampled
    for column in numeric:
        if column not in filled or column not in placed:
            edges[column] = deciles[column] = []
            continue
        # an infinite quantile (a column holding inf) is no edge: those values fall in
        # the outer bins, as on a lattice
        values = [float(q) for q in placed[column]]
        edges[column] = sorted({v for v in values if math.isfinite(v)})
        deciles[column] = sorted({values[i] for i in decile_at if math.isfinite(values[i])})
    return edges, deciles, every


def _numeric_entry(
    s: Any, edges: list[float], deciles: list[float], grid_counts: np.ndarray | None
) -> dict[str, Any]:
    """A numeric column's profile fields from its summary ``s`` and its counts on the grid."""
    import numpy as np

    if grid_counts is None:
        grid_counts = np.zeros(1, dtype=np.int64)
    some = bool(edges)
    return {
        "edges": deciles,
        "counts": bn.merge_bins(edges, grid_counts, deciles).tolist(),
        "mean": _finite(s.mean),
        "std": _finite(s.std),
        "min": _finite(s.min) if some else None,
        "max": _finite(s.max) if some else None,
        "grid": {"edges": edges, "counts": [int(c) for c in grid_counts]},
    }


def _with_rest(top: Mapping[str, int], s: Any, rest: str) -> dict[str, int]:
    """The most frequent categories' counts, the other non-null values pooled as ``rest``."""
    kept = dict(top)
    other = int(s.n - s.nulls) - sum(kept.values())
    if other > 0:
        kept[rest] = other
    return kept


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
    bins: its lattice's cells when the grid has one (one group-by, which also gives the
    nulls and the range), else the grid's edges (or the deciles) after a summary."""
    from pytest_mlops.checks import _drift_lattice as lt

    lattices = {
        c: found
        for c, e in entries.items()
        if e["kind"] == "numeric" and (found := lt.lattice_of(e)) is not None
    }
    out: dict[str, Counts] = {}
    if lattices:
        cells = source.cell_counts({c: lattice for c, (lattice, _) in lattices.items()})
        for column, (_lattice, boundaries) in lattices.items():
            counted = cells[column]
            low, high = counted.extremes()
            out[column] = Counts(
                source.count(),
                counted.nulls + counted.nan,
                lt.binned(counted.counts, boundaries),
                _finite(low),
                _finite(high),
            )
    rest = {c: e for c, e in entries.items() if c not in lattices}
    out.update(_current_rest(source, rest) if rest else {})
    return {column: out[column] for column in entries}


def _current_rest(source: Source, entries: Mapping[str, Mapping[str, Any]]) -> dict[str, Counts]:
    """:func:`current_from_source` for the columns without a lattice: a summary, counts
    on the edges, category counts."""
    import numpy as np

    columns = list(entries)
    summary = source.summary(columns, distinct=False, moments=False)
    ordered = ("numeric", "datetime")  # datetimes here are epoch seconds
    numeric = {c: _edges_of(e) for c, e in entries.items() if e["kind"] in ordered}
    counted = source.cdf_counts({c: e for c, e in numeric.items() if e}) if numeric else {}
    texts = [c for c, e in entries.items() if e["kind"] == "categorical"]
    limit = max((len(entries[c]["counts"]) for c in texts), default=0) + 1
    categories = source.category_counts(texts, max(limit, 1_000)) if texts else {}
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
            # categories beyond the limit, pooled below
            out[column] = Counts(s.n, missing, _with_rest(top, s, "__more__"))
    return out


def current_from_series(entry: Mapping[str, Any], series: pd.Series) -> Counts:
    """One column of current data held in memory, reduced like :func:`current_from_source`
    (on the entry's lattice when it has one: the same cells, by the same arithmetic)."""
    import numpy as np

    from pytest_mlops.checks import _drift_lattice as lt

    missing = int(series.isna().sum())
    if entry["kind"] not in ("numeric", "datetime"):
        return Counts(len(series), missing, dc.category_counts(series))
    values = dc.numeric_values(series, sort=False)
    found = lt.lattice_of(entry)
    if found is not None:
        lattice, boundaries = found
        slots = np.bincount(lattice.slots(values), minlength=lattice.cells + 2)
        counts = lt.binned(slots, boundaries)
    else:
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
