"""Metamorphic expectations and robustness: how predictions move when the input changes.

An invariance says a change must not matter (rounding to instrument precision, the case
of a name); a directional expectation says which way predictions must move (more income
must not lower a credit score); robustness bounds the metric's drop under small noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._calls import call, user_errors
from pytest_mlops.core.inputs import (
    NON_NEGATIVE,
    POSITIVE_INT,
    SEED,
    InstanceOf,
    Interval,
    IsCallable,
    Options,
    SequenceOf,
    Text,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import Bound, conclude, judge, number
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.results import CheckResult

#: The rows a result shows as the worst examples.
WORST: Final = 5
SHARE: Final = Interval(float, 0, 1)


def _scores(model: Any, X: Any) -> np.ndarray:
    """One number per row to compare: the positive-class probability, or the prediction."""
    import numpy as np

    if hasattr(model, "predict_proba"):
        proba = np.asarray(call("predict_proba", model.predict_proba, X), dtype=float)
        return proba[:, -1] if proba.ndim == 2 else proba
    if not hasattr(model, "predict"):
        raise MlopsTypeError(f"the model must have a predict method; got {type(model).__name__}")
    try:
        return np.asarray(call("predict", model.predict, X), dtype=float)
    except (TypeError, ValueError):
        raise MlopsInputError(
            "the model predicts labels that are not numbers and has no predict_proba: "
            "there is no score to compare"
        ) from None


def _worst(X: Any, deltas: np.ndarray, broken: np.ndarray) -> list[dict[str, Any]]:
    import numpy as np

    index = getattr(X, "index", None)
    order = np.argsort(-np.abs(deltas), kind="stable")
    rows = [int(i) for i in order if broken[i]][:WORST]

    def label(i: int) -> Any:
        if index is None:
            return i
        value = index[i]
        value = value.item() if hasattr(value, "item") else value
        return value if isinstance(value, (int, float, str)) else str(value)

    return [{"row": label(i), "change": float(deltas[i])} for i in rows]


def _changes(model: Any, X: Any, perturb: Callable[[Any], Any]) -> np.ndarray:
    """How much each row's prediction moves when ``perturb`` changes the input."""
    import numpy as np

    if not hasattr(X, "__len__") or len(X) == 0:
        raise MlopsInputError("X is empty (0 rows): there are no predictions to compare")
    before = _scores(model, X)
    after = _scores(model, call("perturb", perturb, X.copy() if hasattr(X, "copy") else X))
    if before.shape != after.shape:
        raise MlopsInputError(
            f"perturb must return the rows it was given: {len(before)} rows in, "
            f"{len(after)} predictions out"
        )
    deltas = after - before
    if not np.isfinite(deltas).all():
        raise MlopsInputError(
            f"{int((~np.isfinite(deltas)).sum())} row(s) have a NaN or infinite prediction "
            "before or after perturb; check_numerical_stability shows where"
        )
    return deltas


@validate_params(
    {"perturb": [IsCallable()], "tolerance": [NON_NEGATIVE], "max_broken_share": [SHARE]}
)
@user_errors("invariance", "pipeline")
def check_invariance(
    model: Any,
    X: Any,
    *,
    perturb: Callable[[Any], Any],
    tolerance: float = 0.01,
    max_broken_share: float = 0.0,
) -> CheckResult:
    """Predictions must not move (more than ``tolerance``) under a change that should not
    matter, e.g. ``perturb=lambda X: X.assign(name=X["name"].str.upper())``."""
    import numpy as np

    deltas = _changes(model, X, perturb)
    broken = np.abs(deltas) > tolerance
    share = float(broken.mean())
    judged = judge(Bound.at_most("broken_share", max_broken_share), share)
    worst = float(np.abs(deltas).max())
    return conclude(
        name="invariance",
        category="pipeline",
        failures=[]
        if judged.passed
        else [
            f"{int(broken.sum())} of {len(deltas)} rows ({share:.1%}) move by more than "
            f"{tolerance:g} under a change that should not matter (worst {number(worst)}); "
            + judged.failure
        ],
        passed=f"predictions stay within {tolerance:g} on {len(deltas)} rows",
        next_step="find what the model reads from the changed input (see the worst rows)",
        metrics={"broken_share": share, "max_change": worst},
        thresholds={"broken_share": {"max": max_broken_share}, "tolerance": tolerance},
        details={"rows": len(deltas), "worst": _worst(X, deltas, broken)},
    )


@validate_params(
    {
        "perturb": [IsCallable()],
        "expect": [Options("increase", "decrease")],
        "max_broken_share": [SHARE],
        "tolerance": [NON_NEGATIVE],
    }
)
@user_errors("directional", "pipeline")
def check_directional(
    model: Any,
    X: Any,
    *,
    perturb: Callable[[Any], Any],
    expect: str = "increase",
    max_broken_share: float = 0.0,
    tolerance: float = 0.0,
) -> CheckResult:
    """Predictions must move the expected way under a change, e.g. more income should not
    lower a credit score: ``perturb=lambda X: X.assign(income=X.income * 1.2)``. A row
    that moves the other way by more than ``tolerance`` breaks the expectation."""
    deltas = _changes(model, X, perturb)
    broken = deltas < -tolerance if expect == "increase" else deltas > tolerance
    share = float(broken.mean())
    moved = float((abs(deltas) > tolerance).mean())
    judged = judge(Bound.at_most("broken_share", max_broken_share), share)
    return conclude(
        name="directional",
        category="pipeline",
        failures=[]
        if judged.passed
        else [
            f"{int(broken.sum())} of {len(deltas)} rows ({share:.1%}) move against the "
            f"expected {expect}; {judged.failure}"
        ],
        passed=f"every row moves as expected ({expect}) or stays ({moved:.0%} moved)",
        next_step="look at the worst rows: the model learned the opposite relation there",
        metrics={"broken_share": share, "moved_share": moved},
        thresholds={"broken_share": {"max": max_broken_share}, "expect": expect},
        details={"rows": len(deltas), "expect": expect, "worst": _worst(X, deltas, broken)},
    )


def _noisy_frame(X: Any, columns: Sequence[str] | None) -> tuple[Any, list[Any]]:
    import numpy as np
    import pandas as pd

    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
    if len(frame) == 0:
        raise MlopsInputError("X is empty (0 rows): there is nothing to add noise to")
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise MlopsInputError(f"columns names column(s) X does not have: {missing[:10]}")
        numeric = list(columns)
    else:
        numeric = list(frame.select_dtypes("number").columns)
    if not numeric:
        raise MlopsInputError("X has no numeric column to add noise to")
    return frame, numeric


@validate_params(
    {
        "noise": [Interval(float, 0, None, closed="neither")],
        "metric": [Text(), None],
        "max_drop": [NON_NEGATIVE],
        "columns": [SequenceOf(InstanceOf(str, int)), None],
        "repeats": [POSITIVE_INT],
        "random_state": [SEED],
    }
)
@user_errors("robustness", "pipeline")
def check_robustness(
    model: Any,
    X: Any,
    y: Any,
    *,
    noise: float = 0.05,
    metric: str | None = None,
    max_drop: float = 0.02,
    columns: Sequence[str] | None = None,
    repeats: int = 3,
    random_state: int = 0,
) -> CheckResult:
    """The metric drop under small Gaussian noise (``noise`` standard deviations of each
    numeric column) stays within ``max_drop``, averaged over ``repeats`` seeded draws."""
    import numpy as np

    from pytest_mlops.checks.metrics import check_metrics, resolve_metrics

    frame, numeric = _noisy_frame(X, columns)
    labels = np.asarray(y)
    chosen = metric or (
        "accuracy" if labels.dtype.kind in "biuOU" or len(np.unique(labels)) <= 20 else "r2"
    )
    (resolved,) = resolve_metrics([chosen], None).values()

    def score(data: Any) -> float:
        if resolved.needs == "score":
            proba = call("predict_proba", model.predict_proba, data)
            value = check_metrics(y, y_score=proba, report=[chosen], n_resamples=0)
        else:
            predicted = call("predict", model.predict, data)
            value = check_metrics(y, y_pred=predicted, report=[chosen], n_resamples=0)
        return float(value.metrics[chosen])

    base = score(frame)
    rng = np.random.default_rng(random_state)
    spreads = frame[numeric].astype(float).std().to_numpy()
    noisy_scores = []
    for _ in range(repeats):
        noisy = frame.copy()
        shift = rng.normal(size=(len(frame), len(numeric))) * spreads * noise
        noisy[numeric] = frame[numeric].astype(float) + shift
        noisy_scores.append(score(noisy))
    mean_noisy = float(np.mean(noisy_scores))
    drop = base - mean_noisy if resolved.greater_is_better else mean_noisy - base
    judged = judge(Bound.at_most("drop", max_drop), drop)
    text = (
        f"{chosen} {number(base)} -> {number(mean_noisy)} under {noise:g}-sd noise "
        f"(drop {number(drop)})"
    )
    return conclude(
        name="robustness",
        category="pipeline",
        failures=[] if judged.passed else [f"{text}; {judged.failure}"],
        passed=text,
        next_step="the model is brittle to small input changes: regularise it, or train with noise",
        n=len(frame),
        metrics={chosen: base, f"noisy_{chosen}": mean_noisy, "drop": drop},
        thresholds={"drop": {"max": max_drop}},
        details={
            "noise_sd": noise,
            "repeats": repeats,
            "scores": noisy_scores,
            "columns": [str(c) for c in numeric],
        },
    )


register(
    CheckSpec(
        name="invariance",
        category="pipeline",
        function=check_invariance,
        data=("X",),
        scorecard=("Infra 2",),
    )
)
register(
    CheckSpec(
        name="directional",
        category="pipeline",
        function=check_directional,
        data=("X",),
        scorecard=("Infra 2",),
    )
)
register(
    CheckSpec(
        name="robustness",
        category="pipeline",
        function=check_robustness,
        data=("X", "y"),
        seeded=True,
        scorecard=("Infra 2",),
    )
)

__all__ = ["check_directional", "check_invariance", "check_robustness"]
