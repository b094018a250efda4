"""The pipeline itself: reproducible training, serialisation, transformer contracts,
metamorphic expectations and robustness to noise."""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._inputs import choice
from pytest_mlops.checks._models import difference, outputs
from pytest_mlops.checks.determinism import check_deterministic
from pytest_mlops.errors import MlopsInputError, MlopsTypeError
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    import numpy as np

def check_serialization(model: Any, X: Any, *, tolerance: float = 0.0) -> CheckResult:
    """Pickle and joblib round trips (and skops when installed) predict the same."""
    import importlib.util

    expected = outputs(model, X)
    formats: dict[str, Callable[[Any], Any]] = {"pickle": lambda m: pickle.loads(pickle.dumps(m))}

    def via_joblib(m: Any) -> Any:
        import joblib

        buffer = io.BytesIO()
        joblib.dump(m, buffer)
        buffer.seek(0)
        return joblib.load(buffer)

    formats["joblib"] = via_joblib
    if importlib.util.find_spec("skops") is not None:

        def via_skops(m: Any) -> Any:
            import skops.io as sio

            payload = sio.dumps(m)
            return sio.loads(payload, trusted=sio.get_untrusted_types(data=payload))

        formats["skops"] = via_skops
    rows: list[dict[str, Any]] = []
    failures = []
    for name, round_trip in formats.items():
        try:
            restored = round_trip(model)
        except Exception as exc:  # a model that cannot be serialised is the finding
            rows.append({"format": name, "error": f"{type(exc).__name__}: {exc}"})
            failures.append(f"{name} failed: {type(exc).__name__}: {exc}")
            continue
        got = outputs(restored, X)
        for output, values in expected.items():
            gap, differing = difference(values, got[output])
            rows.append(
                {
                    "format": name,
                    "output": output,
                    "max_difference": gap,
                    "rows_differing": differing,
                }
            )
            if gap > tolerance:
                failures.append(f"{name} {output}: {differing} rows differ (max {gap:.3g})")
    common: dict[str, Any] = {
        "name": "serialization",
        "category": "pipeline",
        "metrics": {"formats": len(formats)},
        "thresholds": {"max_difference": {"max": tolerance}},
        "details": {"round_trips": rows},
    }
    if failures:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message=f"{'; '.join(failures)}. The served model would not behave like the tested one",
            **common,
        )
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"{', '.join(formats)} round trips predict identically",
        **common,
    )


def _as_array(values: Any) -> np.ndarray:
    import numpy as np

    if hasattr(values, "toarray"):
        values = values.toarray()
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    return np.asarray(values)


def check_transformer(
    transformer: Any,
    X: Any,
    *,
    X_new: Any = None,
    batch_rows: int = 50,
    tolerance: float = 1e-9,
    random_state: int = 0,
) -> CheckResult:
    """The fit/transform contract of a preprocessing step.

    On a clone fitted on ``X``: the output has one row per input row and a stable width
    and dtype; ``transform`` introduces no NaN or infinity where the input had none;
    neither ``fit`` nor ``transform`` modify the input in place; new data with unseen
    categories and missing values (``X_new``, default: ``X`` with values perturbed so)
    transforms without an error; and a row transforms the same alone, in a small batch,
    and in the full batch (otherwise the output leaks information across rows).
    """
    import numpy as np
    import pandas as pd
    from sklearn.base import clone

    if not hasattr(transformer, "fit") or not hasattr(transformer, "transform"):
        raise MlopsTypeError("transformer must have fit and transform methods")
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    if len(frame) < 3:
        raise MlopsInputError("X needs at least 3 rows to test the transformer")
    before = frame.copy(deep=True)
    fitted = clone(transformer).fit(frame)
    problems: list[str] = []
    contract: list[dict[str, Any]] = []

    def note(rule: str, ok: bool, text: str) -> None:
        contract.append({"rule": rule, "passed": ok, "detail": text})
        if not ok:
            problems.append(f"{rule}: {text}")

    if not frame.equals(before):
        note("input_unchanged_by_fit", False, "fit modified X in place")
    out = _as_array(fitted.transform(frame))
    note(
        "input_unchanged_by_transform",
        frame.equals(before),
        "transform modified X in place" if not frame.equals(before) else "X is unchanged",
    )
    note(
        "rows",
        out.shape[0] == len(frame),
        f"{out.shape[0]} output rows for {len(frame)} input rows",
    )
    again = _as_array(fitted.transform(frame))
    note(
        "stable_shape_and_dtype",
        again.shape == out.shape and again.dtype == out.dtype,
        f"shape {out.shape}, dtype {out.dtype}",
    )
    numeric_in = frame.select_dtypes("number")
    input_finite = (
        bool(np.isfinite(numeric_in.to_numpy(dtype=float, na_value=np.nan)).all())
        if len(numeric_in.columns)
        else True
    )
    if out.dtype.kind in "fc" and input_finite:
        bad = int((~np.isfinite(out)).sum())
        note("no_nan_or_inf", bad == 0, f"{bad} NaN or infinite values in the output")
    rng = np.random.default_rng(random_state)
    rows = rng.choice(len(frame), size=min(batch_rows, len(frame)), replace=False)
    alone = np.vstack([_as_array(fitted.transform(frame.iloc[[r]])) for r in rows[:10]])
    in_batch = _as_array(fitted.transform(frame.iloc[rows]))[:10]
    in_full = out[rows[:10]]
    if alone.dtype.kind in "fc":
        gap = float(max(np.nanmax(np.abs(alone - in_full)), np.nanmax(np.abs(in_batch - in_full))))
        same = gap <= tolerance
    else:
        gap = 0.0 if (np.array_equal(alone, in_full) and np.array_equal(in_batch, in_full)) else 1.0
        same = gap == 0.0
    note(
        "row_independent",
        same,
        f"a row transforms differently alone, in a batch of {len(rows)} and in the full data "
        f"(max difference {gap:.3g}): the transform uses other rows' values"
        if not same
        else "rows transform the same alone and in batches",
    )
    new = X_new if X_new is not None else _perturbed(frame, rng)
    try:
        transformed_new = _as_array(fitted.transform(new))
        note(
            "unseen_values",
            transformed_new.shape[1:] == out.shape[1:],
            "new data with unseen categories and missing values transforms to the same width",
        )
    except Exception as exc:  # the failure to handle new data is the finding
        note(
            "unseen_values",
            False,
            f"new data with unseen categories or missing values raises "
            f"{type(exc).__name__}: {str(exc)[:200]}",
        )
    common: dict[str, Any] = {
        "name": "transformer",
        "category": "pipeline",
        "metrics": {"rules_broken": len(problems)},
        "details": {
            "contract": contract,
            "output_shape": list(out.shape),
            "transformer": type(transformer).__name__,
        },
    }
    if problems:
        return CheckResult(
            status="fail",
            reason="violations_found",
            message=f"{type(transformer).__name__} breaks {len(problems)} rule(s): "
            f"{'; '.join(problems)}",
            **common,
        )
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"{type(transformer).__name__} keeps the fit/transform contract "
        f"({len(contract)} rules)",
        **common,
    )


def _perturbed(frame: Any, rng: np.random.Generator) -> Any:
    """A few rows of ``frame`` with an unseen category and missing values planted."""
    import numpy as np
    import pandas as pd

    sample = frame.sample(n=min(5, len(frame)), random_state=int(rng.integers(1 << 30))).copy()
    for column in sample.columns:
        if pd.api.types.is_numeric_dtype(sample[column].dtype):
            sample[column] = sample[column].astype(float)
            sample.iloc[0, sample.columns.get_loc(column)] = np.nan
        else:
            sample[column] = sample[column].astype(object)
            sample.iloc[0, sample.columns.get_loc(column)] = "__never_seen__"
            sample.iloc[1, sample.columns.get_loc(column)] = None
    return sample


def _scores(model: Any, X: Any) -> np.ndarray:
    """One number per row to compare: the positive-class probability, or the prediction."""
    import numpy as np

    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X), dtype=float)
        return proba[:, -1] if proba.ndim == 2 else proba
    return np.asarray(model.predict(X), dtype=float)


def _worst(X: Any, deltas: np.ndarray, broken: np.ndarray, most: int = 5) -> list[dict[str, Any]]:
    import numpy as np

    index = getattr(X, "index", None)
    order = np.argsort(-np.abs(deltas))
    rows = [int(i) for i in order if broken[i]][:most]
    return [
        {
            "row": (index[i].item() if hasattr(index[i], "item") else index[i])
            if index is not None
            else i,
            "change": float(deltas[i]),
        }
        for i in rows
    ]


def _changes(model: Any, X: Any, perturb: Callable[[Any], Any]) -> np.ndarray:
    """How much each row's prediction moves when ``perturb`` changes the input."""
    before = _scores(model, X)
    after = _scores(model, perturb(X.copy() if hasattr(X, "copy") else X))
    if before.shape != after.shape:
        raise MlopsInputError("perturb must return the same rows it was given")
    return after - before


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
    common: dict[str, Any] = {
        "name": "invariance",
        "category": "pipeline",
        "metrics": {"broken_share": share, "max_change": float(np.abs(deltas).max())},
        "thresholds": {"broken_share": {"max": max_broken_share}, "tolerance": tolerance},
        "details": {"rows": len(deltas), "worst": _worst(X, deltas, broken)},
    }
    if share > max_broken_share:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message=f"{int(broken.sum())} of {len(deltas)} rows ({share:.1%}) move by more "
            f"than {tolerance:g} under a change that should not matter (worst "
            f"{float(np.abs(deltas).max()):.3g})",
            **common,
        )
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"predictions stay within {tolerance:g} on {len(deltas)} rows",
        **common,
    )


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
    lower a credit score: ``perturb=lambda X: X.assign(income=X.income * 1.2)``."""

    choice("expect", expect, ("increase", "decrease"))
    deltas = _changes(model, X, perturb)
    broken = deltas < -tolerance if expect == "increase" else deltas > tolerance
    share = float(broken.mean())
    common: dict[str, Any] = {
        "name": "directional",
        "category": "pipeline",
        "metrics": {"broken_share": share},
        "thresholds": {"broken_share": {"max": max_broken_share}, "expect": expect},
        "details": {"rows": len(deltas), "expect": expect, "worst": _worst(X, deltas, broken)},
    }
    if share > max_broken_share:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message=f"{int(broken.sum())} of {len(deltas)} rows ({share:.1%}) move against "
            f"the expected {expect}",
            **common,
        )
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"every row moves as expected ({expect}) or stays",
        **common,
    )


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
    import pandas as pd

    from pytest_mlops.checks.metrics import check_metrics, resolve_metrics

    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
    numeric = list(columns) if columns is not None else list(frame.select_dtypes("number").columns)
    if not numeric:
        raise MlopsInputError("X has no numeric column to add noise to")
    labels = np.asarray(y)
    chosen = metric or (
        "accuracy" if labels.dtype.kind in "biuOU" or len(np.unique(labels)) <= 20 else "r2"
    )
    (resolved,) = resolve_metrics([chosen], None).values()

    def score(data: Any) -> float:
        if resolved.needs == "score":
            value = check_metrics(
                y, y_score=model.predict_proba(data), report=[chosen], n_resamples=0
            )
        else:
            value = check_metrics(y, y_pred=model.predict(data), report=[chosen], n_resamples=0)
        return float(value.metrics[chosen])

    base = score(frame)
    rng = np.random.default_rng(random_state)
    spreads = frame[numeric].astype(float).std().to_numpy()
    noisy_scores = []
    for _ in range(repeats):
        noisy = frame.copy()
        noisy[numeric] = (
            frame[numeric].astype(float)
            + rng.normal(size=(len(frame), len(numeric))) * spreads * noise
        )
        noisy_scores.append(score(noisy))
    mean_noisy = float(np.mean(noisy_scores))
    drop = base - mean_noisy if resolved.greater_is_better else mean_noisy - base
    common: dict[str, Any] = {
        "name": "robustness",
        "category": "pipeline",
        "metrics": {chosen: base, f"noisy_{chosen}": mean_noisy, "drop": drop},
        "thresholds": {"drop": {"max": max_drop}},
        "details": {
            "noise_sd": noise,
            "repeats": repeats,
            "scores": noisy_scores,
            "columns": numeric,
        },
    }
    text = f"{chosen} {base:.4g} -> {mean_noisy:.4g} under {noise:g}-sd noise (drop {drop:.4g})"
    if drop > max_drop:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message=f"{text} > {max_drop:g}: the model is brittle to small input changes",
            **common,
        )
    return CheckResult(status="pass", reason="ok", message=text, **common)


__all__ = [
    "check_deterministic",
    "check_directional",
    "check_invariance",
    "check_robustness",
    "check_serialization",
    "check_transformer",
]
