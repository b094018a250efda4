"""Checks on data that lives in Parquet files: DuckDB and polars lazy against pandas.

Writes a reference and a current file of N rows x 25 columns (20 numeric, 5 categorical;
in the current file 3 numeric columns shift by 0.3 standard deviations and one categorical
column changes its mix), then times, each in a fresh process whose peak memory (maximum
resident set size) is read from the operating system:

- the floor: DuckDB's own single aggregate scan of the files (count, null count, min,
  max and sum of every column), which any check that reads the data must at least do;
- ``check_drift`` (reference file vs current file), ``infer_schema`` + ``check_schema``
  and ``check_data`` through DuckDB (a Parquet path) and through polars
  (``pl.scan_parquet``), never collecting the rows;
- the same checks on pandas frames read from the same files, where pandas fits in memory
  (skipped above ``--pandas-max-rows``, default 10,000,000).

Targets (issue 12): at 50M x 25, peak memory under 1 GB and time within 3x of the floor
for DuckDB and polars lazy. Every ratio printed is against the floor measured in the same
run on the same files: the faster of two scans, the second finding the files in the page
cache as every check after it does (a cold first scan of 2 x 8 GB took 27 s, a warm one
12.5 s on the development machine).

    python benchmarks/scale.py                      # 1M and 10M rows
    python benchmarks/scale.py --rows 50000000      # 50M rows (about 9 GB of Parquet)
    python benchmarks/scale.py --dir /big/disk      # where the files go (kept for reuse)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

NUMERIC = 20
CATEGORICAL = 5
SHIFTED_NUMERIC = 3
CATEGORIES = ("a", "b", "c", "d")


def _select_sql(shift: bool, rows: int) -> str:
    """One file's query: normal columns via Box-Muller, categories by thresholds on a
    uniform draw made once per row (inner query), so each row gets one category."""
    numeric = []
    for i in range(NUMERIC):
        mean = 0.3 if shift and i < SHIFTED_NUMERIC else 0.0
        numeric.append(f"{mean} + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS num{i}")
    uniforms = ", ".join(f"random() AS u{i}" for i in range(CATEGORICAL))
    categories = []
    for i in range(CATEGORICAL):
        cuts = (0.25, 0.5, 0.75) if shift and i == 0 else (0.4, 0.7, 0.9)
        case = " ".join(
            f"WHEN u{i} < {cut} THEN '{cat}'" for cut, cat in zip(cuts, CATEGORIES, strict=False)
        )
        categories.append(f"CASE {case} ELSE 'd' END AS cat{i}")
    names = ", ".join(f"num{i}" for i in range(NUMERIC))
    return (
        f"SELECT {names}, {', '.join(categories)} FROM "
        f"(SELECT {', '.join(numeric)}, {uniforms} FROM range({rows}))"
    )


def write_files(rows: int, folder: Path) -> tuple[Path, Path]:
    """The reference and current Parquet files of ``rows`` rows (reused when present)."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for side, shift in (("reference", False), ("current", True)):
        path = folder / f"{side}_{rows}.parquet"
        if not path.exists():
            partial = path.with_suffix(".partial")
            started = time.perf_counter()
            con = duckdb.connect()
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET enable_progress_bar = false")
            con.execute(
                f"COPY ({_select_sql(shift, rows)}) TO '{partial}' "
                "(FORMAT parquet, ROW_GROUP_SIZE 1000000)"
            )
            con.close()
            partial.rename(path)
            print(
                f"  wrote {path} ({path.stat().st_size / 1e9:.2f} GB) in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
        paths.append(path)
    return paths[0], paths[1]


# ---------------------------------------------------------------- measured in a child


def _floor(reference: Path, current: Path) -> None:
    import duckdb

    columns = [f"num{i}" for i in range(NUMERIC)] + [f"cat{i}" for i in range(CATEGORICAL)]
    aggregates = ", ".join(
        f"count({c}), min({c}), max({c})" + (f", sum({c})" if c.startswith("num") else "")
        for c in columns
    )
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for path in (reference, current):
        con.execute(f"SELECT count(*), {aggregates} FROM read_parquet('{path}')").fetchall()


def _open(engine: str, path: Path) -> object:  # a DuckDB path, a LazyFrame or pandas
    if engine == "duckdb":
        return str(path)
    if engine == "polars":
        import polars as pl

        return pl.scan_parquet(path)
    import pandas as pd

    frame = pd.read_parquet(path)
    for i in range(CATEGORICAL):
        frame[f"cat{i}"] = frame[f"cat{i}"].astype("category")
    return frame


def _drift(engine: str, reference: Path, current: Path) -> dict[str, object]:
    from pytest_mlops.checks import check_drift

    result = check_drift(_open(engine, reference), _open(engine, current))
    drifted = [r["column"] for r in result.details["columns"] if r["drifted"]]
    return {"status": result.status, "drifted": sorted(drifted)}


def _schema(engine: str, reference: Path, current: Path) -> dict[str, object]:
    from pytest_mlops.checks import check_schema, infer_schema

    schema = infer_schema(_open(engine, reference))
    result = check_schema(_open(engine, current), schema)
    return {"status": result.status}


def _data(engine: str, reference: Path, current: Path) -> dict[str, object]:
    from pytest_mlops.checks import check_data

    result = check_data(_open(engine, reference))
    return {"status": result.status}


MEASURES = {"drift": _drift, "schema": _schema, "data": _data}


def _child(what: str, engine: str, reference: Path, current: Path) -> None:
    started = time.perf_counter()
    if what == "floor":
        _floor(reference, current)
        out: dict[str, object] = {}
    else:
        out = MEASURES[what](engine, reference, current)
    out["seconds"] = time.perf_counter() - started
    print(json.dumps(out))


def measure(what: str, engine: str, reference: Path, current: Path) -> dict[str, object]:
    """Run one measurement in a fresh process; its time and peak resident memory."""
    command = [sys.executable, __file__, "--child", what, engine, str(reference), str(current)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        return {"error": f"exit status {child.returncode}"}
    result: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    result["peak_mb"] = peak / 2**20
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--dir", type=Path, default=Path("benchmarks/.scale-data"))
    parser.add_argument("--pandas-max-rows", type=int, default=10_000_000)
    parser.add_argument("--engines", nargs="+", default=["duckdb", "polars", "pandas"])
    parser.add_argument("--checks", nargs="+", default=list(MEASURES))
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, engine, reference, current = args.child
        _child(what, engine, Path(reference), Path(current))
        return
    print(
        f"{'rows':>11} {'check':>7} {'engine':>7} {'seconds':>8} {'x floor':>8} "
        f"{'peak MB':>8}  result"
    )
    for rows in args.rows:
        reference, current = write_files(rows, args.dir)
        # Twice: the first scan may read the files from disk, and every measurement after
        # it finds them in the page cache; the ratios are against the faster, warm scan.
        floors = [measure("floor", "duckdb", reference, current) for _ in range(2)]
        floor_s = min(float(f["seconds"]) for f in floors)  # type: ignore[arg-type]
        for label, floor in zip(("cold?", "warm"), floors, strict=True):
            seconds = float(floor["seconds"])  # type: ignore[arg-type]
            print(
                f"{rows:>11,} {'floor':>7} {'duckdb':>7} {seconds:>8.2f} "
                f"{seconds / floor_s:>8.2f} {floor['peak_mb']:>8.0f}  one aggregate scan of "
                f"both files ({label})",
                flush=True,
            )
        for what in args.checks:
            for engine in args.engines:
                if engine == "pandas" and rows > args.pandas_max_rows:
                    print(
                        f"{rows:>11,} {what:>7} {engine:>7} {'-':>8} {'-':>8} {'-':>8}  "
                        "skipped: does not fit in memory here",
                        flush=True,
                    )
                    continue
                got = measure(what, engine, reference, current)
                if "error" in got:
                    print(f"{rows:>11,} {what:>7} {engine:>7}  {got['error']}", flush=True)
                    continue
                seconds = float(got.pop("seconds"))  # type: ignore[arg-type]
                peak = got.pop("peak_mb")
                print(
                    f"{rows:>11,} {what:>7} {engine:>7} {seconds:>8.2f} "
                    f"{seconds / floor_s:>8.2f} {peak:>8.0f}  {json.dumps(got)}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
