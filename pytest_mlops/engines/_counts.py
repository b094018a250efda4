"""Counts on the engine: values per bin of a grid (:func:`cdf_counts`) and the most
frequent values of a column (:func:`category_counts`), each column's in one aggregation.

They are :class:`~pytest_mlops.engines._source.Source`'s ``cdf_counts`` and
``category_counts``, which call them.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pytest_mlops.engines import _native
from pytest_mlops.engines._results import _as_text, _integer, _one_row, collect
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import narwhals as nw
    import numpy as np

    from pytest_mlops.engines._source import Source

_T = TypeVar("_T")
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1

#: Columns per aggregation query: an engine decodes the columns a query names a row
#: group at a time on each thread, so its memory grows with their number while the bytes
#: read do not (Parquet is read by column). Measured on 50M rows x 25 columns with 1M-row
#: row groups, a summary in batches of 8 against one query: polars 1,014 -> 537 MB and
#: 6.7 -> 5.2 s, DuckDB 1,237 -> 704 MB and 12.5 -> 11.6 s.
COLUMNS_PER_QUERY: Final = 8


def batches(items: Sequence[_T]) -> list[list[_T]]:
    """``items`` (columns, or queries of one column each) in consecutive groups of at most
    :data:`COLUMNS_PER_QUERY`."""
    listed = list(items)
    return [listed[i : i + COLUMNS_PER_QUERY] for i in range(0, len(listed), COLUMNS_PER_QUERY)]


def cdf_counts(source: Source, edges: Mapping[str, Sequence[float]]) -> dict[str, np.ndarray]:
    """``source.cdf_counts(...)``: see :meth:`Source.cdf_counts`."""
    import numpy as np

    chosen = source._known(edges, "edges")
    plans = {column: _thresholds(source, column, edges[column]) for column in chosen}
    wanted = {c: sorted({t for t in plan if math.isfinite(t)}) for c, plan in plans.items()}
    flagged = {
        c: (ts, c not in source._floats, source._may_hold_nan(c)) for c, ts in wanted.items()
    }
    native = {"duckdb": _native.duckdb_at_least, "dask": _native.dask_at_least}.get(source.backend)
    counted: dict[str, tuple[int, dict[float | int, int]]] = {}
    for batch in batches(list(wanted)):
        if native is not None:
            counted.update(native(source._values().to_native(), {c: flagged[c] for c in batch}))
        else:
            counted.update(_at_least(source, {c: wanted[c] for c in batch}))
    found: dict[str, np.ndarray] = {}
    for column in chosen:
        valid, at = counted[column]
        at_least = [valid]
        for threshold in plans[column]:
            if threshold == -math.inf:
                at_least.append(valid)
            elif threshold == math.inf:
                at_least.append(0)
            else:
                at_least.append(at[threshold])
        at_least.append(0)
        found[column] = -np.diff(np.asarray(at_least, dtype="int64"))
    return found


def _thresholds(source: Source, column: str, edges: Sequence[float]) -> list[float | int]:
    """``x >= t`` for each edge ``e``: ``t = e``, or ``ceil(e)`` on an integral column
    (ints stay ints: a float64 cannot hold every int64, e.g. datetimes in nanoseconds);
    -inf where every value passes, +inf where none can."""
    source._require_ordered(column, "cdf_counts")
    cuts = [int(e) if isinstance(e, numbers.Integral) else float(e) for e in edges]
    if any(math.isnan(e) for e in cuts) or any(b < a for a, b in itertools.pairwise(cuts)):
        raise MlopsInputError(
            f"edges[{column!r}] must be non-decreasing numbers without NaN; got {cuts!r}"
        )
    integral = column not in source._floats
    plan: list[float | int] = []
    for edge in cuts:
        threshold: float | int = edge
        if integral and isinstance(edge, float) and math.isfinite(edge):
            threshold = math.ceil(edge)
        if threshold == -math.inf or (integral and threshold <= _INT64_MIN):
            plan.append(-math.inf)
        elif threshold == math.inf or (integral and threshold > _INT64_MAX):
            plan.append(math.inf)
        else:
            plan.append(threshold)
    return plan


def _at_least(
    source: Source, thresholds: Mapping[str, Sequence[float | int]]
) -> dict[str, tuple[int, dict[float | int, int]]]:
    """Valid values and ``sum(x >= t)`` per threshold of each column, in one aggregation
    (the engines without a native binned count)."""
    import narwhals as nw

    def passed(condition: nw.Expr) -> nw.Expr:
        # polars sums booleans as counts, four times faster than summing a cast; Spark
        # cannot sum a boolean
        return (condition if source.backend == "polars" else condition.cast(nw.Int64)).sum()

    expressions: list[Any] = []
    for i, (column, listed) in enumerate(thresholds.items()):
        clean = source._clean(column)
        expressions.append(clean.count().alias(f"valid{i}"))
        expressions += [passed(clean >= t).alias(f"ge{i}_{j}") for j, t in enumerate(listed)]
    if not expressions:
        return {}
    row = _one_row(source._values().select(*expressions))
    return {
        column: (
            _integer(row[f"valid{i}"]),
            {t: _integer(row[f"ge{i}_{j}"]) for j, t in enumerate(listed)},
        )
        for i, (column, listed) in enumerate(thresholds.items())
    }


def distinct_by_group(frame: nw.LazyFrame[Any], values: Mapping[str, nw.Expr]) -> dict[str, int]:
    """How many distinct values each expression takes over ``frame`` (a null counts as
    one), by a group-by each: polars' ``n_unique`` is not streamed (3.9 GB for five text
    columns at 50M rows), a group-by, counted, is (176 MB)."""
    import narwhals as nw

    found = {}
    for key, value in values.items():
        groups = frame.select(value.alias("v")).group_by("v").agg(nw.len().alias("__count"))
        found[key] = _integer(_one_row(groups.select(nw.len().alias("k")))["k"])
    return found


def category_counts(
    source: Source, columns: Iterable[str], limit: int
) -> dict[str, tuple[dict[str, int], int]]:
    """``source.category_counts(...)``: see :meth:`Source.category_counts`."""
    import narwhals as nw

    chosen = source._known(columns, "columns")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise MlopsInputError(f"limit must be a positive int; got {limit!r}")
    for column in chosen:
        if source._kinds[column] == "other":
            raise MlopsTypeError(
                f"{source.name} column {column!r} holds values the engine cannot count "
                f"({source._frame.collect_schema()[column]}); category counts need numbers, "
                "text, booleans or dates"
            )
    if source.backend == "polars":
        return {column: _polars_top(source, column, limit) for column in chosen}
    distinct_row = _one_row(
        source._frame.select(
            *(source._clean(c).n_unique().alias(f"d{i}") for i, c in enumerate(chosen)),
            *(
                source._clean(c).is_null().cast(nw.Int64).sum().alias(f"m{i}")
                for i, c in enumerate(chosen)
            ),
        )
    )
    found: dict[str, tuple[dict[str, int], int]] = {}
    for i, column in enumerate(chosen):
        clean = source._clean(column)
        top = collect(
            source._frame.select(clean.alias("value"))
            .filter(~nw.col("value").is_null())
            .group_by("value")
            .agg(nw.len().alias("count"))
            .filter(nw.col("count") > 0)
            .sort(["count", "value"], descending=[True, False])
            .head(limit)
        )
        counts = {
            _as_text(value): _integer(count)
            for value, count in zip(top["value"].to_list(), top["count"].to_list(), strict=True)
        }
        missing = _integer(distinct_row[f"m{i}"])
        found[column] = (counts, _integer(distinct_row[f"d{i}"]) - (1 if missing else 0))
    return found


def _polars_top(source: Source, column: str, limit: int) -> tuple[dict[str, int], int]:
    """One column's most frequent values and distinct count on polars, from one streamed
    group-by (a null group, if any, sorted first): three queries (distinct values, nulls,
    the top) read a text column three times, 3.4 s for five columns at 50M rows."""
    import narwhals as nw
    import polars as pl

    grouped = source._frame.select(source._clean(column).alias("value"))
    top = (
        grouped.group_by("value")
        .agg(nw.len().alias("count"))
        .to_native()
        .with_columns(pl.len().alias("groups"), pl.col("value").is_null().alias("missing"))
        .sort(["missing", "count", "value"], descending=[True, True, False])
        .head(limit + 1)
        .collect(engine="streaming")
    )
    if top.height == 0:
        return {}, 0
    missing = bool(top["missing"][0])
    groups = int(top["groups"][0])
    kept = top.filter(~pl.col("missing")).head(limit)
    counts = {
        _as_text(v): int(c)
        for v, c in zip(kept["value"].to_list(), kept["count"].to_list(), strict=True)
    }
    return counts, groups - (1 if missing else 0)
