"""Reproducible training: the user's model factory, fitted twice as written, must predict
the same.

The check proves what the project's training does, not what it could do: a factory that
never seeds its estimator (``lambda: RandomForestClassifier()``) gives a different model
on every retraining, and the check says so, naming every estimator whose
``random_state`` is ``None`` (through pipelines, column transformers and meta-estimators)
and whether setting it would fix the difference. Injecting the seed into every
``random_state`` is an explicit option (``inject_seed=True``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._calls import call, user_errors
from pytest_mlops.checks._models import difference, outputs
from pytest_mlops.core.inputs import SEED, Boolean, Interval, IsCallable, validate_params
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import conclude, number
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops._fixture.base import MlopsBase
    from pytest_mlops.results import CheckResult

#: Largest difference between two fits' predictions that still counts as the same.
DEFAULT_TOLERANCE: Final = 1e-9


def _takes_random_state(make_model: Callable[..., Any]) -> tuple[bool, bool]:
    """Whether the factory has a ``random_state`` argument, and whether it is required."""
    try:
        parameters = inspect.signature(make_model).parameters
    except (TypeError, ValueError):  # a builtin or C callable: call it as written
        return False, False
    parameter = parameters.get("random_state")
    if parameter is None:
        return False, False
    return True, parameter.default is inspect.Parameter.empty


def unseeded_estimators(model: Any) -> list[dict[str, str]]:
    """Every estimator inside ``model`` (itself, pipeline steps, column-transformer parts,
    meta-estimators' inner estimators: whatever ``get_params(deep=True)`` reaches) whose
    ``random_state`` is ``None``, with the parameter that sets it."""
    get_params = getattr(model, "get_params", None)
    if not callable(get_params):
        return []
    try:
        params = get_params(deep=True)
    except Exception:  # a get_params that fails says nothing about seeding
        return []
    found = []
    for key, value in params.items():
        if key.split("__")[-1] != "random_state" or value is not None:
            continue
        owner = model if key == "random_state" else params.get(key.rsplit("__", 1)[0], model)
        found.append({"estimator": type(owner).__name__, "parameter": key})
    return found


def random_state_keys(model: Any) -> list[str]:
    """The ``get_params(deep=True)`` keys that set a ``random_state`` inside ``model``."""
    if not callable(getattr(model, "set_params", None)):
        return []
    try:
        params = model.get_params(deep=True)
    except Exception:  # a get_params that fails: nothing can be injected
        return []
    return [k for k in params if k.split("__")[-1] == "random_state"]


def _build(make_model: Callable[..., Any], seed: int, inject: bool) -> Any:
    """``make_model()`` as written (with ``random_state=seed`` only when the factory
    requires it); with ``inject``, every ``random_state`` inside set to ``seed`` too."""
    takes, required = _takes_random_state(make_model)
    if required or (inject and takes):
        model = call("make_model(random_state=...)", make_model, random_state=seed)
    else:
        model = call("make_model()", make_model)
    if not hasattr(model, "fit"):
        raise MlopsInputError(
            f"make_model must return an unfitted model with fit; got {type(model).__name__}"
        )
    keys = random_state_keys(model)
    if inject and keys:
        call("set_params", model.set_params, **dict.fromkeys(keys, seed))
    return model


def _fit_and_predict(
    make_model: Callable[..., Any], X: Any, y: Any, evaluate: Any, seed: int, inject: bool
) -> dict[str, np.ndarray]:
    model = _build(make_model, seed, inject)
    call("fit", model.fit, X, y)
    return outputs(model, evaluate)


def _compare(
    first: dict[str, np.ndarray], second: dict[str, np.ndarray], tolerance: float
) -> tuple[list[dict[str, Any]], list[str]]:
    rows, failures = [], []
    for output, values in first.items():
        gap, differing = difference(values, second[output])
        rows.append({"output": output, "max_difference": gap, "rows_differing": differing})
        if gap > tolerance:
            failures.append(f"{output}: {differing} of {len(values)} rows differ (max {gap:.3g})")
    return rows, failures


def _diagnosis(unseeded: list[dict[str, str]], fixes: bool | None, seed: int) -> str:
    """What to do about two fits that disagree."""
    if unseeded:
        named = ", ".join(f"{u['estimator']} ({u['parameter']})" for u in unseeded)
        cause = f"random_state is None in {named}"
    else:
        cause = "no estimator has random_state=None"
    if fixes is None:
        return f"{cause}; even with random_state={seed} injected the fits disagree"
    if fixes:
        return (
            f"{cause}; injecting random_state={seed} makes two fits agree: set random_state "
            "in your factory (or pass inject_seed=True to test only that it could be)"
        )
    return (
        f"{cause}; injecting random_state={seed} does not make two fits agree: other "
        "randomness is unseeded (NumPy's global state, a shuffle, threads or a GPU)"
    )


@validate_params(
    {
        "make_model": [IsCallable()],
        "inject_seed": [Boolean()],
        "seed": [SEED, None],
        "other_seed": [SEED, None],
        "tolerance": [Interval(float, 0, None)],
    }
)
@user_errors("determinism", "pipeline")
def check_deterministic(
    make_model: Callable[..., Any],
    X: Any,
    y: Any,
    *,
    X_eval: Any = None,
    inject_seed: bool = False,
    seed: int | None = None,
    other_seed: int | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> CheckResult:
    """Training twice with the factory as written must give the same predictions.

    Parameters
    ----------
    make_model : callable
        Builds an unfitted model. It is called as written, ``make_model()``; only a
        factory that requires a ``random_state`` argument gets ``random_state=seed``.
    X, y : training data
    X_eval : optional
        Where predictions (and probabilities) are compared; default ``X``.
    inject_seed : bool, default False
        Set every ``random_state`` inside the model (pipelines included) to ``seed``
        before fitting: the check then shows that the model *can* be trained
        reproducibly, not that the project's training is.
    seed : int, optional
        The seed given to the factory or injected (the fixture: ``--mlops-seed``; else 0).
    other_seed : int, optional
        A fit with this seed (default ``seed + 1``) is reported, to show how much the
        seed matters (information, not a failure).
    tolerance : float, default 1e-9
        Largest difference between the two fits' outputs.

    Returns
    -------
    CheckResult
        ``fail`` when the two fits disagree, naming the estimators whose ``random_state``
        is ``None`` and saying whether injecting the seed makes them agree.
    """
    chosen = 0 if seed is None else seed
    evaluate = X if X_eval is None else X_eval
    first = _fit_and_predict(make_model, X, y, evaluate, chosen, inject_seed)
    second = _fit_and_predict(make_model, X, y, evaluate, chosen, inject_seed)
    rows, differences = _compare(first, second, tolerance)
    plain = _build(make_model, chosen, inject=False)
    unseeded = unseeded_estimators(plain)
    details: dict[str, Any] = {
        "seedable": bool(random_state_keys(plain)) or _takes_random_state(make_model)[0],
        "outputs": rows,
        "seed": chosen,
        "inject_seed": inject_seed,
        "unseeded": unseeded,
    }
    metrics: dict[str, Any] = {"max_difference": max(r["max_difference"] for r in rows)}
    how = "with random_state injected" if inject_seed else "as written"
    failures: list[str] = []
    if differences:
        fixes = (
            None if inject_seed else _seeding_fixes(make_model, X, y, evaluate, chosen, tolerance)
        )
        details["injecting_seed_fixes_it"] = fixes
        failures = [
            f"two fits of make_model() {how} disagree: {'; '.join(differences)}",
            _diagnosis(unseeded, fixes, chosen),
        ]
    else:
        _report_other_seed(make_model, X, y, evaluate, first, other_seed, chosen, metrics, details)
    return conclude(
        name="determinism",
        category="pipeline",
        failures=failures,
        passed=_agreement(how, metrics, details),
        next_step="retraining would not reproduce the model",
        reason="threshold_not_met",
        metrics=metrics,
        thresholds={"max_difference": {"max": tolerance}},
        details=details,
    )


def _agreement(how: str, metrics: Mapping[str, Any], details: Mapping[str, Any]) -> str:
    """The message of a pass, with how far another seed moves the predictions."""
    passed = f"two fits of make_model() {how} predict the same"
    if "other_seed_max_difference" in metrics:
        passed += (
            f"; seed {details['other_seed']} moves predictions by up to "
            f"{number(metrics['other_seed_max_difference'])}"
        )
    return passed


def _seeding_fixes(
    make_model: Callable[..., Any], X: Any, y: Any, evaluate: Any, seed: int, tolerance: float
) -> bool:
    """Whether two fits with ``random_state`` injected agree."""
    seeded = [_fit_and_predict(make_model, X, y, evaluate, seed, inject=True) for _ in range(2)]
    return not _compare(seeded[0], seeded[1], tolerance)[1]


def _report_other_seed(
    make_model: Callable[..., Any],
    X: Any,
    y: Any,
    evaluate: Any,
    first: dict[str, np.ndarray],
    other_seed: int | None,
    seed: int,
    metrics: dict[str, Any],
    details: dict[str, Any],
) -> None:
    """How much another seed moves the predictions (when the model has a seed at all)."""
    if not details["seedable"]:
        return
    other = seed + 1 if other_seed is None else other_seed
    moved = _fit_and_predict(make_model, X, y, evaluate, other, inject=True)
    rows, _ = _compare(first, moved, 0.0)
    metrics["other_seed_max_difference"] = max(r["max_difference"] for r in rows)
    details["other_seed"] = other


def _prepare(mlops: MlopsBase, arguments: dict[str, Any]) -> dict[str, Any]:
    """The run's ``--mlops-seed`` when no seed is given."""
    if arguments.get("seed") is None:
        arguments["seed"] = mlops.seed
    return arguments


register(
    CheckSpec(
        name="determinism",
        category="pipeline",
        function=check_deterministic,
        data=("X", "y"),
        prepare=_prepare,
        scorecard=("Infra 1",),
    )
)

__all__ = ["check_deterministic", "unseeded_estimators"]
