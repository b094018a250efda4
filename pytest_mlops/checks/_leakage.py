"""How well each feature alone predicts the label: the score behind the ``leakage`` finding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._frames import column_kind

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Numbers with more distinct values than this are cut into this many quantile bins.
BINS = 20


def _keys(series: pd.Series) -> np.ndarray:
    """The value each row is grouped by: a quantile bin for numbers, else the value."""
    import pandas as pd

    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )
    if numeric and series.nunique() > BINS:
        bins = pd.qcut(series.astype("float64"), BINS, labels=False, duplicates="drop")
        return bins.astype("float").fillna(-1).astype(int).astype(str).to_numpy()
    return series.astype(str).to_numpy()


def _cross_fitted(keys: np.ndarray, y: np.ndarray, half: np.ndarray, regression: bool) -> Any:
    """Each half's label predicted from the other half's per-key answer (majority class or
    mean); a key unseen in the other half gets that half's overall answer."""
    import numpy as np
    import pandas as pd

    predicted = np.empty(len(y), dtype=float if regression else object)
    for train in (half, ~half):
        fit = pd.DataFrame({"k": keys[train], "y": y[train]})
        if regression:
            table = fit.groupby("k")["y"].mean()
            fallback: Any = float(np.mean(y[train]))
        else:
            fit["y"] = fit["y"].astype(str)
            table = fit.groupby("k")["y"].agg(lambda s: s.value_counts().index[0])
            fallback = pd.Series(y[train].astype(str)).value_counts().index[0]
        mapped = pd.Series(keys[~train]).map(table)
        predicted[~train] = mapped.fillna(fallback).to_numpy()
    return predicted


def _score(y: np.ndarray, predicted: np.ndarray, regression: bool) -> float:
    """R² for a numeric label; balanced accuracy rescaled so chance is 0 and perfect 1."""
    import numpy as np

    if regression:
        truth = y.astype(float)
        total = np.sum((truth - truth.mean()) ** 2)
        return float(1 - np.sum((truth - predicted.astype(float)) ** 2) / total) if total else 0.0
    truth = y.astype(str)
    classes = np.unique(truth)
    if len(classes) < 2:
        return 0.0
    balanced = float(np.mean([np.mean(predicted[truth == c] == c) for c in classes]))
    chance = 1 / len(classes)
    return max(0.0, (balanced - chance) / (1 - chance))


def single_feature_scores(
    frame: pd.DataFrame, label: pd.Series, features: Sequence[str], random_state: int
) -> dict[str, float]:
    """How well each feature alone predicts the label, cross-fitted on two random halves.

    Numbers are cut into 20 quantile bins, other values used as they are; each half
    learns the label per bin and predicts the other half. ID-like columns score about 0
    because their values never repeat across halves.
    """
    import numpy as np

    rng = np.random.default_rng(random_state)
    half = rng.permutation(len(frame)) < len(frame) // 2
    y = label.to_numpy()
    regression = column_kind(label) == "float" and label.nunique() > BINS
    return {
        column: _score(y, _cross_fitted(_keys(frame[column]), y, half, regression), regression)
        for column in features
    }
