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

from pytest_mlops.checks._inputs import (
    check_mapping,
    choice,
    nan_positions,
    same_length,
    to_1d,
)
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


def _rmse(y_true: Any, y_pred: Any, **kwargs: Any) -> float:
    from sklearn.metrics import mean_squared_error

    return math.sqrt(mean_squared_error(y_true, y_pred, **kwargs))


def _builtin(name: str) -> Metric:
    """The scikit-learn implementation behind a built-in metric name."""
    from sklearn import metrics as skm

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
        "rmse": Metric(_rmse, False, "pred", "regression"),
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
        return self.holds_range(value, value)

    def holds_range(self, low: float, high: float) -> bool:
        """True when every value from ``low`` to ``high`` is within the bounds."""
        if self.min is not None and low < self.min:
            return False
        return not (self.max is not None and high > self.max)

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
        Bootstrap resamples for the confidence intervals (stratified by class for
        classification); 0 turns intervals off. Accuracy, precision and recall use the
        Wilson interval instead (exact enough for a proportion, and free).
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
    import numpy as np

    thresholds = dict(check_mapping("thresholds", thresholds or {}))
    extra = list(report or [])
    choice("gate_on", gate_on, GATE_ON)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 0:
        raise MlopsInputError(f"n_resamples must be a whole number >= 0; got {n_resamples!r}")
    if not 0 < confidence < 1:
        raise MlopsInputError(f"confidence must be between 0 and 1; got {confidence!r}")
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

    evaluation = _Evaluation(
        resolved=resolved,
        labels=labels,
        positive=positive,
        n_resamples=n_resamples,
        confidence=confidence,
        random_state=random_state,
    )
    if slices is not None:
        from pytest_mlops.checks._slices import slice_metrics

        return slice_metrics(
            evaluation,
            names,
            bounds,
            truth,
            pred,
            score,
            weight,
            slices,
            min_slice_size=min_slice_size,
            combinations=slice_combinations,
            gate_on=gate_on,
        )
    values, intervals, errors = evaluation.run(names, truth, pred, score, weight)
    rows, failed = judge(names, resolved, bounds, values, intervals, gate_on, confidence)

    details: dict[str, Any] = {"n": n, "confidence": confidence, "gate_on": gate_on, "rows": rows}
    if classification:
        details["labels"] = labels.tolist()
        if positive is not None:
            details["pos_label"] = positive
        details.update(_curves(truth, pred, score, labels, positive))
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
    summary = ", ".join(
        describe_value(k, v, intervals.get(k), confidence) for k, v in values.items()
    )
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"{summary} (n={n})" if summary else f"no metric computed (n={n})",
        **common,
    )


GATE_ON: Final = ("point", "interval", "lower_bound", "upper_bound")


def describe_value(
    name: str, value: float, interval: tuple[float, float] | None, confidence: float
) -> str:
    """``roc_auc = 0.91 (95% CI 0.88-0.94)``."""
    if interval is None or any(math.isnan(v) for v in interval):
        return f"{name} = {value:.4g}"
    return f"{name} = {value:.4g} ({confidence:.0%} CI {interval[0]:.4g}-{interval[1]:.4g})"


def judge(
    names: Sequence[str],
    resolved: Mapping[str, Metric],
    bounds: Mapping[str, Bounds],
    values: Mapping[str, float],
    intervals: Mapping[str, tuple[float, float]],
    gate_on: str,
    confidence: float,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows for the report and the failure sentences, point or interval gated."""
    rows = []
    failed: list[str] = []
    for name in names:
        bound = bounds.get(name)
        value = values.get(name)
        interval = intervals.get(name)
        passed = None
        if bound is not None and value is not None:
            low = high = value
            if gate_on != "point" and interval is not None and not math.isnan(interval[0]):
                low, high = interval
            passed = bound.holds_range(low, high)
        rows.append(
            {
                "metric": name,
                "value": value,
                "ci_low": interval[0] if interval else None,
                "ci_high": interval[1] if interval else None,
                "direction": "higher" if resolved[name].greater_is_better else "lower",
                **(bound.to_dict() if bound else {}),
                "passed": passed,
            }
        )
        if passed is False and bound is not None and value is not None:
            judged = "" if gate_on == "point" else " (the whole interval must clear it)"
            failed.append(
                f"{describe_value(name, value, interval, confidence)}, must be "
                f"{bound.describe()}{judged}"
            )
    return rows, failed


@dataclasses.dataclass(frozen=True)
class _Evaluation:
    """How to compute the metrics and their intervals on any subset of rows."""

    resolved: Mapping[str, Metric]
    labels: np.ndarray
    positive: Any
    n_resamples: int
    confidence: float
    random_state: int

    def compute(
        self,
        name: str,
        truth: np.ndarray,
        pred: np.ndarray | None,
        score: np.ndarray | None,
        weight: np.ndarray | None,
    ) -> float:
        """One metric on the given rows (raises when it is undefined there)."""
        return _compute(
            name,
            self.resolved[name],
            truth,
            pred,
            score,
            pos_label=self.positive,
            labels=self.labels,
            sample_weight=weight,
        )

    def run(
        self,
        names: Sequence[str],
        truth: np.ndarray,
        pred: np.ndarray | None,
        score: np.ndarray | None,
        weight: np.ndarray | None,
    ) -> tuple[dict[str, float], dict[str, tuple[float, float]], dict[str, str]]:
        values: dict[str, float] = {}
        errors: dict[str, str] = {}
        for name in names:
            try:
                values[name] = self.compute(name, truth, pred, score, weight)
            except MlopsInputError:
                raise
            except (ValueError, TypeError, ZeroDivisionError) as exc:
                errors[name] = str(exc).splitlines()[0]
        intervals = (
            self.intervals(list(values), truth, pred, score, weight) if self.n_resamples else {}
        )
        return values, intervals, errors

    def intervals(
        self,
        names: list[str],
        truth: np.ndarray,
        pred: np.ndarray | None,
        score: np.ndarray | None,
        weight: np.ndarray | None,
    ) -> dict[str, tuple[float, float]]:
        import numpy as np

        from pytest_mlops.checks import _bootstrap as bs

        out: dict[str, tuple[float, float]] = {}
        rng = np.random.default_rng(self.random_state)
        classification = len(self.labels) > 0
        binary = classification and len(self.labels) == 2
        positive = (
            self.positive if self.positive is not None else (self.labels[-1] if binary else None)
        )
        remaining = list(names)
        if classification and weight is None and pred is not None:
            correct = float(np.sum(truth == pred))
            if "accuracy" in remaining:
                out["accuracy"] = bs.wilson(correct, len(truth), self.confidence)
                remaining.remove("accuracy")
            if binary:
                hit = (truth == positive) & (pred == positive)
                for name, trials in (
                    ("precision", float(np.sum(pred == positive))),
                    ("recall", float(np.sum(truth == positive))),
                ):
                    if name in remaining:
                        out[name] = bs.wilson(float(hit.sum()), trials, self.confidence)
                        remaining.remove(name)
        builtin = [m for m in remaining if m in BUILTIN_METRICS and self.resolved[m] == _builtin(m)]
        if binary and weight is None and len(np.unique(truth)) == 2:
            fast = [m for m in builtin if m in bs.FAST_BINARY]
            if fast:
                drawn = bs.stratified_binary(
                    fast,
                    (truth == positive).astype(int),
                    (pred == positive).astype(int) if pred is not None else None,
                    _positive_scores(score, 2).astype(float) if score is not None else None,
                    self.n_resamples,
                    rng,
                )
                for name, array in drawn.items():
                    out[name] = bs.percentile_interval(array, self.confidence)
                    remaining.remove(name)
                    builtin.remove(name)
        vectorised: Callable[[np.ndarray], dict[str, np.ndarray]] | None = None
        if builtin and binary:
            y01 = (truth == positive).astype(int)
            p01 = (pred == positive).astype(int) if pred is not None else None
            s1 = _positive_scores(score, 2) if score is not None else None
            vectorised = bs.binary_statistics(builtin, y01, p01, s1)
        elif builtin and not classification and pred is not None:
            vectorised = bs.regression_statistics(builtin, truth.astype(float), pred.astype(float))
        looped = [m for m in remaining if vectorised is None or m not in builtin]
        strata = truth if classification else None
        collected: dict[str, list[np.ndarray]] = {m: [] for m in remaining}
        chunks = bs.weight_chunks(len(truth), self.n_resamples, rng, strata) if remaining else ()
        for weights in chunks:
            if weight is not None:
                weights = weights * weight[None, :]
            if vectorised is not None:
                for name, array in vectorised(weights).items():
                    collected[name].append(array)
            for name in looped:
                collected[name].append(self._loop(name, weights, truth, pred, score))
        for name, parts in collected.items():
            if parts:
                out[name] = bs.percentile_interval(np.concatenate(parts), self.confidence)
        return out

    def _loop(
        self,
        name: str,
        weights: np.ndarray,
        truth: np.ndarray,
        pred: np.ndarray | None,
        score: np.ndarray | None,
    ) -> np.ndarray:
        """Metric values per resample for metrics without a vectorised form."""
        import numpy as np

        values = np.full(len(weights), np.nan)
        for i, row in enumerate(weights):
            rows = (
                np.repeat(np.arange(len(truth)), row.astype(int))
                if np.all(row == np.round(row))
                else None
            )
            try:
                if rows is not None:
                    values[i] = self.compute(
                        name,
                        truth[rows],
                        None if pred is None else pred[rows],
                        None if score is None else score[rows],
                        None,
                    )
                else:
                    values[i] = self.compute(name, truth, pred, score, row)
            except (ValueError, TypeError, ZeroDivisionError):
                continue
        return values


def _downsample(x: np.ndarray, y: np.ndarray, most: int = 200) -> dict[str, list[float]]:
    import numpy as np

    if len(x) > most:
        keep = np.unique(np.linspace(0, len(x) - 1, most).astype(int))
        x, y = x[keep], y[keep]
    return {"x": [float(v) for v in x], "y": [float(v) for v in y]}


def _curves(
    truth: np.ndarray,
    pred: np.ndarray | None,
    score: np.ndarray | None,
    labels: np.ndarray,
    positive: Any,
) -> dict[str, Any]:
    """Compact figure data: ROC and precision-recall curves, the confusion matrix."""
    import numpy as np
    from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve

    out: dict[str, Any] = {}
    if pred is not None and len(labels) <= 20:
        out["confusion_matrix"] = {
            "labels": labels.tolist(),
            "matrix": confusion_matrix(truth, pred, labels=labels).tolist(),
        }
    if score is not None and len(labels) == 2 and len(np.unique(truth)) == 2:
        target = positive if positive is not None else labels[-1]
        s = _positive_scores(score, 2)
        fpr, tpr, _ = roc_curve(truth, s, pos_label=target)
        precision, recall, _ = precision_recall_curve(truth, s, pos_label=target)
        out["curves"] = {
            "roc": _downsample(fpr, tpr),
            "pr": _downsample(recall[::-1], precision[::-1]),
        }
    return out


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
