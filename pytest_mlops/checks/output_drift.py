"""Drift of what the model emits and of what it learns from: predictions and labels.

Both are :func:`~pytest_mlops.checks.drift.check_drift` on one column, with the same
tests and effect floors; they fail when that column drifted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks.drift import COMMON_OPTIONS, check_drift
from pytest_mlops.core.inputs import Boolean, validate_params
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops.results import CheckResult


def _single(name: str, values: Any, column: str) -> pd.DataFrame:
    """A one-column frame from scores, predicted classes or labels."""
    import pandas as pd

    from pytest_mlops.core.inputs import to_1d

    if isinstance(values, pd.DataFrame) and values.shape[1] != 1:
        raise MlopsInputError(f"{name} must be one column; got {values.shape[1]} columns")
    if isinstance(values, pd.DataFrame):
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        return pd.DataFrame({column: values.to_numpy()})
    array = to_1d(name, values)
    return pd.DataFrame({column: array})


@validate_params({**COMMON_OPTIONS, "categorical": [Boolean()]})
def check_prediction_drift(
    reference: Any,
    current: Any,
    *,
    categorical: bool = False,
    method: str = "auto",
    alpha: float = 0.05,
    effect_floor: float | Mapping[str, float] | None = None,
    min_samples: int = 10,
) -> CheckResult:
    """Drift of model outputs: scores, or predicted classes with ``categorical=True``.

    The same test and effect floor as :func:`check_drift` on one column named
    ``prediction``; it fails when that column drifted.
    """
    return check_drift(
        _single("reference", reference, "prediction"),
        _single("current", current, "prediction"),
        categorical=["prediction"] if categorical else None,
        method=method,
        alpha=alpha,
        effect_floor=effect_floor,
        min_samples=min_samples,
        name="prediction_drift",
    )


@validate_params(COMMON_OPTIONS)
def check_label_drift(
    reference: Any,
    current: Any,
    *,
    method: str = "auto",
    alpha: float = 0.05,
    effect_floor: float | Mapping[str, float] | None = None,
    min_samples: int = 10,
) -> CheckResult:
    """Drift of the label distribution (always compared as categories); it fails when the
    label's distribution drifted."""
    return check_drift(
        _single("reference", reference, "label"),
        _single("current", current, "label"),
        categorical=["label"],
        method=method,
        alpha=alpha,
        effect_floor=effect_floor,
        min_samples=min_samples,
        name="label_drift",
    )


register(
    CheckSpec(
        name="prediction_drift",
        category="drift",
        function=check_prediction_drift,
        data=("reference", "current"),
        view="drift_prediction_drift.html.j2",
        scorecard=("Monitor 7",),
    )
)
register(
    CheckSpec(
        name="label_drift",
        category="drift",
        function=check_label_drift,
        data=("reference", "current"),
        view="drift_label_drift.html.j2",
        scorecard=("Monitor 7",),
    )
)
