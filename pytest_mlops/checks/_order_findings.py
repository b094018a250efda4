"""``check_data``'s findings on an engine that rest on order statistics and ranges:
``almost_constant`` (a float feature's median and its rows) and ``outliers`` (NumPy's
linear quartiles and the values beyond the fences), from a lattice of cells on DuckDB and
polars (:mod:`._cell_findings`), from the engine's sorted order statistics elsewhere; and
the finite ranges the lattices span.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._cell_findings import dominant, fences
from pytest_mlops.checks._cell_findings import outliers as cell_outliers
from pytest_mlops.checks._engine_ops import (
    aggregate,
    as_number,
    linear_quantiles,
    top_values,
    values_where,
)
from pytest_mlops.checks._findings import EXAMPLES, finding
from pytest_mlops.checks._frames import plain_value

if TYPE_CHECKING:
    import narwhals as nw

    from pytest_mlops.checks._findings_engine import EngineTable


def finite_ranges(
    lf: nw.LazyFrame[Any],
    stats: Mapping[str, Any],
    types: Mapping[str, str],
    finite: Mapping[str, int],
) -> dict[str, tuple[float, float]]:
    """Each numeric column's smallest and largest finite value: its minimum and maximum,
    or, for the few columns holding an infinity, from one more aggregation."""
    import math

    import narwhals as nw

    found: dict[str, tuple[float, float]] = {}
    infinite: dict[str, nw.Expr] = {}
    for i, (column, kind) in enumerate(types.items()):
        prefix = "" if kind == "float" else "i"  # floats' mn/mx also decide constant
        low, high = stats.get(f"{prefix}mn{i}"), stats.get(f"{prefix}mx{i}")
        if kind not in ("integer", "float") or not finite[column] or low is None or high is None:
            continue
        if math.isfinite(float(low)) and math.isfinite(float(high)):
            found[column] = (float(low), float(high))
        else:
            number = as_number(column, kind)
            kept = nw.when(number.is_finite()).then(number)
            infinite[f"fl{i}"], infinite[f"fh{i}"] = kept.min(), kept.max()
    extra = aggregate(lf, infinite) if infinite else {}
    for i, column in enumerate(types):
        if f"fl{i}" in extra:
            found[column] = (float(extra[f"fl{i}"]), float(extra[f"fh{i}"]))
    return found


def almost_constant(table: EngineTable) -> list[dict[str, Any]]:
    share_limit, out = table.options["almost_constant_share"], []
    for column, kind in table.kinds.items():
        present, distinct = table.n - table.nulls[column], table.distinct[column]
        if kind == "empty" or distinct == 1:
            continue
        if distinct is None and share_limit > 0.5:
            # a value held by more than half the rows is the median: count that one
            found = _dominant(table, column, share_limit)
            if found is None:
                continue
            value, count = found
        else:
            # The top value holds at most one row per other distinct value fewer than all.
            if distinct is not None and (
                distinct < 2 or present - distinct + 1 < share_limit * present
            ):
                continue
            value, count = top_values(table.lf, column, table.types[column], 1)[0]
        if count / present >= share_limit:
            message = f"{count / present:.2%} of values are {plain_value(value)!r}"
            out.append(finding("almost_constant", column, count, table.n, message))
    return out


def _dominant(table: EngineTable, column: str, share: float) -> tuple[float, int] | None:
    """The median of a float column and its rows, or None when no value can hold
    ``share`` of them."""
    cells = table.cells(column)
    if cells is not None:
        found = dominant(table.source, column, cells, share)
        if found is False:
            return None
        if isinstance(found, tuple):
            return found
    return _median_count(table, column)


def _median_count(table: EngineTable, column: str) -> tuple[float, int]:
    """The lower median of a float column and how many rows hold it."""
    import narwhals as nw

    (median,) = table.source.quantiles(column, [0.5])
    equal = as_number(column, table.types[column]) == float(median)
    return float(median), int(aggregate(table.lf, {"c0": equal.cast(nw.Int64).sum()})["c0"] or 0)


def outliers(table: EngineTable) -> list[dict[str, Any]]:
    import narwhals as nw

    factor, fenced, predicates = table.options["outlier_iqr"], {}, {}
    counts: dict[str, int] = {}  # the columns whose cells counted their outliers
    numeric = [c for c in table.features if table.kinds[c] in ("integer", "float")]
    for column in numeric:
        finite, below = table.finite[column], table.below[column]
        if not finite:
            continue
        number = as_number(column, table.types[column])
        cells = table.cells(column)
        found = cell_outliers(table.source, column, cells, factor, finite, below) if cells else None
        if found is not None:
            q1, q3 = found.q1, found.q3
        else:
            present = table.n - table.nulls[column]
            q1, q3 = linear_quantiles(table.source, column, (0.25, 0.75), finite, below, present)
        if q3 - q1 <= 0:
            continue
        fenced[column] = fences(q1, q3, factor)
        predicates[column] = (number < fenced[column][0]) | (number > fenced[column][1])
        if found is not None:
            counts[column] = found.beyond
    pending = [c for c in predicates if c not in counts]
    sums = {f"o{i}": predicates[c].cast(nw.Int64).sum() for i, c in enumerate(pending)}
    beyond = aggregate(table.lf, sums) if sums else {}
    counts.update({c: int(beyond[f"o{i}"] or 0) for i, c in enumerate(pending)})
    out = []
    for column, predicate in predicates.items():
        count = counts[column]
        if count:
            low, high = fenced[column]
            message = f"{count} values beyond {factor:g} IQR of the quartiles "
            message += f"[{low:.4g}, {high:.4g}]"
            sample = values_where(table.lf, predicate, column, EXAMPLES)
            examples = [{"row": None, "value": v} for v in sample]
            out.append(finding("outliers", column, count, table.n, message, examples))
    return out
