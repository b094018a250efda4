"""A lazy table on an engine, and the aggregations the checks need from it.

Every method builds narwhals expressions (or, where narwhals lacks one, the engine's own;
see :mod:`pytest_mlops.engines._native`) and collects only their result: memory is bounded
by the result (one row, a few bins, the top categories), never by the data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.engines import _cells, _counts, _native
from pytest_mlops.engines._results import ColumnSummary, _integer, _number, _one_row
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import narwhals as nw
    import numpy as np
    import pandas as pd

#: Column kinds read from the engine's schema.
KINDS: Final = ("numeric", "boolean", "datetime", "categorical", "other")
#: Kinds with an order: min/max/mean/std, quantiles and cdf counts apply to them.
ORDERED_KINDS: Final = frozenset({"numeric", "boolean", "datetime"})
#: Above this many rows a profile's grid is placed on a sample of about as many rows (see
#: :meth:`Source.grid_quantiles`), on a lattice of cells where it can be
#: (:mod:`pytest_mlops.checks._drift_lattice`): the sample then sets only the lattice's
#: range and center, and the edges come from the exact counts of its cells; a column the
#: lattice cannot cut gets sampled percentiles, off by about 0.001 in rank (the standard
#: deviation at 200,000 rows), small beside the 0.01 between grid levels. At 1M rows x 25
#: drift took 6.3 s on DuckDB with exact quantiles, 2.8 s on the lattice.
GRID_SAMPLE_ROWS: Final = 200_000
#: A column with fewer values than this in the sample (mostly null) has its quantiles
#: computed exactly instead: its values are few, and a sampled percentile of n values is
#: off by about 0.5 / sqrt(n) in rank (0.005 here).
MIN_SAMPLED_VALUES: Final = 10_000
#: Row hashes held at once when counting duplicate rows (40 MB of them; DuckDB's table of
#: them peaked at 726 MB, 7.6-8.3 s for 4 columns at 50M rows, where 10M hashes a pass
#: peaked at 0.9-1.2 GB in 6.2 s).
HASHES_PER_PASS: Final = 5_000_000
#: Columns whose distinct rows are counted first when counting duplicate rows: if no two
#: rows agree on them, no two rows are equal. At 50M rows x 25 without duplicates, 10M
#: hashes a pass, this took 6.1 s and 952 MB on DuckDB (5.3 s, 695 MB on polars), where
#: whole rows took 19.0 s and 1,540 MB.
PREFIX_COLUMNS: Final = 4
MSG_EMPTY: Final = "{name} is empty (0 rows): there is nothing to validate"


class Source:
    """A table on an engine (DuckDB, polars, Dask, PySpark, Ibis), read by aggregations.

    Use :func:`open_source` to make one. ``name`` is the argument the table came in
    (every error names it); ``backend`` the engine; ``columns`` the column names.
    ``exact_quantiles`` says whether :meth:`quantiles` is exact; when it is not, each
    returned value's rank is within ``quantile_rank_error * n + quantile_rank_slack`` of
    the exact one (``n`` non-null, non-NaN values).
    """

    def __init__(self, name: str, backend: str, frame: nw.LazyFrame[Any], owner: Any = None):
        import narwhals as nw

        self.name = name
        self.backend = backend
        self._frame = frame
        self._owner = owner  # the DuckDB connection a path was opened on lives as long as this
        schema = frame.collect_schema()
        self.columns: list[str] = list(schema.names())
        self._kinds = {column: _kind(dtype) for column, dtype in schema.items()}
        # floats and decimals compare as float64; only floats can hold NaN, and not on
        # every engine
        self._floats = {c for c, d in schema.items() if d.is_float() or d == nw.Decimal}
        self._nan_capable = {c for c, d in schema.items() if d.is_float()} - _nan_as_null_columns(
            backend, frame
        )
        self._values_frame: nw.LazyFrame[Any] | None = None
        self._rows: int | None = None
        # NaN-capable columns a summary found without NaN: no NaN-to-null step for them
        self._nan_free: set[str] = set()
        self.exact_quantiles: bool = backend in ("duckdb", "polars")
        self.quantile_rank_error: float | None = {
            "duckdb": 0.0,
            "polars": 0.0,
            "pyspark": _native.SPARK_RELATIVE_ERROR,
            "dask": 1.0 / _native.DASK_POINTS_PER_PARTITION,
        }.get(backend)
        self.quantile_rank_slack: int = (
            int(frame.to_native().npartitions) if backend == "dask" else 0
        )

    def __repr__(self) -> str:
        return f"Source({self.name!r}, backend={self.backend!r}, columns={len(self.columns)})"

    def kinds(self) -> dict[str, str]:
        """The kind of each column, from the engine's schema (no data is read): numeric,
        boolean, datetime, categorical (text, enum, categorical) or other."""
        return dict(self._kinds)

    def count(self) -> int:
        """The number of rows; an empty table raises :class:`MlopsInputError`."""
        if self._rows is None:
            import narwhals as nw

            self._rows = self._settle_rows(_one_row(self._frame.select(nw.len().alias("n")))["n"])
        return self._rows

    def summary(
        self, columns: Iterable[str], *, distinct: bool = True, moments: bool = True
    ) -> dict[str, ColumnSummary]:
        """Rows, nulls, NaN, distinct values (``n_distinct`` is None with ``distinct=False``:
        counting them is the costly part, a hash of every value) and, for ordered kinds,
        min/max/mean/std of each column (mean and std None with ``moments=False``: they
        cost as much as the rest, and the current side of a drift comparison needs only
        counts and the range), in one aggregation pass over the table per
        :data:`~pytest_mlops.engines._counts.COLUMNS_PER_QUERY` columns."""
        chosen = self._known(columns, "columns")
        found: dict[str, ColumnSummary] = {}
        for batch in _counts.batches(chosen) or [[]]:
            found.update(self._summary_of(batch, distinct, moments))
        return found

    def _summary_of(
        self, chosen: list[str], distinct: bool, moments: bool
    ) -> dict[str, ColumnSummary]:
        """:meth:`summary` of a few columns, in one query."""
        import narwhals as nw

        expressions = [nw.len().alias("n")]
        for i, column in enumerate(chosen):
            kind = self._kinds[column]
            original = nw.col(column)
            expressions.append(original.null_count().alias(f"nulls{i}"))
            if self._holds_nan(column):
                expressions.append(original.is_nan().cast(nw.Int64).sum().alias(f"nan{i}"))
            clean = self._clean(column)
            if distinct and kind != "other":
                expressions.append(clean.n_unique().alias(f"distinct{i}"))
            if kind in ORDERED_KINDS:
                expressions += [clean.min().alias(f"min{i}"), clean.max().alias(f"max{i}")]
            if kind in ORDERED_KINDS and moments:
                number = clean.cast(nw.Float64)
                expressions += [
                    number.mean().alias(f"mean{i}"),
                    number.std(ddof=0).alias(f"std{i}"),
                ]
        row = _one_row(self._values().select(*expressions))
        rows = self._settle_rows(row["n"])
        found: dict[str, ColumnSummary] = {}
        for i, column in enumerate(chosen):
            nulls = _integer(row[f"nulls{i}"])
            nan = _integer(row.get(f"nan{i}"))
            if nan == 0 and self._holds_nan(column):
                self._nan_free.add(column)
            distinct_values = row.get(f"distinct{i}")
            found[column] = ColumnSummary(
                name=column,
                kind=self._kinds[column],
                n=rows,
                nulls=nulls,
                nan=nan,
                # the engines count null (and NaN, turned into null) as one more value
                n_distinct=None
                if distinct_values is None
                else _integer(distinct_values) - (1 if nulls + nan else 0),
                min=_number(row.get(f"min{i}")),
                max=_number(row.get(f"max{i}")),
                mean=_number(row.get(f"mean{i}")),
                std=_number(row.get(f"std{i}")),
            )
        return found

    def quantiles(self, column: str, probs: Sequence[float]) -> list[float]:
        """Quantiles of the non-null, non-NaN values of ``column`` at each of ``probs``.

        Exact where :attr:`exact_quantiles` (NumPy's ``method="inverted_cdf"``: the
        smallest value with at least ``p * n`` values at or below it); otherwise within
        the documented rank error. Datetimes come back as int nanoseconds since the epoch;
        a column with no value gives NaN.
        """
        (chosen,) = self._known([column], "column")
        self._require_ordered(chosen, "quantiles")
        wanted = [float(p) for p in probs]
        if not wanted:
            return []
        if any(not 0.0 <= p <= 1.0 for p in wanted):
            raise MlopsInputError(f"probs must lie in [0, 1]; got {list(probs)!r}")
        found = _native.quantiles(
            self.backend, self._values(), chosen, wanted, chosen in self._floats
        )
        return [math.nan if v is None else v for v in found]

    def grid_quantiles(
        self, columns: Sequence[str], probs: Sequence[float], max_rows: int | None = None
    ) -> tuple[dict[str, list[float]], int]:
        """Quantiles at ``probs`` of each column, to place a profile's grid on: exact
        (:meth:`quantiles`) up to ``max_rows`` rows; above that, on DuckDB and polars, the
        order statistics of a repeatable sample of about ``max_rows`` rows (one read of
        the columns instead of one sort of every value per column; a column with fewer
        than :data:`MIN_SAMPLED_VALUES` values in the sample is placed exactly). Returns
        the quantiles and the thinning step (1 where exact). Counts on the grid stay exact
        either way: only where the edges fall is sampled."""

        limit = GRID_SAMPLE_ROWS if max_rows is None else max_rows
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise MlopsInputError(f"max_rows must be a positive int; got {max_rows!r}")
        rows = self.count()
        every = max(1, -(-rows // limit))
        if every > 1 and columns:
            for column in columns:
                self._require_ordered(column, "grid_quantiles")
            found: dict[str, list[float]] = {}
            for batch in _counts.batches(columns):
                arrays = _native.thinned(self.backend, self._values(), batch, every, rows)
                if arrays is None:  # no cheap sample here: exact quantiles instead
                    break
                for column, values in arrays:
                    if len(values) >= MIN_SAMPLED_VALUES:
                        found[column] = _order_statistics(values, probs)
                    else:  # a sparse column: its few values are placed exactly
                        found[column] = self.quantiles(column, probs)
            else:
                return found, every
        return {c: self.quantiles(c, probs) for c in columns}, 1

    def cdf_counts(self, edges: Mapping[str, Sequence[float]]) -> dict[str, np.ndarray]:
        """For each column, how many non-null, non-NaN values fall in each of the bins
        ``(-inf, e0), [e0, e1), ..., [ek, inf)`` (``len(edges) + 1`` counts, as NumPy's
        ``searchsorted(edges, x, side="right")`` bins them), all columns in one aggregation
        (DuckDB's binned ``histogram``; elsewhere ``sum(x >= e)`` per edge, then
        differences). Exact: integer and datetime columns
        compare against ``ceil(e)``, never a rounded float."""
        return _counts.cdf_counts(self, edges)

    def cell_counts(
        self, lattices: Mapping[str, _cells.Lattice], centers: Mapping[str, float] | None = None
    ) -> dict[str, _cells.CellCounts]:
        """Each column counted on its :class:`~pytest_mlops.engines._cells.Lattice`, with its
        nulls, NaN, each cell's smallest and largest value and, for a column given a
        center, the sums that give its mean and standard deviation: one group-by per column,
        cheaper than :meth:`cdf_counts` on arbitrary edges, and exact for edges on the
        lattice's cell boundaries."""
        return _cells.cell_counts(self, lattices, centers)

    def category_counts(
        self, columns: Iterable[str], limit: int
    ) -> dict[str, tuple[dict[str, int], int]]:
        """For each column: its ``limit`` most frequent values (as text) with their counts,
        ties broken by the value in ascending order (by text for text columns), and the
        number of distinct values. Null and NaN are left out."""
        return _counts.category_counts(self, columns, limit)

    def duplicate_rows(self) -> int:
        """Rows minus distinct rows (NaN equals NaN, null equals null), on the engine.

        On DuckDB and polars rows are told apart by a 64-bit hash of all their values,
        counted in passes of about :data:`HASHES_PER_PASS` rows' hashes, so memory is
        bounded by that, not by the table (a distinct of whole rows held 3.5 GB at 10M x 25
        on DuckDB). Two different rows share a hash with probability about n² / 2^65 (3e-6
        at 10M rows, 7e-5 at 50M), which would count one duplicate too many. A few columns
        (:meth:`_likely_unique`) are counted first: where no two rows agree on them there
        is no duplicate row, and the whole rows are never read."""
        import narwhals as nw

        rows = self.count()
        if self.backend in ("duckdb", "polars"):
            passes = max(1, -(-rows // HASHES_PER_PASS))
            prefix = self._likely_unique()
            if prefix:  # rows that differ here differ: no duplicate prefix, no duplicate row
                part = self._frame.select(*prefix)
                if _native.distinct_row_hashes(self.backend, part, passes) == rows:
                    return 0
            return rows - _native.distinct_row_hashes(self.backend, self._frame, passes)
        distinct = _integer(_one_row(self._frame.unique().select(nw.len().alias("n")))["n"])
        return rows - distinct

    def with_epoch_seconds(self, columns: Sequence[str]) -> Source:
        """This table with each datetime column in ``columns`` as float seconds since the
        epoch (UTC for time-zone-aware columns, the wall clock for naive ones): the int64
        nanoseconds as a double, divided by 10⁹, as the in-memory drift check computes
        them, so both give a value the same number to the last bit."""
        import narwhals as nw

        for column in self._known(columns, "columns"):
            if self._kinds[column] != "datetime":
                raise MlopsTypeError(f"{self.name} column {column!r} is not a datetime")
        frame = _native.with_epoch_ns(self.backend, self._frame, list(columns))
        seconds = [(nw.col(c).cast(nw.Float64) / 1e9).alias(c) for c in columns]
        return Source(self.name, self.backend, frame.with_columns(*seconds), self._owner)

    def _likely_unique(self) -> list[str]:
        """Up to :data:`PREFIX_COLUMNS` columns, floats first (the likeliest to tell rows
        apart), whose distinct rows are counted before the whole rows' (none for a table
        of so few columns)."""
        if len(self.columns) <= PREFIX_COLUMNS:
            return []
        floats = [c for c in self.columns if c in self._floats]
        others = [c for c in self.columns if c not in self._floats]
        return (floats + others)[:PREFIX_COLUMNS]

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        """At most ``n`` rows drawn at random (repeatably for one ``seed`` on one engine
        layout), as a pandas DataFrame: for showing examples, never for statistics."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise MlopsInputError(f"n must be a non-negative int; got {n!r}")
        if n == 0:
            return _native.sample("", self._frame, 0, seed, 1)
        return _native.sample(self.backend, self._frame, n, seed, self.count())

    def _known(self, columns: Iterable[str], argument: str) -> list[str]:
        if isinstance(columns, str):
            columns = [columns]
        chosen = list(columns)
        unknown = [c for c in chosen if c not in self._kinds]
        if unknown:
            raise MlopsInputError(
                f"{self.name} has no column {unknown[0]!r} (asked for in {argument}); "
                f"its columns are {self.columns[:20]!r}"
                + (f" and {len(self.columns) - 20} more" if len(self.columns) > 20 else "")
            )
        return list(dict.fromkeys(chosen))

    def _require_ordered(self, column: str, method: str) -> None:
        if self._kinds[column] not in ORDERED_KINDS:
            raise MlopsTypeError(
                f"{self.name} column {column!r} is {self._kinds[column]}; {method} needs a "
                "numeric, boolean or datetime column"
            )

    def _holds_nan(self, column: str) -> bool:
        return column in self._nan_capable

    def _may_hold_nan(self, column: str) -> bool:
        """NaN-capable and not known (from a summary) to hold none."""
        return column in self._nan_capable and column not in self._nan_free

    def _clean(self, column: str) -> nw.Expr:
        """The column with NaN turned into null."""
        import narwhals as nw

        expression = nw.col(column)
        if self._may_hold_nan(column):
            return nw.when(~expression.is_nan()).then(expression)
        return expression

    def _values(self) -> nw.LazyFrame[Any]:
        """The table with datetimes as int64 epoch nanoseconds, booleans as 0/1 and
        floats and decimals as float64, so every ordered column compares as a number."""
        if self._values_frame is None:
            import narwhals as nw

            datetimes = [c for c, k in self._kinds.items() if k == "datetime"]
            frame = self._frame
            if datetimes:
                frame = _native.with_epoch_ns(self.backend, frame, datetimes)
            casts = [nw.col(c).cast(nw.Int64) for c, k in self._kinds.items() if k == "boolean"]
            casts += [nw.col(c).cast(nw.Float64) for c in self._floats]
            self._values_frame = frame.with_columns(*casts) if casts else frame
        return self._values_frame

    def _settle_rows(self, value: Any) -> int:
        rows = _integer(value)
        if rows == 0:
            raise MlopsInputError(MSG_EMPTY.format(name=self.name))
        self._rows = rows
        return rows


def _order_statistics(values: np.ndarray, probs: Sequence[float]) -> list[float]:
    """The smallest value with at least ``p * n`` values at or below it, for each ``p``
    (NaN for no value)."""
    import numpy as np

    ordered = np.sort(values)
    n = len(ordered)
    if n == 0:
        return [math.nan for _ in probs]
    return [ordered[min(n, max(1, math.ceil(float(p) * n))) - 1].item() for p in probs]


def _kind(dtype: Any) -> str:
    import narwhals as nw

    if dtype == nw.Boolean:
        return "boolean"
    if dtype.is_numeric():
        return "numeric"
    if dtype == nw.Datetime or dtype == nw.Date:
        return "datetime"
    if dtype == nw.String or dtype == nw.Categorical or dtype == nw.Enum:
        return "categorical"
    return "other"


def _nan_as_null_columns(backend: str, frame: nw.LazyFrame[Any]) -> set[str]:
    """Float columns whose engine cannot hold NaN apart from null: Dask on NumPy float
    dtypes (pandas marks a missing float as NaN). Both count as nulls there."""
    if backend != "dask":
        return set()
    dtypes = frame.to_native().dtypes
    return {str(c) for c, dtype in dtypes.items() if getattr(dtype, "kind", "") == "f"}
