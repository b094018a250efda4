"""Model metrics against thresholds (the ``mlops_model`` family's core check).

``thresholds={"roc_auc": 0.85}`` means *at least* 0.85 because higher ROC AUC is better;
``{"rmse": 3.0}`` means *at most* 3.0 because lower RMSE is better. The explicit forms
``{"rmse": {"max": 3.0}}``, ``{"f1": {"min": 0.7}}`` and ``{"r2": {"min": 0.5, "max": 0.99}}``
say the direction themselves. Bounds are inclusive, as in MLflow's ``MetricThreshold``
and TFMA's ``GenericValueThreshold``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._curves import curves
from pytest_mlops.checks._evaluation import judge_rows
from pytest_mlops.checks._measures import (
    BUILTIN_METRICS,
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
    CONFIDENCE,
    N_RESAMPLES,
    POSITIVE_INT,
    SEED,
    Boolean,
    InstanceOf,
    Options,
    SequenceOf,
    Text,
    check_mapping,
    nan_positions,
    same_length,
    to_1d,
    to_scores,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import (
    GATE_ON,
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

__all__ = ["BUILTIN_METRICS", "Metric", "check_metrics", "resolve_metrics"]

#: The next step of a failed threshold.
NEXT_STEP = "improve the model or, if the bar is wrong, change thresholds= in the test"


@validate_params(
    {
        "thresholds": [InstanceOf(Mapping, label="a dict of metric -> bound"), None],
        "metrics": [InstanceOf(Mapping, label="a dict of name -> callable or Metric"), None],
        "report": [SequenceOf(Text()), None],
        "n_resamples": [N_RESAMPLES],
        "confidence": [CONFIDENCE],
        "gate_on": [Options(*GATE_ON)],
        "random_state": [SEED],
        "min_slice_size": [POSITIVE_INT],
        "slice_combinations": [Boolean()],
    }
)
def check_metrics(
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
    slices: Any = None,
    min_slice_size: int = 30,
    slice_combinations: bool = False,
) -> CheckResult:
    """Compute model metrics with confidence intervals and hold them to thresholds.

    Parameters
    ----------
    y_true : array-like
        True labels (classification) or values (regression).
    y_pred : array-like, optional
        Predicted labels or values, for metrics such as ``accuracy``, ``f1``, ``rmse``.
    y_score : array-like, optional
        Predicted probabilities or scores (1-d for the positive class, or 2-d
        ``predict_proba`` output), for ``roc_auc``, ``average_precision``, ``log_loss``,
        ``brier``.
    thresholds : dict, optional
        ``{metric: bound}``; a bare number is a minimum for a higher-is-better metric
        and a maximum for a lower-is-better one; ``{"min": a, "max": b}`` is explicit.
    metrics : dict, optional
        Your own metrics, ``{name: callable}`` (``callable(y_true, y_pred)``, higher is
        better) or ``{name: Metric(fn, greater_is_better=False, needs="score")}``.
    report : sequence of str, optional
        Metrics to compute and report without a threshold. By default every built-in
        metric the given inputs allow is reported when ``thresholds`` is empty.
    pos_label : optional
        The positive class for binary metrics; required when binary labels are not 0/1.
    sample_weight : array-like, optional
        Per-row weights passed to every metric.
    n_resamples : int, default 1000
        Bootstrap resamples for the confidence intervals; 0 turns intervals off.
        Accuracy, precision and recall use the Wilson interval and binary ROC AUC
        DeLong's on the logit scale (no resampling); log loss, Brier, MAE, MSE and RMSE
        the studentized bootstrap; the other metrics the percentile bootstrap,
        stratified by class.
    confidence : float, default 0.95
        Coverage of the intervals.
    gate_on : {"point", "interval", "lower_bound", "upper_bound"}, default "point"
        ``"point"`` holds the estimate to the bounds. The others require the whole
        interval to clear them: the lower end against a minimum, the upper end against
        a maximum (``"lower_bound"``/``"upper_bound"`` are accepted as names for it).
    random_state : int, default 0
        Seed of the bootstrap (the fixture passes ``--mlops-seed``).
    slices : DataFrame, optional
        One column per slicing attribute (same rows as ``y_true``). The metrics are
        computed per slice value, and per combination with ``slice_combinations=True``;
        the result is named ``slice_metrics``.
    min_slice_size : int, default 30
        Slices with fewer rows are reported as too small to judge.
    slice_combinations : bool, default False
        Also judge every combination of the slice columns' values.

    Returns
    -------
    CheckResult
        ``pass`` when every threshold holds, ``fail`` when one does not, ``error``
        when a gated metric cannot be computed (NaN in the inputs, one class only).

    Examples
    --------
    >>> from pytest_mlops.checks import check_metrics
    >>> result = check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0], thresholds={"accuracy": 0.7})
    >>> result.status, result.metrics["accuracy"]
    ('pass', 0.75)
    """
    measured = measure(
        y_true,
        y_pred,
        y_score,
        thresholds=thresholds,
        metrics=metrics,
        report=report,
        pos_label=pos_label,
        sample_weight=sample_weight,
        n_resamples=n_resamples,
        confidence=confidence,
        gate_on=gate_on,
        random_state=random_state,
    )
    if isinstance(measured, Measurement) and slices is not None:
        from pytest_mlops.checks._slices import slice_metrics

        return slice_metrics(
            measured.evaluation,
            measured.names,
            measured.bounds,
            measured.arrays,
            slices,
            min_slice_size=min_slice_size,
            combinations=slice_combinations,
            gate_on=gate_on,  # type: ignore[arg-type]
        )
    return measured if not isinstance(measured, Measurement) else measured.result()


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
    values, intervals, errors = evaluation.run(names, truth, pred, score, weight)
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


register(
    CheckSpec(
        name="metrics",
        category="model",
        function=check_metrics,
        data=("y_true", "y_pred", "y_score"),
        seeded=True,
        scorecard=("Infra 4",),
    )
)
