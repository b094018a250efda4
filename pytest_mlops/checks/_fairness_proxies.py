"""Proxy features: model inputs that predict a sensitive attribute on their own."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._fairness_inputs import group_frame
from pytest_mlops.core.inputs import Interval, as_frame, validate_params
from pytest_mlops.core.verdict import cannot_decide, conclude

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from pytest_mlops.results import CheckResult

#: ROC AUC 0.8 is the conventional "good discrimination" level (Hosmer & Lemeshow).
DEFAULT_PROXY_THRESHOLD: Final = 0.8
#: Rows listed in the result's metrics (all rows stay in the details).
_LISTED: Final = 20


@dataclasses.dataclass(frozen=True)
class ProxyRow:
    """How well one feature predicts one sensitive attribute (``auc`` None: not scored)."""

    feature: str
    sensitive_feature: str
    auc: float | None
    group: str | None
    proxy: bool

    def to_dict(self) -> dict[str, Any]:
        note = {} if self.auc is not None else {"note": "not scored: too few known values"}
        return {**dataclasses.asdict(self), **note}


@validate_params({"threshold": [Interval(float, 0.5, 1)]})
def check_proxies(
    features: Any,
    sensitive_features: Any,
    *,
    threshold: float = DEFAULT_PROXY_THRESHOLD,
) -> CheckResult:
    """Flag features that predict a sensitive attribute (possible proxies for it).

    For every feature and every sensitive feature, the score is the ROC AUC of the feature
    as a predictor of each group against the rest (one-vs-rest), with 0.5 meaning no
    information and 1.0 a perfect proxy; the best group counts. Numeric features are
    folded (either direction counts); categorical features are scored by the group's
    share within their category, learned out of fold so high-cardinality columns do not
    overfit. A model can discriminate
    through a proxy without ever seeing the sensitive attribute.

    Parameters
    ----------
    features : DataFrame (pandas, polars, pyarrow) or 2-d array
        The model's inputs. Numeric columns are ranked (infinities are the extremes);
        missing values are left out of that feature's score; datetimes count as numbers.
    sensitive_features : array-like, Series, DataFrame or dict
        As in :func:`check_fairness`.
    threshold : float, default 0.8
        Features scoring at or above it are listed (0.8 is the conventional "good
        discrimination" level of ROC AUC).

    Returns
    -------
    CheckResult
        Severity ``warn``: a proxy is a reason to look, not proof of harm.
    """
    frame, _ = as_frame("features", features)
    sensitive = group_frame("sensitive_features", sensitive_features, len(frame))
    rows: list[ProxyRow] = []
    for attribute in sensitive.columns:
        labels = sensitive[attribute].to_numpy()
        for column in frame.columns:
            if column != attribute:
                rows.append(_score(str(column), frame[column], attribute, labels, threshold))
    rows.sort(key=lambda r: -r.auc if r.auc is not None else 0.0)
    common: dict[str, Any] = {
        "name": "proxy_features",
        "category": "fairness",
        "metrics": {f"{r.feature}->{r.sensitive_feature}": r.auc for r in rows[:_LISTED]},
        "thresholds": {"auc": {"max": threshold}},
        "details": {"features": rows, "threshold": threshold},
    }
    if not any(r.auc is not None for r in rows):
        return cannot_decide(
            why=(
                "no feature could be scored (each sensitive feature needs two groups, and "
                "each feature known values in both)"
            ),
            reason="insufficient_data",
            **common,
        )
    proxies = [r for r in rows if r.proxy]
    listed = ", ".join(
        f"{r.feature} (AUC {r.auc:.2f} for {r.sensitive_feature})" for r in proxies[:5]
    )
    return conclude(
        failures=[f"{len(proxies)} feature(s) predict a sensitive attribute: {listed}"]
        if proxies
        else [],
        passed=f"no feature predicts a sensitive attribute with AUC >= {threshold:g}",
        next_step=(
            "the model can discriminate through them: check per-group outcomes and whether "
            "they belong in the model"
        ),
        reason="disparity_detected",
        severity="warn",
        **common,
    )


def _score(
    column: str, values: pd.Series, attribute: str, labels: np.ndarray, threshold: float
) -> ProxyRow:
    """How well one feature separates the groups of one sensitive attribute."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    score, known, categorical = _as_score(values)
    groups = np.unique(labels)
    best: float | None = None
    best_group = None
    for group in groups if len(groups) > 2 else groups[1:]:
        target = (labels == group).astype(int)[known]
        if target.size == 0 or target.min() == target.max():
            continue
        if categorical:
            # Out of fold, a category's share says which way it points: no folding, and
            # an anti-correlated score (pairs split across folds) is no information.
            auc = float(roc_auc_score(target, _out_of_fold_share(score.astype(int), target)))
            folded = max(auc, 0.5)
        else:
            auc = float(roc_auc_score(target, score[known]))
            folded = max(auc, 1 - auc)
        if best is None or folded > best:
            best, best_group = folded, group
    return ProxyRow(
        feature=column,
        sensitive_feature=attribute,
        auc=best,
        group=None if best_group is None else str(best_group),
        proxy=best is not None and best >= threshold,
    )


def _out_of_fold_share(codes: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Each row's group share in its category, learned on the other half of the rows.

    In-sample shares overfit: a column of unique ids (or a 300-value zip code) would
    separate any groups perfectly. Rows alternate between two folds; each fold is scored
    with the other fold's shares, shrunk toward the overall share by one pseudo-row, so a
    category the other fold never saw scores the overall share.
    """
    import numpy as np

    fold = np.arange(codes.size) % 2
    k = int(codes.max()) + 1 if codes.size else 0
    share = np.empty(codes.size)
    for held_out in (0, 1):
        train = fold != held_out
        prior = float(target[train].mean()) if train.any() else 0.5
        hits = np.bincount(codes[train], weights=target[train], minlength=k)
        rows = np.bincount(codes[train], minlength=k)
        share[~train] = ((hits + prior) / (rows + 1))[codes[~train]]
    return share


def _as_score(values: pd.Series) -> tuple[np.ndarray, np.ndarray, bool]:
    """A feature as numbers to rank, and which rows are known.

    Numbers (and datetimes) are ranked, so infinities are simply the extremes; anything
    else is a category, scored by each group's share within it (below, per group).
    """
    import numpy as np
    import pandas as pd

    kind = values.dtype.kind
    if pd.api.types.is_bool_dtype(values.dtype) or not (
        pd.api.types.is_numeric_dtype(values.dtype) or kind in "mM"
    ):
        codes, _ = pd.factorize(values.astype(str))
        return codes.astype(float), np.ones(len(values), dtype=bool), True
    ranked = pd.Series(values).rank(method="average").to_numpy(dtype=float, na_value=np.nan)
    return ranked, ~np.isnan(ranked), False
