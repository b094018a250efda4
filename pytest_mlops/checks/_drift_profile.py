"""Stored reference profiles: building them, reading them back safely, comparing with them.

A profile is a few kilobytes of JSON (bin edges and counts per numeric column, category
counts per categorical column, missing counts) kept in the baseline file, so CI can check
live data for drift without the training data. A profile read back from a file may be
truncated or hand-edited: :func:`validate_profile` checks every field before use and says
which one is wrong and how to re-create it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _drift_columns as dc
from pytest_mlops.checks import _drift_stats as st
from pytest_mlops.checks._drift_grid import (
    Counts,
    current_from_series,
    grid_entry,
    pooled_categories,
)
from pytest_mlops.checks._drift_grid_row import grid_row
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

PROFILE_VERSION: Final = 1
PROFILE_METHODS: Final = ("auto", "psi", "jensenshannon", "tv", "chisquare")
PROFILE_EFFECT: Final = {
    "auto": "jensenshannon",
    "jensenshannon": "jensenshannon",
    "psi": "psi",
    "tv": "tv",
    "chisquare": "cramers_v",
}
#: How to re-create a profile that cannot be read (the fixture names its own fix).
FIX_PROFILE: Final = "rebuild it with build_profile(reference)"
MSG_BAD_PROFILE: Final = "{where} cannot be used: {problem}; {fix}"
MSG_ONE_BIN: Final = "every value falls in one {what} on both sides: nothing to compare"


def is_profile(value: Any) -> bool:
    """True for something shaped like :func:`build_profile`'s output (to be validated)."""
    return isinstance(value, Mapping) and "columns" in value and "version" in value


def build_profile(
    frame: pd.DataFrame,
    columns: Sequence[Any],
    categorical: set[Any],
    bins: int,
    max_categories: int,
    grid: bool = True,
) -> dict[str, Any]:
    """The profile of ``columns`` of ``frame`` (see :func:`pytest_mlops.checks.build_profile`);
    numeric columns also get the fine ``grid`` that KS and Wasserstein are judged on."""

    profile: dict[str, Any] = {"version": PROFILE_VERSION, "n": len(frame), "columns": {}}
    for column in columns:
        series = frame[column]
        kind = dc.kind_of(series, categorical, column)
        entry: dict[str, Any] = {"kind": kind, "missing": int(series.isna().sum())}
        if kind in ("numeric", "datetime"):
            values = dc.numeric_values(series)
            edges = st.quantile_edges(values, bins) if len(values) else values[:0]
            some = len(values) > 0
            mean, std = _moments(values) if some else (None, None)
            entry.update(
                edges=edges.tolist(),
                counts=st.bin_counts(values, edges).tolist(),
                mean=mean,
                std=std,
                min=float(values[0]) if some else None,
                max=float(values[-1]) if some else None,
            )
            for key in ("mean", "std"):
                if entry[key] is not None and not math.isfinite(entry[key]):
                    entry[key] = None  # overflowed on values near the float limit
            if kind == "numeric" and grid and some:
                entry["grid"] = grid_entry(values, bins)
        else:
            counts = dc.category_counts(series)
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            kept = dict(ranked[:max_categories])
            other = sum(v for _, v in ranked[max_categories:])
            if other:
                kept["__other__"] = other
            entry["counts"] = kept
        profile["columns"][str(column)] = entry
    return profile


def _moments(values: np.ndarray) -> tuple[float, float]:
    """Mean and (population) standard deviation, computed on rescaled values when they
    are near the float limit so the spread stays finite (the mean may still overflow)."""
    import numpy as np

    largest = float(max(abs(values[0]), abs(values[-1])))
    scale = largest if largest > dc.RESCALE_ABOVE else 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        return float(values.mean()), float(np.std(values / scale)) * scale


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _entry_problem(column: str, entry: Any) -> str | None:
    """What is wrong with one column's entry, or ``None``."""
    where = f"column {column!r}"
    if not isinstance(entry, Mapping):
        return f"{where} is a {type(entry).__name__}, not an object"
    kind = entry.get("kind")
    if kind not in ("numeric", "datetime", "categorical"):
        return f"{where} has kind {kind!r}; expected 'numeric', 'datetime' or 'categorical'"
    if not _count(entry.get("missing")):
        missing = entry.get("missing")
        return f"{where}: 'missing' must be a count (a whole number >= 0); got {missing!r}"
    counts = entry.get("counts")
    if kind == "categorical":
        if not isinstance(counts, Mapping) or not all(
            isinstance(k, str) and _count(v) for k, v in counts.items()
        ):
            return f"{where}: 'counts' must map each category to a count"
        return None
    problem = _bins_problem(where, "", entry.get("edges"), counts)
    if problem:
        return problem
    for key in ("min", "max"):
        if entry.get(key) is not None and not _finite(entry[key]):
            return f"{where}: {key!r} must be a finite number or null"
    return _grid_problem(where, entry)


def _bins_problem(where: str, prefix: str, edges: Any, counts: Any) -> str | None:
    """What is wrong with bin ``edges`` and their ``counts`` (``prefix`` names where they
    sit: the entry itself or its ``grid.``), or ``None``."""
    if not isinstance(edges, list) or not all(_finite(e) for e in edges):
        return f"{where}: '{prefix}edges' must be a list of finite numbers"
    if any(b <= a for a, b in itertools.pairwise(edges)):
        return f"{where}: '{prefix}edges' must increase"
    if not isinstance(counts, list) or not all(_count(c) for c in counts):
        return f"{where}: '{prefix}counts' must be a list of counts"
    if len(counts) != len(edges) + 1:
        return (
            f"{where}: {len(counts)} {prefix}counts for {len(edges)} edges (needs one more count)"
        )
    return None


def _grid_problem(where: str, entry: Mapping[str, Any]) -> str | None:
    """What is wrong with a numeric entry's optional fine grid, or ``None``."""
    if "grid" not in entry:
        return None
    grid = entry["grid"]
    if entry["kind"] != "numeric" or not isinstance(grid, Mapping):
        return f"{where}: 'grid' must be an object with 'edges' and 'counts' (numeric only)"
    edges, counts = grid.get("edges"), grid.get("counts")
    if not edges:
        return f"{where}: 'grid.edges' must be a non-empty list of finite numbers"
    problem = _bins_problem(where, "grid.", edges, counts)
    if problem:
        return problem
    assert isinstance(counts, list)  # _bins_problem found it one
    if not set(entry["edges"]) <= set(edges):
        return f"{where}: every one of 'edges' must also be one of 'grid.edges'"
    if sum(counts) != sum(entry["counts"]):
        return f"{where}: the grid counts {sum(counts)} values, the bins {sum(entry['counts'])}"
    return _lattice_problem(where, grid)


def _lattice_problem(where: str, grid: Mapping[str, Any]) -> str | None:
    """What is wrong with a stored grid's ``lattice``, or None."""
    found = grid.get("lattice")
    if found is None:
        return None
    message = (
        f"{where}: 'grid.lattice' must be an object with a finite 'origin', a positive "
        "'scale', a positive int 'cells' and increasing int 'boundaries' in [0, cells], one "
        "per grid edge"
    )
    if not isinstance(found, Mapping):
        return message
    fields: list[Any] = [found.get(k) for k in ("origin", "scale", "cells", "boundaries")]
    origin, scale, cells, bounds = fields
    if not (_finite(origin) and _finite(scale) and scale > 0):
        return message
    if not _count(cells) or cells < 1:
        return message
    if not isinstance(bounds, list) or len(bounds) != len(grid.get("edges") or []):
        return message
    if not all(_count(b) and b <= cells for b in bounds):
        return message
    if any(b <= a for a, b in itertools.pairwise(bounds)):
        return message
    return None


def validate_profile(profile: Any, *, where: str = "the profile", fix: str = FIX_PROFILE) -> None:
    """Raise :class:`MlopsInputError` naming the first field of ``profile`` that is not what
    :func:`build_profile` writes."""

    def bad(problem: str) -> MlopsInputError:
        return MlopsInputError(MSG_BAD_PROFILE.format(where=where, problem=problem, fix=fix))

    if not isinstance(profile, Mapping):
        raise bad(f"it is a {type(profile).__name__}, not an object")
    if profile.get("version") != PROFILE_VERSION:
        raise bad(f"version is {profile.get('version')!r}; this release reads version 1")
    if not _count(profile.get("n")):
        raise bad(f"'n' must be the number of rows; got {profile.get('n')!r}")
    columns = profile.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        raise bad("'columns' must be a non-empty object of column entries")
    for column, entry in columns.items():
        problem = _entry_problem(str(column), entry)
        if problem:
            raise bad(problem)


def profile_row(
    column: str,
    entry: Mapping[str, Any],
    cur: pd.Series | Counts,
    method: str | Mapping[Any, str],
    min_samples: int,
) -> dict[str, Any]:
    """The row of one column compared with its stored (validated) profile entry; the
    current side is a column in memory or its counts from an engine."""
    kind = entry["kind"]
    current = cur if isinstance(cur, Counts) else current_from_series(entry, cur)
    if kind == "numeric" and isinstance(entry.get("grid"), Mapping):
        return grid_row(column, entry, current, method, min_samples)
    counts = entry["counts"]
    n_ref_total = int(sum(counts.values()) if isinstance(counts, Mapping) else sum(counts))
    n_ref_total += int(entry["missing"])
    row = dc.base_row(
        column, kind, int(entry["missing"]), n_ref_total, current.missing, current.rows
    )
    chosen = method.get(column, "auto") if isinstance(method, Mapping) else method
    if chosen not in PROFILE_METHODS:
        raise MlopsInputError(
            f"method {chosen!r} needs the reference data; against a stored profile use one of "
            f"{', '.join(PROFILE_METHODS)}"
        )
    if kind in ("numeric", "datetime"):
        return _binned_row(row, chosen, entry, current, min_samples)
    cur_counts = pooled_categories(counts, current.counts)
    n_a, n_b = sum(counts.values()), sum(cur_counts.values())
    if min(n_a, n_b) < min_samples:
        return dc.not_judged(row, dc.too_few(n_a, n_b, min_samples))
    if len({k for k, v in counts.items() if v} | set(cur_counts)) < 2:
        return dc.not_judged(row, MSG_ONE_BIN.format(what="category"))
    return dc.categorical_row(row, chosen, counts, cur_counts)


def _binned_row(
    row: dict[str, Any],
    chosen: str,
    entry: Mapping[str, Any],
    current: Counts,
    min_samples: int,
) -> dict[str, Any]:
    import numpy as np

    ref_counts = np.asarray(entry["counts"], dtype=np.int64)
    cur_counts = np.asarray(current.counts, dtype=np.int64)
    n_a, n_b = int(ref_counts.sum()), int(cur_counts.sum())
    row["n_current"] = n_b
    if min(n_a, n_b) < min_samples:
        return dc.not_judged(row, dc.too_few(n_a, n_b, min_samples))
    if ((ref_counts > 0) | (cur_counts > 0)).sum() < 2:
        return dc.not_judged(row, MSG_ONE_BIN.format(what="bin"))
    effect = PROFILE_EFFECT[chosen]
    statistic, p_value, cramers_v = st.chi_squared(ref_counts, cur_counts)
    size = {
        "jensenshannon": lambda: st.jensen_shannon(ref_counts, cur_counts),
        "psi": lambda: st.psi(ref_counts, cur_counts),
        "tv": lambda: st.total_variation(ref_counts, cur_counts),
        "cramers_v": lambda: cramers_v,
    }[effect]()
    dc.judged_row(
        row,
        chosen,
        "chi_squared (binned)",
        statistic,
        p_value,
        effect,
        size,
        note="compared on the profile's reference-quantile bins",
        bars={
            "categories": bin_labels([float(e) for e in entry["edges"]]),
            "reference": st.shares(ref_counts).tolist(),
            "current": st.shares(cur_counts).tolist(),
        },
    )
    low, high = entry.get("min"), entry.get("max")
    if low is not None and high is not None and current.low is not None and n_b:
        low, high = min(low, current.low), max(high, current.high or high)
        outer = [low, *entry["edges"], high]
        if all(b > a for a, b in itertools.pairwise(outer)):
            row["histogram"] = {
                "edges": outer,
                "reference": ref_counts.tolist(),
                "current": cur_counts.tolist(),
            }
    return row


def bin_labels(edges: list[float]) -> list[str]:
    """Names of the bins ``(-inf, e0), [e0, e1), ..., [ek, inf)``."""
    if not edges:
        return ["all"]
    inner = [f"{low:.4g} to {high:.4g}" for low, high in itertools.pairwise(edges)]
    return [f"< {edges[0]:.4g}", *inner, f">= {edges[-1]:.4g}"]
