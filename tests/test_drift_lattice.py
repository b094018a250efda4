"""Drift profiles on a lattice of cells (``pytest_mlops.engines._cells``,
``pytest_mlops.checks._drift_lattice``): every engine and NumPy put a value in the same
cell, the counts, range and moments match NumPy's, the grid's bins keep their promise,
and a column the lattice cannot cut keeps its quantile grid."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pytest_mlops.checks import _binned as bn
from pytest_mlops.checks import _drift_lattice as lt
from pytest_mlops.checks import build_profile, check_drift
from pytest_mlops.checks._drift_grid import GRID_LEVELS
from pytest_mlops.engines import _source, open_source
from pytest_mlops.engines._cells import CellCounts, Lattice
from pytest_mlops.errors import MlopsInputError

duckdb = pytest.importorskip("duckdb")
pl = pytest.importorskip("polars")

ROWS = 30_000
LEVELS = [level / 10_000 for level in GRID_LEVELS]
DECILES = [k / 10 for k in range(1, 10)]


def _values() -> pl.DataFrame:
    """Floats with NaN, nulls, infinities and values exactly on cell boundaries; ints."""
    rng = np.random.default_rng(5)
    lattice = Lattice.spanning(-3.0, 3.0)
    assert lattice is not None
    x = rng.normal(size=ROWS)
    x[:200] = [lattice.boundary(k) for k in range(0, 4000, 20)]  # on the boundaries
    x[200:203] = [np.inf, -np.inf, 1e300]
    x[rng.random(ROWS) < 0.01] = np.nan
    nulls = pl.Series(rng.random(ROWS) < 0.01)
    return pl.DataFrame({"x": x, "k": rng.integers(-10, 60, ROWS)}).with_columns(
        pl.when(pl.lit(nulls)).then(None).otherwise(pl.col("x")).alias("x")
    )


LATTICES = {"x": Lattice.spanning(-3.0, 3.0), "k": Lattice.spanning(0.0, 50.0, cells=512)}


def _expected(values: np.ndarray, column: str) -> list[int]:
    lattice = LATTICES[column]
    assert lattice is not None
    return np.bincount(lattice.slots(values), minlength=lattice.cells + 2).tolist()


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_cells_on_the_engine_are_numpys(engine: str) -> None:
    table = _values()
    data = table.lazy() if engine == "polars" else duckdb.from_arrow(table.to_arrow())
    found = open_source("data", data).cell_counts(LATTICES, {"k": 25.0})  # type: ignore[arg-type]
    x = table["x"].drop_nulls()
    valid = x.filter(~x.is_nan()).to_numpy()
    k = table["k"].to_numpy()
    assert found["x"].counts.tolist() == _expected(valid, "x")
    assert found["k"].counts.tolist() == _expected(k, "k")
    assert (found["x"].nulls, found["x"].nan) == (table["x"].null_count(), int(x.is_nan().sum()))
    assert found["x"].extremes() == (-np.inf, np.inf)
    assert found["k"].extremes() == (k.min(), k.max())
    mean, std = found["k"].moments()
    assert mean == pytest.approx(k.mean(), rel=1e-12)
    assert std == pytest.approx(k.std(), rel=1e-12)
    # without a center there are no moments, and an infinity has no finite mean
    assert found["x"].moments() == (None, None)
    with_center = open_source("data", data).cell_counts({"x": LATTICES["x"]}, {"x": 0.0})  # type: ignore[dict-item]
    assert with_center["x"].moments() == (None, None)


def test_cells_on_dask_and_a_parquet_path(tmp_path: Any, dask_client: Any) -> None:
    dd = pytest.importorskip("dask.dataframe")
    frame = _values().to_pandas()  # nulls become NaN: Dask counts both as missing
    path = tmp_path / "values.parquet"
    frame.to_parquet(path)
    x = frame["x"].to_numpy()
    for data in (str(path), dd.read_parquet(str(path), npartitions=3)):
        counted = open_source("data", data).cell_counts({"x": LATTICES["x"]})["x"]  # type: ignore[dict-item]
        assert counted.counts.tolist() == _expected(x[~np.isnan(x)], "x")
        assert counted.nulls + counted.nan == int(np.isnan(x).sum())


@pytest.mark.slow
@pytest.mark.spark
def test_cells_on_spark(spark: Any, tmp_path: Any) -> None:
    table = _values()
    path = tmp_path / "values.parquet"
    table.write_parquet(path)
    x = table["x"].drop_nulls()
    source = open_source("data", spark.read.parquet(str(path)))
    counted = source.cell_counts({"x": LATTICES["x"]})["x"]  # type: ignore[dict-item]
    assert counted.counts.tolist() == _expected(x.filter(~x.is_nan()).to_numpy(), "x")
    assert (counted.nulls, counted.nan) == (table["x"].null_count(), int(x.is_nan().sum()))


def _sampled(monkeypatch: pytest.MonkeyPatch, rows: int = 2_000) -> None:
    """Profiles above ``rows`` rows are placed on a lattice (the default is 1M)."""
    monkeypatch.setattr(_source, "GRID_SAMPLE_ROWS", rows)


def test_a_profile_on_the_lattice_counts_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    _sampled(monkeypatch)
    rng = np.random.default_rng(9)
    frame = pd.DataFrame({"x": rng.normal(2.0, 3.0, ROWS), "k": rng.integers(0, 40, ROWS)})
    profile = build_profile(pl.from_pandas(frame).lazy())
    for column in ("x", "k"):
        entry = profile["columns"][column]
        found = lt.lattice_of(entry)
        assert found is not None, column
        lattice, cells = found
        values = frame[column].to_numpy()
        slots = np.bincount(lattice.slots(values), minlength=lattice.cells + 2)
        assert entry["grid"]["counts"] == lt.binned(slots, cells).tolist()
        # the bins: within 1.5% each where the quantile grid has 1% (ties aside)
        if column == "x":
            assert max(entry["grid"]["counts"]) <= 0.015 * ROWS
        assert entry["mean"] == pytest.approx(values.mean(), rel=1e-12)
        assert entry["std"] == pytest.approx(values.std(), rel=1e-12)
        assert (entry["min"], entry["max"]) == (values.min(), values.max())
        assert set(entry["edges"]) <= set(entry["grid"]["edges"])
    # stored and read back, it judges data in memory and on an engine the same way
    stored = json.loads(json.dumps(profile))
    current = pd.DataFrame({"x": rng.normal(3.0, 3.0, ROWS), "k": rng.integers(0, 40, ROWS)})
    in_memory = check_drift(stored, current)
    on_engine = check_drift(stored, pl.from_pandas(current).lazy())
    for a, b in zip(in_memory.details["columns"], on_engine.details["columns"], strict=True):
        assert a["statistic"] == b["statistic"] and a["p_value"] == b["p_value"], a["column"]
    assert {r["column"] for r in on_engine.details["columns"] if r["drifted"]} == {"x"}


def test_a_crowded_column_keeps_its_quantile_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Half of a lognormal(0, 3) lies under 1 of a range that reaches past 10^4: its
    cells near 0 hold several percent each, so it is counted on its sampled quantiles."""
    _sampled(monkeypatch)
    rng = np.random.default_rng(2)
    values = rng.lognormal(0.0, 3.0, ROWS)
    profile = build_profile(pl.DataFrame({"x": values}).lazy())
    grid = profile["columns"]["x"]["grid"]
    assert "lattice" not in grid
    expected = np.bincount(
        np.searchsorted(grid["edges"], values, side="right"), minlength=len(grid["edges"]) + 1
    )
    assert grid["counts"] == expected.tolist()
    assert max(grid["counts"]) <= 0.02 * ROWS


def _lattice_counts(values: np.ndarray, lattice: Lattice) -> CellCounts:
    """What the engine's group-by returns, computed with NumPy."""
    slots = lattice.slots(values)
    counts = np.bincount(slots, minlength=lattice.cells + 2)
    low = np.full(lattice.cells + 2, np.nan)
    high = np.full(lattice.cells + 2, np.nan)
    np.fmin.at(low, slots, values)
    np.fmax.at(high, slots, values)
    return CellCounts(0, 0, counts, low, high)


def test_ks_on_the_lattice_brackets_scipy_and_keeps_its_false_alarm_rate() -> None:
    """300 no-drift pairs of 20,000 t(4) values, the lattice spanning a 5,000-value sample's
    0.1% to 99.9% quantiles (values beyond fall in its two outer cells): the exact KS
    statistic lies in [grid D, grid D + bound] every time, and the conservative p-value
    falls under 0.05 in at most 5% of pairs (measured 3.0%; binomial sd 1.3%: the test
    allows 8%)."""
    rng = np.random.default_rng(21)
    p_values = []
    for _ in range(300):
        reference, current = rng.standard_t(4, 20_000), rng.standard_t(4, 20_000)
        sample = rng.choice(reference, 5_000, replace=False)
        lattice = lt.lattice_for(np.quantile(sample, [0.001, 0.999]).tolist())
        assert lattice is not None
        entry = lt.lattice_entry(_lattice_counts(reference, lattice), lattice, LEVELS, DECILES)
        assert entry is not None
        found = lt.lattice_of(entry)
        assert found is not None
        cells = found[1]
        slots = np.bincount(lattice.slots(current), minlength=lattice.cells + 2)
        ks = bn.ks_on_grid(np.asarray(entry["grid"]["counts"]), lt.binned(slots, cells))
        exact = stats.ks_2samp(reference, current).statistic
        assert ks.statistic - 1e-12 <= exact <= ks.statistic + ks.bound + 1e-12
        p_values.append(ks.p_value)
    rate = float(np.mean(np.asarray(p_values) < 0.05))
    assert rate <= 0.08, rate
    assert float(np.mean(np.asarray(p_values) < 0.5)) > 0.3  # not stuck near 1


def test_lattice_edges_are_on_cell_boundaries_and_cut_at_the_levels() -> None:
    """A hand-worked case: 10 cells on [0, 10), the values 0.5, 1.5, ..., 9.5 ten times
    each: the deciles fall on the boundaries 1, 2, ..., 9."""
    lattice = Lattice.spanning(0.0, 10.0, cells=10)
    assert lattice is not None
    values = np.repeat(np.arange(10) + 0.5, 10)
    entry = lt.lattice_entry(_lattice_counts(values, lattice), lattice, DECILES, DECILES)
    assert entry is not None
    assert entry["edges"] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    assert entry["grid"]["counts"] == [10] * 10
    assert entry["grid"]["lattice"]["boundaries"] == list(range(1, 10))


def test_a_stored_lattice_that_is_wrong_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    _sampled(monkeypatch)
    rng = np.random.default_rng(4)
    profile = build_profile(pl.DataFrame({"x": rng.normal(size=ROWS)}).lazy())
    profile["columns"]["x"]["grid"]["lattice"]["boundaries"][0] = -5
    with pytest.raises(MlopsInputError, match=r"'grid.lattice'"):
        check_drift(profile, pd.DataFrame({"x": rng.normal(size=100)}))


def _dated(shift_days: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-01-01", tz="UTC")
    days = rng.normal(100.0 + shift_days, 20.0, ROWS)
    # microseconds: DuckDB's TIMESTAMPTZ (narwhals reads no type from its TIMESTAMPTZ_NS)
    stamps = (start + pd.to_timedelta(days, unit="D")).as_unit("us")
    frame = pd.DataFrame(
        {"when": stamps, "naive": stamps.tz_localize(None), "x": rng.normal(size=ROWS)}
    )
    frame.loc[rng.random(ROWS) < 0.01, "when"] = pd.NaT
    return frame


@pytest.mark.parametrize("sampled", [False, True])
def test_datetime_columns_on_an_engine_when_listed(
    sampled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed datetime columns are compared as epoch seconds, as in memory: a shift of 10
    days (half a standard deviation) is found, none is not, on the exact and the lattice
    path; unlisted, they are not judged, as in memory."""
    if sampled:
        _sampled(monkeypatch)
    reference, same, shifted = _dated(0, 1), _dated(0, 2), _dated(10, 3)
    columns = ["when", "naive", "x"]
    for current, drifted in ((same, set()), (shifted, {"when", "naive"})):
        in_memory = check_drift(reference, current, columns=columns)
        for ref, cur in (
            (pl.from_pandas(reference).lazy(), pl.from_pandas(current).lazy()),
            (duckdb.from_arrow(pl.from_pandas(reference).to_arrow()), current),
        ):
            result = check_drift(ref, cur, columns=columns)
            rows = {r["column"]: r for r in result.details["columns"]}
            assert {c for c, r in rows.items() if r["drifted"]} == drifted
            assert rows["when"]["kind"] == "datetime" and rows["when"]["judged"]
            # the statistic as in memory, within the grid's bound
            memory = {r["column"]: r for r in in_memory.details["columns"]}
            for column in ("when", "naive"):
                low = rows[column]["statistic"]
                assert low <= memory[column]["statistic"] <= low + rows[column]["ks_bound"] + 1e-12
    unlisted = check_drift(pl.from_pandas(reference).lazy(), pl.from_pandas(shifted).lazy())
    rows = {r["column"]: r for r in unlisted.details["columns"]}
    assert not rows["when"]["judged"] and "only compared when listed" in rows["when"]["note"]


@pytest.mark.parametrize("sampled", [False, True])
def test_infinities_on_an_engine_fall_in_the_outer_bins(
    sampled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column holding inf and -inf has infinite extreme quantiles, which are no grid
    edge (they made the profile fail): the infinities are counted in the outer bins."""
    if sampled:
        _sampled(monkeypatch, 500)
    rng = np.random.default_rng(12)

    def side(shift: float) -> pd.DataFrame:
        values = rng.normal(shift, 1.0, 600)
        values[:2] = [np.inf, -np.inf]
        return pd.DataFrame({"x": values})

    reference, same, shifted = side(0.0), side(0.0), side(1.0)
    for current, drifted in ((same, False), (shifted, True)):
        for engine in (pl.from_pandas, lambda f: duckdb.from_arrow(pl.from_pandas(f).to_arrow())):
            ref, cur = engine(reference), engine(current)
            ref = ref.lazy() if isinstance(ref, pl.DataFrame) else ref
            cur = cur.lazy() if isinstance(cur, pl.DataFrame) else cur
            (row,) = check_drift(ref, cur).details["columns"]
            assert row["drifted"] is drifted
            assert check_drift(reference, current).details["columns"][0]["drifted"] is drifted
