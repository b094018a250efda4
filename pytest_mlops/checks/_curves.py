"""Compact figure data of a classification: ROC and precision-recall curves (at most 200
points each) and the confusion matrix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._measures import positive_scores

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.checks._evaluation import Evaluation


def _downsample(x: np.ndarray, y: np.ndarray, most: int = 200) -> dict[str, list[float]]:
    import numpy as np

    if len(x) > most:
        keep = np.unique(np.linspace(0, len(x) - 1, most).astype(int))
        x, y = x[keep], y[keep]
    return {"x": [float(v) for v in x], "y": [float(v) for v in y]}


def curves(
    truth: np.ndarray,
    pred: np.ndarray | None,
    score: np.ndarray | None,
    evaluation: Evaluation,
) -> dict[str, Any]:
    """Compact figure data: ROC and precision-recall curves, the confusion matrix."""
    import numpy as np
    from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve

    labels = evaluation.labels
    out: dict[str, Any] = {}
    if pred is not None and len(labels) <= 20:
        out["confusion_matrix"] = {
            "labels": labels.tolist(),
            "matrix": confusion_matrix(truth, pred, labels=labels).tolist(),
        }
    if score is not None and len(labels) == 2 and len(np.unique(truth)) == 2:
        target = evaluation.target
        s = positive_scores(score, 2)
        fpr, tpr, _ = roc_curve(truth, s, pos_label=target)
        precision, recall, _ = precision_recall_curve(truth, s, pos_label=target)
        out["curves"] = {
            "roc": _downsample(fpr, tpr),
            "pr": _downsample(recall[::-1], precision[::-1]),
        }
    return out
