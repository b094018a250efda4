"""Bounded queries on a narwhals LazyFrame that the schema and data checks need beyond
:class:`pytest_mlops.engines.Source`: named aggregations in one pass, a column's k lowest
and highest values, example values and distinct values matching a predicate, and the most
frequent values of a column. Each returns at most ``limit`` values; none collects a column.

They are candidates for :mod:`pytest_mlops.engines` (see the README's "Big data").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.errors import MlopsTypeError

if TYPE_CHECKING:
    import narwhals as nw
    import pandas as pd

    from pytest_mlops.engines import Source

#: What an engine column's type is called in a schema (text is refined by its distinct count).
ENGINE_KINDS: Final = ("integer", "float", "boolean", "datetime", "categorical", "text", "other")
#: Why a row-label-free example is what an engine gives.
NO_ROW_LABELS: Final = (
    "examples from an engine carry no row labels (an engine table has no row order): each "
    "example is a value that breaks the rule"
)


def lazy_frame(source: Source) -> nw.LazyFrame[Any]:
    """The narwhals LazyFrame behind ``source`` (``Source`` keeps it as ``_frame``; a public
    accessor belongs in :mod:`pytest_mlops.engines`, with these queries)."""
    frame: nw.LazyFrame[Any] = source._frame
    return frame


def engine_kind(dtype: Any) -> str:
    """The kind of an engine column from its type alone (one of :data:`ENGINE_KINDS`), or
    ``other`` for a type the checks cannot compare (lists, structs, binary, durations)."""
    import narwhals as nw

    if dtype.is_integer():
        return "integer"
    if dtype.is_float() or dtype.is_decimal():
        return "float"
    if dtype == nw.Boolean:
        return "boolean"
    if dtype == nw.Datetime or dtype == nw.Date:
        return "datetime"
    if dtype == nw.Categorical or dtype == nw.Enum:
        return "categorical"
    if dtype == nw.String:
        return "text"
    return "other"


def not_comparable(argument: str, name: str, dtype: Any) -> MlopsTypeError:
    """The error for a column of kind ``other`` that holds values (one that holds none is
    reported as entirely missing instead)."""
    return MlopsTypeError(
        f"{argument} column {name!r} is of type {dtype}, which the data checks cannot count "
        "or compare on an engine; cast it to text, numbers or dates in the query, or drop it"
    )


def as_text(column: str, kind: str) -> nw.Expr:
    """The column as pandas writes it as text (booleans ``True``/``False``, not ``true``)."""
    import narwhals as nw

    if kind == "boolean":
        false = nw.when(~nw.col(column)).then(nw.lit("False"))  # a null stays null
        return nw.when(nw.col(column)).then(nw.lit("True")).otherwise(false)
    return nw.col(column).cast(nw.String)


def missing(column: str, kind: str) -> nw.Expr:
    """True where the value is missing: null, or NaN in a float column (as pandas counts)."""
    import narwhals as nw

    expr = nw.col(column).is_null()
    return expr | nw.col(column).is_nan() if kind == "float" else expr


def as_number(column: str, kind: str) -> nw.Expr:
    """The column as float64 (booleans as 0/1), NaN as null so no comparison counts it."""
    import narwhals as nw

    value = nw.col(column).cast(nw.Float64)
    if kind == "float":
        value = nw.when(~nw.col(column).is_nan()).then(value)
    return value


#: An aggregate's key names its column by number: ``m3``, ``r3_1`` (``n``: no column).
_COLUMN_OF_KEY: Final = re.compile(r"^[a-z]+(\d+)(?:_\d+)?$")


def aggregate(lf: nw.LazyFrame[Any], exprs: Mapping[str, nw.Expr]) -> dict[str, Any]:
    """Scalar aggregations; counts come back as ``int``. One pass over ``lf`` per
    :data:`~pytest_mlops.engines._counts.COLUMNS_PER_QUERY` columns, the columns taken
    from the keys (``m3`` and ``r3_1`` are column 3's; a key without a number goes with
    the first): an engine decodes a query's columns together, so its memory grows with
    them (check_data on 1M x 25 through DuckDB held 1.1 GB in one query)."""
    import decimal

    from pytest_mlops.engines._counts import COLUMNS_PER_QUERY
    from pytest_mlops.engines._results import collect

    groups: dict[int, dict[str, nw.Expr]] = {}
    for key, expr in exprs.items():
        numbered = _COLUMN_OF_KEY.match(key)
        batch = int(numbered.group(1)) // COLUMNS_PER_QUERY if numbered else 0
        groups.setdefault(batch, {})[key] = expr
    found: dict[str, Any] = {}
    for batch in sorted(groups):
        found.update(collect(lf.select(**groups[batch])).rows(named=True)[0])
    return {k: int(v) if isinstance(v, decimal.Decimal) else v for k, v in found.items()}


def add_distinct(
    lf: nw.LazyFrame[Any],
    exprs: dict[str, nw.Expr],
    deferred: dict[str, nw.Expr],
    key: str,
    value: nw.Expr,
) -> None:
    """Count ``value``'s distinct values (a null counts as one) under ``key``: in the
    aggregation ``exprs``, or on polars, whose ``n_unique`` is not streamed (3.9 GB for
    five text columns at 50M rows), in ``deferred`` for
    :func:`~pytest_mlops.engines._counts.distinct_by_group`."""
    if lf.implementation.is_polars():
        deferred[key] = value
    else:
        exprs[key] = value.n_unique()


def counts(lf: nw.LazyFrame[Any], predicates: Mapping[str, nw.Expr]) -> dict[str, int]:
    """How many rows match each predicate, all in one pass (a null counts as no match)."""
    import narwhals as nw

    sums = {k: p.cast(nw.Int64).sum() for k, p in predicates.items()}
    return {k: int(v or 0) for k, v in aggregate(lf, sums).items()}


def linear_quantiles(
    source: Source, column: str, probs: Sequence[float], finite: int, below: int, present: int
) -> list[float]:
    """NumPy's default (linear) quantiles of a column's ``finite`` finite values, from the
    engine's order statistics: ``Source.quantiles`` is the inverted CDF over the ``present``
    non-missing values, so asking at ``(below + rank + 0.5) / present`` (``below`` of them
    are -inf) returns the finite value of that rank. Exact where the engine's quantiles are."""
    virtual, ranks = linear_ranks(finite, probs)
    order = source.quantiles(column, [(below + r + 0.5) / present for r in ranks])
    return interpolated(virtual, [float(v) for v in order])


def linear_ranks(finite: int, probs: Sequence[float]) -> tuple[list[float], list[int]]:
    """NumPy's virtual index for ``method="linear"`` at each of ``probs`` over ``finite``
    sorted values, and the 0-based ranks on either side of each (two per prob)."""
    import math

    virtual = [finite * q - q for q in probs]
    return virtual, [r for h in virtual for r in (math.floor(h), math.ceil(h))]


def interpolated(virtual: Sequence[float], order: Sequence[float]) -> list[float]:
    """Each quantile from the order statistics on either side of its virtual index,
    interpolated from the nearer end as NumPy's ``_lerp`` does."""
    import math

    found = []
    for i, h in enumerate(virtual):
        low, high, share = order[2 * i], order[2 * i + 1], h - math.floor(h)
        step = high - low
        found.append(high - step * (1 - share) if share >= 0.5 else low + step * share)
    return found


def _collected(lf: nw.LazyFrame[Any], column: str) -> pd.Series:
    """One small collected column as pandas (keeping nanosecond datetimes)."""
    return lf.collect().to_pandas()[column]


def _union(parts: list[nw.LazyFrame[Any]]) -> pd.DataFrame:
    """Small selections tagged by ``__part``, collected as their union: one query per
    :data:`~pytest_mlops.engines._counts.COLUMNS_PER_QUERY` parts (each part reads one
    column, and an engine decodes a query's columns together)."""
    import narwhals as nw
    import pandas as pd

    from pytest_mlops.engines._counts import batches

    pieces = [nw.concat(batch, how="vertical").collect().to_pandas() for batch in batches(parts)]
    return pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]


def _tagged(frame: nw.LazyFrame[Any], part: int) -> nw.LazyFrame[Any]:
    import narwhals as nw

    return frame.with_columns(nw.lit(part, nw.Int64).alias("__part"))


def extremes(
    lf: nw.LazyFrame[Any], values: Mapping[str, nw.Expr], sizes: Mapping[str, int]
) -> dict[str, tuple[pd.Series, pd.Series]]:
    """For each named expression, its ``sizes[name]`` lowest and highest non-null values
    (each ascending), all in one query (the expressions must share a type)."""
    import narwhals as nw

    parts = []
    for i, (name, value) in enumerate(values.items()):
        present = lf.select(value.alias("v")).filter(~nw.col("v").is_null())
        for side, largest in ((2 * i, False), (2 * i + 1, True)):
            if lf.implementation.is_polars():
                # polars sorts the whole column for sort-then-head (4.2 GB for 20 columns
                # at 50M rows); its top_k keeps k values. DuckDB plans a top-k for the
                # sort (narwhals' own DuckDB top_k reads the default connection only).
                chosen = present.top_k(sizes[name], by="v", reverse=not largest)
            else:
                chosen = present.sort("v", descending=largest).head(sizes[name])
            parts.append(_tagged(chosen, side))
    if not parts:
        return {}
    found = _union(parts)
    groups = dict(tuple(found.groupby("__part")["v"]))  # a union keeps no order: sort here
    empty = found["v"].iloc[:0]
    return {
        name: (
            groups.get(2 * i, empty).sort_values().reset_index(drop=True),
            groups.get(2 * i + 1, empty).sort_values().reset_index(drop=True),
        )
        for i, name in enumerate(values)
    }


def _distinct(frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """The distinct values of a one-column ``v`` frame, by a group-by: narwhals' unique()
    numbers every row in a window on DuckDB (2 GB and 3.8 s for one text column of 50M
    rows; the group-by 126 MB and 0.2 s)."""
    import narwhals as nw

    return frame.group_by("v").agg(nw.len().alias("__count")).select("v")


def distinct_texts(
    lf: nw.LazyFrame[Any], values: Mapping[str, nw.Expr], limits: Mapping[str, int]
) -> dict[str, list[str]]:
    """Up to ``limits[name]`` distinct non-null values of each named text expression, in
    one query. A limit is a buffer on some engines (Spark): pass the known distinct count."""
    import narwhals as nw

    parts = [
        _tagged(_distinct(lf.select(value.alias("v")).filter(~nw.col("v").is_null())).head(
            limits[name]), i)
        for i, (name, value) in enumerate(values.items())
    ]  # fmt: skip
    if not parts:
        return {}
    found = _union(parts)
    return {
        name: [str(v) for v in found.loc[found["__part"] == i, "v"]]
        for i, name in enumerate(values)
    }


def values_where(lf: nw.LazyFrame[Any], predicate: nw.Expr, column: str, limit: int) -> list[Any]:
    """Up to ``limit`` values of ``column`` in rows matching ``predicate``."""
    from pytest_mlops.checks._frames import plain_value

    found = _collected(lf.filter(predicate).select(column).head(limit), column)
    return [plain_value(v) for v in found]


def distinct_where(
    lf: nw.LazyFrame[Any], predicate: nw.Expr, value: nw.Expr, limit: int
) -> list[Any]:
    """Up to ``limit`` of the smallest distinct ``value`` in rows matching ``predicate``."""
    chosen = _distinct(lf.filter(predicate).select(value.alias("v"))).sort("v").head(limit)
    return list(_collected(chosen, "v"))


def repeated_values(lf: nw.LazyFrame[Any], column: str, kind: str, limit: int) -> list[Any]:
    """Up to ``limit`` of the smallest non-missing values that occur more than once."""
    import narwhals as nw

    from pytest_mlops.checks._frames import plain_value

    repeated = (
        lf.filter(~missing(column, kind))
        .group_by(column)
        .agg(nw.len().alias("__count"))
        .filter(nw.col("__count") > 1)
        .sort(column)
        .head(limit)
    )
    return [plain_value(v) for v in _collected(repeated, column)]


def top_values(
    lf: nw.LazyFrame[Any], column: str, kind: str, limit: int, *, rarest: bool = False
) -> list[tuple[Any, int]]:
    """The ``limit`` most (or least) frequent non-missing values of ``column`` with their
    counts, ties broken by value."""
    import narwhals as nw

    from pytest_mlops.engines._results import collect

    grouped = collect(
        lf.filter(~missing(column, kind))
        .group_by(column)
        .agg(nw.len().alias("__count"))
        .sort(["__count", column], descending=[not rarest, False])
        .head(limit)
    ).to_pandas()
    return [(v, int(c)) for v, c in zip(grouped[column], grouped["__count"], strict=True)]
