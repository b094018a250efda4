"""Whether every feature pulls its weight: permutation importance on held-out data, within
a time budget (the ML Test Score's Data 2)."""

from __future__ import annotations

import difflib
import time
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._calls import call, user_errors
from pytest_mlops.core.inputs import (
    SEED,
    Interval,
    Text,
    same_length,
    to_1d,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import Bound, conclude, judge
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from pytest_mlops.results import CheckResult

#: Short names for scikit-learn scorers (any scorer name scikit-learn knows works too).
SCORERS: Final = {"roc_auc": "roc_auc", "accuracy": "accuracy", "r2": "r2", "f1": "f1"}
#: The fewest rows permutation importance is measured on when the budget forces a sample.
MIN_ROWS: Final = 50


def table(name: str, value: Any) -> pd.DataFrame:
    """``value`` as a DataFrame with a fresh index (a NumPy array gets columns ``x0``...);
    raises naming ``name`` for a value that is not a table or has duplicate columns."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        frame = value.reset_index(drop=True)
    elif isinstance(value, pd.Series):
        frame = value.to_frame().reset_index(drop=True)
    else:
        if value is None or isinstance(value, (str, bytes, dict)):
            raise MlopsTypeError(f"{name} must be a table of features; got {type(value).__name__}")
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as exc:
            raise MlopsInputError(f"{name} could not be read as a table: {exc}") from None
        if array.ndim == 1:
            array = array.reshape(-1, 1)
        if array.ndim != 2:
            raise MlopsInputError(f"{name} must be a table of features; got shape {array.shape}")
        frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
    duplicated = frame.columns[frame.columns.duplicated()].unique()
    if len(duplicated):
        listed = ", ".join(repr(c) for c in list(duplicated)[:5])
        raise MlopsInputError(f"{name} has duplicate column name(s) {listed}; make them unique")
    return frame


def _scoring(metric: str | None, labels: Any) -> str:
    import numpy as np
    from sklearn.metrics import get_scorer_names

    classification = labels.dtype.kind in "biuOUb" or len(np.unique(labels)) <= 20
    chosen = metric or ("accuracy" if classification else "r2")
    scoring = SCORERS.get(chosen, chosen)
    known = sorted(get_scorer_names())
    if scoring not in known:
        close = difflib.get_close_matches(scoring, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise MlopsInputError(
            f"check_feature_importance: metric {scoring!r} is not a scikit-learn scorer"
            f"{hint}; use e.g. 'accuracy', 'roc_auc', 'f1', 'r2' or "
            "'neg_mean_absolute_error'"
        )
    return scoring


def _budgeted(
    one_pass: float, rows: int, features: int, n_repeats: int, budget: float
) -> tuple[int, int]:
    """Rows and repeats that fit ``budget`` seconds, given one scoring pass's cost."""
    passes_needed = features * n_repeats + 1
    repeats = n_repeats
    if one_pass * passes_needed > budget:
        scale = budget / (one_pass * passes_needed)
        sampled = max(MIN_ROWS, int(rows * scale))
        if sampled == MIN_ROWS and one_pass * MIN_ROWS / rows * passes_needed > budget:
            repeats = max(2, int(n_repeats * scale))
        rows = min(rows, sampled)
    return rows, repeats


def _importances(
    model: Any,
    frame: pd.DataFrame,
    labels: np.ndarray,
    scoring: str,
    n_repeats: int,
    time_budget_s: float,
    random_state: int,
) -> tuple[list[dict[str, Any]], int, int]:
    """Permutation importance of every feature within the time budget, most important
    first; with the rows and repeats the budget allowed."""
    import numpy as np
    from sklearn.inspection import permutation_importance

    start = time.perf_counter()
    call("predict", model.predict, frame)
    one_pass = max(time.perf_counter() - start, 1e-4)
    rows, repeats = _budgeted(one_pass, len(frame), frame.shape[1], n_repeats, time_budget_s)
    rng = np.random.default_rng(random_state)
    take = np.sort(rng.choice(len(frame), size=rows, replace=False))
    result = call(
        "the model, scored by permutation_importance",
        permutation_importance,
        model,
        frame.iloc[take],
        labels[take],
        scoring=scoring,
        n_repeats=repeats,
        random_state=random_state,
    )
    features: list[dict[str, Any]] = sorted(
        (
            {
                "feature": str(column),
                "importance": float(result.importances_mean[i]),
                "std": float(result.importances_std[i]),
                "beneficial": float(result.importances_mean[i] - 2 * result.importances_std[i]) > 0,
            }
            for i, column in enumerate(frame.columns)
        ),
        key=lambda f: -f["importance"],
    )
    return features, rows, repeats


@validate_params(
    {
        "metric": [Text(), None],
        "n_repeats": [Interval(int, 2, 1000)],
        "time_budget_s": [Interval(float, 0, None, closed="neither")],
        "max_useless_share": [Interval(float, 0, 1)],
        "random_state": [SEED],
    }
)
@user_errors("feature_importance", "data")
def check_feature_importance(
    model: Any,
    X: Any,
    y: Any,
    *,
    metric: str | None = None,
    n_repeats: int = 5,
    time_budget_s: float = 30.0,
    max_useless_share: float = 0.0,
    random_state: int = 0,
) -> CheckResult:
    """Every feature should pull its weight: permutation importance on held-out data.

    A feature whose importance is not above zero by more than two standard deviations of
    its repeats (``mean - 2 * std <= 0``) does not hurt the model when shuffled beyond
    the noise: it is listed. The check fails when more than ``max_useless_share`` of the
    features are listed. ``time_budget_s`` bounds the work: the cost of one scoring pass
    is measured first, and rows and repeats are reduced to fit (reported).
    """

    if not hasattr(model, "predict"):
        raise MlopsTypeError(f"model must have a predict method; got {type(model).__name__}")
    frame = table("X", X)
    labels = to_1d("y", y)
    assert labels is not None
    same_length(X=frame, y=labels)
    if len(frame) < 2 or frame.shape[1] == 0:
        raise MlopsInputError(
            f"X has {len(frame)} row(s) and {frame.shape[1]} column(s); permutation "
            "importance needs at least 2 rows and 1 feature"
        )
    scoring = _scoring(metric, labels)
    features, rows, repeats = _importances(
        model, frame, labels, scoring, n_repeats, time_budget_s, random_state
    )
    useless = [f["feature"] for f in features if not f["beneficial"]]
    share = len(useless) / len(features)
    judged = judge(Bound.at_most("useless_share", max_useless_share), share)
    text = (
        f"{len(useless)} of {len(features)} features do not hurt the model when shuffled "
        f"beyond noise" + (f": {', '.join(useless[:10])}" if useless else "")
    )
    return conclude(
        name="feature_importance",
        category="data",
        failures=[] if judged.passed else [f"{text}; {judged.failure}"],
        passed=text,
        next_step="each costs upkeep and risk: drop them, or raise max_useless_share if "
        "they are correlated with kept features",
        n=rows,
        metrics={"useless_features": len(useless), "useless_share": share},
        thresholds={"useless_share": {"max": max_useless_share}},
        details={
            "features": features,
            "rows": rows,
            "repeats": repeats,
            "scoring": scoring,
            "time_budget_s": time_budget_s,
        },
    )


register(
    CheckSpec(
        name="feature_importance",
        category="data",
        function=check_feature_importance,
        data=("X", "y"),
        seeded=True,
        scorecard=("Data 2",),
    )
)

__all__ = ["check_feature_importance", "table"]
