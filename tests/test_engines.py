"""The engine data layer: the same table through DuckDB, Parquet paths, polars, Dask and
PySpark gives what an independent NumPy/pandas computation gives."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute
import pyarrow.parquet as pq
import pytest

from pytest_mlops.engines import ColumnSummary, Source, is_engine_source, open_source
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

ROWS = 5000
COPIES = 37  # rows repeated at the end, so duplicate_rows has something to find
PROBS = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]
ORDERED = ["f", "i", "b", "t", "tz"]
KINDS = {
    "f": "numeric",
    "i": "numeric",
    "b": "boolean",
    "t": "datetime",
    "tz": "datetime",
    "low": "categorical",
    "high": "categorical",
}


def make_table() -> pa.Table:
    """Floats with NaN and nulls, ints, booleans, naive and UTC datetimes (microseconds,
    which Spark can read), low- and high-cardinality text; the last rows repeat others."""
    rng = np.random.default_rng(12)
    n = ROWS - COPIES
    floats = rng.normal(10, 3, n)
    floats[rng.choice(n, 200, replace=False)] = np.nan
    float_nulls = np.zeros(n, dtype=bool)
    float_nulls[rng.choice(n, 300, replace=False)] = True
    start = pd.Timestamp("2024-01-01").value // 1000
    micros = start + rng.integers(0, 86_400 * 365, n) * 10**6 + rng.integers(0, 10**6, n)
    table = pa.table(
        {
            "f": pa.array(floats, mask=float_nulls),
            "i": pa.array(rng.integers(-50, 50, n)),
            "b": pa.array(rng.random(n) < 0.3),
            "t": pa.array(micros, type=pa.timestamp("us")),
            "tz": pa.array(micros[::-1].copy(), type=pa.timestamp("us", tz="UTC")),
            "low": pa.array(rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1])),
            "high": pa.array([f"id{v}" for v in rng.integers(0, 3000, n)]),
        }
    )
    repeated = rng.choice(n, COPIES, replace=False)
    return pa.concat_tables([table, table.take(repeated)])


TABLE = make_table()


def valid_values(column: str) -> np.ndarray:
    """The non-null, non-NaN values, datetimes as int64 nanoseconds, booleans as 0/1."""
    array = TABLE.column(column).combine_chunks()
    kept = array.filter(pa.compute.is_valid(array))
    if pa.types.is_timestamp(kept.type):
        return kept.cast(pa.int64()).to_numpy() * 1000
    values = kept.to_numpy(zero_copy_only=False)
    if values.dtype == bool:
        return values.astype("int64")
    return values[~np.isnan(values)] if values.dtype.kind == "f" else values


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("engines")
    whole = folder / "data.parquet"
    pq.write_table(TABLE, whole)
    parts = folder / "parts"
    parts.mkdir()
    half = ROWS // 2
    pq.write_table(TABLE.slice(0, half), parts / "part-0.parquet")
    pq.write_table(TABLE.slice(half), parts / "part-1.parquet")
    return {"file": whole, "parts": parts}


BACKENDS = [
    "duckdb-relation",
    "parquet-file",
    "parquet-glob",
    "parquet-directory",
    "polars-lazy",
    "dask",
    pytest.param("pyspark", marks=[pytest.mark.spark, pytest.mark.slow]),
]


@pytest.fixture(params=BACKENDS)
def source(request: pytest.FixtureRequest, files: dict[str, Path]) -> Source:
    kind = request.param
    if kind == "duckdb-relation":
        import duckdb

        return open_source("data", duckdb.read_parquet(str(files["file"])))
    if kind == "parquet-file":
        return open_source("data", files["file"])
    if kind == "parquet-glob":
        return open_source("data", str(files["parts"] / "*.parquet"))
    if kind == "parquet-directory":
        return open_source("data", str(files["parts"]))
    if kind == "polars-lazy":
        import polars as pl

        return open_source("data", pl.scan_parquet(files["file"]))
    if kind == "dask":
        import dask.dataframe as dd

        request.getfixturevalue("dask_client")
        return open_source("data", dd.read_parquet(str(files["parts"])))
    session = request.getfixturevalue("spark")
    return open_source("data", session.read.parquet(str(files["file"])))


def nan_is_null(source: Source) -> bool:
    """Dask on NumPy floats cannot tell NaN from null: both are nulls there."""
    return source.backend == "dask"


def expected_summary(column: str, *, merge_nan: bool) -> ColumnSummary:
    array = TABLE.column(column).combine_chunks()
    nulls = array.null_count
    nan = 0
    if pa.types.is_floating(array.type):
        nan = int(np.isnan(array.filter(pa.compute.is_valid(array)).to_numpy()).sum())
    if merge_nan:
        nulls, nan = nulls + nan, 0
    values = valid_values(column) if column in ORDERED else None
    distinct = len(set(array.filter(pa.compute.is_valid(array)).to_pylist()) - {math.nan})
    if values is not None:
        distinct = len(np.unique(values))
    return ColumnSummary(
        name=column,
        kind=KINDS[column],
        n=ROWS,
        nulls=nulls,
        nan=nan,
        n_distinct=distinct,
        min=None if values is None else values.min().item(),
        max=None if values is None else values.max().item(),
        mean=None if values is None else float(values.astype("float64").mean()),
        std=None if values is None else float(values.astype("float64").std()),
    )


def test_kinds_columns_and_count(source: Source) -> None:
    assert source.columns == list(KINDS)
    assert source.kinds() == KINDS
    assert source.count() == ROWS


def test_summary_matches_numpy(source: Source) -> None:
    found = source.summary(source.columns)
    assert list(found) == source.columns
    for column, summary in found.items():
        expected = expected_summary(column, merge_nan=nan_is_null(source))
        exact = {k: v for k, v in expected.to_dict().items() if k not in ("mean", "std")}
        assert {k: v for k, v in summary.to_dict().items() if k not in ("mean", "std")} == exact
        if expected.mean is None:
            assert summary.mean is None and summary.std is None
        else:
            assert summary.mean == pytest.approx(expected.mean, rel=1e-9)
            assert summary.std == pytest.approx(expected.std, rel=1e-9)


def test_quantiles_match_numpy_within_the_documented_error(source: Source) -> None:
    for column in ORDERED:
        values = np.sort(valid_values(column))
        found = source.quantiles(column, PROBS)
        if source.exact_quantiles:
            assert source.quantile_rank_error == 0.0
            expected = np.quantile(values, PROBS, method="inverted_cdf")
            assert found == [v.item() for v in expected], column
            continue
        assert source.quantile_rank_error is not None
        allowed = source.quantile_rank_error * len(values) + source.quantile_rank_slack + 1
        for p, value in zip(PROBS, found, strict=True):
            target = max(1, math.ceil(p * len(values)))
            first = int(np.searchsorted(values, value, side="left")) + 1
            last = int(np.searchsorted(values, value, side="right"))
            assert first <= last, f"{column}: {value!r} is not a value of the column"
            distance = max(0, first - target, target - last)
            assert distance <= allowed, (column, p, value, distance, allowed)


def edges_for(column: str) -> list[Any]:
    values = valid_values(column)
    if column == "b":
        return [0, 0.5, 1]
    if column == "i":
        return [-math.inf, -50, -10.5, 0, 0, 3, 49, 49.5, 50, math.inf]
    picked = np.sort(values)[[0, 10, 500, 2000, 2000, 4000, -1]]
    if column == "f":
        return [-math.inf, *sorted([*picked.tolist(), 10.0]), math.inf]
    return sorted([int(v) for v in picked] + [int(picked[2]) + 1])  # ints: exact nanoseconds


def test_cdf_counts_are_exact(source: Source) -> None:
    edges = {column: edges_for(column) for column in ORDERED}
    found = source.cdf_counts(edges)
    assert list(found) == ORDERED
    for column, counts in found.items():
        values = valid_values(column)
        if column == "f":
            bins = np.searchsorted(np.asarray(edges[column], dtype="float64"), values, "right")
        else:
            cuts = edges[column]
            bins = np.asarray([sum(v >= e for e in cuts) for v in values.tolist()])
        expected = np.bincount(bins, minlength=len(edges[column]) + 1)
        assert counts.tolist() == expected.tolist(), column


def test_a_summary_without_moments_leaves_out_only_mean_and_std(source: Source) -> None:
    columns = list(TABLE.column_names)
    full = source.summary(columns, distinct=False)
    bare = source.summary(columns, distinct=False, moments=False)
    for column in columns:
        assert bare[column].mean is None and bare[column].std is None
        kept = {**full[column].__dict__, "mean": None, "std": None}
        assert bare[column].__dict__ == kept


def test_queries_split_into_column_batches_give_the_same_answers(
    source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an engine decodes the columns of one query together: summaries and grid counts go
    # COLUMNS_PER_QUERY columns at a time, which must not change a number
    from pytest_mlops.engines import _counts

    columns = list(TABLE.column_names)
    edges = {column: edges_for(column) for column in ORDERED}
    whole = source.summary(columns), source.cdf_counts(edges)
    monkeypatch.setattr(_counts, "COLUMNS_PER_QUERY", 2)
    assert _counts.batches(columns) == [columns[i : i + 2] for i in range(0, len(columns), 2)]
    split = source.summary(columns), source.cdf_counts(edges)
    for column, summary in split[0].items():
        # floating sums may add up in another order across threads: equal to 1e-12
        exact = {**summary.__dict__, "mean": None, "std": None}
        assert exact == {**whole[0][column].__dict__, "mean": None, "std": None}
        for field, tolerance in (("mean", 1e-12), ("std", 1e-9)):
            value, before = getattr(summary, field), getattr(whole[0][column], field)
            assert value == before or value == pytest.approx(before, rel=tolerance)
    assert {c: v.tolist() for c, v in split[1].items()} == {
        c: v.tolist() for c, v in whole[1].items()
    }


def test_category_counts_match_pandas(source: Source) -> None:
    found = source.category_counts(["low", "high", "b", "i"], 5)
    for column in ("low", "high", "b", "i"):
        values = pd.Series(TABLE.column(column).to_pylist())
        counts = values.value_counts().rename_axis("value").reset_index(name="count")
        top = counts.sort_values(["count", "value"], ascending=[False, True]).head(5)
        expected = {str(v): int(c) for v, c in zip(top["value"], top["count"], strict=True)}
        assert found[column] == (expected, values.nunique()), column
        assert list(found[column][0]) == list(expected)


def test_duplicate_rows(source: Source) -> None:
    # null and NaN differ as text here, as they do on every engine but pandas-backed Dask
    frame = pd.DataFrame({c: map(repr, TABLE.column(c).to_pylist()) for c in TABLE.column_names})
    expected = int(frame.duplicated().sum())
    assert expected == COPIES
    assert source.duplicate_rows() == expected


def test_duplicate_rows_counted_in_passes_of_hashes(
    source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB and polars count distinct row hashes a slice of hash values at a time; with
    # 7 passes over the table the count is the same
    from pytest_mlops.engines import _source

    monkeypatch.setattr(_source, "HASHES_PER_PASS", ROWS // 7)
    assert source.duplicate_rows() == COPIES


def test_sample_is_bounded_repeatable_and_real(source: Source) -> None:
    sample = source.sample(20, seed=3)
    assert isinstance(sample, pd.DataFrame)
    assert 0 < len(sample) <= 20
    assert list(sample.columns) == source.columns
    assert set(sample["high"]) <= set(TABLE.column("high").to_pylist())
    again = source.sample(20, seed=3)
    assert sorted(again["high"]) == sorted(sample["high"])
    assert len(source.sample(0, seed=3)) == 0


# -- recognising engine inputs -------------------------------------------------------------


def test_is_engine_source(files: dict[str, Path], tmp_path: Path) -> None:
    import duckdb
    import polars as pl

    assert is_engine_source(files["file"])
    assert is_engine_source(str(files["file"]))
    assert is_engine_source(str(files["parts"]))
    assert is_engine_source(str(tmp_path / "*.parquet"))
    assert is_engine_source("missing.csv")
    assert is_engine_source(duckdb.sql("select 1 as a"))
    assert is_engine_source(pl.LazyFrame({"a": [1]}))
    for eager in (
        pd.DataFrame({"a": [1]}),
        np.zeros((2, 2)),
        pl.DataFrame({"a": [1]}),
        pa.table({"a": [1]}),
        "not a table",
        None,
    ):
        assert not is_engine_source(eager)


def test_importing_and_detecting_load_no_engine() -> None:
    code = (
        "import sys, pandas\n"
        "from pytest_mlops.engines import is_engine_source\n"
        "assert not is_engine_source(pandas.DataFrame({'a': [1]}))\n"
        "assert is_engine_source('x.parquet')\n"
        "heavy = ('duckdb', 'dask', 'pyspark', 'polars', 'narwhals', 'ibis')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_csv_files_open_through_duckdb(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    pd.DataFrame({"x": [1.5, 2.5, None], "y": ["a", "b", "a"]}).to_csv(path, index=False)
    source = open_source("data", path)
    assert source.backend == "duckdb"
    assert source.kinds() == {"x": "numeric", "y": "categorical"}
    assert source.summary(["x"])["x"].nulls == 1
    assert source.category_counts(["y"], 1) == {"y": ({"a": 2}, 2)}


# -- bad input -----------------------------------------------------------------------------


@pytest.fixture
def small() -> Source:
    import polars as pl

    frame = pl.LazyFrame({"x": [1.0, 2.0, float("nan")], "s": ["a", "b", None]})
    return open_source("current", frame)


def test_a_path_that_matches_nothing_is_named(tmp_path: Path) -> None:
    with pytest.raises(MlopsInputError, match=r"current names '.*missing\.parquet', which does"):
        open_source("current", tmp_path / "missing.parquet")
    with pytest.raises(MlopsInputError, match=r"current is the glob '.*\*\.parquet', which match"):
        open_source("current", str(tmp_path / "*.parquet"))
    with pytest.raises(MlopsInputError, match=r"current is the directory .* holds no .parquet"):
        open_source("current", tmp_path)


def test_mixed_or_unknown_file_formats_are_rejected(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1]}), tmp_path / "a.parquet")
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "b.csv", index=False)
    (tmp_path / "c.txt").write_text("a\n1\n")
    with pytest.raises(MlopsInputError, match="both Parquet and CSV"):
        open_source("current", str(tmp_path / "[ab].*"))
    with pytest.raises(MlopsInputError, match="neither Parquet nor CSV"):
        open_source("current", str(tmp_path / "*"))


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(MlopsInputError, match=r"current \(.*broken\.parquet\) could not be read"):
        open_source("current", path).count()


def test_other_data_is_a_type_error() -> None:
    with pytest.raises(MlopsTypeError, match=r"current must be a DuckDB relation.*got DataFrame"):
        open_source("current", pd.DataFrame({"a": [1]}))


def test_duplicate_column_names_are_named() -> None:
    import duckdb

    with pytest.raises(MlopsInputError, match=r"current has duplicate column names: \['a'\]"):
        open_source("current", duckdb.sql("select 1 as a, 2 as a, 3 as b"))


@pytest.mark.parametrize("how", ["polars", "parquet"])
def test_an_empty_source_is_an_error(how: str, tmp_path: Path) -> None:
    import polars as pl

    frame = pl.LazyFrame({"x": pl.Series([], dtype=pl.Float64)})
    if how == "parquet":
        frame.collect().write_parquet(tmp_path / "empty.parquet")
        data: Any = tmp_path / "empty.parquet"
    else:
        data = frame
    message = r"current is empty \(0 rows\)"
    with pytest.raises(MlopsInputError, match=message):
        open_source("current", data).count()
    with pytest.raises(MlopsInputError, match=message):
        open_source("current", data).summary(["x"])


def test_unknown_columns_are_named(small: Source) -> None:
    message = r"current has no column 'nope' \(asked for in {}\); its columns are \['x', 's'\]"
    with pytest.raises(MlopsInputError, match=message.format("columns")):
        small.summary(["x", "nope"])
    with pytest.raises(MlopsInputError, match=message.format("column")):
        small.quantiles("nope", [0.5])
    with pytest.raises(MlopsInputError, match=message.format("edges")):
        small.cdf_counts({"nope": [0.0]})
    with pytest.raises(MlopsInputError, match=message.format("columns")):
        small.category_counts(["nope"], 3)


def test_bad_method_arguments_are_named(small: Source) -> None:
    with pytest.raises(MlopsTypeError, match="current column 's' is categorical; quantiles"):
        small.quantiles("s", [0.5])
    with pytest.raises(MlopsTypeError, match="current column 's' is categorical; cdf_counts"):
        small.cdf_counts({"s": [0.0]})
    with pytest.raises(MlopsInputError, match=r"probs must lie in \[0, 1\]"):
        small.quantiles("x", [1.5])
    with pytest.raises(MlopsInputError, match=r"edges\['x'\] must be non-decreasing"):
        small.cdf_counts({"x": [2.0, 1.0]})
    with pytest.raises(MlopsInputError, match=r"edges\['x'\] must be non-decreasing"):
        small.cdf_counts({"x": [float("nan")]})
    with pytest.raises(MlopsInputError, match="limit must be a positive int"):
        small.category_counts(["s"], 0)
    with pytest.raises(MlopsInputError, match="n must be a non-negative int"):
        small.sample(-1, seed=0)


def test_small_source_values(small: Source) -> None:
    summary = small.summary(["x", "s"])
    assert (summary["x"].nulls, summary["x"].nan, summary["x"].n_distinct) == (0, 1, 2)
    assert (summary["s"].nulls, summary["s"].n_distinct) == (1, 2)
    assert small.quantiles("x", []) == []
    assert small.quantiles("x", [0.5]) == [1.0]
    assert small.cdf_counts({"x": []})["x"].tolist() == [2]
    assert small.category_counts(["s"], 5) == {"s": ({"a": 1, "b": 1}, 2)}


@pytest.mark.parametrize("package", ["duckdb", "narwhals"])
def test_a_missing_engine_says_what_to_install(
    package: str, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # makes `import package` fail
    with pytest.raises(MlopsInputError, match=f"not installed: pip install {package}"):
        open_source("current", files["file"])
