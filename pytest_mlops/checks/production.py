"""Production readiness (the ML Test Score's monitoring tests, as checks you run in CI):
training/serving skew, inference cost, numerical stability, dependency changes, staleness,
and whether every feature pulls its weight."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks.dependencies import check_dependencies
from pytest_mlops.checks.latency import check_latency
from pytest_mlops.errors import MlopsInputError, MlopsTypeError
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    import pandas as pd

def _frame(name: str, value: Any) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return value.reset_index(drop=True)
    if isinstance(value, pd.Series):
        return value.to_frame().reset_index(drop=True)
    array = np.asarray(value)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise MlopsInputError(f"{name} must be a table of features; got shape {array.shape}")
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])


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
    import numpy as np
    import pandas as pd

    if not callable(offline) or not callable(online):
        raise MlopsTypeError("offline and online must be callables: raw rows -> features")
    expected = _frame("offline(raw)", offline(raw))
    if row_wise:
        rows = raw.iloc if hasattr(raw, "iloc") else None
        parts = [
            _frame("online(row)", online(rows[[i]] if rows is not None else raw[i : i + 1]))
            for i in range(len(raw))
        ]
        got = pd.concat(parts, ignore_index=True)
    else:
        got = _frame("online(raw)", online(raw))
    if len(expected) != len(got):
        raise MlopsInputError(
            f"offline gave {len(expected)} rows and online {len(got)} for the same raw rows"
        )
    features = []
    only_offline = [c for c in expected.columns if c not in got.columns]
    only_online = [c for c in got.columns if c not in expected.columns]
    for column in [c for c in expected.columns if c in got.columns]:
        a, b = expected[column], got[column]
        if pd.api.types.is_numeric_dtype(a.dtype) and pd.api.types.is_numeric_dtype(b.dtype):
            x, y = (
                a.to_numpy(dtype=float, na_value=np.nan),
                b.to_numpy(dtype=float, na_value=np.nan),
            )
            both_nan = np.isnan(x) & np.isnan(y)
            delta = np.where(both_nan, 0.0, np.abs(x - y))
            differ = ~(delta <= tolerance)
            worst = (
                float(np.nanmax(np.where(np.isnan(delta), np.inf, delta))) if len(delta) else 0.0
            )
        else:
            differ = ~((a.astype(str) == b.astype(str)) | (a.isna() & b.isna())).to_numpy()
            worst = float(differ.any())
        if differ.any():
            index = np.flatnonzero(differ)[:5]
            features.append(
                {
                    "feature": str(column),
                    "rows": int(differ.sum()),
                    "max_difference": worst,
                    "examples": [
                        {"row": int(i), "offline": _plain(a.iloc[i]), "online": _plain(b.iloc[i])}
                        for i in index
                    ],
                }
            )
    common: dict[str, Any] = {
        "name": "skew",
        "category": "pipeline",
        "metrics": {"skewed_features": len(features), "rows": len(expected)},
        "thresholds": {"tolerance": tolerance},
        "details": {"features": features, "only_offline": only_offline, "only_online": only_online},
    }
    if features or only_offline or only_online:
        listed = "; ".join(
            f"{f['feature']}: {f['rows']} rows (max difference {f['max_difference']:.3g})"
            for f in features[:5]
        )
        missing = (
            f"; only offline: {only_offline}; only online: {only_online}"
            if only_offline or only_online
            else ""
        )
        return CheckResult(
            status="fail",
            reason="violations_found",
            message=f"training and serving features differ: {listed}{missing}. The "
            "model will see other inputs in production than in training",
            **common,
        )
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"offline and online features agree on {len(expected)} rows "
        f"({expected.shape[1]} features)",
        **common,
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
    columns at the median row."""
    import pandas as pd

    numeric = [
        c
        for c in X.columns
        if pd.api.types.is_numeric_dtype(X[c].dtype) and not pd.api.types.is_bool_dtype(X[c].dtype)
    ]
    if not numeric:
        return X.iloc[:0]
    middle = X.iloc[[len(X) // 2]].copy()
    for column in numeric:
        middle[column] = reference[column].median()
    rows = []
    for column in numeric:
        low, high = float(reference[column].min()), float(reference[column].max())
        span = (high - low) or 1.0
        for value in (low, high, 0.0, low - outside * span, high + outside * span):
            row = middle.copy()
            row[column] = value
            rows.append(row)
    return pd.concat(rows, ignore_index=True)


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
    to float32 (largest change at most ``float32_tolerance``)."""
    import numpy as np

    from pytest_mlops.checks._models import outputs as _outputs

    frame = _frame("X", X)
    ref = _frame("reference", reference) if reference is not None else frame
    problems = []
    details: dict[str, Any] = {}
    for label, data in (("data", frame), ("edge inputs", _edge_inputs(frame, ref, outside))):
        if len(data) == 0:
            continue
        try:
            outputs = _outputs(model, data)
        except (ValueError, OverflowError, FloatingPointError) as exc:
            problems.append(f"{label}: predict raised {type(exc).__name__}: {exc}")
            continue
        for name, values in outputs.items():
            if values.dtype.kind in "fc":
                bad = ~np.isfinite(values)
                rows = bad.reshape(len(bad), -1).any(axis=1)
                details[f"{label} {name} non-finite rows"] = int(rows.sum())
                if rows.any():
                    where = np.flatnonzero(rows)[:5].tolist()
                    examples = (
                        data.iloc[where].to_dict(orient="records")
                        if label == "edge inputs"
                        else where
                    )
                    details[f"{label} {name} examples"] = examples
                    problems.append(f"{label}: {int(rows.sum())} rows give NaN or inf in {name}")
    numeric = frame.select_dtypes("number")
    gap = 0.0
    if len(numeric.columns) == frame.shape[1]:
        cast = frame.astype(np.float32).astype(np.float64)
        try:
            a, b = _outputs(model, frame), _outputs(model, cast)
            for name in a:
                if a[name].dtype.kind in "fc":
                    with np.errstate(invalid="ignore"):  # inf - inf: reported above
                        change = np.abs(a[name] - b[name])
                    if np.isfinite(change).any():
                        gap = max(gap, float(np.max(change[np.isfinite(change)])))
        except (ValueError, OverflowError, FloatingPointError) as exc:
            problems.append(f"float32 inputs: predict raised {type(exc).__name__}")
        if gap > float32_tolerance:
            problems.append(
                f"casting inputs to float32 moves predictions by {gap:.3g} > {float32_tolerance:g}"
            )
    details["float32_max_change"] = gap
    common: dict[str, Any] = {
        "name": "numerical_stability",
        "category": "model",
        "metrics": {"float32_max_change": gap, "problems": len(problems)},
        "thresholds": {"float32_max_change": {"max": float32_tolerance}},
        "details": details,
    }
    if problems:
        return CheckResult(
            status="fail",
            reason="violations_found",
            message=f"{'; '.join(problems)}. Clip or scale inputs, and guard "
            "exponentials and divisions in the model",
            **common,
        )
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"finite predictions on {len(frame)} rows and the edge inputs; "
        f"float32 changes them by at most {gap:.3g}",
        **common,
    )


def _as_datetime(value: Any) -> tuple[datetime, str]:
    if isinstance(value, (str, os.PathLike)) and Path(value).exists():
        stamp = datetime.fromtimestamp(Path(value).stat().st_mtime, tz=timezone.utc)
        return stamp, f"modification time of {value}"
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)), "given datetime"
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc), "given date"
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise MlopsInputError(
                f"trained_at {value!r} is neither an ISO date/time nor an existing file"
            ) from exc
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)), "given ISO date"
    raise MlopsTypeError(
        "trained_at must be a datetime, a date, an ISO string or a model file path; "
        f"got {type(value).__name__}"
    )


def check_staleness(
    trained_at: Any, *, max_age: timedelta | float = 30.0, now: datetime | None = None
) -> CheckResult:
    """The model is at most ``max_age`` old (a ``timedelta`` or days; default 30 days).

    ``trained_at`` is a datetime or date, an ISO string, or the path of the model file (its
    modification time: copying a file can reset it, so prefer a date recorded at training).
    """
    stamp, source = _as_datetime(trained_at)
    limit = max_age if isinstance(max_age, timedelta) else timedelta(days=float(max_age))
    current = now or datetime.now(timezone.utc)
    age = current - stamp
    days = age.total_seconds() / 86400
    common: dict[str, Any] = {
        "name": "staleness",
        "category": "model",
        "metrics": {"age_days": days},
        "thresholds": {"age_days": {"max": limit.total_seconds() / 86400}},
        "details": {"trained_at": stamp.isoformat(), "source": source},
    }
    if age > limit:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message=f"the model is {days:.1f} days old ({source}), more than "
            f"{limit.total_seconds() / 86400:g}; retrain it on recent data",
            **common,
        )
    return CheckResult(
        status="pass", reason="ok", message=f"the model is {days:.1f} days old", **common
    )


def check_feature_importance(
    model: Any,
    X: Any,
    y: Any,
    *,
    metric: str | None = None,
    n_repeats: int = 5,
    time_budget_s: float = 30.0,
    max_useless_share: float = 0.0,
    random_state: int = 0,
) -> CheckResult:
    """Every feature should pull its weight: permutation importance on held-out data.

    A feature whose importance is not above zero by more than two standard deviations of
    its repeats (``mean - 2 * std <= 0``) does not hurt the model when shuffled beyond
    the noise: it is listed. The check fails when more than ``max_useless_share`` of the
    features are listed. ``time_budget_s`` bounds the work: the cost of one scoring pass
    is measured first, and rows and repeats are reduced to fit (reported).
    """
    import numpy as np
    from sklearn.inspection import permutation_importance

    frame = _frame("X", X)
    labels = np.asarray(y)
    classification = labels.dtype.kind in "biuOUb" or len(np.unique(labels)) <= 20
    scoring = {"roc_auc": "roc_auc", "accuracy": "accuracy", "r2": "r2", "f1": "f1"}.get(
        metric or ("accuracy" if classification else "r2"), metric
    )
    start = time.perf_counter()
    model.predict(frame)
    one_pass = max(time.perf_counter() - start, 1e-4)
    passes_needed = frame.shape[1] * n_repeats + 1
    rows = len(frame)
    repeats = n_repeats
    if one_pass * passes_needed > time_budget_s:
        scale = time_budget_s / (one_pass * passes_needed)
        rows = max(50, int(rows * scale))
        if rows == 50 and one_pass * 50 / len(frame) * passes_needed > time_budget_s:
            repeats = max(2, int(n_repeats * scale))
    rng = np.random.default_rng(random_state)
    take = np.sort(rng.choice(len(frame), size=min(rows, len(frame)), replace=False))
    result = permutation_importance(
        model,
        frame.iloc[take],
        labels[take],
        scoring=scoring,
        n_repeats=repeats,
        random_state=random_state,
    )
    features: list[dict[str, Any]] = []
    for i, column in enumerate(frame.columns):
        mean, std = float(result.importances_mean[i]), float(result.importances_std[i])
        features.append(
            {
                "feature": str(column),
                "importance": mean,
                "std": std,
                "beneficial": mean - 2 * std > 0,
            }
        )
    features.sort(key=lambda f: -f["importance"])
    useless = [f["feature"] for f in features if not f["beneficial"]]
    share = len(useless) / len(features)
    common: dict[str, Any] = {
        "name": "feature_importance",
        "category": "data",
        "metrics": {"useless_features": len(useless), "useless_share": share},
        "thresholds": {"useless_share": {"max": max_useless_share}},
        "details": {
            "features": features,
            "rows": len(take),
            "repeats": repeats,
            "scoring": scoring,
            "time_budget_s": time_budget_s,
        },
    }
    text = (
        f"{len(useless)} of {len(features)} features do not hurt the model when shuffled "
        f"beyond noise" + (f": {', '.join(useless[:10])}" if useless else "")
    )
    if share > max_useless_share:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message=f"{text}. Each costs upkeep and risk: drop them, or raise "
            "max_useless_share if they are correlated with kept features",
            **common,
        )
    return CheckResult(status="pass", reason="ok", message=text, **common)


__all__ = [
    "check_dependencies",
    "check_feature_importance",
    "check_latency",
    "check_numerical_stability",
    "check_skew",
    "check_staleness",
]
