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
#: Rows x resamples per chunk of the stratified fast path: small enough that the per-chunk
#: count arrays stay in the CPU cache (measured 2.6x faster than 20M cells at 100k rows).
STRATIFIED_CHUNK_CELLS: Final = 1_000_000
#: Binary metrics the stratified fast path computes without weights.
FAST_BINARY: Final = (
    "accuracy",
    "precision",
    "recall",
    "f1",
    "balanced_accuracy",
    "mcc",
    "log_loss",
    "brier",
    "roc_auc",
)
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


def _uniform_indices(rng: np.random.Generator, shape: tuple[int, int], n: int) -> np.ndarray:
    """Uniform integers in ``[0, n)`` from raw 32-bit draws (multiply-shift).

    Lemire's multiply-shift maps a 32-bit draw ``r`` to ``(r * n) >> 32``; for ``n`` far
    below 2**32 the bias is under ``n / 2**32`` (below 1e-4 at a million rows), and it is
    several times faster than ``Generator.integers``.
    """
    import numpy as np

    raw = rng.bit_generator.random_raw(shape[0] * shape[1])
    raw >>= np.uint64(32)
    raw *= np.uint64(n)
    raw >>= np.uint64(32)
    return raw.view(np.int64).reshape(shape)


def stratified_binary(
    names: list[str],
    y: np.ndarray,
    pred: np.ndarray | None,
    score: np.ndarray | None,
    n_resamples: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Bootstrap values of binary metrics under stratified row resampling, without weights.

    Positives and negatives are resampled separately (each keeps its count). The
    confusion-matrix counts of a resample are then exactly binomial — the number of
    resampled positives the model calls positive is Binomial(n_pos, TPR) — so the
    count-based metrics need no row draws at all. Log loss and Brier gather per-row losses
    of the drawn rows; ROC AUC counts the drawn negatives below each drawn positive from
    prefix sums over the negatives sorted by score.
    """
    import numpy as np

    positives, negatives = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    n_pos, n_neg = len(positives), len(negatives)
    out: dict[str, list[np.ndarray]] = {name: [] for name in names}
    count_names = [
        m
        for m in names
        if m in ("accuracy", "precision", "recall", "f1", "balanced_accuracy", "mcc")
    ]
    if pred is not None and count_names:
        tpr = float(pred[positives].mean()) if n_pos else 0.0
        fpr = float(pred[negatives].mean()) if n_neg else 0.0
        tp = rng.binomial(n_pos, tpr, n_resamples).astype(float)
        fp = rng.binomial(n_neg, fpr, n_resamples).astype(float)
        fn, tn = n_pos - tp, n_neg - fp
        with np.errstate(divide="ignore", invalid="ignore"):
            recall = tp / (tp + fn)
            table = {
                "accuracy": (tp + tn) / (n_pos + n_neg),
                "precision": tp / (tp + fp),
                "recall": recall,
                "f1": 2 * tp / (2 * tp + fp + fn),
                "balanced_accuracy": (recall + tn / (tn + fp)) / 2,
                "mcc": (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)),
            }
        for name in count_names:
            out[name].append(table[name])
    row_names = [m for m in names if m in ("log_loss", "brier", "roc_auc")]
    if score is None or not row_names or not n_pos or not n_neg:
        return {k: np.concatenate(v) for k, v in out.items() if v}
    eps = np.finfo(float).eps
    s_pos, s_neg = score[positives], score[negatives]
    losses: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if "log_loss" in names:
        losses["log_loss"] = (
            (-np.log(np.clip(s_pos, eps, 1))).astype(np.float32),
            (-np.log(np.clip(1 - s_neg, eps, 1))).astype(np.float32),
        )
    if "brier" in names:
        losses["brier"] = (((1 - s_pos) ** 2).astype(np.float32), (s_neg**2).astype(np.float32))
    if "roc_auc" in names:
        neg_sorted = np.sort(s_neg)
        below = np.searchsorted(neg_sorted, s_pos, side="left")  # negatives strictly below
        at_or_below = np.searchsorted(neg_sorted, s_pos, side="right")
        # neg_picks index the negatives in their original order; rank them by score.
        rank_of = np.empty(n_neg, dtype=np.intp)
        rank_of[np.argsort(s_neg, kind="stable")] = np.arange(n_neg)
        has_ties = bool(np.any(below != at_or_below))
    per_chunk = max(1, min(n_resamples, STRATIFIED_CHUNK_CELLS // max(n_pos + n_neg, 1)))
    done = 0
    while done < n_resamples:
        size = min(per_chunk, n_resamples - done)
        pos_picks = _uniform_indices(rng, (size, n_pos), n_pos)
        neg_picks = _uniform_indices(rng, (size, n_neg), n_neg)
        for name, (loss_pos, loss_neg) in losses.items():
            total = loss_pos[pos_picks].sum(axis=1, dtype=np.float64)
            total += loss_neg[neg_picks].sum(axis=1, dtype=np.float64)
            out[name].append(total / (n_pos + n_neg))
        if "roc_auc" in names:
            width = n_neg + 1
            offsets = (np.arange(size) * width)[:, None]
            cells = size * width
            negative_counts = np.bincount(
                (rank_of[neg_picks] + 1 + offsets).ravel(), minlength=cells
            )
            prefix = np.cumsum(negative_counts.reshape(size, width), axis=1)
            # drawn negatives below each drawn positive, summed: count the positives by
            # their "negatives below" position k, then weigh prefix[:, k] by that count
            at_lo = np.bincount((below[pos_picks] + offsets).ravel(), minlength=cells)
            strictly = np.einsum("ij,ij->i", at_lo.reshape(size, width), prefix, dtype=float)
            ties = 0.0
            if has_ties:
                at_hi = np.bincount((at_or_below[pos_picks] + offsets).ravel(), minlength=cells)
                ties = np.einsum("ij,ij->i", at_hi.reshape(size, width), prefix, dtype=float)
                ties = ties - strictly
            out["roc_auc"].append((strictly + 0.5 * ties) / (n_pos * n_neg))
        done += size
    return {k: np.concatenate(v) for k, v in out.items() if v}
