"""Bootstrap intervals: 1,000 resamples of ROC AUC, F1 and log loss on 100,000 predictions.

Times ``check_metrics(..., n_resamples=1000)`` (ROC AUC by DeLong, log loss studentized,
F1 from binomial counts; see ``pytest_mlops.checks._evaluation``) against a plain loop calling
scikit-learn's ``roc_auc_score``, ``f1_score`` and ``log_loss`` on each resample, in the
same run. The loop is timed on ``--loop-resamples`` resamples (default 50) and scaled to
1,000 (it is linear in the number of resamples). Targets: at least 20x faster than the
loop, and under 2 s.

    python benchmarks/bootstrap.py [--rows 100000] [--resamples 1000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.metrics import f1_score, log_loss, roc_auc_score

from pytest_mlops.checks import check_metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--loop-resamples", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, args.rows)
    score = np.clip(y * 0.3 + rng.random(args.rows) * 0.7, 1e-6, 1 - 1e-6)
    pred = (score > 0.5).astype(int)
    names = ["roc_auc", "f1", "log_loss"]

    check_metrics(y[:1000], pred[:1000], score[:1000], report=names, n_resamples=10)  # warm up
    start = time.perf_counter()
    result = check_metrics(y, pred, score, report=names, n_resamples=args.resamples)
    ours = time.perf_counter() - start

    start = time.perf_counter()
    for _ in range(args.loop_resamples):
        rows = rng.integers(0, args.rows, args.rows)
        roc_auc_score(y[rows], score[rows])
        f1_score(y[rows], pred[rows])
        log_loss(y[rows], score[rows])
    loop = (time.perf_counter() - start) * args.resamples / args.loop_resamples

    print(f"{args.resamples} resamples of {', '.join(names)} on {args.rows:,} predictions")
    for row in result.details["rows"]:
        interval = f"{row['ci_low']:.4f}-{row['ci_high']:.4f}"
        print(f"  {row['metric']:8s} {row['value']:.4f}  95% CI {interval}")
    print(f"  check_metrics (vectorised) : {ours:6.2f} s (target < 2 s)")
    print(
        f"  plain scikit-learn loop    : {loop:6.2f} s (timed on {args.loop_resamples} "
        f"resamples, scaled to {args.resamples})"
    )
    print(f"  speed-up                   : {loop / ours:6.1f}x (target >= 20x)")


if __name__ == "__main__":
    main()
