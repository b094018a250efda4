"""The metric layer: built-in metrics, user metrics, bounds, and one metric computed on
given rows. ``check_metrics``, ``compare_models`` and the other model checks all compute
through :func:`compute` (and :func:`row_losses` for the per-row forms)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, overload

from pytest_mlops.core.inputs import check_mapping, label_kind, to_labels
from pytest_mlops.core.verdict import Bound
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

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


#: Built-in metric -> (scikit-learn function name, higher is better, reads, task).
_TABLE: Final[dict[str, tuple[str, bool, Needs, Task]]] = {
    "accuracy": ("accuracy_score", True, "pred", "classification"),
    "balanced_accuracy": ("balanced_accuracy_score", True, "pred", "classification"),
    "precision": ("precision_score", True, "pred", "classification"),
    "recall": ("recall_score", True, "pred", "classification"),
    "f1": ("f1_score", True, "pred", "classification"),
    "mcc": ("matthews_corrcoef", True, "pred", "classification"),
    "roc_auc": ("roc_auc_score", True, "score", "classification"),
    "average_precision": ("average_precision_score", True, "score", "classification"),
    "log_loss": ("log_loss", False, "score", "classification"),
    "brier": ("brier_score_loss", False, "score", "classification"),
    "mae": ("mean_absolute_error", False, "pred", "regression"),
    "mse": ("mean_squared_error", False, "pred", "regression"),
    "rmse": ("", False, "pred", "regression"),
    "r2": ("r2_score", True, "pred", "regression"),
    "mape": ("mean_absolute_percentage_error", False, "pred", "regression"),
}
#: Built-in metric names and whether higher is better.
BUILTIN_METRICS: Final[dict[str, bool]] = {name: row[1] for name, row in _TABLE.items()}
CLASSIFICATION_METRICS: Final = tuple(n for n, r in _TABLE.items() if r[3] == "classification")
REGRESSION_METRICS: Final = tuple(n for n, r in _TABLE.items() if r[3] == "regression")
_PER_CLASS_AVERAGED: Final = ("precision", "recall", "f1")
#: Metrics that need to know the positive class of a binary problem.
NEEDS_POS_LABEL: Final = ("precision", "recall", "f1", "roc_auc", "average_precision", "brier")
#: Metrics that are the mean of a per-row loss (their intervals are studentized).
MEAN_LOSSES: Final = ("log_loss", "brier", "mae", "mse")


def builtin(name: str) -> Metric:
    """The scikit-learn implementation behind a built-in metric name."""
    from sklearn import metrics as skm

    function, higher, needs, task = _TABLE[name]
    fn = _rmse if name == "rmse" else getattr(skm, function)
    return Metric(fn, higher, needs, task)


def is_builtin(name: str, metric: Metric) -> bool:
    """True when ``metric`` is the built-in one of that name (not a user override)."""
    return name in _TABLE and metric == builtin(name)


def _number(where: str, value: Any) -> float:
    from pytest_mlops.core.constraints import is_real

    if not is_real(value):
        raise MlopsTypeError(f"{where} must be a number; got {value!r}")
    number = float(value)
    if math.isnan(number):
        raise MlopsInputError(f"{where} must be a number; got nan")
    return number


def parse_bound(metric: str, spec: Any, greater_is_better: bool) -> Bound:
    """Turn a threshold spec (a number or ``{"min": .., "max": ..}``) into a :class:`Bound`."""
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
        return Bound(metric, low, high)
    value = _number(f"thresholds[{metric!r}]", spec)
    return Bound.at_least(metric, value) if greater_is_better else Bound.at_most(metric, value)


def resolve_metrics(
    names: Sequence[str], custom: Mapping[str, Metric | Callable[..., float]] | None
) -> dict[str, Metric]:
    """Map metric names to :class:`Metric`, raising on unknown names with the valid list."""
    custom = dict(check_mapping("metrics", custom) if custom is not None else {})
    resolved: dict[str, Metric] = {}
    for name in names:
        if not isinstance(name, str):
            raise MlopsTypeError(f"metric names must be strings; got {name!r}")
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
        elif name in _TABLE:
            resolved[name] = builtin(name)
        else:
            valid = ", ".join(sorted([*BUILTIN_METRICS, *custom]))
            raise MlopsInputError(
                f"unknown metric {name!r}; valid metrics are: {valid} "
                "(or pass your own with metrics={name: callable})"
            )
    return resolved


def positive_scores(y_score: np.ndarray, n_classes: int) -> np.ndarray:
    """Binary metrics read the positive-class column of a 2-d score array."""
    if y_score.ndim == 2 and n_classes <= 2 and y_score.shape[1] == 2:
        return y_score[:, 1]
    return y_score


def check_score_shape(y_score: np.ndarray, labels: np.ndarray, argument: str = "y_score") -> None:
    """Scores must be 1-d (binary) or one column per class."""
    k = len(labels)
    if y_score.ndim == 1 and k > 2:
        raise MlopsInputError(
            f"{argument} is 1-d but there are {k} classes ({labels.tolist()[:10]!r}); pass "
            "one column per class (predict_proba's output)"
        )
    if y_score.ndim == 2 and y_score.shape[1] != max(k, 2) and not (k == 1 and y_score.shape[1]):
        raise MlopsInputError(
            f"{argument} has {y_score.shape[1]} columns but there are {k} classes "
            f"({labels.tolist()[:10]!r}); pass one column per class, in sorted label order"
        )


def _classification_kwargs(
    name: str, y_true: np.ndarray, y: np.ndarray, pos_label: Any, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Arguments that make scikit-learn compute ``name`` as the README says."""
    import numpy as np

    kwargs: dict[str, Any] = {}
    binary = len(labels) <= 2
    if name in ("roc_auc", "average_precision"):
        present = np.unique(y_true)
        if len(present) < 2:
            raise ValueError(
                f"only one class ({present.tolist()[0]!r}) is present in y_true, so {name} is "
                "undefined; the test set needs examples of every class"
            )
        if binary:
            y = positive_scores(y, len(labels))
            if pos_label is not None and name == "average_precision":
                kwargs["pos_label"] = pos_label
            elif pos_label is not None:
                y_true = (y_true == pos_label).astype(int)
        elif name == "roc_auc":
            kwargs.update(multi_class="ovr", average="macro", labels=labels)
        else:
            from sklearn.preprocessing import label_binarize

            y_true = label_binarize(y_true, classes=labels)
            kwargs["average"] = "macro"
    elif name == "log_loss":
        kwargs["labels"] = labels
    elif name == "brier":
        y = positive_scores(y, len(labels))
        if binary and pos_label is not None:
            kwargs["pos_label"] = pos_label
    elif name in _PER_CLASS_AVERAGED:
        if binary:
            kwargs.update(average="binary", zero_division=np.nan)
            if pos_label is not None:
                kwargs["pos_label"] = pos_label
        else:
            kwargs.update(average="macro", zero_division=np.nan)
    return y_true, y, kwargs


def compute(
    name: str,
    metric: Metric,
    y_true: np.ndarray,
    y_pred: np.ndarray | None,
    y_score: np.ndarray | None,
    *,
    pos_label: Any,
    labels: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> float:
    """Compute one metric; raise ``ValueError`` with a reason when it cannot be computed."""
    if metric.needs == "score":
        if y_score is None:
            raise MlopsInputError(f"{name} needs y_score (predicted probabilities or scores)")
        y: np.ndarray = y_score
    else:
        if y_pred is None:
            raise MlopsInputError(f"{name} needs y_pred (predicted labels or values)")
        y = y_pred
    kwargs: dict[str, Any] = {}
    if metric.task == "classification":
        y_true, y, kwargs = _classification_kwargs(name, y_true, y, pos_label, labels)
    if sample_weight is not None:
        kwargs["sample_weight"] = sample_weight
    value = float(metric.fn(y_true, y, **kwargs))
    if math.isnan(value):
        raise ValueError(f"{name} is undefined on these inputs (a division by zero)")
    return value


def row_losses(
    name: str,
    y_true: np.ndarray,
    y_pred: np.ndarray | None,
    y_score: np.ndarray | None,
    *,
    labels: np.ndarray,
    positive: Any,
) -> np.ndarray | None:
    """Per-row losses whose mean is the metric ``name`` (log loss, Brier, MAE, MSE), or
    ``None`` when the metric is not such a mean for these inputs."""
    import numpy as np

    if name in ("mae", "mse") and y_pred is not None:
        error = y_pred.astype(float) - y_true.astype(float)
        return np.abs(error) if name == "mae" else error**2
    if y_score is None or len(labels) < 2:
        return None
    eps = np.finfo(float).eps
    if name == "brier" and len(labels) == 2:
        target = positive if positive is not None else labels[-1]
        return (positive_scores(y_score, 2) - (y_true == target)) ** 2
    if name == "brier" and y_score.ndim == 2 and y_score.shape[1] == len(labels):
        # scikit-learn's multiclass Brier score: the squared distance to the one-hot truth
        onehot = np.searchsorted(labels, y_true)[:, None] == np.arange(len(labels))[None, :]
        return ((y_score - onehot) ** 2).sum(axis=1)
    if name != "log_loss":
        return None
    table = y_score if y_score.ndim == 2 else np.column_stack([1 - y_score, y_score])
    table = np.clip(table, eps, 1 - eps)
    table = table / table.sum(axis=1, keepdims=True)
    index = np.searchsorted(labels, y_true)
    return -np.log(table[np.arange(len(y_true)), index])


def _kind(name: str, values: np.ndarray) -> str:
    """``"number"`` or ``"string"``: what the labels of one argument are."""
    to_labels(name, values, allow_missing=True)
    if values.dtype.kind in "biuf":
        return "number"
    if values.dtype.kind in "US":
        return "string"
    kinds = {label_kind(v) for v in values} - {"missing"}
    return kinds.pop() if kinds else "missing"


def class_labels(truth: np.ndarray, pred: np.ndarray | None) -> np.ndarray:
    """The sorted labels of ``y_true`` and ``y_pred``, which must be of one kind."""
    import numpy as np

    truth_kind = _kind("y_true", truth)
    if pred is not None:
        pred_kind = _kind("y_pred", pred)
        if "missing" not in (truth_kind, pred_kind) and pred_kind != truth_kind:
            raise MlopsTypeError(
                f"y_true holds {truth_kind} labels but y_pred holds {pred_kind} labels; use "
                "one type for both (labels read from a CSV are often text)"
            )
    try:
        labels = np.unique(truth if pred is None else np.concatenate([truth, pred]))
    except TypeError:  # None beside labels (or only None): nothing to sort them by
        raise MlopsInputError(
            "y_true" + ("" if pred is None else "/y_pred") + " hold missing values (None) "
            "where labels are needed; drop those rows or fill them"
        ) from None
    if len(labels) == 0:
        raise MlopsInputError("y_true has no labels")
    return labels


def default_pos_label(labels: np.ndarray, pos_label: Any) -> Any:
    """For binary string labels scikit-learn cannot guess the positive class: insist on it."""
    import numpy as np

    if pos_label is not None:
        if not isinstance(pos_label, (str, int, float, np.generic)):
            raise MlopsTypeError(
                f"pos_label must be a label (a number or a string); got {pos_label!r} "
                f"({type(pos_label).__name__})"
            )
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


@overload
def normalised_labels(name: str, values: np.ndarray) -> np.ndarray: ...
@overload
def normalised_labels(name: str, values: None) -> None: ...
def normalised_labels(name: str, values: np.ndarray | None) -> np.ndarray | None:
    """An object array of numbers becomes a numeric array (scikit-learn cannot type an
    object array of ints), missing entries NaN; a mix of kinds is an error naming ``name``."""
    import numpy as np

    if values is None or values.dtype != object:
        return values
    if _kind(name, values) != "number":
        return values
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in values]
    if any(missing):
        return np.array([math.nan if m else float(v) for v, m in zip(values, missing, strict=True)])
    return np.array(values.tolist())


def require_class_labels(truth: np.ndarray, pred: np.ndarray | None) -> None:
    """Classification metrics need class labels: numbers with a fraction are values."""
    import numpy as np

    for name, values in (("y_true", truth), ("y_pred", pred)):
        if values is None or values.dtype.kind != "f":
            continue
        finite = values[np.isfinite(values)]
        # past 2**53 a float is no exact integer (scikit-learn reads it as continuous)
        fractional = finite[(np.mod(finite, 1) != 0) | (np.abs(finite) > 2**53)]
        if fractional.size:
            raise MlopsInputError(
                f"{name} holds {fractional.size} number(s) that are no class label (e.g. "
                f"{float(fractional[0])!r}), but the metrics asked for are classification "
                "metrics, which need class labels; pass labels (or regression metrics)"
            )
