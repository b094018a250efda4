"""The metric layer every model check measures through: read and check the inputs,
compute the metrics with their intervals, and judge them against their bounds.

:func:`~pytest_mlops.checks.metrics.check_metrics` is the public face; the baseline
comparison, the sanity checks and ``compare_models`` call :func:`measure` and
:func:`evaluation_for` directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._curves import curves
from pytest_mlops.checks._evaluation import Rows, judge_rows
from pytest_mlops.checks._measures import (
    CLASSIFICATION_METRICS,
    NEEDS_POS_LABEL,
    REGRESSION_METRICS,
    Metric,
    builtin,
    check_score_shape,
    class_labels,
    default_pos_label,
    normalised_labels,
    parse_bound,
    require_class_labels,
    resolve_metrics,
)
from pytest_mlops.core.inputs import (
    check_mapping,
    nan_positions,
    same_length,
    to_1d,
    to_scores,
)
from pytest_mlops.core.verdict import (
    Bound,
    Judgement,
    cannot_decide,
    conclude,
    describe_value,
)
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.checks._evaluation import Evaluation
    from pytest_mlops.results import CheckResult

__all__ = ["Measurement", "evaluation_for", "measure", "read_inputs"]

#: The next step of a failed threshold.
NEXT_STEP = "improve the model or, if the bar is wrong, change thresholds= in the test"


@dataclasses.dataclass(frozen=True)
class Measurement:
    """Metrics computed and judged on a test set: what :func:`check_metrics` concludes
    from, and what the checks built on it (the champion comparison) read."""

    evaluation: Evaluation
    names: list[str]
    bounds: dict[str, Bound]
    arrays: tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]
    values: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    errors: dict[str, str]
    judged: list[Judgement]
    details: dict[str, Any]

    @property
    def n(self) -> int:
        return len(self.arrays[0])

    @property
    def failures(self) -> list[str]:
        return [j.failure for j in self.judged if not j.passed]

    @property
    def gated_errors(self) -> dict[str, str]:
        return {k: v for k, v in self.errors.items() if k in self.bounds}

    def result(self) -> CheckResult:
        """The ``metrics`` check's result."""
        limits = {k: b.to_dict() for k, b in self.bounds.items()}
        if self.gated_errors:
            why = "; ".join(f"{k}: {v}" for k, v in self.gated_errors.items())
            return cannot_decide(
                name="metrics",
                category="model",
                why=f"could not compute {why}",
                metrics=self.values,
                thresholds=limits,
                details=self.details,
            )
        confidence = self.evaluation.confidence
        summary = ", ".join(
            describe_value(k, v, self.intervals.get(k), confidence) for k, v in self.values.items()
        )
        return conclude(
            name="metrics",
            category="model",
            failures=self.failures,
            passed=f"{summary} (n={self.n})" if summary else f"no metric computed (n={self.n})",
            next_step=NEXT_STEP,
            n=self.n,
            metrics=self.values,
            thresholds=limits,
            details=self.details,
        )


def measure(
    y_true: Any,
    y_pred: Any = None,
    y_score: Any = None,
    *,
    thresholds: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Metric | Callable[..., float]] | None = None,
    report: Sequence[str] | None = None,
    pos_label: Any = None,
    sample_weight: Any = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    gate_on: str = "point",
    random_state: int = 0,
) -> Measurement | CheckResult:
    """Compute and judge the metrics (see :func:`check_metrics`); a result with status
    ``error`` when the inputs have missing values."""
    thresholds = dict(check_mapping("thresholds", thresholds or {}))
    truth, pred, score, weight, n = read_inputs(y_true, y_pred, y_score, sample_weight)
    names = list(dict.fromkeys([*thresholds, *(report or [])]))
    if not names:
        names = _applicable_builtins(truth, pred, score, pos_label_known=pos_label is not None)
    resolved = resolve_metrics(names, metrics)
    bounds = {
        name: parse_bound(name, thresholds[name], resolved[name].greater_is_better)
        for name in thresholds
    }
    missing = _missing(truth, pred, score)
    if missing:
        described = ", ".join(
            f"{arg} has {count} missing value(s)" for arg, count in missing.items()
        )
        return cannot_decide(
            name="metrics",
            category="model",
            why=f"{described} (of {n} rows); drop or impute them before calling check_metrics",
            thresholds={k: b.to_dict() for k, b in bounds.items()},
            details={"n": n, "missing": missing},
        )
    evaluation = evaluation_for(
        resolved, truth, pred, score, pos_label, n_resamples, confidence, random_state
    )
    values, intervals, errors = evaluation.run(names, Rows(truth, pred, score, weight))
    rows, judged = judge_rows(names, evaluation, bounds, values, intervals, gate_on)
    details: dict[str, Any] = {"n": n, "confidence": confidence, "gate_on": gate_on, "rows": rows}
    if evaluation.classification:
        details["labels"] = evaluation.labels.tolist()
        if evaluation.positive is not None:
            details["pos_label"] = evaluation.positive
        details.update(curves(truth, pred, score, evaluation))
    if errors:
        details["errors"] = errors
    return Measurement(
        evaluation,
        names,
        bounds,
        (truth, pred, score, weight),
        values,
        intervals,
        errors,
        judged,
        details,
    )


def read_inputs(
    y_true: Any, y_pred: Any, y_score: Any, sample_weight: Any
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None, int]:
    """The arrays of a metrics check, coerced and of one length (or an error naming the
    argument)."""
    import numpy as np

    read = to_1d("y_true", y_true)
    assert read is not None
    truth = normalised_labels("y_true", read)
    pred = normalised_labels("y_pred", to_1d("y_pred", y_pred, allow_none=True))
    score = None if y_score is None else to_scores("y_score", y_score, nonfinite="allow")
    weight = None
    if sample_weight is not None:
        weight = to_scores("sample_weight", sample_weight, ndim=(1,))
        if (weight < 0).any():
            raise MlopsInputError("sample_weight has negative weights; weights must be >= 0")
    for name, values in (("y_true", truth), ("y_pred", pred)):
        if values is not None and values.dtype.kind == "f" and np.isinf(values).any():
            raise MlopsInputError(
                f"{name} has {int(np.isinf(values).sum())} infinite value(s); labels and "
                "values must be finite"
            )
    n = same_length(y_true=truth, y_pred=pred, y_score=score, sample_weight=weight)
    if n == 0:
        raise MlopsInputError("y_true is empty: there is nothing to compute metrics on")
    if pred is None and score is None:
        raise MlopsInputError("pass y_pred, y_score or both")
    return truth, pred, score, weight, n


def _missing(
    truth: np.ndarray, pred: np.ndarray | None, score: np.ndarray | None
) -> dict[str, int]:
    import numpy as np

    counts = {
        arg: int(nan_positions(a).sum()) if a.ndim == 1 else int(np.isnan(a).any(axis=1).sum())
        for arg, a in (("y_true", truth), ("y_pred", pred), ("y_score", score))
        if a is not None
    }
    if score is not None and np.isinf(score).any():
        raise MlopsInputError(
            f"y_score has {int(np.isinf(score).sum())} infinite value(s); scores must be finite"
        )
    return {arg: count for arg, count in counts.items() if count}


def evaluation_for(
    resolved: Mapping[str, Metric],
    truth: np.ndarray,
    pred: np.ndarray | None,
    score: np.ndarray | None,
    pos_label: Any,
    n_resamples: int,
    confidence: float,
    random_state: int,
    score_name: str = "y_score",
) -> Evaluation:
    """How to compute ``resolved`` on these rows: labels, the positive class, the engine."""
    import numpy as np

    from pytest_mlops.checks._evaluation import Evaluation

    classification = any(m.task == "classification" for m in resolved.values())
    if classification:
        require_class_labels(truth, pred)
    labels = class_labels(truth, pred) if classification else np.array([])
    if classification and score is not None and any(m.needs == "score" for m in resolved.values()):
        check_score_shape(score, labels, score_name)
    needs_positive = classification and any(name in NEEDS_POS_LABEL for name in resolved)
    positive = default_pos_label(labels, pos_label) if needs_positive else pos_label
    return Evaluation(
        resolved=resolved,
        labels=labels,
        positive=positive,
        n_resamples=n_resamples,
        confidence=confidence,
        random_state=random_state,
    )


def _applicable_builtins(
    truth: np.ndarray,
    pred: np.ndarray | None,
    score: np.ndarray | None,
    *,
    pos_label_known: bool,
) -> list[str]:
    """The built-in metrics worth reporting when no threshold names any."""
    import numpy as np

    if truth.dtype.kind == "f" and not _all_integral(truth):
        return list(REGRESSION_METRICS) if pred is not None else []
    labels = set(np.unique(truth[~nan_positions(truth)]).tolist())
    zero_one = labels <= {0, 1, -1}
    names = []
    for name in CLASSIFICATION_METRICS:
        needs = builtin(name).needs
        if (needs == "pred" and pred is None) or (needs == "score" and score is None):
            continue
        if name in NEEDS_POS_LABEL and len(labels) <= 2 and not (zero_one or pos_label_known):
            continue
        names.append(name)
    return names


def _all_integral(values: np.ndarray) -> bool:
    import numpy as np

    finite = values[np.isfinite(values)]
    return bool(np.all(np.mod(finite, 1) == 0))
