"""Production readiness (the ML Test Score's monitoring tests, as checks you run in CI):
training/serving skew, numerical stability and staleness here; inference cost in
:mod:`~pytest_mlops.checks.latency`, dependency changes in
:mod:`~pytest_mlops.checks.dependencies`, whether every feature pulls its weight in
:mod:`~pytest_mlops.checks.importance`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._calls import CallableRaised, call, user_errors
from pytest_mlops.checks._models import outputs
from pytest_mlops.checks.dependencies import check_dependencies
from pytest_mlops.checks.importance import check_feature_importance, table
from pytest_mlops.checks.latency import check_latency
from pytest_mlops.checks.staleness import check_staleness
from pytest_mlops.core.inputs import (
    NON_NEGATIVE,
    Boolean,
    Interval,
    IsCallable,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import Bound, cannot_decide, conclude, judge, number
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from pytest_mlops.results import CheckResult

#: Exceptions of a model's predict on edge inputs that are a finding (the model breaks
#: there), not a reason the check cannot decide.
NUMERIC_ERRORS: Final = (ValueError, ArithmeticError)
EXAMPLES: Final = 5


def _online_rows(online: Callable[[Any], Any], raw: Any) -> pd.DataFrame:
    """``online`` called on one row at a time, as a serving path sees requests."""
    import pandas as pd

    rows = raw.iloc if hasattr(raw, "iloc") else None
    parts = []
    for i in range(len(raw)):
        one = rows[[i]] if rows is not None else raw[i : i + 1]
        parts.append(table("online(row)", call("online(row)", online, one)))
    return pd.concat(parts, ignore_index=True)


def _feature_difference(a: pd.Series, b: pd.Series, tolerance: float) -> dict[str, Any] | None:
    """How one feature differs between the two paths (``None`` when it does not)."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(a.dtype) and pd.api.types.is_numeric_dtype(b.dtype):
        x = a.to_numpy(dtype=float, na_value=np.nan)
        y = b.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):  # inf - inf: differs unless both are equal
            delta = np.where((np.isnan(x) & np.isnan(y)) | (x == y), 0.0, np.abs(x - y))
        differ = ~(delta <= tolerance)
        worst = float(np.max(np.where(np.isnan(delta), np.inf, delta))) if len(delta) else 0.0
    else:
        same = (a.astype(str) == b.astype(str)) | (a.isna() & b.isna())
        differ = ~same.to_numpy(dtype=bool)
        worst = float(differ.any())
    if not differ.any():
        return None
    return {
        "feature": str(a.name),
        "rows": int(differ.sum()),
        "max_difference": worst,
        "examples": [
            {"row": int(i), "offline": _plain(a.iloc[i]), "online": _plain(b.iloc[i])}
            for i in np.flatnonzero(differ)[:EXAMPLES]
        ],
    }


@validate_params(
    {
        "offline": [IsCallable()],
        "online": [IsCallable()],
        "tolerance": [NON_NEGATIVE],
        "row_wise": [Boolean()],
    }
)
@user_errors("skew", "pipeline")
def check_skew(
    offline: Callable[[Any], Any],
    online: Callable[[Any], Any],
    raw: Any,
    *,
    tolerance: float = 1e-6,
    row_wise: bool = False,
) -> CheckResult:
    """Training-time and serving-time feature code must agree on the same raw rows.

    ``offline(raw)`` and ``online(raw)`` (or ``online`` on one row at a time with
    ``row_wise=True``, as a serving path sees them) must return the same features: numbers
    within ``tolerance`` (absolute), other values equal. Every differing feature is listed
    with its number of rows, its largest difference and example rows.
    """
    if not hasattr(raw, "__len__") or isinstance(raw, (str, bytes)):
        raise MlopsTypeError(f"raw must be a table of rows; got {type(raw).__name__}")
    if len(raw) == 0:
        raise MlopsInputError("raw is empty (0 rows): there are no rows to compare")
    expected = table("offline(raw)", call("offline(raw)", offline, raw))
    if row_wise:
        got = _online_rows(online, raw)
    else:
        got = table("online(raw)", call("online(raw)", online, raw))
    if len(expected) != len(got):
        return cannot_decide(
            name="skew",
            category="pipeline",
            why=f"offline gave {len(expected)} rows and online {len(got)} for the same "
            f"{len(raw)} raw rows; both must return one row of features per raw row",
        )
    only_offline = [str(c) for c in expected.columns if c not in got.columns]
    only_online = [str(c) for c in got.columns if c not in expected.columns]
    shared = [c for c in expected.columns if c in got.columns]
    features = [
        found
        for column in shared
        if (found := _feature_difference(expected[column], got[column], tolerance)) is not None
    ]
    failures = [
        f"{f['feature']}: {f['rows']} rows differ (max difference {number(f['max_difference'])})"
        for f in features[:EXAMPLES]
    ]
    if only_offline:
        failures.append(f"only offline: {', '.join(only_offline)}")
    if only_online:
        failures.append(f"only online: {', '.join(only_online)}")
    return conclude(
        name="skew",
        category="pipeline",
        failures=["training and serving features differ: " + "; ".join(failures)]
        if failures
        else [],
        passed=f"offline and online features agree on {len(expected)} rows "
        f"({expected.shape[1]} features)",
        next_step="the model would see other inputs in production than in training: share "
        "the feature code between both paths, or fix the differing one",
        n=len(expected),
        reason="violations_found",
        metrics={"skewed_features": len(features), "rows": len(expected)},
        thresholds={"tolerance": tolerance},
        details={"features": features, "only_offline": only_offline, "only_online": only_online},
    )


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def _edge_inputs(X: pd.DataFrame, reference: pd.DataFrame, outside: float) -> pd.DataFrame:
    """Rows at the edges: each numeric column at its minimum, maximum, zero and just
    outside the reference range (``outside`` times the range beyond each end), the other
    columns at the median row. Columns the reference has no finite value of are left
    at the median row."""
    import numpy as np
    import pandas as pd

    numeric = [
        c
        for c in X.columns
        if pd.api.types.is_numeric_dtype(X[c].dtype) and not pd.api.types.is_bool_dtype(X[c].dtype)
    ]
    missing = [str(c) for c in numeric if c not in reference.columns]
    if missing:
        raise MlopsInputError(f"reference lacks column(s) of X: {', '.join(missing[:10])}")
    middle = X.iloc[[len(X) // 2]].copy()
    spans: dict[Any, tuple[float, float]] = {}
    for column in numeric:
        values = reference[column].to_numpy(dtype=float, na_value=np.nan)
        finite = values[np.isfinite(values)]
        if len(finite):
            middle[column] = float(np.median(finite))
            spans[column] = (float(finite.min()), float(finite.max()))
    rows = []
    for column, (low, high) in spans.items():
        span = (high - low) or 1.0
        for value in (low, high, 0.0, low - outside * span, high + outside * span):
            row = middle.copy()
            row[column] = value
            rows.append(row)
    return pd.concat(rows, ignore_index=True) if rows else X.iloc[:0]


def _non_finite(
    label: str, data: pd.DataFrame, predicted: dict[str, np.ndarray], details: dict[str, Any]
) -> list[str]:
    """Rows whose float outputs hold NaN or infinity, with examples in ``details``."""
    import numpy as np

    problems = []
    for name, values in predicted.items():
        if values.dtype.kind not in "fc":
            continue
        bad = ~np.isfinite(values)
        rows = bad.reshape(len(bad), -1).any(axis=1)
        details[f"{label} {name} non-finite rows"] = int(rows.sum())
        if rows.any():
            where = np.flatnonzero(rows)[:EXAMPLES].tolist()
            examples = data.iloc[where].to_dict(orient="records") if label != "data" else where
            details[f"{label} {name} examples"] = examples
            problems.append(f"{label}: {int(rows.sum())} rows give NaN or inf in {name}")
    return problems


def _float32_change(model: Any, frame: pd.DataFrame) -> float:
    """The largest change of the float outputs when the inputs are cast to float32."""
    import numpy as np

    a = outputs(model, frame)
    b = outputs(model, frame.astype(np.float32).astype(np.float64))
    gap = 0.0
    for name, values in a.items():
        if values.dtype.kind in "fc" and values.shape == b[name].shape:
            with np.errstate(invalid="ignore"):  # inf - inf: reported as non-finite
                change = np.abs(values - b[name])
            if np.isfinite(change).any():
                gap = max(gap, float(np.max(change[np.isfinite(change)])))
    return gap


@validate_params({"outside": [Interval(float, 0, None)], "float32_tolerance": [NON_NEGATIVE]})
@user_errors("numerical_stability", "model")
def check_numerical_stability(
    model: Any,
    X: Any,
    *,
    reference: Any = None,
    outside: float = 0.1,
    float32_tolerance: float = 1e-4,
) -> CheckResult:
    """No NaN or infinity in predictions, on ``X`` and on edge inputs derived from the
    ``reference`` data (default ``X``): each numeric column at its minimum, maximum, zero,
    and 10% of its range beyond each end; and predictions stable when the inputs are cast
    to float32 (largest change at most ``float32_tolerance``).

    A ``ValueError`` or arithmetic error from ``predict`` on the edge inputs or the
    float32 copy is a finding; any exception on ``X`` itself means the check cannot
    decide (status ``error``).
    """
    frame = table("X", X)
    if len(frame) == 0:
        raise MlopsInputError("X is empty (0 rows): there are no predictions to check")
    ref = table("reference", reference) if reference is not None else frame
    details: dict[str, Any] = {}
    problems = _non_finite("data", frame, outputs(model, frame), details)
    edges = _edge_inputs(frame, ref, outside)
    gap = 0.0
    try:
        if len(edges):
            problems += _non_finite("edge inputs", edges, outputs(model, edges), details)
        if len(frame.select_dtypes("number").columns) == frame.shape[1]:
            gap = _float32_change(model, frame)
    except CallableRaised as raised:
        if not isinstance(raised.error, NUMERIC_ERRORS):
            raise
        problems.append(f"{raised.what} raised {type(raised.error).__name__}: {raised.error}")
    details["float32_max_change"] = gap
    judged = judge(Bound.at_most("float32_max_change", float32_tolerance), gap)
    if not judged.passed:
        problems.append(f"casting inputs to float32 moves predictions: {judged.failure}")
    return conclude(
        name="numerical_stability",
        category="model",
        failures=problems,
        passed=f"finite predictions on {len(frame)} rows and {len(edges)} edge inputs; "
        f"float32 changes them by at most {number(gap)}",
        next_step="clip or scale inputs, and guard exponentials and divisions in the model",
        reason="violations_found",
        metrics={"float32_max_change": gap, "problems": len(problems)},
        thresholds={"float32_max_change": {"max": float32_tolerance}},
        details={**details, "edge_rows": len(edges)},
    )


register(
    CheckSpec(
        name="skew",
        category="pipeline",
        function=check_skew,
        data=("raw",),
        scorecard=("Monitor 3",),
    )
)
register(
    CheckSpec(
        name="numerical_stability",
        category="model",
        function=check_numerical_stability,
        data=("X",),
        scorecard=("Monitor 5",),
    )
)

__all__ = [
    "check_dependencies",
    "check_feature_importance",
    "check_latency",
    "check_numerical_stability",
    "check_skew",
    "check_staleness",
]
