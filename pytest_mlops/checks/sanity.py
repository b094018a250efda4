"""Sanity of a model beyond its metric: it generalises, beats a trivial model, is calibrated."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._measurement import Measurement, measure
from pytest_mlops.checks._measures import (
    BUILTIN_METRICS,
    builtin,
    class_labels,
    normalised_labels,
)
from pytest_mlops.checks.compare import change
from pytest_mlops.core.inputs import (
    NON_NEGATIVE,
    Interval,
    Options,
    nan_positions,
    same_length,
    to_1d,
    to_scores,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import cannot_decide, conclude
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.results import CheckResult

#: Deepchecks SimpleModelComparison's default condition: gain >= 0.1, where gain is the
#: share of the distance from the dummy's score to a perfect score that the model covers.
DEFAULT_MIN_GAIN: Final = 0.1
#: Deepchecks TrainTestPerformance's default: test may be at most 10% worse than train.
DEFAULT_MAX_RELATIVE_GAP: Final = 0.1
_METRIC = Options(*BUILTIN_METRICS)
_CLASSIFIER_STRATEGIES: Final = ("prior", "most_frequent", "stratified", "uniform")


def _value(
    metric: str,
    y_true: Any,
    y_pred: Any,
    y_score: Any,
    pos_label: Any,
    names: tuple[str, str, str] = ("y_true", "y_pred", "y_score"),
) -> tuple[float | None, str]:
    """One metric's value, or ``None`` and why it could not be computed. Errors about the
    inputs name them as this check's caller knows them (``names``)."""
    import re

    try:
        measured = measure(
            y_true, y_pred, y_score, report=[metric], pos_label=pos_label, n_resamples=0
        )
    except (MlopsInputError, MlopsTypeError) as exc:
        renamed = dict(zip(("y_true", "y_pred", "y_score"), names, strict=True))
        text = re.sub(r"\by_(true|pred|score)\b", lambda m: renamed[m.group(0)], str(exc))
        raise type(exc)(text) from None
    if not isinstance(measured, Measurement):
        return None, measured.message
    if metric not in measured.values:
        return None, measured.errors.get(metric, f"{metric} could not be computed")
    return measured.values[metric], ""


@validate_params(
    {
        "metric": [_METRIC],
        "max_gap": [NON_NEGATIVE, None],
        "max_relative_gap": [NON_NEGATIVE, None],
    }
)
def check_overfitting(
    y_train: Any,
    y_test: Any,
    *,
    train_pred: Any = None,
    test_pred: Any = None,
    train_score: Any = None,
    test_score: Any = None,
    metric: str = "accuracy",
    max_gap: float | None = None,
    max_relative_gap: float | None = DEFAULT_MAX_RELATIVE_GAP,
    pos_label: Any = None,
) -> CheckResult:
    """Train-versus-test gap of one metric (in its better direction) within bounds.

    Default ``max_relative_gap=0.1``: the test score may be at most 10% worse than the
    train score, Deepchecks' ``TrainTestPerformance`` default condition.
    """
    common: dict[str, Any] = {
        "name": "overfitting",
        "category": "model",
        "thresholds": {"gap": {"max": max_gap}, "relative_gap": {"max": max_relative_gap}},
    }
    train, why_train = _value(
        metric,
        y_train,
        train_pred,
        train_score,
        pos_label,
        ("y_train", "train_pred", "train_score"),
    )
    test, why_test = _value(
        metric, y_test, test_pred, test_score, pos_label, ("y_test", "test_pred", "test_score")
    )
    if train is None or test is None:
        why = "; ".join(
            f"on {part} data: {why}"
            for part, why in (("train", why_train), ("test", why_test))
            if why
        )
        return cannot_decide(why=f"{metric} could not be computed {why}", **common)
    gap = change(train, test, builtin(metric).greater_is_better)  # positive: train better
    relative = gap / abs(train) if train != 0 else gap
    numbers = {"gap": gap, "relative_gap": relative}
    problems = []
    if max_gap is not None and gap > max_gap:
        problems.append(f"gap {gap:.4g} > {max_gap:g}")
    if max_relative_gap is not None and relative > max_relative_gap:
        problems.append(f"relative gap {relative:.1%} > {max_relative_gap:.0%}")
    text = f"{metric}: train {train:.4g}, test {test:.4g}"
    return conclude(
        failures=[f"{text}: {', '.join(problems)}"] if problems else [],
        passed=f"{text} (gap {gap:+.4g})",
        next_step="the model overfits: regularise it or get more training data",
        metrics={f"train_{metric}": train, f"test_{metric}": test, **numbers},
        details={"metric": metric, "train": train, "test": test, **numbers},
        **common,
    )


def _is_regression(train: np.ndarray) -> bool:
    import numpy as np

    if train.dtype.kind != "f":
        return False
    finite = train[np.isfinite(train)]
    return not bool(np.all(np.mod(finite, 1) == 0))


def _require_labels(train: np.ndarray, test: np.ndarray) -> None:
    """Both label sets are non-empty, of one kind each and without missing values."""
    for name, values in (("y_train", train), ("y_test", test)):
        normalised_labels(name, values)
        if len(values) == 0:
            raise MlopsInputError(f"{name} is empty; the check needs at least one row")
        if nan_positions(values).any():
            raise MlopsInputError(
                f"{name} has {int(nan_positions(values).sum())} missing value(s); drop or fill "
                "them first"
            )


def _fitted_dummy(train: np.ndarray, regression: bool, strategy: str | None) -> Any:
    """scikit-learn's Dummy estimator for the task, fitted on the training labels."""
    import numpy as np
    from sklearn.dummy import DummyClassifier, DummyRegressor

    fits = (None, "mean", "median") if regression else (None, *_CLASSIFIER_STRATEGIES)
    if strategy not in fits:
        kind = "regression" if regression else "classification"
        raise MlopsInputError(
            f"strategy {strategy!r} does not fit {kind} labels; use one of "
            f"{', '.join(repr(s) for s in fits if s)}"
        )
    dummy: Any = (
        DummyRegressor(strategy=strategy or "mean")
        if regression
        else DummyClassifier(strategy=strategy or "prior", random_state=0)
    )
    return dummy.fit(np.zeros((len(train), 1)), train)


@validate_params(
    {
        "metric": [_METRIC, None],
        "min_gain": [Interval(float, None, 1)],
        "strategy": [
            Options(*_CLASSIFIER_STRATEGIES, "mean", "median"),
            None,
        ],
    }
)
def check_beats_dummy(
    y_train: Any,
    y_test: Any,
    y_pred: Any = None,
    y_score: Any = None,
    *,
    metric: str | None = None,
    min_gain: float = DEFAULT_MIN_GAIN,
    strategy: str | None = None,
    pos_label: Any = None,
) -> CheckResult:
    """The model must beat scikit-learn's Dummy estimator fitted on the training labels.

    ``gain = (model - dummy) / (perfect - dummy)`` (Deepchecks' SimpleModelComparison),
    with ``perfect`` 1 for bounded higher-is-better metrics and 0 for errors; the check
    passes when ``gain >= min_gain`` (default 0.1). The dummy is ``DummyClassifier`` with
    ``strategy="prior"`` (predicts the majority class, scores the class shares) for
    classification, ``DummyRegressor(strategy="mean")`` for regression.
    """
    import numpy as np

    train = to_1d("y_train", y_train)
    test = to_1d("y_test", y_test)
    assert train is not None and test is not None
    _require_labels(train, test)
    regression = _is_regression(train)
    chosen = metric or (
        "rmse" if regression else ("roc_auc" if y_score is not None else "accuracy")
    )
    if regression != (builtin(chosen).task == "regression"):
        kind = "regression" if regression else "classification"
        raise MlopsInputError(f"metric {chosen!r} does not fit y_train, which is {kind} data")
    dummy = _fitted_dummy(train, regression, strategy)
    features = np.zeros((len(test), 1))
    common: dict[str, Any] = {
        "name": "beats_dummy",
        "category": "model",
        "thresholds": {"gain": {"min": min_gain}},
    }
    model_value, why = _value(
        chosen, test, y_pred, y_score, pos_label, ("y_test", "y_pred", "y_score")
    )
    if model_value is None:
        return cannot_decide(why=f"{chosen} could not be computed for the model: {why}", **common)
    if builtin(chosen).needs == "score":
        dummy_value, _ = _value(chosen, test, None, dummy.predict_proba(features), pos_label)
    else:
        dummy_value, _ = _value(chosen, test, dummy.predict(features), None, pos_label)
    if dummy_value is None:
        # ROC AUC of a constant score is 0.5 by definition
        dummy_value = 0.5 if chosen == "roc_auc" else math.nan
    higher = builtin(chosen).greater_is_better
    perfect = 1.0 if higher else 0.0
    room = change(perfect, dummy_value, higher)
    if not room > 0:
        why = f"the dummy already scores {dummy_value:.4g} ({chosen}), so no model can gain on it"
        return cannot_decide(why=why, **common)
    gain = change(model_value, dummy_value, higher) / room
    name = f"{type(dummy).__name__}({dummy.strategy})"
    text = f"{chosen} {model_value:.4g} vs {name} {dummy_value:.4g}: gain {gain:.2f}"
    return conclude(
        failures=[f"{text} < {min_gain:g}"] if gain < min_gain else [],
        passed=f"{text} >= {min_gain:g}",
        next_step="the model barely beats a trivial baseline: check the features and the labels",
        metrics={chosen: model_value, f"dummy_{chosen}": dummy_value, "gain": gain},
        details={
            "metric": chosen,
            "dummy": type(dummy).__name__,
            "strategy": dummy.strategy,
            "perfect": perfect,
        },
        **common,
    )


def _binary_probabilities(
    y_true: Any, y_score: Any, pos_label: Any
) -> tuple[np.ndarray, np.ndarray]:
    """``(y01, p)``: the positive class indicator and its probability, validated."""
    import numpy as np

    truth = to_1d("y_true", y_true)
    assert truth is not None
    score = to_scores("y_score", y_score)
    if score.ndim == 2:
        if score.shape[1] != 2:
            raise MlopsInputError(
                f"y_score has {score.shape[1]} columns; check_calibration needs binary "
                "probabilities (one column, or two)"
            )
        score = score[:, 1]
    n = same_length(y_true=truth, y_score=score)
    if n == 0:
        raise MlopsInputError("y_true is empty: there are no probabilities to calibrate")
    if np.any((score < 0) | (score > 1)):
        raise MlopsInputError("y_score must be probabilities between 0 and 1")
    labels = class_labels(truth, None)
    if len(labels) > 2:
        raise MlopsInputError(f"check_calibration needs binary labels; got {len(labels)} classes")
    if pos_label is not None and pos_label not in set(labels.tolist()):
        raise MlopsInputError(
            f"pos_label {pos_label!r} is not one of the labels in y_true: {labels.tolist()!r}"
        )
    positive = pos_label if pos_label is not None else labels[-1]
    return (truth == positive).astype(float), score


@validate_params(
    {
        "n_bins": [Interval(int, 2, None)],
        "strategy": [Options("uniform", "quantile")],
        "max_ece": [Interval(float, 0, 1), None],
        "max_brier": [Interval(float, 0, 1), None],
    }
)
def check_calibration(
    y_true: Any,
    y_score: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    max_ece: float | None = 0.1,
    max_brier: float | None = None,
    pos_label: Any = None,
) -> CheckResult:
    """Expected calibration error and Brier score of binary probabilities, with bounds.

    ``ECE = sum over bins of (rows in bin / n) * |observed positive rate - mean predicted
    probability|``, with ``n_bins`` equal-width (``strategy="uniform"``) or equal-count
    (``"quantile"``) bins, as scikit-learn's ``calibration_curve`` bins them. Default
    ``max_ece=0.1``: a common rule of thumb, not a standard; set it for your use.
    """
    import numpy as np

    y01, score = _binary_probabilities(y_true, y_score, pos_label)
    if strategy == "quantile":
        edges = np.quantile(score, np.linspace(0, 1, n_bins + 1))
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.searchsorted(edges[1:-1], score, side="right"), 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    observed = np.bincount(index, weights=y01, minlength=n_bins)
    predicted = np.bincount(index, weights=score, minlength=n_bins)
    used = counts > 0
    ece = float(np.sum(np.abs(observed[used] - predicted[used])) / len(score))
    brier = float(np.mean((score - y01) ** 2))
    curve = [
        {
            "bin": int(i),
            "n": int(counts[i]),
            "mean_predicted": float(predicted[i] / counts[i]),
            "observed_rate": float(observed[i] / counts[i]),
        }
        for i in np.flatnonzero(used)
    ]
    problems = []
    if max_ece is not None and ece > max_ece:
        problems.append(f"expected calibration error {ece:.4g} > {max_ece:g}")
    if max_brier is not None and brier > max_brier:
        problems.append(f"Brier score {brier:.4g} > {max_brier:g}")
    return conclude(
        name="calibration",
        category="model",
        failures=problems,
        passed=f"ECE {ece:.4g}, Brier {brier:.4g} (n={len(score)})",
        next_step="recalibrate the model (e.g. CalibratedClassifierCV) before trusting its "
        "probabilities",
        metrics={"ece": ece, "brier": brier},
        thresholds={
            k: {"max": v} for k, v in (("ece", max_ece), ("brier", max_brier)) if v is not None
        },
        details={"n": len(score), "n_bins": n_bins, "strategy": strategy, "reliability": curve},
    )


for _spec in (
    CheckSpec(
        name="overfitting",
        category="model",
        function=check_overfitting,
        data=("y_train", "y_test"),
    ),
    CheckSpec(
        name="beats_dummy",
        category="model",
        function=check_beats_dummy,
        data=("y_train", "y_test"),
        scorecard=("Model 5",),
    ),
    CheckSpec(
        name="calibration",
        category="model",
        function=check_calibration,
        data=("y_true", "y_score"),
    ),
):
    register(_spec)
