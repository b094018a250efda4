"""The model's outputs are what the code downstream of it assumes: probabilities.

A model that emits a NaN, a score of 1.3, or class probabilities that do not sum to 1
(an uncalibrated ``decision_function`` passed where ``predict_proba`` was meant, a
softmax over the wrong axis) passes every metric threshold it is not tested against,
and breaks whatever thresholds or averages its scores in production.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.core.inputs import Interval, to_scores, validate_params
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import conclude

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.results import CheckResult

#: Tolerance on a row's sum: float32 softmax outputs are off by up to ~1e-6 per row.
DEFAULT_SUM_TOLERANCE: Final = 1e-4
#: Rows shown as examples of each problem.
EXAMPLES: Final = 5


def _examples(mask: np.ndarray, values: np.ndarray) -> list[dict[str, Any]]:
    import numpy as np

    rows = np.flatnonzero(mask)[:EXAMPLES]
    return [{"row": int(i), "value": values[i].tolist()} for i in rows]


@validate_params(
    {
        "sum_tolerance": [Interval(float, 0, 0.5)],
        "n_classes": [Interval(int, 2, None), None],
    }
)
def check_probabilities(
    y_score: Any,
    *,
    sum_tolerance: float = DEFAULT_SUM_TOLERANCE,
    n_classes: int | None = None,
) -> CheckResult:
    """Predicted probabilities are finite, within [0, 1], and each row sums to 1.

    Parameters
    ----------
    y_score : array-like of shape (n,) or (n, k)
        The positive class's probability, or one column per class (``predict_proba``).
    sum_tolerance : float, default 1e-4
        How far a row of class probabilities may sum from 1.
    n_classes : int, optional
        The number of columns ``y_score`` must have (the classes the model knows).

    Returns
    -------
    CheckResult
        ``fail`` listing each problem with its count and example rows.

    Examples
    --------
    >>> check_probabilities([[0.2, 0.8], [0.5, 0.4]]).status
    'fail'
    """
    import numpy as np

    scores = to_scores("y_score", y_score, nonfinite="allow")
    if scores.shape[0] == 0:
        from pytest_mlops.errors import MlopsInputError

        raise MlopsInputError("y_score is empty (0 rows): there are no outputs to check")
    table = scores.reshape(-1, 1) if scores.ndim == 1 else scores
    nonfinite = ~np.isfinite(table).all(axis=1)
    finite = np.where(np.isfinite(table), table, 0.5)
    outside = ((finite < 0) | (finite > 1)).any(axis=1) & ~nonfinite
    problems: list[tuple[str, np.ndarray, str]] = [
        ("non_finite", nonfinite, "row(s) with NaN or infinite scores"),
        ("outside_unit_interval", outside, "row(s) with scores outside [0, 1]"),
    ]
    if scores.ndim == 2:
        off = np.abs(finite.sum(axis=1) - 1) > sum_tolerance
        problems.append(("rows_not_summing_to_1", off & ~nonfinite, "row(s) not summing to 1"))
    failures = [f"{int(m.sum())} {text}" for _, m, text in problems if m.any()]
    columns = table.shape[1] if scores.ndim == 2 else 1
    if n_classes is not None and scores.ndim == 2 and columns != n_classes:
        failures.append(f"{columns} score columns for {n_classes} classes")
    metrics: dict[str, Any] = {key: int(m.sum()) for key, m, _ in problems}
    metrics["rows"] = int(table.shape[0])
    return conclude(
        name="probabilities",
        category="model",
        failures=failures,
        passed=f"all {table.shape[0]} rows are probabilities (finite, in [0, 1]"
        + (", summing to 1)" if scores.ndim == 2 else ")"),
        next_step=(
            "pass predict_proba's output (not decision_function or raw logits), and look "
            "at the example rows"
        ),
        n=int(table.shape[0]),
        reason="violations_found",
        metrics=metrics,
        thresholds={"sum_tolerance": sum_tolerance, "n_classes": n_classes},
        details={key: _examples(m, table) for key, m, _ in problems if m.any()},
    )


register(
    CheckSpec(
        name="probabilities",
        category="model",
        function=check_probabilities,
        data=("y_score",),
        view="model_probabilities.html.j2",
        scorecard=("Monitor 5",),
    )
)
