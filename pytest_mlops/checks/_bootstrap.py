"""Vectorised bootstrap resamples for model metrics: the one engine behind the percentile
intervals of ``check_metrics`` and the paired bootstrap of ``compare_models``.

A resample is represented by a weight per row (how often the row was drawn), built for a
chunk of resamples at once with one ``bincount``. Every built-in metric is then a
weighted sum: confusion-matrix counts (binary and multiclass) for accuracy, precision,
recall, F1, balanced accuracy and MCC; per-row losses for log loss, Brier and the
regression errors; and, for ROC AUC and average precision (one-vs-rest per class for
more classes), cumulative sums of the weights along one sort of the scores (ties
grouped). No Python loop runs over resamples for them; user metrics fall back to a loop
(in :mod:`pytest_mlops.checks._evaluation`).

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
#: Binary metrics computed from the confusion-matrix counts alone.
COUNT_METRICS: Final = ("accuracy", "precision", "recall", "f1", "balanced_accuracy", "mcc")


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
                table = _count_table(tp, fp, fn, total - tp - fp - fn)
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


def binomial_counts(
    names: list[str],
    y: np.ndarray,
    pred: np.ndarray,
    n_resamples: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Bootstrap values of binary count metrics under stratified row resampling.

    Positives and negatives are resampled separately (each keeps its count), so the
    confusion-matrix counts of a resample are exactly binomial: the number of resampled
    positives the model calls positive is Binomial(n_pos, TPR). No rows are drawn.
    """
    import numpy as np

    positives, negatives = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    n_pos, n_neg = len(positives), len(negatives)
    tpr = float(pred[positives].mean()) if n_pos else 0.0
    fpr = float(pred[negatives].mean()) if n_neg else 0.0
    tp = rng.binomial(n_pos, tpr, n_resamples).astype(float)
    fp = rng.binomial(n_neg, fpr, n_resamples).astype(float)
    table = _count_table(tp, fp, n_pos - tp, n_neg - fp)
    return {name: table[name] for name in names if name in table}


def _count_table(
    tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, tn: np.ndarray
) -> dict[str, np.ndarray]:
    """The binary count metrics from (resampled) confusion-matrix counts."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        return {
            "accuracy": (tp + tn) / (tp + fp + fn + tn),
            "precision": precision,
            "recall": recall,
            "f1": 2 * tp / (2 * tp + fp + fn),
            "balanced_accuracy": (recall + tn / (tn + fp)) / 2,
            "mcc": (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)),
        }


def multiclass_statistics(
    names: list[str],
    y: np.ndarray,
    pred: np.ndarray | None,
    score: np.ndarray | None,
    n_classes: int,
) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    """Like :func:`binary_statistics`, for class indices ``0 .. n_classes - 1``: macro
    averages over the classes present (as scikit-learn's ``zero_division=nan``), MCC from
    the whole confusion matrix, ROC AUC and average precision one-vs-rest, macro."""
    import numpy as np

    k = n_classes
    cells = None
    if pred is not None:
        cells = np.zeros((len(y), k * k))
        cells[np.arange(len(y)), y * k + pred] = 1.0
    ranked = []
    if score is not None and {"roc_auc", "average_precision"} & set(names):
        for c in range(k):
            order, starts = _ranked_groups(score[:, c])
            ranked.append((order, starts, (y[order] == c).astype(float)))

    def compute(weights: np.ndarray) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        if cells is not None:
            out.update(_multiclass_counts(names, (weights @ cells).reshape(-1, k, k)))
        for name, curve in (("roc_auc", _weighted_auc), ("average_precision", _weighted_ap)):
            if name in names and ranked:
                per_class = []
                for order, starts, is_class in ranked:
                    ordered = weights[:, order]
                    per_class.append(curve(ordered * is_class, ordered * (1 - is_class), starts))
                out[name] = np.mean(per_class, axis=0)
        return out

    return compute


def _multiclass_counts(names: list[str], matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Count metrics from a stack of confusion matrices ``(b, k, k)`` (rows: truth)."""
    import warnings

    import numpy as np

    tp = np.diagonal(matrix, axis1=1, axis2=2)
    true_count, pred_count = matrix.sum(axis=2), matrix.sum(axis=1)
    total = matrix.sum(axis=(1, 2))
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        # a class absent from a resample is NaN there, and dropped from the macro mean
        warnings.simplefilter("ignore", RuntimeWarning)
        recall = tp / true_count
        per_class = {
            "precision": tp / pred_count,
            "recall": recall,
            "f1": 2 * tp / (true_count + pred_count),
            "balanced_accuracy": np.where(true_count > 0, recall, np.nan),
        }
        for name, values in per_class.items():
            if name in names:
                out[name] = np.nanmean(values, axis=1)
        if "accuracy" in names:
            out["accuracy"] = tp.sum(axis=1) / total
        if "mcc" in names:
            covariance = tp.sum(axis=1) * total - np.einsum("bi,bi->b", true_count, pred_count)
            spread_pred = total**2 - np.einsum("bi,bi->b", pred_count, pred_count)
            spread_true = total**2 - np.einsum("bi,bi->b", true_count, true_count)
            denominator = np.sqrt(spread_pred * spread_true)
            out["mcc"] = np.where(denominator > 0, covariance / denominator, 0.0)
    return out


def statistic(
    name: str,
    truth: np.ndarray,
    pred: np.ndarray | None,
    score: np.ndarray | None,
    *,
    labels: np.ndarray,
    positive: Any,
) -> Callable[[np.ndarray], np.ndarray] | None:
    """The vectorised resample statistic of the built-in metric ``name`` on these rows
    (weights ``(b, n)`` to ``b`` values), or ``None`` where there is none."""
    import numpy as np

    k = len(labels)
    if k == 0:
        if pred is None or name not in ("mae", "mse", "rmse", "r2", "mape"):
            return None
        values = regression_statistics([name], truth.astype(float), pred.astype(float))
    elif k == 2:
        y01 = (truth == positive).astype(int)
        p01 = None if pred is None else (pred == positive).astype(int)
        s1 = None
        if score is not None:
            s1 = (score[:, 1] if score.ndim == 2 and score.shape[1] == 2 else score).astype(float)
        if name not in (*COUNT_METRICS, "roc_auc", "average_precision", "log_loss", "brier"):
            return None
        values = binary_statistics([name], y01, p01, s1)
    else:
        if name not in (*COUNT_METRICS, "roc_auc", "average_precision"):
            return None
        index = np.searchsorted(labels, truth)
        pred_index = None if pred is None else np.searchsorted(labels, pred)
        if score is not None and (score.ndim != 2 or score.shape[1] != k):
            return None
        values = multiclass_statistics([name], index, pred_index, score, k)

    def one(weights: np.ndarray) -> np.ndarray:
        return values(weights)[name]

    return one
