"""infer_schema, check_schema and check_data on real engines give what pandas gives on the
same data: DuckDB on a Parquet path, polars lazy over Parquet, Dask on a distributed
LocalCluster and PySpark in local mode (marked ``spark``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb  # noqa: F401 (imported before pytester's in-process runs, see conftest)
import narwhals  # noqa: F401 (imported before pytester's in-process runs, see conftest)
import numpy as np
import pandas as pd
import polars as pl
import pytest

from pytest_mlops.checks import _findings_engine, check_data, check_schema, infer_schema
from pytest_mlops.checks._findings import detectors
from pytest_mlops.checks._ranges import margin_from_tails, tail_margin, tail_size
from pytest_mlops.checks._schema import PANDERA_ON_ENGINE
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

ROWS = 1500


def _frame(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "id": np.arange(ROWS),
            "x": rng.normal(size=ROWS),
            "pos": rng.exponential(2.0, size=ROWS),
            "heavy": rng.standard_t(2, size=ROWS),
            "k": rng.integers(0, 5, ROWS),
            "c": rng.choice(["a", "b", "c", "A", "b "], ROWS),
            "s": [f"t{i % 700}" for i in range(ROWS)],
            "b": rng.random(ROWS) > 0.3,
            "t": pd.date_range("2021-01-01", periods=ROWS, freq="37min"),
            "tz": pd.date_range("2021-01-01", periods=ROWS, freq="h", tz="UTC"),
            "y": (rng.random(ROWS) < 0.06).astype("int64"),
        }
    )
    frame.loc[rng.choice(ROWS, 40, replace=False), "x"] = np.nan
    return frame


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The reference data, a broken copy and an integrity-test copy, as frames and Parquet."""
    folder = tmp_path_factory.mktemp("engines")
    reference = _frame()
    broken = _frame(1)
    broken.loc[:9, "x"] = 1e3  # above the learned max
    broken.loc[10:12, "c"] = "zz"  # unknown categories
    broken.loc[20:21, "id"] = 5  # a repeated identifier
    broken["k"] = broken["k"].astype("float64")  # a kind change
    broken.loc[30:32, "t"] = pd.Timestamp("2040-01-01")  # after the learned max
    broken["b"] = broken["b"].astype("boolean")
    broken.loc[40:49, "b"] = pd.NA  # missing in a column that had none
    dirty = pd.concat([reference, reference.iloc[:25]], ignore_index=True)  # duplicates
    dirty["const"] = 1
    dirty["almost"] = np.where(np.arange(len(dirty)) < 6, 8, 7)
    dirty["empty"] = np.nan
    dirty["leak"] = dirty["y"] * 3 + 1
    frames = {"reference": reference, "broken": broken, "dirty": dirty}
    paths = {}
    for name, frame in frames.items():
        paths[name] = folder / f"{name}.parquet"
        frame.to_parquet(paths[name])
    return {"frames": frames, "paths": paths, "folder": folder}


ENGINES = ["duckdb", "polars", "dask"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest):
    """``engine(path)``: the Parquet file opened on one engine."""
    if request.param == "duckdb":
        return str
    if request.param == "polars":
        return pl.scan_parquet
    if request.param == "dask":
        request.getfixturevalue("dask_client")
        import dask.dataframe as dd

        return dd.read_parquet
    session = request.getfixturevalue("spark")
    return lambda path: session.read.parquet(str(path))


def _same(a: Any, b: Any) -> None:
    """Equal, floats to 1e-12 (relative)."""
    if isinstance(a, float) and isinstance(b, float):
        assert b == pytest.approx(a, rel=1e-12, abs=1e-12)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    else:
        assert a == b


def test_infer_schema_on_an_engine_equals_pandas(files, engine) -> None:
    expected = infer_schema(files["frames"]["reference"], row_slack=0.1).to_dict()
    learned = infer_schema(engine(files["paths"]["reference"]), row_slack=0.1).to_dict()
    for want, got in zip(expected["columns"], learned["columns"], strict=True):
        _same(want, got)
    _same(expected, learned)
    kinds = {c["name"]: c["kind"] for c in learned["columns"]}
    assert kinds == {"id": "integer", "x": "float", "pos": "float", "heavy": "float",
                     "k": "integer", "c": "categorical", "s": "string", "b": "boolean",
                     "t": "datetime", "tz": "datetime", "y": "integer"}  # fmt: skip


def _rules(result) -> list[tuple[str, str | None, int]]:
    return [(v["rule"], v["column"], v["rows"]) for v in result.details["violations"]]


def test_check_schema_on_an_engine_finds_what_pandas_finds(files, engine) -> None:
    schema = infer_schema(files["frames"]["reference"])
    expected = check_schema(files["frames"]["broken"], schema)
    found = check_schema(engine(files["paths"]["broken"]), schema)
    assert _rules(found) == _rules(expected)
    assert {r for r, _, _ in _rules(found)} >= {"max", "categories", "unique", "kind", "nulls"}
    assert found.status == "fail" and found.metrics == expected.metrics
    by_rule = {v["rule"] + v["column"]: v for v in found.details["violations"]}
    assert by_rule["maxx"]["examples"] == [{"row": None, "value": 1e3}] * 5
    assert "e.g. ['zz']" in by_rule["categoriesc"]["message"]
    assert by_rule["uniqueid"]["examples"] == [{"row": None, "value": 5}]
    assert "no row labels" in found.details["notes"][0]
    assert check_schema(engine(files["paths"]["reference"]), schema).status == "pass"


def _findings(result) -> list[tuple[str, str | None, int, str]]:
    found = result.details["findings"]
    return sorted((f["finding"], f["column"] or "", f["rows"], f["level"]) for f in found)


def test_check_data_on_an_engine_finds_what_pandas_finds(files, engine) -> None:
    expected = check_data(files["frames"]["dirty"], label="y")
    found = check_data(engine(files["paths"]["dirty"]), label="y")
    assert _findings(found) == _findings(expected)
    names = {f[0] for f in _findings(found)}
    assert names >= {"all_null", "constant", "almost_constant", "case_variants", "outliers",
                     "duplicates", "class_imbalance", "leakage", "nulls"}  # fmt: skip
    assert found.status == expected.status == "fail"
    details = found.details
    assert details["on_sample"] == ["conflicting_labels", "leakage"]
    assert details["sample_rows"] == len(files["frames"]["dirty"])
    assert any("mixed_types is not checked" in note for note in details["notes"])
    assert any("conflicting_labels, leakage need rows" in note for note in details["notes"])
    columns = {row["column"]: row for row in details["columns"]}
    # a float feature's distinct values are not counted on an engine (a hash of every
    # value): None where it holds more than one, pandas' count everywhere else
    uncounted = {"x", "pos", "heavy"}
    assert {c: (r["kind"], r["nulls"], r["distinct"]) for c, r in columns.items()} == {
        row["column"]: (
            row["kind"],
            row["nulls"],
            None if row["column"] in uncounted else row["distinct"],
        )
        for row in expected.details["columns"]
    }
    by_column = {row["column"]: row["distinct"] for row in expected.details["columns"]}
    assert all(by_column[c] > 1 for c in uncounted)
    assert any("not counted on an engine" in note for note in details["notes"])


#: Spark runs one job per query (about 0.2 s each on an idle machine): fewer columns.
SPARK_COLUMNS = ["id", "x", "heavy", "c", "b", "t", "y", "const", "leak"]


@pytest.mark.slow
@pytest.mark.spark
def test_spark_learns_checks_and_surveys_what_pandas_does(files, spark, tmp_path) -> None:
    """One test runs all three checks, on fewer columns, to keep Spark's cost down."""
    frames, paths = {}, {}
    for name, frame in files["frames"].items():
        frames[name] = frame[[c for c in SPARK_COLUMNS if c in frame.columns]]
        paths[name] = str(tmp_path / f"{name}.parquet")
        frames[name].to_parquet(paths[name])
    read = lambda name: spark.read.parquet(paths[name])  # noqa: E731
    _same(infer_schema(frames["reference"]).to_dict(), infer_schema(read("reference")).to_dict())
    schema = infer_schema(frames["reference"])
    assert _rules(check_schema(read("broken"), schema)) == _rules(
        check_schema(frames["broken"], schema)
    )
    found = check_data(read("dirty"), label="y")
    expected = check_data(frames["dirty"], label="y")
    # Spark's quartiles are approximate: a value near an outlier fence may count differently
    exact = [f for f in _findings(found) if f[0] != "outliers"]
    assert exact == [f for f in _findings(expected) if f[0] != "outliers"]
    outliers = {f[1]: f[2] for f in _findings(found) if f[0] == "outliers"}
    for column, rows in ((f[1], f[2]) for f in _findings(expected) if f[0] == "outliers"):
        assert abs(outliers[column] - rows) <= 0.05 * rows + 2, column
    assert found.details["engine"] == "pyspark"
    assert any("approximate on pyspark" in note for note in found.details["notes"])


def test_findings_that_need_rows_say_they_ran_on_a_sample(files, monkeypatch) -> None:
    monkeypatch.setattr(_findings_engine, "SAMPLE_ROWS", 600)
    monkeypatch.setattr(_findings_engine, "MAX_DISTINCT_TEXTS", 3)  # c and s go to the sample
    result = check_data(str(files["paths"]["dirty"]), label="y")
    details, n = result.details, len(files["frames"]["dirty"])
    assert details["sample_rows"] == 600
    assert details["on_sample"] == ["conflicting_labels", "leakage", "case_variants"]
    leak = next(f for f in details["findings"] if f["finding"] == "leakage")
    assert leak["sample_rows"] == 600 and leak["rows"] == 600
    assert leak["message"].endswith(f"(in a sample of 600 of the {n} rows)")
    variants = next(f for f in details["findings"] if f["finding"] == "case_variants")
    assert variants["column"] == "c" and variants["sample_rows"] == 600
    assert any(f"seeded sample of 600 of the {n} rows (random_state=0)" in note
               for note in details["notes"])  # fmt: skip
    again = check_data(str(files["paths"]["dirty"]), label="y")
    assert again.details["findings"] == details["findings"]  # the sample is seeded


def test_every_finding_has_a_path_on_an_engine() -> None:
    on_engine = set(_findings_engine.ON_ENGINE)
    on_sample = set(_findings_engine.ON_SAMPLE)
    not_applicable = set(_findings_engine.NOT_APPLICABLE)
    assert on_engine | on_sample | not_applicable == {d.name for d in detectors()}
    assert not (on_engine & on_sample or on_engine & not_applicable)


@pytest.mark.parametrize("source", ["duckdb", "polars"])
def test_outlier_fences_are_numpys_linear_quartiles(tmp_path: Path, source: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pytest_mlops.checks._engine_ops import linear_quantiles
    from pytest_mlops.engines import open_source

    rng = np.random.default_rng(3)
    for size in (1, 2, 5, 101, 1000):
        values = np.round(rng.normal(size=size), 2)
        column = np.concatenate([values, [np.nan, -np.inf, -np.inf, np.inf]])
        table = pa.table({"v": pa.array(column, from_pandas=False)})  # NaN kept as NaN
        pq.write_table(table, tmp_path / "v.parquet")
        path = tmp_path / "v.parquet"
        data = str(path) if source == "duckdb" else pl.scan_parquet(path)
        found = linear_quantiles(open_source("v", data), "v", (0.25, 0.5, 0.75), size, 2, size + 3)
        assert found == list(np.percentile(values, [25, 50, 75])), size


@pytest.mark.parametrize("size", [2, 3, 10, 99, 1000])
def test_the_tail_fit_reads_only_the_extremes(size: int) -> None:
    ordered = np.sort(np.random.default_rng(size).lognormal(size=size))
    k = tail_size(size)
    low, high = ordered[: k + 1], ordered[size - k - 1 :]
    assert margin_from_tails(low, high, 6.0) == tail_margin(ordered, 6.0)


def _parquet(folder: Path, name: str, frame: Any) -> str:
    path = folder / f"{name}.parquet"
    if isinstance(frame, pd.DataFrame):
        frame.to_parquet(path)
    else:
        frame.write_parquet(path)
    return str(path)


def test_bad_input_on_an_engine_fails_closed_naming_it(files, tmp_path: Path) -> None:
    path = str(files["paths"]["reference"])
    schema = infer_schema(files["frames"]["reference"])
    with pytest.raises(MlopsInputError, match="label column 'nope' is not in the data"):
        check_data(path, label="nope")
    tags = _parquet(tmp_path, "tags", pl.DataFrame({"a": [1, 2], "tags": [["x"], ["y", "z"]]}))
    with pytest.raises(MlopsTypeError, match="reference column 'tags' is of type List"):
        infer_schema(tags)
    with pytest.raises(MlopsTypeError, match="data column 'tags' is of type List"):
        check_data(tags)
    empty = _parquet(tmp_path, "empty", files["frames"]["reference"].iloc[:0])
    with pytest.raises(MlopsInputError, match="data is empty"):
        check_schema(empty, schema)
    with pytest.raises(MlopsInputError, match="reference is empty"):
        infer_schema(empty)
    hollow = _parquet(tmp_path, "hollow", pd.DataFrame({"a": [1.0, 2.0], "gone": [None, None]}))
    with pytest.raises(MlopsInputError, match="reference column 'gone' is entirely missing"):
        infer_schema(hollow)
    import pandera.pandas as pa

    with pytest.raises(MlopsInputError, match=re.escape(PANDERA_ON_ENGINE)):
        check_schema(path, pa.DataFrameSchema({"x": pa.Column(float)}))
    with pytest.raises(MlopsInputError, match=r"reference names '.*nowhere\.parquet'"):
        infer_schema(str(tmp_path / "nowhere.parquet"))


def test_the_fixture_learns_a_baseline_schema_from_a_parquet_path(
    files, pytester: pytest.Pytester
) -> None:
    reference, broken = files["paths"]["reference"], files["paths"]["broken"]
    pytester.makepyfile(
        f"""
        import os

        def test_schema(mlops):
            mlops.check_schema(os.environ.get("DATA", {str(reference)!r}), "events")
        """
    )
    pytester.runpytest("--mlops", "--mlops-update-baseline").assert_outcomes(passed=1)
    stored = (pytester.path / "mlops-baseline.json").read_text(encoding="utf-8")
    assert '"events"' in stored and '"categorical"' in stored
    pytester.runpytest("--mlops").assert_outcomes(passed=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATA", str(broken))
        failed = pytester.runpytest("--mlops")
    failed.assert_outcomes(failed=1)
    failed.stdout.fnmatch_lines(["*schema violation(s)*"])


@pytest.mark.parametrize("source", ["duckdb", "polars"])
def test_float_columns_constant_and_almost_constant_without_counting_values(
    tmp_path: Path, source: str
) -> None:
    # float features are judged from min/max and the rows equal to the median, never from
    # a distinct count; the findings equal pandas' on the same data
    rng = np.random.default_rng(4)
    n = 4_000
    almost = np.where(rng.random(n) < 0.995, 1.25, rng.normal(0, 1, n))
    frame = pd.DataFrame(
        {
            "fconst": np.full(n, 2.5),
            "falmost": almost,
            "fhalf": np.where(np.arange(n) % 2 == 0, 3.0, rng.normal(0, 1, n)),
            "fspread": rng.normal(0, 1, n),
        }
    )
    frame.loc[:9, "fconst"] = np.nan
    path = tmp_path / "floats.parquet"
    frame.to_parquet(path)
    data = str(path) if source == "duckdb" else pl.scan_parquet(path)
    found = check_data(data)
    expected = check_data(frame)
    kept = {"constant", "almost_constant"}
    assert [f for f in _findings(found) if f[0] in kept] == [
        f for f in _findings(expected) if f[0] in kept
    ]
    assert {(f[0], f[1]) for f in _findings(found) if f[0] in kept} == {
        ("constant", "fconst"),
        ("almost_constant", "falmost"),
    }
    distinct = {row["column"]: row["distinct"] for row in found.details["columns"]}
    assert distinct == {"fconst": 1, "falmost": None, "fhalf": None, "fspread": None}
    # at a share of one half or less the median need not be the top value: counted instead
    low = check_data(data, almost_constant_share=0.4)
    assert [f for f in _findings(low) if f[0] in kept] == [
        f for f in _findings(check_data(frame, almost_constant_share=0.4)) if f[0] in kept
    ]
    assert ("almost_constant", "fhalf") in {(f[0], f[1]) for f in _findings(low)}
