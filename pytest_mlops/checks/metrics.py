"""Model metrics against thresholds (the ``mlops_model`` family's core check).

``thresholds={"roc_auc": 0.85}`` means *at least* 0.85 because higher ROC AUC is better;
``{"rmse": 3.0}`` means *at most* 3.0 because lower RMSE is better. The explicit forms
``{"rmse": {"max": 3.0}}``, ``{"f1": {"min": 0.7}}`` and ``{"r2": {"min": 0.5, "max": 0.99}}``
say the direction themselves. Bounds are inclusive, as in MLflow's ``MetricThreshold``
and TFMA's ``GenericValueThreshold``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from pytest_mlops.checks._inputs import check_mapping, nan_positions, same_length, to_1d
from pytest_mlops.errors import MlopsInputError, MlopsTypeError
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    import numpy as np

Needs = Literal["pred", "score"]
Task = Literal["classification", "regression"]


@dataclasses.dataclass(frozen=True)
class Metric:
    """A metric: how to compute it, which input it needs and which way is better.

    Parameters
    ----------
    fn : callable
        ``fn(y_true, y)`` where ``y`` is ``y_pred`` (``needs="pred"``) or ``y_score``
        (``needs="score"``); returns a float.
    greater_is_better : bool
        Decides what a bare-number threshold means (a minimum or a maximum).
    needs : {"pred", "score"}
        Which of ``y_pred`` / ``y_score`` the metric reads.
    task : {"classification", "regression"} or None
        The task the metric belongs to; ``None`` for user metrics that fit either.
    """

    fn: Callable[..., float]
    greater_is_better: bool = True
    needs: Needs = "pred"
    task: Task | None = None


def _builtin(name: str) -> Metric:
    """The scikit-learn implementation behind a built-in metric name."""
    from sklearn import metrics as skm

    def rmse(y_true: Any, y_pred: Any) -> float:
        return math.sqrt(skm.mean_squared_error(y_true, y_pred))

    table: dict[str, Metric] = {
        "accuracy": Metric(skm.accuracy_score, True, "pred", "classification"),
        "balanced_accuracy": Metric(skm.balanced_accuracy_score, True, "pred", "classification"),
        "precision": Metric(skm.precision_score, True, "pred", "classification"),
        "recall": Metric(skm.recall_score, True, "pred", "classification"),
        "f1": Metric(skm.f1_score, True, "pred", "classification"),
        "mcc": Metric(skm.matthews_corrcoef, True, "pred", "classification"),
        "roc_auc": Metric(skm.roc_auc_score, True, "score", "classification"),
        "average_precision": Metric(skm.average_precision_score, True, "score", "classification"),
        "log_loss": Metric(skm.log_loss, False, "score", "classification"),
        "brier": Metric(skm.brier_score_loss, False, "score", "classification"),
        "mae": Metric(skm.mean_absolute_error, False, "pred", "regression"),
        "mse": Metric(skm.mean_squared_error, False, "pred", "regression"),
        "rmse": Metric(rmse, False, "pred", "regression"),
        "r2": Metric(skm.r2_score, True, "pred", "regression"),
        "mape": Metric(skm.mean_absolute_percentage_error, False, "pred", "regression"),
    }
    return table[name]


#: Built-in metric names and whether higher is better.
BUILTIN_METRICS: Final[dict[str, bool]] = {
    "accuracy": True,
    "balanced_accuracy": True,
    "precision": True,
    "recall": True,
    "f1": True,
    "mcc": True,
    "roc_auc": True,
    "average_precision": True,
    "log_loss": False,
    "brier": False,
    "mae": False,
    "mse": False,
    "rmse": False,
    "r2": True,
    "mape": False,
}
CLASSIFICATION_METRICS: Final = (
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "mcc",
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier",
)
REGRESSION_METRICS: Final = ("mae", "mse", "rmse", "r2", "mape")
_PER_CLASS_AVERAGED: Final = ("precision", "recall", "f1")
#: Metrics that need to know the positive class of a binary problem.
NEEDS_POS_LABEL: Final = ("precision", "recall", "f1", "roc_auc", "average_precision", "brier")


@dataclasses.dataclass(frozen=True)
class Bounds:
    """An inclusive ``[min, max]`` range a metric must stay within (either end open)."""

    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts)

    def to_dict(self) -> dict[str, float]:
        out: dict[str, float] = {}
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        return out


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or (
        not isinstance(value, (int, float)) and not hasattr(value, "__float__")
    ):
        raise MlopsTypeError(f"{where} must be a number; got {value!r}")
    number = float(value)
    if math.isnan(number):
        raise MlopsInputError(f"{where} must be a number; got nan")
    return number


def parse_bounds(metric: str, spec: Any, greater_is_better: bool) -> Bounds:
    """Turn a threshold spec (a number or ``{"min": .., "max": ..}``) into :class:`Bounds`."""
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"min", "max"}
        if unknown or not spec:
            raise MlopsInputError(
                f"thresholds[{metric!r}] takes the keys 'min' and/or 'max'; got "
                f"{sorted(map(str, spec)) or 'an empty dict'}"
            )
        low = _number(f"thresholds[{metric!r}]['min']", spec["min"]) if "min" in spec else None
        high = _number(f"thresholds[{metric!r}]['max']", spec["max"]) if "max" in spec else None
        if low is not None and high is not None and low > high:
            raise MlopsInputError(f"thresholds[{metric!r}]: min {low:g} is above max {high:g}")
        return Bounds(low, high)
    value = _number(f"thresholds[{metric!r}]", spec)
    return Bounds(min=value) if greater_is_better else Bounds(max=value)


def resolve_metrics(
    names: Sequence[str], custom: Mapping[str, Metric | Callable[..., float]] | None
) -> dict[str, Metric]:
    """Map metric names to :class:`Metric`, raising on unknown names with the valid list."""
    custom = dict(check_mapping("metrics", custom) if custom is not None else {})
    resolved: dict[str, Metric] = {}
    for name in names:
        if name in custom:
            spec = custom[name]
            if isinstance(spec, Metric):
                resolved[name] = spec
            elif callable(spec):
                resolved[name] = Metric(spec)
            else:
                raise MlopsTypeError(
                    f"metrics[{name!r}] must be a callable or pytest_mlops.checks.Metric; "
                    f"got {type(spec).__name__}"
                )
        elif name in BUILTIN_METRICS:
            resolved[name] = _builtin(name)
        else:
            valid = ", ".join(sorted([*BUILTIN_METRICS, *custom]))
            raise MlopsInputError(
                f"unknown metric {name!r}; valid metrics are: {valid} "
                "(or pass your own with metrics={name: callable})"
            )
    return resolved


def _positive_scores(y_score: np.ndarray, n_classes: int) -> np.ndarray:
    """Binary metrics read the positive-class column of a 2-d score array."""
    if y_score.ndim == 2 and n_classes <= 2 and y_score.shape[1] == 2:
        return y_score[:, 1]
    return y_score


def _compute(
    name: str,
    metric: Metric,
    y_true: np.ndarray,
    y_pred: np.ndarray | None,
    y_score: np.ndarray | None,
    *,
    pos_label: Any,
    labels: np.ndarray,
    sample_weight: np.ndarray | None,
) -> float:
    """Compute one metric; raise ``ValueError`` with a reason when it cannot be computed."""
    import numpy as np

    if metric.needs == "score":
        if y_score is None:
            raise MlopsInputError(f"{name} needs y_score (predicted probabilities or scores)")
        y: np.ndarray = y_score
    else:
        if y_pred is None:
            raise MlopsInputError(f"{name} needs y_pred (predicted labels or values)")
        y = y_pred
    kwargs: dict[str, Any] = {}
    if sample_weight is not None:
        kwargs["sample_weight"] = sample_weight
    binary = len(labels) <= 2
    if metric.task == "classification":
        if name in ("roc_auc", "average_precision"):
            present = np.unique(y_true)
            if len(present) < 2:
                raise ValueError(
                    f"only one class ({present.tolist()[0]!r}) is present in y_true, so {name} is "
                    "undefined; the test set needs examples of every class"
                )
            if binary:
                y = _positive_scores(y, len(labels))
                if pos_label is not None and name == "average_precision":
                    kwargs["pos_label"] = pos_label
                elif pos_label is not None:
                    y_true = (y_true == pos_label).astype(int)
            elif name == "roc_auc":
                kwargs.update(multi_class="ovr", average="macro", labels=labels)
            elif name == "average_precision":
                from sklearn.preprocessing import label_binarize

                y_true = label_binarize(y_true, classes=labels)
                kwargs["average"] = "macro"
        elif name == "log_loss":
            kwargs["labels"] = labels
        elif name == "brier":
            y = _positive_scores(y, len(labels))
            if binary and pos_label is not None:
                kwargs["pos_label"] = pos_label
        elif name in _PER_CLASS_AVERAGED:
            if binary:
                kwargs["average"] = "binary"
                if pos_label is not None:
                    kwargs["pos_label"] = pos_label
                kwargs["zero_division"] = np.nan
            else:
                kwargs.update(average="macro", zero_division=np.nan)
    value = float(metric.fn(y_true, y, **kwargs))
    if math.isnan(value):
        raise ValueError(f"{name} is undefined on these inputs (a division by zero)")
    return value


def _default_pos_label(labels: np.ndarray, pos_label: Any) -> Any:
    """For binary string labels scikit-learn cannot guess the positive class: insist on it."""
    if pos_label is not None:
        if pos_label not in set(labels.tolist()):
            raise MlopsInputError(
                f"pos_label {pos_label!r} is not one of the labels in y_true/y_pred: "
                f"{labels.tolist()!r}"
            )
        return pos_label
    if len(labels) == 2 and not set(labels.tolist()) <= {0, 1, -1}:
        raise MlopsInputError(
            f"binary labels {labels.tolist()!r} are not 0/1: pass pos_label= to say which "
            "class is positive"
        )
    return None


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
) -> CheckResult:
    """Compute model metrics and hold them to thresholds.

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
    import numpy as np

    thresholds = dict(check_mapping("thresholds", thresholds or {}))
    extra = list(report or [])
    truth = to_1d("y_true", y_true)
    assert truth is not None
    pred = to_1d("y_pred", y_pred, allow_none=True)
    score = None
    if y_score is not None:
        from pytest_mlops.checks._inputs import to_2d_scores

        score = to_2d_scores("y_score", y_score)
    weight = to_1d("sample_weight", sample_weight, allow_none=True)
    n = same_length(y_true=truth, y_pred=pred, y_score=score, sample_weight=weight)
    if n == 0:
        raise MlopsInputError("y_true is empty: there is nothing to compute metrics on")
    if pred is None and score is None:
        raise MlopsInputError("pass y_pred, y_score or both")

    names = list(dict.fromkeys([*thresholds, *extra]))
    if not names:
        names = _applicable_builtins(truth, pred, score, pos_label_known=pos_label is not None)
    resolved = resolve_metrics(names, metrics)
    bounds = {
        name: parse_bounds(name, thresholds[name], resolved[name].greater_is_better)
        for name in thresholds
    }

    missing = {
        arg: int(nan_positions(a).sum()) if a.ndim == 1 else int(np.isnan(a).any(axis=1).sum())
        for arg, a in (("y_true", truth), ("y_pred", pred), ("y_score", score))
        if a is not None
    }
    missing = {arg: count for arg, count in missing.items() if count}
    if missing:
        described = ", ".join(
            f"{arg} has {count} missing value(s)" for arg, count in missing.items()
        )
        return CheckResult(
            name="metrics",
            category="model",
            status="error",
            reason="not_computable",
            message=(
                f"metrics cannot be computed: {described} (of {n} rows); drop or impute "
                "them before calling check_metrics"
            ),
            thresholds={k: b.to_dict() for k, b in bounds.items()},
            details={"n": n, "missing": missing},
        )

    classification = any(m.task == "classification" for m in resolved.values())
    labels = (
        np.unique(np.concatenate([truth, pred]) if pred is not None else truth)
        if classification
        else np.array([])
    )
    if classification and len(labels) == 0:
        raise MlopsInputError("y_true has no labels")
    needs_positive = classification and any(name in NEEDS_POS_LABEL for name in resolved)
    positive = _default_pos_label(labels, pos_label) if needs_positive else pos_label

    values: dict[str, float] = {}
    errors: dict[str, str] = {}
    for name, metric in resolved.items():
        try:
            values[name] = _compute(
                name,
                metric,
                truth,
                pred,
                score,
                pos_label=positive,
                labels=labels,
                sample_weight=weight,
            )
        except MlopsInputError:
            raise
        except (ValueError, TypeError, ZeroDivisionError) as exc:
            errors[name] = str(exc).splitlines()[0]

    rows = []
    failed: list[str] = []
    for name in names:
        bound = bounds.get(name)
        value = values.get(name)
        passed = None if bound is None or value is None else bound.holds(value)
        rows.append(
            {
                "metric": name,
                "value": value,
                "direction": "higher" if resolved[name].greater_is_better else "lower",
                **(bound.to_dict() if bound else {}),
                "passed": passed,
            }
        )
        if passed is False and bound is not None and value is not None:
            failed.append(f"{name} = {value:.4g}, must be {bound.describe()}")

    details: dict[str, Any] = {"n": n, "rows": rows}
    if classification:
        details["labels"] = labels.tolist()
        if positive is not None:
            details["pos_label"] = positive
    gated_errors = {k: v for k, v in errors.items() if k in bounds}
    if errors:
        details["errors"] = errors
    common: dict[str, Any] = {
        "name": "metrics",
        "category": "model",
        "metrics": values,
        "thresholds": {k: b.to_dict() for k, b in bounds.items()},
        "details": details,
    }
    if gated_errors:
        why = "; ".join(f"{k}: {v}" for k, v in gated_errors.items())
        return CheckResult(
            status="error",
            reason="not_computable",
            message=f"could not compute {why}",
            **common,
        )
    if failed:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message=(
                f"{'; '.join(failed)} (n={n}); improve the model or, if the bar is wrong, "
                "change thresholds= in the test"
            ),
            **common,
        )
    summary = ", ".join(f"{k} = {v:.4g}" for k, v in values.items())
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"{summary} (n={n})" if summary else f"no metric computed (n={n})",
        **common,
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
        needs = _builtin(name).needs
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
