"""Backend-specific paths, each used where narwhals has no expression for the operation.

- epoch nanoseconds of a datetime column: narwhals' ``dt.timestamp`` is missing on DuckDB
  and PySpark (2.29), so those two convert natively (``epoch_ns``, ``unix_micros``);
- quantiles: narwhals offers no exact order statistic on DuckDB, none at all on a
  multi-partition Dask frame, and no error bound on PySpark; each engine gets its own;
- samples: narwhals has no lazy ``sample``;
- counts on a grid on DuckDB: its ``histogram(x, boundaries)`` bins by binary search,
  where ``sum(x >= e)`` per edge costs one comparison per edge and row.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import narwhals as nw
    import numpy as np
    import pandas as pd

#: Spark's ``approxQuantile`` relative error: the rank of each returned value is within
#: ``SPARK_RELATIVE_ERROR * n`` of the exact one (Spark's documented Greenwald-Khanna bound).
SPARK_RELATIVE_ERROR: Final = 1e-3
#: Order statistics kept per Dask partition for quantiles: the merged result is within
#: ``n / DASK_POINTS_PER_PARTITION`` ranks, plus one per partition, of the exact one.
DASK_POINTS_PER_PARTITION: Final = 1000
_NS_PER_DAY: Final = 86_400 * 10**9


def quote(identifier: str) -> str:
    """A SQL identifier for DuckDB, whatever characters the column name holds."""
    return '"' + identifier.replace('"', '""') + '"'


def thinned(
    backend: str, values: nw.LazyFrame[Any], columns: list[str], every: int, rows: int
) -> Iterator[tuple[str, np.ndarray]] | None:
    """About one row in ``every`` of the ``rows`` rows of ``columns``, each column's as a
    NumPy array (nulls and NaN left out), chosen without reading the rows into memory, or
    None where the engine has no cheap, repeatable way, or the sample came out under half
    its expected size: DuckDB samples whole vectors of rows with a fixed seed (``USING
    SAMPLE (system)``, coarse on small tables), polars keeps every ``every``-th row in its
    streaming engine. The columns come one at a time, each released from the fetched
    sample as it is handed out, so only one column is ever held twice."""
    fetched: dict[str, Any]
    if backend == "duckdb":
        projection = ", ".join(quote(c) for c in columns)
        percent = 100.0 / every
        sql = f"SELECT {projection} FROM mlops_rows USING SAMPLE {percent!r}% (system, 1)"
        fetched = values.to_native().query("mlops_rows", sql).fetchnumpy()
        drawn = len(fetched[columns[0]])
    elif backend == "polars":
        import polars as pl

        frame = (
            values.to_native()
            .select(columns)
            .with_row_index("__mlops_row")
            .filter(pl.col("__mlops_row") % every == 0)
            .drop("__mlops_row")
            .collect(engine="streaming")
        )
        drawn = frame.height
        fetched = {c: frame.drop_in_place(c) for c in columns}  # Series; frees the frame
    else:
        return None
    if drawn < rows / every / 2:
        return None
    return _released(fetched, columns)


def _released(fetched: dict[str, Any], columns: list[str]) -> Iterator[tuple[str, np.ndarray]]:
    """Each column of a fetched sample, nulls and NaN left out, popped as it goes."""
    import numpy as np

    for column in columns:
        raw = fetched.pop(column)
        if hasattr(raw, "drop_nulls"):  # a polars Series
            array = raw.drop_nulls().to_numpy()
        else:
            array = np.ma.compressed(raw) if np.ma.isMaskedArray(raw) else np.asarray(raw)
        del raw
        yield column, array[~np.isnan(array)] if array.dtype.kind == "f" else array


def duckdb_at_least(
    relation: Any, columns: dict[str, tuple[list[float | int], bool, bool]]
) -> dict[str, tuple[int, dict[float | int, int]]]:
    """Valid values and ``count(x >= t)`` per threshold of each column, in one query.

    ``columns`` maps a column to its sorted distinct finite thresholds, whether it is
    integral and whether NaN must be left out. DuckDB's ``histogram(x, boundaries)``
    counts ``x <= b`` bins by binary search (one pass, not one comparison per edge); with
    ``b`` the value just below ``t`` (``t - 1`` for integers, the next float down
    otherwise) its running sum is ``count(x < t)``.
    """
    aggregates: list[str] = []
    for column, (thresholds, integral, nan) in columns.items():
        name = quote(column)
        keep = f" FILTER (WHERE NOT isnan({name}))" if nan else ""
        aggregates.append(f"count({name}){keep}")
        if thresholds:
            under = [t - 1 if integral else math.nextafter(float(t), -math.inf) for t in thresholds]
            listed = ", ".join(str(int(b)) if integral else repr(float(b)) for b in under)
            cast = "" if integral else "::DOUBLE[]"
            aggregates.append(f"histogram({name}, [{listed}]{cast}){keep}")
        else:
            aggregates.append("NULL")
    if not aggregates:
        return {}
    (row,) = relation.aggregate(", ".join(aggregates)).fetchall()
    found: dict[str, tuple[int, dict[float | int, int]]] = {}
    for i, (column, (thresholds, _integral, _nan)) in enumerate(columns.items()):
        valid = int(row[2 * i])
        bins = row[2 * i + 1] or {}
        counts = [int(v) for v in bins.values()]
        if thresholds and bins and len(counts) < len(thresholds):
            raise RuntimeError(f"DuckDB's histogram of {column!r} returned {len(counts)} bins")
        below = 0
        at: dict[float | int, int] = {}
        for j, threshold in enumerate(thresholds):
            below += counts[j] if bins else 0
            at[threshold] = valid - below
        found[column] = (valid, at)
    return found


def dask_at_least(
    frame: Any, columns: dict[str, tuple[list[float | int], bool, bool]]
) -> dict[str, tuple[int, dict[float | int, int]]]:
    """:func:`duckdb_at_least` on a Dask DataFrame: each partition sorts its valid values
    once and counts ``x >= t`` for every threshold by binary search; the partitions'
    counts are summed. One task per partition, where one aggregate per threshold built a
    graph of thousands of tasks (35 s for 20,000 rows on a LocalCluster)."""
    import numpy as np
    import pandas as pd

    names = [f"valid{i}" for i in range(len(columns))] + [
        f"ge{i}_{j}" for i, (ts, _, _) in enumerate(columns.values()) for j in range(len(ts))
    ]
    if not columns:
        return {}

    def counts(part: pd.DataFrame) -> pd.DataFrame:
        row: dict[str, int] = {}
        for i, (column, (thresholds, integral, _nan)) in enumerate(columns.items()):
            valid = part[column].dropna()  # pandas: NaN is missing too
            values = np.sort(valid.to_numpy(dtype="int64" if integral else "float64"))
            row[f"valid{i}"] = len(values)
            cuts = np.asarray(thresholds, dtype="int64" if integral else "float64")
            below = np.searchsorted(values, cuts, side="left")
            row.update({f"ge{i}_{j}": len(values) - int(b) for j, b in enumerate(below)})
        return pd.DataFrame([row], columns=names, dtype="int64")

    meta = pd.DataFrame({name: pd.Series(dtype="int64") for name in names})
    row = frame.map_partitions(counts, meta=meta).sum().compute()  # a Series by name
    return {
        column: (
            int(row[f"valid{i}"]),
            {t: int(row[f"ge{i}_{j}"]) for j, t in enumerate(thresholds)},
        )
        for i, (column, (thresholds, _, _)) in enumerate(columns.items())
    }


def distinct_row_hashes(backend: str, frame: nw.LazyFrame[Any], passes: int) -> int:
    """How many distinct 64-bit hashes of whole rows ``frame`` holds, counted in
    ``passes`` passes (pass ``p`` keeps the hashes equal to ``p`` modulo ``passes``)."""
    total = 0
    if backend == "duckdb":
        relation = frame.to_native()
        hashed = f"hash({', '.join(quote(c) for c in relation.columns)})"
        for part in range(passes):
            # a group-by, counted: 810 MB where count(DISTINCT h) held 963 MB (4 of the
            # 50M-row benchmark's columns, 10M hashes a pass), and 12% faster
            sql = (
                f"SELECT count(*) FROM (SELECT h FROM (SELECT {hashed} AS h FROM mlops_rows) "
                f"WHERE h % {passes} = {part} GROUP BY h)"
            )
            (row,) = relation.query("mlops_rows", sql).fetchall()
            total += int(row[0])
        return total
    import polars as pl

    hashes = frame.to_native().select(pl.struct(pl.all()).hash(seed=0).alias("h"))
    for part in range(passes):
        kept = hashes.filter(pl.col("h") % passes == part) if passes > 1 else hashes
        total += int(kept.select(pl.col("h").n_unique()).collect(engine="streaming").item())
    return total


def with_epoch_ns(backend: str, frame: nw.LazyFrame[Any], columns: list[str]) -> Any:
    """``frame`` with each datetime column in ``columns`` replaced by int64 nanoseconds
    since the epoch (UTC for time-zone-aware columns, the wall clock for naive ones)."""
    import narwhals as nw

    if backend == "duckdb":
        relation = frame.to_native()
        wanted = set(columns)
        projection = ", ".join(
            f"epoch_ns({quote(c)}) AS {quote(c)}" if c in wanted else quote(c)
            for c in relation.columns
        )
        return nw.from_native(relation.project(projection))
    if backend == "pyspark":
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        df = frame.to_native()
        types = {field.name: field.dataType for field in df.schema.fields}
        converted: dict[str, Any] = {}
        for column in columns:
            kind = types[column]
            if isinstance(kind, T.DateType):
                converted[column] = F.unix_date(F.col(column)).cast("long") * _NS_PER_DAY
            elif isinstance(kind, T.TimestampNTZType):
                epoch = F.lit(dt.datetime(1970, 1, 1)).cast("timestamp_ntz")
                converted[column] = F.timestamp_diff("MICROSECOND", epoch, F.col(column)) * 1000
            else:
                converted[column] = F.unix_micros(F.col(column)) * 1000
        return nw.from_native(df.withColumns(converted))
    return frame.with_columns(nw.col(c).dt.timestamp("ns") for c in columns)


def quantiles(
    backend: str, values: nw.LazyFrame[Any], column: str, probs: Sequence[float], floating: bool
) -> list[float]:
    """Quantiles of the non-null, non-NaN values of ``column`` of the numeric frame
    ``values``: exact (NumPy's ``method="inverted_cdf"``) on DuckDB and polars."""
    import narwhals as nw

    if backend == "duckdb":
        relation = values.to_native()
        name = quote(column)
        condition = f"{name} IS NOT NULL" + (f" AND NOT isnan({name})" if floating else "")
        listed = ", ".join(repr(float(p)) for p in probs)
        (row,) = (
            relation.filter(condition).aggregate(f"quantile_disc({name}, [{listed}])").fetchall()
        )
        # no value left: DuckDB returns NULL for the whole list
        return [_plain(v) for v in (row[0] if row[0] is not None else [None] * len(probs))]
    if backend == "polars":
        import polars as pl

        # order statistics by position, not quantile(interpolation="equiprobable"), which
        # returns float64 and so rounds int64 values (datetimes in nanoseconds)
        expression = pl.col(column).drop_nulls()
        if floating:
            expression = expression.filter(expression.is_not_nan())
        frame = values.to_native()
        n = int(frame.select(expression.len()).collect().item())
        if n == 0:
            return [math.nan for _ in probs]
        positions = [min(n, max(1, math.ceil(p * n))) - 1 for p in probs]
        picked = frame.select(expression.sort().gather(positions)).collect().to_series()
        return [_plain(v) for v in picked.to_list()]
    if backend == "pyspark":
        from pyspark.sql import functions as F

        df = values.to_native()
        keep = F.col(column).isNotNull()
        if floating:
            keep = keep & ~F.isnan(F.col(column))
        found = df.filter(keep).approxQuantile(column, list(probs), SPARK_RELATIVE_ERROR)
        return [_plain(v) for v in found]
    if backend == "dask":
        return _dask_quantiles(values.to_native()[column], probs)
    clean = nw.col(column)
    if floating:
        clean = nw.when(~clean.is_nan()).then(clean)
    row = values.select(
        clean.quantile(float(p), interpolation="nearest").alias(f"q{i}")
        for i, p in enumerate(probs)
    ).collect()
    return [_plain(v) for v in row.row(0)]


def _dask_quantiles(series: Any, probs: Sequence[float]) -> list[float]:
    """Merge each partition's order statistics at ranks ``ceil(j * n_p / G)``: every kept
    value stands for the values ranked between it and the one before, so the merged
    cumulative weight never overstates a rank, and understates it by at most one
    bucket (``ceil(n_p / G)``) per partition."""
    import numpy as np
    import pandas as pd

    meta = pd.DataFrame(
        {"value": pd.Series(dtype=series.dtype), "weight": pd.Series(dtype="int64")}
    )
    sketch = series.map_partitions(
        _partition_sketch, DASK_POINTS_PER_PARTITION, meta=meta
    ).compute()
    if sketch.empty:
        return [math.nan for _ in probs]
    sketch = sketch.sort_values("value", kind="mergesort")
    cumulative = sketch["weight"].to_numpy().cumsum()
    total = int(cumulative[-1])
    found = sketch["value"].to_numpy()
    positions = [
        int(np.searchsorted(cumulative, max(1, math.ceil(p * total)), side="left")) for p in probs
    ]
    return [_plain(found[min(i, len(found) - 1)]) for i in positions]


def _partition_sketch(part: pd.Series, points: int) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    values = part.dropna()
    if values.dtype.kind == "f":
        values = values[~np.isnan(values.to_numpy())]
    ordered = np.sort(values.to_numpy())
    n = len(ordered)
    if n == 0:
        return pd.DataFrame({"value": part.iloc[:0], "weight": np.zeros(0, dtype="int64")})
    # the smallest value too, so that p = 0 gives the exact minimum
    steps = np.ceil(np.arange(1, points + 1) * (n / points)).astype("int64")
    ranks = np.unique(np.clip(np.concatenate([[1], steps, [n]]), 1, n))
    weights = np.diff(np.concatenate([[0], ranks]))
    return pd.DataFrame({"value": ordered[ranks - 1], "weight": weights.astype("int64")})


def sample(backend: str, frame: nw.LazyFrame[Any], n: int, seed: int, rows: int) -> pd.DataFrame:
    """At most ``n`` rows drawn at random (repeatably for one ``seed``) from ``rows`` rows."""
    import narwhals as nw

    native = frame.to_native()
    fraction = min(1.0, 2.0 * n / max(rows, 1))
    if backend == "duckdb":
        picked: Any = native.sample(n=n, seed=seed)
    elif backend == "polars":
        import polars as pl

        # top-k by a seeded hash of the row number streams in O(n) memory
        picked = (
            native.with_row_index("__mlops_row")
            .top_k(n, by=pl.col("__mlops_row").hash(seed))
            .sort("__mlops_row")
            .drop("__mlops_row")
        )
    elif backend == "pyspark":
        picked = native.sample(fraction=fraction, seed=seed).limit(n)
    elif backend == "dask":
        drawn = native.sample(frac=fraction, random_state=seed).head(n, npartitions=-1)
        return drawn.reset_index(drop=True)
    else:
        picked = frame.head(n)
    # through Arrow for PySpark: its own pandas conversion warns on pandas 3
    collected = (
        nw.from_native(picked).lazy().collect("pyarrow" if backend == "pyspark" else "pandas")
    )
    native_result = collected.to_native()
    result: pd.DataFrame = native_result.to_pandas() if backend == "pyspark" else native_result
    return result.head(n).reset_index(drop=True)


def _plain(value: Any) -> Any:
    """A Python number from an engine's scalar (NumPy, Decimal, None)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (bool, int)):
        return int(value)
    return float(value)
