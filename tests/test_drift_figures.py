"""Drift figures survive what user data can hold, and every column carries a bounded
histogram for the report's sparklines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pytest_mlops.checks import build_profile, check_drift
from pytest_mlops.report.figures import figures_for


def drifted(result) -> dict:
    check = result.to_dict()
    for row in check["details"]["columns"]:
        row["drifted"] = True  # draw every column
    return check


@pytest.mark.parametrize("scale", [1.7e308, -1.7e308, 1e-300])
def test_values_near_the_float_limits_are_drawn(scale: float) -> None:
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.uniform(0, 1, 300) * scale})
    for reference in (ref, build_profile(ref)):
        drawn = figures_for(drifted(check_drift(reference, ref * 0.5)))
        assert drawn and all(f["svg"].startswith("<svg") for f in drawn)


@pytest.mark.parametrize("name", ["$$", "$x_$", r"\frac{$", "a$b$c"])
def test_dollar_signs_in_names_are_plain_text(name: str) -> None:
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({name: rng.choice([name, f"{name}2", "plain"], 400)})
    cur = pd.DataFrame({name: rng.choice([name, f"{name}2", "plain"], 400, p=[0.8, 0.1, 0.1])})
    drawn = figures_for(drifted(check_drift(ref, cur)))
    assert len(drawn) == 1 and drawn[0]["title"].startswith(name)


def test_every_judged_column_has_a_small_histogram_of_counts() -> None:
    rng = np.random.default_rng(2)
    n = 50_000
    ref = pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice([f"k{i}" for i in range(40)], n)})
    cur = pd.DataFrame({"x": rng.normal(size=n // 2), "c": rng.choice(["k0", "k1"], n // 2)})
    result = check_drift(ref, cur)
    x = next(r for r in result.details["columns"] if r["column"] == "x")
    hist = x["histogram"]
    assert len(hist["edges"]) == len(hist["reference"]) + 1 == 21
    assert sum(hist["reference"]) == n and sum(hist["current"]) == n // 2
    assert all(isinstance(v, int) for v in hist["reference"] + hist["current"])
    c = next(r for r in result.details["columns"] if r["column"] == "c")
    assert len(c["histogram"]["categories"]) == 15  # bounded: the largest categories
    assert c["histogram"]["current"][:2] == [
        int((cur["c"] == k).sum()) for k in c["histogram"]["categories"][:2]
    ]
    stored = check_drift(build_profile(ref), cur)
    binned = next(r for r in stored.details["columns"] if r["column"] == "x")["histogram"]
    assert sum(binned["reference"]) == n and sum(binned["current"]) == n // 2
    assert len(binned["edges"]) == len(binned["reference"]) + 1


def test_categories_are_counted_from_codes_like_text() -> None:
    from pytest_mlops.checks._drift_columns import category_counts

    rng = np.random.default_rng(3)
    values = pd.Series(rng.choice(["a", "b", None, "c"], 1000))
    as_category = values.astype("category").cat.add_categories(["unused"])
    expected = values.dropna().astype(str).value_counts().to_dict()
    assert category_counts(as_category) == expected == category_counts(values)
