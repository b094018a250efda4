"""Schema validation speed on 1,000,000 rows x 25 columns (20 numeric, 5 categorical).

Learns a schema with ``infer_schema`` on the data and validates the data against it with
``check_schema``; in the same run, validates an equivalent pandera ``DataFrameSchema``
(same dtypes, ranges, nullability and allowed categories) with ``lazy=True``. pandera is
needed for the comparison only: ``pip install pandera`` (it is in the test extra); without
it that line is skipped. Prints the time, the peak memory traced by ``tracemalloc``
against the frame's own size, and the ratio. Targets: at least 3x faster than pandera,
peak memory under 2x the frame.

    python benchmarks/data_validation.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import contextlib
import time
import tracemalloc

import numpy as np
import pandas as pd

from pytest_mlops.checks import check_schema, infer_schema


def make_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    data: dict[str, object] = {f"num{i}": rng.normal(i, 1.0, rows) for i in range(20)}
    for i in range(5):
        data[f"cat{i}"] = pd.Categorical(rng.choice([f"v{k}" for k in range(8)], rows))
    return pd.DataFrame(data)


def pandera_schema(frame: pd.DataFrame):  # type: ignore[no-untyped-def]
    import pandera.pandas as pa

    columns = {}
    for name in frame.columns:
        series = frame[name]
        if name.startswith("num"):
            columns[name] = pa.Column(
                float, [pa.Check.ge(series.min()), pa.Check.le(series.max())], nullable=False
            )
        else:
            columns[name] = pa.Column(
                "category", pa.Check.isin(list(series.cat.categories)), nullable=False
            )
    return pa.DataFrameSchema(columns, strict=True, ordered=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    frame = make_frame(args.rows)
    frame_mb = frame.memory_usage(deep=True).sum() / 2**20
    schema = infer_schema(frame)

    check_schema(frame.head(1000), schema)  # warm up imports
    start = time.perf_counter()
    result = check_schema(frame, schema)
    ours = time.perf_counter() - start
    # Memory in a second run: tracemalloc slows every allocation, so it is not timed.
    tracemalloc.start()
    check_schema(frame, schema)
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{args.rows:,} rows x 25 columns ({frame_mb:.0f} MiB in memory)")
    print(
        f"  check_schema : {ours:6.2f} s, peak {peak_mb:.0f} MiB = {peak_mb / frame_mb:.2f}x the "
        f"frame (target < 2x); status {result.status}"
    )
    try:
        import pandera.pandas as pa  # noqa: F401
    except ImportError:
        print("  pandera      : not installed (pip install pandera to compare)")
        return
    theirs_schema = pandera_schema(frame)
    theirs_schema.validate(frame.head(1000), lazy=True)
    start = time.perf_counter()
    theirs_schema.validate(frame, lazy=True)
    theirs = time.perf_counter() - start
    print(
        f"  pandera      : {theirs:6.2f} s -> pytest-mlops is {theirs / ours:.1f}x faster "
        "(target >= 3x)"
    )

    # The same with defects, where no shortcut applies to the broken columns.
    broken = frame.copy()
    broken.loc[::100, "num0"] = np.nan  # 1% missing
    broken.loc[::50, "num1"] = 1e9  # 2% out of range
    broken["cat0"] = broken["cat0"].cat.add_categories(["new"])
    broken.loc[::200, "cat0"] = "new"  # 0.5% unknown category
    start = time.perf_counter()
    found = check_schema(broken, schema)
    ours_broken = time.perf_counter() - start
    tracemalloc.start()
    check_schema(broken, schema)
    peak_broken = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    start = time.perf_counter()
    with contextlib.suppress(Exception):  # pandera raises SchemaErrors with the failures
        theirs_schema.validate(broken, lazy=True)
    theirs_broken = time.perf_counter() - start
    print(
        f"  with defects : {ours_broken:6.2f} s, peak {peak_broken / frame_mb:.2f}x the frame, "
        f"{found.metrics['violations']} violations; pandera {theirs_broken:.2f} s -> "
        f"{theirs_broken / ours_broken:.1f}x faster"
    )


if __name__ == "__main__":
    main()
