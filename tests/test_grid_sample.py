"""A profile's grid placed on a sample of a large engine table (``Source.grid_quantiles``):
the edges are real values near the asked ranks, the same on every run, the counts on them
stay exact, and KS on such a grid keeps its false-alarm rate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pytest_mlops.checks import build_profile, check_drift
from pytest_mlops.engines import _source, open_source
from pytest_mlops.errors import MlopsInputError

duckdb = pytest.importorskip("duckdb")
pl = pytest.importorskip("polars")

ROWS = 200_000
PROBS = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999]


def _table(seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x": rng.normal(shift, 1, ROWS),
            "k": rng.integers(0, 20, ROWS),  # heavy ties
        }
    )
    frame.loc[rng.random(ROWS) < 0.03, "x"] = np.nan
    return frame


@pytest.fixture(scope="module")
def parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("grid") / "reference.parquet"
    _table(1).to_parquet(path)
    return path


@pytest.fixture(params=["duckdb", "polars"])
def opened(request: pytest.FixtureRequest, parquet: Path) -> Any:
    data = str(parquet) if request.param == "duckdb" else pl.scan_parquet(parquet)
    return open_source("reference", data)


def test_sampled_edges_are_real_values_near_their_ranks_and_repeatable(opened: Any) -> None:
    table = _table(1)
    found, every = opened.grid_quantiles(["x", "k"], PROBS, max_rows=20_000)
    again, _ = opened.grid_quantiles(["x", "k"], PROBS, max_rows=20_000)
    assert every == 10
    assert found == again
    for column in ("x", "k"):
        values = np.sort(table[column].dropna().to_numpy())
        for p, q in zip(PROBS, found[column], strict=True):
            assert values[np.searchsorted(values, q)] == q  # a value of the column
            below = np.searchsorted(values, q, side="left") / len(values)
            at_or_below = np.searchsorted(values, q, side="right") / len(values)
            # the rank error of a 20,000-row sample: sd <= 0.0036; allow five of them
            assert below - 0.018 <= p <= at_or_below + 0.018, (column, p, q)


def test_small_tables_and_a_large_limit_keep_exact_quantiles(opened: Any) -> None:
    found, every = opened.grid_quantiles(["x"], PROBS, max_rows=ROWS)
    assert every == 1
    assert found["x"] == opened.quantiles("x", PROBS)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_max_rows_is_named(opened: Any, bad: Any) -> None:
    with pytest.raises(MlopsInputError, match="max_rows must be a positive int"):
        opened.grid_quantiles(["x"], PROBS, max_rows=bad)


def test_profile_on_a_sampled_grid_says_so_and_counts_every_row(
    parquet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_source, "GRID_SAMPLE_ROWS", 20_000)
    profile = build_profile(str(parquet))
    assert profile["grid_sample_every"] == 10
    assert profile["exact_quantiles"] is False
    table = _table(1)
    for column in ("x", "k"):
        grid = profile["columns"][column]["grid"]
        values = table[column].dropna().to_numpy()
        expected = np.bincount(
            np.searchsorted(grid["edges"], values, side="right"), minlength=len(grid["edges"]) + 1
        )
        assert grid["counts"] == expected.tolist(), column
    # the same file judged against its own sampled-grid profile passes; a shift fails
    assert check_drift(profile, str(parquet)).status == "pass"
    shifted = parquet.with_name("shifted.parquet")
    _table(2, shift=0.2).to_parquet(shifted)
    result = check_drift(profile, str(shifted))
    drifted = {r["column"] for r in result.details["columns"] if r["drifted"]}
    assert drifted == {"x"}


def test_ks_on_a_sampled_grid_keeps_its_false_alarm_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    """No drift, 200 pairs of 20,000-row polars tables, the grid from every 10th reference
    row: the KS p-value is conservative, so at most 5% of them fall under 0.05 (binomial
    sd 1.5%: the bound allows 8%)."""
    monkeypatch.setattr(_source, "GRID_SAMPLE_ROWS", 2_000)
    rng = np.random.default_rng(11)
    p_values = []
    for _ in range(200):
        reference = pl.DataFrame({"x": rng.standard_t(5, 20_000)}).lazy()
        current = pl.DataFrame({"x": rng.standard_t(5, 20_000)}).lazy()
        result = check_drift(reference, current, method="ks")
        (row,) = result.details["columns"]
        p_values.append(row["p_value"])
    rate = float(np.mean(np.asarray(p_values) < 0.05))
    assert rate <= 0.08, rate
    # and not by being stuck near 1: a p-value under no drift is close to uniform
    assert float(np.mean(np.asarray(p_values) < 0.5)) > 0.3


def test_counts_after_a_summary_leave_out_nan_and_match_numpy(parquet: Path) -> None:
    """A summary tells the source which float columns hold no NaN (the counting pass then
    skips the NaN test for them); a column that holds NaN still leaves them out."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = _table(1)  # x: its missing values become nulls in Parquet
    table["y"] = np.arange(ROWS, dtype="float64")  # a float column without NaN
    table["z"] = table["y"].where(table.index % 7 != 0, np.nan)  # NaN, not null
    path = parquet.with_name("with_nan.parquet")
    pq.write_table(
        pa.table({c: pa.array(table[c].to_numpy(), from_pandas=c != "z") for c in table}), path
    )
    edges = {
        "x": [-1.5, 0.0, 0.0, 2.0],
        "y": [10.0, 10.5, 99_999.0],
        "z": [-1.0, 14.0, 50_000.0],
        "k": [0.5, 3, 3, 19.0],
    }
    for data in (str(path), pl.scan_parquet(path)):
        source = open_source("reference", data)
        before = source.cdf_counts(edges)
        summary = source.summary(list(edges), distinct=False)
        assert summary["x"].nulls > 0 and summary["z"].nan > 0 and summary["y"].nan == 0
        assert summary["x"].n_distinct is None
        after = source.cdf_counts(edges)
        for column, cuts in edges.items():
            values = table[column].dropna().to_numpy()
            expected = np.bincount(
                np.searchsorted(cuts, values, side="right"), minlength=len(cuts) + 1
            )
            assert before[column].tolist() == expected.tolist(), column
            assert after[column].tolist() == expected.tolist(), column


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_a_column_too_sparse_for_the_sample_gets_exact_quantiles(
    tmp_path: Path, engine: str
) -> None:
    # 40 values in 200,000 rows: a 1-in-10 sample holds about 4 of them, too few to place
    # percentiles on (none at all would give NaN edges): that column is placed exactly
    rng = np.random.default_rng(8)
    sparse = np.full(ROWS, np.nan)
    where = rng.choice(ROWS, 40, replace=False)
    sparse[where] = rng.normal(0, 1, 40)
    path = tmp_path / "sparse.parquet"
    pd.DataFrame({"x": rng.normal(0, 1, ROWS), "rare": sparse}).to_parquet(path)
    data = str(path) if engine == "duckdb" else pl.scan_parquet(path)
    found, every = open_source("t", data).grid_quantiles(["x", "rare"], PROBS, max_rows=20_000)
    assert every == 10
    values = np.sort(sparse[where])
    expected = [values[min(40, max(1, int(np.ceil(p * 40)))) - 1] for p in PROBS]
    assert found["rare"] == pytest.approx(expected)
