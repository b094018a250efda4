"""``check_data``'s order statistics on a lattice of cells (``checks._cell_findings``):
quartiles, fences, outlier counts and the median's rows equal NumPy's and pandas' exactly,
on data made to land values on cell boundaries, in crowded cells and at infinity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from pytest_mlops.checks import _cell_findings as cf
from pytest_mlops.checks import check_data
from pytest_mlops.engines import open_source

duckdb = pytest.importorskip("duckdb")
pl = pytest.importorskip("polars")

ROWS = 20_000


def _frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    normal = rng.normal(5.0, 2.0, ROWS)
    normal[rng.random(ROWS) < 0.01] = np.nan
    tied = np.round(rng.normal(0, 1, ROWS), 1)  # few distinct values: crowded cells
    tails = rng.standard_t(2, ROWS)
    tails[:3] = [np.inf, -np.inf, np.inf]
    mostly = np.where(rng.random(ROWS) < 0.997, 1.5, rng.normal(size=ROWS))  # almost constant
    return pd.DataFrame(
        {
            "normal": normal,
            "tied": tied,
            "tails": tails,
            "mostly": mostly,
            "skewed": rng.lognormal(0, 2, ROWS),
            "whole": rng.integers(-50, 50, ROWS) * rng.integers(1, 4, ROWS),
        }
    )


def _engine(name: str, frame: pd.DataFrame) -> Any:
    table = pl.from_pandas(frame)
    return table.lazy() if name == "polars" else duckdb.from_arrow(table.to_arrow())


def _findings(result: Any) -> list[tuple[str, str, int, str]]:
    found = result.details["findings"]
    return sorted((f["finding"], f["column"] or "", f["rows"], f["message"]) for f in found)


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_findings_from_cells_equal_pandas(
    engine: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = _frame(seed)
    fetched: list[str] = []
    real = cf.slot_values

    def spied(source: Any, column: str, lattice: Any, slots: Any) -> Any:
        fetched.append(column)
        return real(source, column, lattice, slots)

    monkeypatch.setattr(cf, "slot_values", spied)
    expected = check_data(frame)
    found = check_data(_engine(engine, frame))
    assert _findings(found) == _findings(expected)
    kinds = {f[:2] for f in _findings(found)}
    assert ("almost_constant", "mostly") in kinds and ("outliers", "tails") in kinds
    assert set(fetched) >= {"normal", "tails", "skewed"}  # the cells were used


def test_too_much_to_fetch_falls_back_to_sorting(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _frame(3)
    expected = check_data(frame)
    monkeypatch.setattr(cf, "MAX_FETCHED", 0)
    assert _findings(check_data(_engine("duckdb", frame))) == _findings(expected)


@pytest.mark.parametrize("seed", range(6))
def test_quartiles_and_outlier_counts_are_numpys(seed: int) -> None:
    """Bit for bit: the quartiles are NumPy's linear ones, the counts beyond the fences
    NumPy's, whatever the mix of ties, tails and infinities."""
    rng = np.random.default_rng(100 + seed)
    values = np.concatenate(
        [
            rng.standard_t(1 + seed, 3_000),
            np.round(rng.normal(0, 1, 2_000), seed % 3),
            [np.inf] * seed,
            [-np.inf] * (seed % 2),
        ]
    )
    source = open_source("data", pl.DataFrame({"v": values}).lazy())
    finite = values[np.isfinite(values)]
    cells = cf.column_cells(source, {"v": (float(finite.min()), float(finite.max()))})["v"]
    below = int(np.sum(values == -np.inf))
    found = cf.outliers(source, "v", cells, 1.5, len(finite), below)
    assert found is not None
    q1, q3 = np.quantile(finite, [0.25, 0.75])
    assert (found.q1, found.q3) == (q1, q3)
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    assert found.beyond == int(np.sum((values < low) | (values > high)))


def test_the_median_cell_decides_almost_constant() -> None:
    """A value held by 60% of rows is found with its count; at a 99% share its cell is too
    small, so nothing is fetched."""
    rng = np.random.default_rng(8)
    values = np.where(rng.random(ROWS) < 0.6, 2.25, rng.normal(size=ROWS))
    source = open_source("data", duckdb.from_arrow(pl.DataFrame({"v": values}).to_arrow()))
    cells = cf.column_cells(source, {"v": (float(values.min()), float(values.max()))})["v"]
    assert cf.dominant(source, "v", cells, 0.55) == (2.25, int(np.sum(values == 2.25)))
    assert cf.dominant(source, "v", cells, 0.99) is False


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_duplicate_rows_counted_from_a_few_columns_first(engine: str) -> None:
    """No two rows agree on the first float columns: no duplicate, whole rows never hashed;
    rows that agree there but not elsewhere, and true duplicates, go on to whole rows."""
    rng = np.random.default_rng(6)
    frame = pd.DataFrame({f"f{i}": rng.normal(size=3_000) for i in range(5)})
    frame["t"] = rng.choice(["a", "b"], 3_000)
    cases = {"distinct": frame}
    prefix_ties = frame.copy()
    prefix_ties.iloc[1, :4] = prefix_ties.iloc[0, :4]  # same first four, differ after
    prefix_ties.iloc[1, 4] = 99.0
    cases["prefix ties"] = prefix_ties
    cases["duplicates"] = pd.concat([frame, frame.iloc[:7]], ignore_index=True)
    for name, data in cases.items():
        source = open_source("data", _engine(engine, data))
        assert source._likely_unique() == ["f0", "f1", "f2", "f3"]
        assert source.duplicate_rows() == int(data.duplicated().sum()), name
