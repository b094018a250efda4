"""Model metrics against thresholds (the ``mlops_model`` family's core check).

``thresholds={"roc_auc": 0.85}`` means *at least* 0.85 because higher ROC AUC is better;
``{"rmse": 3.0}`` means *at most* 3.0 because lower RMSE is better. The explicit forms
``{"rmse": {"max": 3.0}}``, ``{"f1": {"min": 0.7}}`` and ``{"r2": {"min": 0.5, "max": 0.99}}``
say the direction themselves. Bounds are inclusive, as in MLflow's ``MetricThreshold``
and TFMA's ``GenericValueThreshold``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._measurement import Measurement, measure
from pytest_mlops.checks._measures import (
    BUILTIN_METRICS,
    Metric,
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
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import (
    GATE_ON,
)

if TYPE_CHECKING:
    from pytest_mlops.results import CheckResult

__all__ = ["BUILTIN_METRICS", "Metric", "check_metrics", "resolve_metrics"]


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


register(
    CheckSpec(
        name="metrics",
        category="model",
        function=check_metrics,
        data=("y_true", "y_pred", "y_score"),
        seeded=True,
        scorecard=("Infra 4",),
        also_scores=(("slice_metrics", ("Model 6",)),),
    )
)
