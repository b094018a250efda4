"""check_drift and build_profile on data that lives on an engine (Parquet through DuckDB,
a DuckDB relation, polars lazy, Dask, Spark): the same verdict as in memory, each grid
statistic within its stated bound of the exact one (SciPy on the same data)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pytest_mlops.checks import build_profile, check_drift
from pytest_mlops.errors import MlopsInputError

duckdb = pytest.importorskip("duckdb")
pl = pytest.importorskip("polars")

ROWS = 20_000


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)

    def frame(shift: bool) -> pd.DataFrame:
        data = {
            "steady": rng.normal(0, 1, ROWS),
            "shifted": rng.normal(0.4 if shift else 0.0, 1, ROWS),
            "skewed": rng.lognormal(0, 1, ROWS),
            "whole": rng.integers(0, 30, ROWS),
            "mix": rng.choice(list("abcd"), ROWS, p=[0.1, 0.2, 0.3, 0.4] if shift else None),
            "flag": rng.random(ROWS) < 0.3,
        }
        out = pd.DataFrame(data)
        out.loc[rng.random(ROWS) < 0.02, "steady"] = np.nan
        return out

    return frame(False), frame(True)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("drift-engines")
    ref, cur = _frames()
    paths = {}
    for side, frame in (("reference", ref), ("current", cur)):
        paths[side] = folder / f"{side}.parquet"
        frame.to_parquet(paths[side])
    return {"ref": ref, "cur": cur, **paths, "folder": folder}


def _by_column(result) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    return {row["column"]: row for row in result.details["columns"]}


def test_parquet_paths_give_the_in_memory_verdict(data) -> None:  # type: ignore[no-untyped-def]
    in_memory = check_drift(data["ref"], data["cur"])
    on_engine = check_drift(str(data["reference"]), str(data["current"]))
    assert on_engine.status == in_memory.status == "fail"
    drifted = {c for c, r in _by_column(on_engine).items() if r["drifted"]}
    assert drifted == {c for c, r in _by_column(in_memory).items() if r["drifted"]}
    assert drifted == {"shifted", "mix"}
    assert on_engine.details["engines"] == {"reference": "duckdb", "current": "duckdb"}
    assert on_engine.details["n_reference"] == on_engine.details["n_current"] == ROWS
    json.dumps(on_engine.to_dict(), allow_nan=False)


def test_grid_statistics_bracket_the_exact_ones(data) -> None:  # type: ignore[no-untyped-def]
    numeric = {c: "ks" for c in ("steady", "shifted", "skewed", "whole")}
    rows = _by_column(check_drift(str(data["reference"]), str(data["current"]), method=numeric))
    for column in ("steady", "shifted", "skewed", "whole"):
        a = data["ref"][column].dropna().to_numpy(float)
        b = data["cur"][column].dropna().to_numpy(float)
        exact = stats.ks_2samp(a, b).statistic
        row = rows[column]
        assert row["n_reference"] == len(a) and row["n_current"] == len(b)
        assert row["statistic"] <= exact + 1e-12
        assert exact <= row["statistic"] + row["ks_bound"] + 1e-12, column
    rows = _by_column(check_drift(str(data["reference"]), str(data["current"])))
    for column in ("steady", "shifted", "skewed"):
        a = data["ref"][column].dropna().to_numpy(float)
        b = data["cur"][column].dropna().to_numpy(float)
        exact = stats.wasserstein_distance(a, b) / np.std(a)
        row = rows[column]
        assert row["effect"] == "wasserstein"
        assert abs(row["effect_size"] - exact) <= row["effect_bound"] + 1e-9, column


def test_categorical_columns_are_exact_on_the_engine(data) -> None:  # type: ignore[no-untyped-def]
    exact = _by_column(check_drift(data["ref"], data["cur"]))
    grid = _by_column(check_drift(str(data["reference"]), str(data["current"])))
    for column in ("mix", "flag"):
        assert grid[column]["p_value"] == pytest.approx(exact[column]["p_value"], rel=1e-9)
        assert grid[column]["effect_size"] == pytest.approx(exact[column]["effect_size"])


@pytest.mark.parametrize("side", ["reference", "current"])
def test_one_side_in_memory(data, side: str) -> None:  # type: ignore[no-untyped-def]
    ref = data["ref"] if side == "reference" else str(data["reference"])
    cur = data["cur"] if side == "current" else duckdb.read_parquet(str(data["current"]))
    result = check_drift(ref, cur)
    assert {c for c, r in _by_column(result).items() if r["drifted"]} == {"shifted", "mix"}


def test_polars_lazy_and_a_glob(data) -> None:  # type: ignore[no-untyped-def]
    lazy = check_drift(pl.scan_parquet(data["reference"]), pl.scan_parquet(data["current"]))
    assert lazy.details["engines"] == {"reference": "polars", "current": "polars"}
    paths = check_drift(str(data["reference"]), str(data["current"]))
    for column, row in _by_column(paths).items():
        other = _by_column(lazy)[column]
        assert other["drifted"] == row["drifted"], column
        assert other["statistic"] == pytest.approx(row["statistic"], abs=2 / ROWS), column
    folder = data["folder"] / "parts"
    folder.mkdir(exist_ok=True)
    for i in range(3):
        data["cur"].iloc[i::3].to_parquet(folder / f"part-{i}.parquet")
    globbed = check_drift(str(data["reference"]), str(folder / "*.parquet"))
    assert globbed.details["n_current"] == ROWS
    for column, row in _by_column(paths).items():
        assert _by_column(globbed)[column]["statistic"] == pytest.approx(row["statistic"])


def test_stored_profile_from_the_engine_matches_pandas(data) -> None:  # type: ignore[no-untyped-def]
    on_engine = build_profile(str(data["reference"]))
    in_memory = build_profile(data["ref"])
    assert on_engine["n"] == in_memory["n"] == ROWS
    for column, entry in in_memory["columns"].items():
        other = on_engine["columns"][column]
        assert other["kind"] == entry["kind"] and other["missing"] == entry["missing"]
        if entry["kind"] == "numeric":
            assert sum(other["grid"]["counts"]) == sum(entry["grid"]["counts"])
            # the engine's percentile may be the neighbouring order statistic
            assert other["mean"] == pytest.approx(entry["mean"])
            assert other["std"] == pytest.approx(entry["std"])
        else:
            assert other["counts"] == entry["counts"]
    json.dumps(on_engine, allow_nan=False)
    result = check_drift(on_engine, str(data["current"]))
    assert {c for c, r in _by_column(result).items() if r["drifted"]} == {"shifted", "mix"}
    assert result.details["from_profile"] is True


def test_no_drift_on_the_engine_passes(data) -> None:  # type: ignore[no-untyped-def]
    result = check_drift(str(data["reference"]), str(data["reference"]))
    assert result.status == "pass"
    assert all(r["statistic"] == 0 for r in result.details["columns"] if r["judged"])


def test_what_the_engine_cannot_do_is_an_error_naming_it(data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MlopsInputError, match=r"'shifted'.*needs the rows"):
        check_drift(str(data["reference"]), str(data["current"]), method={"shifted": "anderson"})
    with pytest.raises(MlopsInputError, match="domain_classifier"):
        check_drift(str(data["reference"]), str(data["current"]), domain_classifier=True)
    with pytest.raises(MlopsInputError, match="'nope' is not in reference"):
        check_drift(str(data["reference"]), str(data["current"]), columns=["nope"])


def test_dask_on_a_local_cluster(data, dask_client) -> None:  # type: ignore[no-untyped-def]
    dd = pytest.importorskip("dask.dataframe")
    result = check_drift(
        dd.read_parquet(str(data["reference"])), dd.read_parquet(str(data["current"]))
    )
    assert result.details["engines"] == {"reference": "dask", "current": "dask"}
    assert {c for c, r in _by_column(result).items() if r["drifted"]} == {"shifted", "mix"}


@pytest.mark.slow
@pytest.mark.spark
def test_spark_in_local_mode(data, spark) -> None:  # type: ignore[no-untyped-def]
    ref = spark.read.parquet(str(data["reference"]))
    cur = spark.read.parquet(str(data["current"]))
    result = check_drift(ref, cur)
    assert result.details["engines"] == {"reference": "pyspark", "current": "pyspark"}
    # Spark's quantiles are approximate: the verdict holds, the grid may differ slightly
    assert {c for c, r in _by_column(result).items() if r["drifted"]} == {"shifted", "mix"}


def test_through_the_fixture(pytester: pytest.Pytester, data) -> None:  # type: ignore[no-untyped-def]
    pytester.makepyfile(
        f"""
        def test_live(mlops):
            mlops.check_drift({str(data["reference"])!r}, {str(data["current"])!r},
                              columns=["steady", "skewed"])
        """
    )
    outcome = pytester.runpytest("--mlops", "-p", "no:randomly")
    outcome.assert_outcomes(passed=1)
    report = json.loads((pytester.path / "mlops-report" / "report.json").read_text())
    (check,) = report["checks"]
    assert check["status"] == "pass"
    assert check["details"]["engines"] == {"reference": "duckdb", "current": "duckdb"}


def test_a_path_is_fingerprinted_from_its_footer_not_its_rows(data) -> None:  # type: ignore[no-untyped-def]
    from pytest_mlops.fingerprint import describe

    first = describe(str(data["reference"]))
    assert first is not None and first["kind"] == "files" and first["shape"] == [1]
    assert describe(data["reference"]) == first  # a Path too
    assert describe(str(data["current"]))["fingerprint"] != first["fingerprint"]
    assert describe("train") is None  # a stored profile's name is not data
    copy = data["folder"] / "copy.parquet"
    data["ref"].assign(steady=data["ref"]["steady"] + 1).to_parquet(copy)
    changed = describe(str(copy))
    assert changed is not None and changed["fingerprint"] != first["fingerprint"]
