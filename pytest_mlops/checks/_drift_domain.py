"""The domain classifier: can a model tell current rows from reference rows?

Drift that no single column shows (a changed correlation, a doubled feature that stays in
range) shows as a classifier that separates the two sets. Its cross-validated ROC AUC is
0.5 when it cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import pandas as pd

MODEL: Final = "HistGradientBoostingClassifier(max_iter=50, max_depth=3), 3-fold CV"
#: HistGradientBoosting takes at most 255 bins per feature; one code is kept for the rest.
MAX_CODES: Final = 254


def _encoded(both: pd.DataFrame, kinds: Sequence[str]) -> tuple[pd.DataFrame, list[bool]]:
    """Numbers as floats, datetimes as seconds, categories as codes (NaN stays NaN);
    columns without two distinct values are left out (a classifier learns nothing there)."""
    import numpy as np
    import pandas as pd

    encoded: dict[str, Any] = {}
    categorical_mask = []
    for column, kind in zip(both.columns, kinds, strict=True):
        series = both[column]
        if kind == "numeric":
            values = series.to_numpy(dtype=float, na_value=np.nan)
            values = np.where(np.isfinite(values), values, np.nan)
        elif kind == "datetime":
            stamps = pd.to_datetime(series, utc=True)
            seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
            values = seconds.to_numpy(dtype=float, na_value=np.nan)
        else:
            known = series.notna().to_numpy()
            text = series[known].astype(str)
            ranked = text.value_counts().index[:MAX_CODES]
            codes = ranked.get_indexer(text).astype(float)
            codes[codes < 0] = MAX_CODES  # the rarest categories share one code
            values = np.full(len(series), np.nan)
            values[known] = codes
        finite = values[~np.isnan(values)]
        if len(finite) < 2 or finite.min() == finite.max():
            continue
        encoded[str(column)] = values
        categorical_mask.append(kind == "categorical")
    return pd.DataFrame(encoded), categorical_mask


def domain_classifier(
    ref: pd.DataFrame,
    cur: pd.DataFrame,
    kinds: Sequence[str],
    max_rows: int,
    random_state: int,
) -> dict[str, Any] | None:
    """Cross-validated ROC AUC of a classifier telling current rows from reference rows, and
    the features that separate them most; ``None`` when no column varies."""
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rng = np.random.default_rng(random_state)
    take_ref = rng.permutation(len(ref))[:max_rows]
    take_cur = rng.permutation(len(cur))[:max_rows]
    both = pd.concat([ref.iloc[take_ref], cur.iloc[take_cur]], ignore_index=True)
    target = np.r_[np.zeros(len(take_ref), int), np.ones(len(take_cur), int)]
    encoded, categorical_mask = _encoded(both, kinds)
    if encoded.shape[1] == 0 or min(len(take_ref), len(take_cur)) < 3:
        return None
    model = HistGradientBoostingClassifier(
        max_iter=50,
        max_depth=3,
        categorical_features=np.array(categorical_mask),
        random_state=random_state,
    )
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=random_state)
    scores = cross_val_predict(model, encoded, target, cv=folds, method="predict_proba")[:, 1]
    separating: list[dict[str, Any]] = []
    for column in encoded.columns:
        values = encoded[column].to_numpy()
        known = ~np.isnan(values)
        if known.sum() < 2 or len(np.unique(target[known])) < 2:
            continue
        single = float(roc_auc_score(target[known], values[known]))
        separating.append({"feature": column, "auc": max(single, 1 - single)})
    separating.sort(key=lambda r: -r["auc"])
    return {
        "auc": float(roc_auc_score(target, scores)),
        "rows_per_side": [len(take_ref), len(take_cur)],
        "model": MODEL,
        "top_features": separating[:10],
    }
