"""A regression model's predictions stay where its training target lived.

A regressor that predicts a house price of -40,000, a NaN for a row with an unseen
category, or a demand ten times anything it was trained on passes an RMSE threshold
when such rows are rare, and breaks whatever consumes its output. The range is learned
from the training target as ``infer_schema`` learns a numeric column's: the observed
range widened on each side by ``range_margin`` tail scales (see
:func:`~pytest_mlops.checks._ranges.tail_margin`), so a prediction from the training
target's own distribution lands outside with probability about
``exp(-range_margin) / (n + 1)`` per side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._ranges import DEFAULT_RANGE_MARGIN, numeric_bounds
from pytest_mlops.core.inputs import Interval, to_scores, validate_params
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import cannot_decide, conclude, number
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.results import CheckResult

#: Rows shown as examples of predictions out of range.
EXAMPLES: Final = 5


@validate_params(
    {
        "range_margin": [Interval(float, 0, None)],
        "max_outside_fraction": [Interval(float, 0, 1)],
    }
)
def check_prediction_range(
    y_pred: Any,
    y_train: Any,
    *,
    range_margin: float = DEFAULT_RANGE_MARGIN,
    max_outside_fraction: float = 0.0,
) -> CheckResult:
    """A regressor's predictions are finite and within its training target's range.

    Parameters
    ----------
    y_pred : array-like of shape (n,)
        The model's predictions (on the test set, or on live inputs).
    y_train : array-like of shape (m,)
        The training target; it must be finite (a NaN in it is an error naming it).
    range_margin : float, default 6.0
        Tail scales the learned range reaches beyond the training extremes, as
        ``infer_schema``'s ``range_margin``.
    max_outside_fraction : float, default 0.0
        The share of predictions allowed outside the learned range. Non-finite
        predictions always fail.

    Returns
    -------
    CheckResult
        ``fail`` with the count, the share and example rows of predictions out of range
        or not finite; ``error`` when the training target has fewer than two distinct
        values (no range can be learned).

    Examples
    --------
    >>> check_prediction_range([1.0, 2.5, 40.0], y_train=[0.0, 1.0, 2.0, 3.0]).status
    'fail'
    """
    import numpy as np

    pred = to_scores("y_pred", y_pred, nonfinite="allow", ndim=(1,))
    train = to_scores("y_train", y_train, ndim=(1,))
    if pred.size == 0:
        raise MlopsInputError("y_pred is empty (0 rows): there are no predictions to check")
    thresholds = {"range_margin": range_margin, "max_outside_fraction": max_outside_fraction}
    distinct = np.unique(train).size
    if distinct < 2:
        return cannot_decide(
            name="prediction_range",
            category="model",
            why=f"y_train has {distinct} distinct value(s); a range needs two",
            reason="insufficient_data",
            thresholds=thresholds,
        )
    low, high = numeric_bounds(train, range_margin, None)
    assert low is not None and high is not None  # a finite target has both sides
    seen = {
        "train_rows": len(train),
        "train_min": float(train.min()),
        "train_max": float(train.max()),
    }
    return _judge(pred, (low, high), seen, thresholds)


def _judge(
    pred: np.ndarray,
    bounds: tuple[float, float],
    seen: dict[str, Any],
    thresholds: dict[str, float],
) -> CheckResult:
    """Fail on any non-finite prediction and on too many outside ``bounds``."""
    import numpy as np

    low, high = bounds
    nonfinite = ~np.isfinite(pred)
    outside = ~nonfinite & ((pred < low) | (pred > high))
    n, share = len(pred), float(outside.mean())
    where = f"[{number(low)}, {number(high)}]"
    failures = []
    if nonfinite.any():
        failures.append(f"{int(nonfinite.sum())} prediction(s) are NaN or infinite")
    if share > thresholds["max_outside_fraction"]:
        failures.append(
            f"{int(outside.sum())} prediction(s) ({share:.2%}) outside the learned range "
            f"{where}, at most {thresholds['max_outside_fraction']:.2%} allowed"
        )
    rows = np.flatnonzero(outside | nonfinite)[:EXAMPLES]
    return conclude(
        name="prediction_range",
        category="model",
        failures=failures,
        passed=f"all {n} predictions finite, {share:.2%} outside the learned range {where}",
        next_step="look at the example rows: extrapolation, an unseen category, a unit change",
        n=n,
        reason="violations_found",
        metrics={
            "outside": int(outside.sum()),
            "outside_fraction": share,
            "non_finite": int(nonfinite.sum()),
            "low": low,
            "high": high,
        },
        thresholds=thresholds,
        details={
            **seen,
            "examples": [{"row": int(i), "value": float(pred[i])} for i in rows],
        },
    )


register(
    CheckSpec(
        name="prediction_range",
        category="model",
        function=check_prediction_range,
        data=("y_pred", "y_train"),
        view="model_prediction_range.html.j2",
        scorecard=("Monitor 5",),
    )
)
