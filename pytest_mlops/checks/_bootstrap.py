"""Vectorised bootstrap intervals for model metrics.

A resample is represented by a weight per row (how often the row was drawn), built for a
chunk of resamples at once with one ``bincount``. Every built-in binary-classification and
regression metric is then a weighted sum: counts for accuracy, precision, recall, F1,
balanced accuracy and MCC; per-row losses for log loss, Brier and the regression errors;
and, for ROC AUC and average precision, cumulative sums of the weights along one global
sort of the scores (ties grouped). No Python loop runs over resamples for them; other
metrics (multiclass, user callables) fall back to a loop with ``sample_weight`` or gathered
rows.

Classification resamples are stratified: each class keeps its count, as in the original
test set.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import numpy as np

CHUNK_CELLS: Final = 20_000_000  # rows x resamples per chunk: ~160 MB of float64 weights
WILSON_METRICS: Final = ("accuracy", "precision", "recall")


def wilson(successes: float, trials: float, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a proportion."""
    from scipy import stats

    if trials <= 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (
        z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def weight_chunks(
    n: int,
    n_resamples: int,
    rng: np.random.Generator,
    strata: np.ndarray | None = None,
) -> Iterator[np.ndarray]:
    """Yield ``(chunk, n)`` arrays of bootstrap weights, ``n_resamples`` rows in all.

    With ``strata`` (class labels), rows are drawn within each stratum so that every
    resample keeps the class counts.
    """
    import numpy as np

    groups = (
        [np.arange(n)]
        if strata is None
        else [np.flatnonzero(strata == value) for value in np.unique(strata)]
    )
    per_chunk = max(1, min(n_resamples, CHUNK_CELLS // max(n, 1)))
    done = 0
    while done < n_resamples:
        size = min(per_chunk, n_resamples - done)
        weights = np.zeros((size, n))
        offsets = (np.arange(size) * n)[:, None]
        for members in groups:
            picks = members[rng.integers(0, len(members), size=(size, len(members)))]
            weights.ravel()[:] += np.bincount((picks + offsets).ravel(), minlength=size * n)
        done += size
        yield weights


def _ranked_groups(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order of the scores (descending) and the start of each group of tied scores."""
    import numpy as np

    order = np.argsort(-scores, kind="stable")
    ordered = scores[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return order, starts


def _weighted_auc(pos_w: np.ndarray, neg_w: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """ROC AUC per resample from weights in descending-score order (ties count half)."""
    import numpy as np

    pos_g = np.add.reduceat(pos_w, starts, axis=1)
    neg_g = np.add.reduceat(neg_w, starts, axis=1)
    # negatives strictly below a group = all negatives - those at or above it
    neg_total = neg_g.sum(axis=1, keepdims=True)
    below = neg_total - np.cumsum(neg_g, axis=1)
    numerator = (pos_g * (below + 0.5 * neg_g)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return numerator / (pos_g.sum(axis=1) * neg_total[:, 0])


def _weighted_ap(pos_w: np.ndarray, neg_w: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Average precision per resample (scikit-learn's step-wise definition)."""
    import numpy as np

    pos_g = np.add.reduceat(pos_w, starts, axis=1)
    neg_g = np.add.reduceat(neg_w, starts, axis=1)
    tp = np.cumsum(pos_g, axis=1)
    fp = np.cumsum(neg_g, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        return (pos_g * precision).sum(axis=1) / tp[:, -1]


def binary_statistics(
    names: list[str],
    y: np.ndarray,
    pred: np.ndarray | None,
    score: np.ndarray | None,
) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    """A function from a weight matrix ``(b, n)`` to each metric's ``b`` values (binary 0/1)."""
    import numpy as np

    eps = np.finfo(float).eps
    yt = y.astype(float)
    prepared: dict[str, Any] = {}
    if score is not None and ({"roc_auc", "average_precision"} & set(names)):
        order, starts = _ranked_groups(score)
        prepared.update(order=order, starts=starts, y_sorted=yt[order])
    if score is not None and "log_loss" in names:
        clipped = np.clip(score, eps, 1 - eps)
        prepared["row_log_loss"] = -(yt * np.log(clipped) + (1 - yt) * np.log(1 - clipped))
    if score is not None and "brier" in names:
        prepared["row_brier"] = (score - yt) ** 2

    def compute(weights: np.ndarray) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        total = weights.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            if pred is not None:
                yp = pred.astype(float)
                tp = weights @ (yt * yp)
                fp = weights @ ((1 - yt) * yp)
                fn = weights @ (yt * (1 - yp))
                tn = total - tp - fp - fn
                precision = tp / (tp + fp)
                recall = tp / (tp + fn)
                table = {
                    "accuracy": (tp + tn) / total,
                    "precision": precision,
                    "recall": recall,
                    "f1": 2 * tp / (2 * tp + fp + fn),
                    "balanced_accuracy": (recall + tn / (tn + fp)) / 2,
                    "mcc": (tp * tn - fp * fn)
                    / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)),
                }
                out.update({k: v for k, v in table.items() if k in names})
            if "order" in prepared:
                ordered = weights[:, prepared["order"]]
                pos_w = ordered * prepared["y_sorted"]
                neg_w = ordered - pos_w
                if "roc_auc" in names:
                    out["roc_auc"] = _weighted_auc(pos_w, neg_w, prepared["starts"])
                if "average_precision" in names:
                    out["average_precision"] = _weighted_ap(pos_w, neg_w, prepared["starts"])
            if "row_log_loss" in prepared:
                out["log_loss"] = weights @ prepared["row_log_loss"] / total
            if "row_brier" in prepared:
                out["brier"] = weights @ prepared["row_brier"] / total
        return out

    return compute


def regression_statistics(
    names: list[str], y: np.ndarray, pred: np.ndarray
) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    """A function from a weight matrix to each regression metric's values."""
    import numpy as np

    error = pred - y
    eps = np.finfo(float).eps

    def compute(weights: np.ndarray) -> dict[str, np.ndarray]:
        total = weights.sum(axis=1)
        mse = weights @ (error**2) / total
        out = {
            "mae": weights @ np.abs(error) / total,
            "mse": mse,
            "rmse": np.sqrt(mse),
            "mape": weights @ (np.abs(error) / np.maximum(np.abs(y), eps)) / total,
        }
        if "r2" in names:
            mean = weights @ y / total
            total_ss = weights @ (y**2) - total * mean**2
            with np.errstate(divide="ignore", invalid="ignore"):
                out["r2"] = 1 - (mse * total) / total_ss
        return {k: v for k, v in out.items() if k in names}

    return compute


def percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile interval of bootstrap values, ignoring resamples where it is undefined."""
    import numpy as np

    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return math.nan, math.nan
    alpha = 1 - confidence
    low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)
