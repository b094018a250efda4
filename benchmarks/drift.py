"""Drift detection speed on 1,000,000 rows x 25 columns (20 numeric, 5 categorical).

Three numeric columns and one categorical column are shifted. Prints the time and peak
memory (tracemalloc) of ``check_drift``, and in the same run the ratio to
(a) the floor: what any exact column-by-column test must do, sorting each numeric column
on both sides and counting each categorical column's codes (``np.bincount``),
(b) a plain SciPy loop over the columns (``ks_2samp`` for numbers, ``chi2_contingency``
for categories), (c) Evidently's ``DataDriftPreset`` when it is installed
(``pip install evidently``; skipped otherwise), and the time of profile-based drift.
Targets: within 2x of the floor, at most 1.5x the SciPy loop, at least 10x faster than
Evidently, profile < 1 s. All timings are the best of ``--repeat`` runs (default 3).

    python benchmarks/drift.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd
from scipy import stats

from pytest_mlops.checks import build_profile, check_drift


def make_frames(rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)

    def frame(shift: bool) -> pd.DataFrame:
        data = {
            f"num{i}": rng.normal(0.3 if shift and i < 3 else 0.0, 1.0, rows) for i in range(20)
        }
        for i in range(5):
            p = [0.4, 0.3, 0.2, 0.1] if not (shift and i == 0) else [0.25, 0.25, 0.25, 0.25]
            data[f"cat{i}"] = pd.Categorical(rng.choice(["a", "b", "c", "d"], rows, p=p))
        return pd.DataFrame(data)

    return frame(False), frame(True)


def scipy_loop(ref: pd.DataFrame, cur: pd.DataFrame) -> list[float]:
    p_values = []
    for column in ref.columns:
        if column.startswith("num"):
            p_values.append(stats.ks_2samp(ref[column], cur[column]).pvalue)
        else:
            table = pd.crosstab(
                np.r_[np.zeros(len(ref)), np.ones(len(cur))],
                np.r_[ref[column].to_numpy(), cur[column].to_numpy()],
            )
            p_values.append(stats.chi2_contingency(table).pvalue)
    return p_values


REPEAT = 3


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return out, best


def floor(ref: pd.DataFrame, cur: pd.DataFrame) -> int:
    """The unavoidable work: one sort per numeric column and side, one count of codes per
    categorical column and side."""
    touched = 0
    for frame in (ref, cur):
        for column in frame.columns:
            series = frame[column]
            if isinstance(series.dtype, pd.CategoricalDtype):
                touched += len(np.bincount(series.cat.codes.to_numpy()))
            else:
                touched += len(np.sort(series.to_numpy(dtype=float)))
    return touched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args()
    globals()["REPEAT"] = args.repeat
    ref, cur = make_frames(args.rows)
    frame_mb = (ref.memory_usage(deep=True).sum() + cur.memory_usage(deep=True).sum()) / 2**20

    tracemalloc.start()
    result, ours = timed(check_drift, ref, cur)
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    _, bound = timed(floor, ref, cur)
    _, loop = timed(scipy_loop, ref, cur)
    profile, build = timed(build_profile, ref)
    profiled, from_profile = timed(check_drift, profile, cur)

    drifted = [r["column"] for r in result.details["columns"] if r["drifted"]]
    print(f"{args.rows:,} rows x 25 columns, both frames {frame_mb:.0f} MiB")
    print(
        f"  check_drift          : {ours:6.2f} s, peak {peak_mb:.0f} MiB; drifted {sorted(drifted)}"
    )
    print(f"  floor (sort + counts): {bound:6.2f} s -> ratio {ours / bound:.2f}x (target <= 2x)")
    print(f"  plain SciPy loop     : {loop:6.2f} s -> ratio {ours / loop:.2f}x (target <= 1.5x)")
    print(f"  build_profile        : {build:6.2f} s, {len(str(profile)) / 1024:.1f} KiB as text")
    print(
        f"  drift vs the profile : {from_profile:6.2f} s (target < 1 s); drifted "
        f"{sorted(r['column'] for r in profiled.details['columns'] if r['drifted'])}"
    )
    try:
        from evidently import Report
        from evidently.presets import DataDriftPreset
    except ImportError as exc:
        print(
            f"  Evidently            : not importable ({exc}); pip install evidently "
            "(it needs pandas < 3) to compare"
        )
        return
    _, evidently = timed(Report([DataDriftPreset()]).run, cur, ref)
    print(
        f"  Evidently DataDrift  : {evidently:6.2f} s -> {evidently / ours:.1f}x slower "
        "(target >= 10x)"
    )


if __name__ == "__main__":
    main()
