"""The pipeline itself: serialisation round trips and the transformer contract here;
reproducible training in :mod:`~pytest_mlops.checks.determinism`, metamorphic
expectations and robustness to noise in :mod:`~pytest_mlops.checks.metamorphic`."""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._calls import CallableRaised, call, user_errors
from pytest_mlops.checks._models import difference, outputs
from pytest_mlops.checks.determinism import check_deterministic
from pytest_mlops.checks.metamorphic import check_directional, check_invariance, check_robustness
from pytest_mlops.core.inputs import NON_NEGATIVE, SEED, Interval, validate_params
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import conclude, number
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from pytest_mlops.results import CheckResult

#: Rows of a transformer's input that are transformed alone, to test row independence.
ALONE_ROWS: Final = 10


def _formats() -> dict[str, Callable[[Any], Any]]:
    """Round trips: pickle and joblib always, skops when it is installed."""
    import importlib.util

    def via_joblib(model: Any) -> Any:
        import joblib

        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        buffer.seek(0)
        return joblib.load(buffer)

    formats: dict[str, Callable[[Any], Any]] = {
        "pickle": lambda model: pickle.loads(pickle.dumps(model)),
        "joblib": via_joblib,
    }
    if importlib.util.find_spec("skops") is not None:

        def via_skops(model: Any) -> Any:
            import skops.io as sio

            payload = sio.dumps(model)
            return sio.loads(payload, trusted=sio.get_untrusted_types(data=payload))

        formats["skops"] = via_skops
    return formats


@validate_params({"tolerance": [NON_NEGATIVE]})
@user_errors("serialization", "pipeline")
def check_serialization(model: Any, X: Any, *, tolerance: float = 0.0) -> CheckResult:
    """Pickle and joblib round trips (and skops when installed) predict the same.

    A model that cannot be serialised, or whose restored copy cannot predict, fails with
    the error; a model that cannot predict on ``X`` in the first place is an ``error``.
    """
    expected = outputs(model, X)
    formats = _formats()
    rows: list[dict[str, Any]] = []
    failures = []
    for name, round_trip in formats.items():
        try:
            restored = round_trip(model)
            got = outputs(restored, X)
        except Exception as exc:  # a model that does not survive the trip is the finding
            error = exc.error if isinstance(exc, CallableRaised) else exc
            text = f"{type(error).__name__}: {error}"
            rows.append({"format": name, "error": text})
            failures.append(f"{name} failed: {text}")
            continue
        for output, values in expected.items():
            gap, differing = difference(values, got[output]) if output in got else (1.0, 0)
            rows.append(
                {
                    "format": name,
                    "output": output,
                    "max_difference": gap,
                    "rows_differing": differing,
                }
            )
            if gap > tolerance:
                failures.append(f"{name} {output}: {differing} rows differ (max {number(gap)})")
    return conclude(
        name="serialization",
        category="pipeline",
        failures=failures,
        passed=f"{', '.join(formats)} round trips predict identically",
        next_step="the served model would not behave like the tested one",
        metrics={"formats": len(formats)},
        thresholds={"max_difference": {"max": tolerance}},
        details={"round_trips": rows},
    )


def _as_array(values: Any) -> np.ndarray:
    import numpy as np

    if hasattr(values, "toarray"):
        values = values.toarray()
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    return np.asarray(values)


def _perturbed(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A few rows of ``frame`` with an unseen category and missing values planted."""
    import numpy as np
    import pandas as pd

    sample = frame.sample(n=min(5, len(frame)), random_state=int(rng.integers(1 << 30))).copy()
    for position, column in enumerate(sample.columns):
        if pd.api.types.is_numeric_dtype(sample[column].dtype):
            sample[column] = sample[column].astype(float)
            sample.iloc[0, position] = np.nan
        else:
            sample[column] = sample[column].astype(object)
            sample.iloc[0, position] = "__never_seen__"
            sample.iloc[1 % len(sample), position] = None
    return sample


class _Contract:
    """The rules a transformer is held to, and which of them it broke."""

    def __init__(self) -> None:
        self.rules: list[dict[str, Any]] = []
        self.broken: list[str] = []

    def note(self, rule: str, ok: bool, text: str) -> None:
        self.rules.append({"rule": rule, "passed": ok, "detail": text})
        if not ok:
            self.broken.append(f"{rule}: {text}")


def _row_independence(
    fitted: Any, frame: pd.DataFrame, out: np.ndarray, rows: np.ndarray, tolerance: float
) -> tuple[bool, float]:
    """Whether rows transform the same alone, in a small batch and in the full data."""
    import numpy as np

    def transform(data: Any) -> np.ndarray:
        return _as_array(call("transform", fitted.transform, data))

    alone = np.vstack([transform(frame.iloc[[r]]) for r in rows[:ALONE_ROWS]])
    in_batch = transform(frame.iloc[rows])[:ALONE_ROWS]
    in_full = out[rows[:ALONE_ROWS]]
    if alone.dtype.kind in "fc" and in_full.dtype.kind in "fc":
        with np.errstate(invalid="ignore"):
            gaps = np.concatenate(
                [np.abs(alone - in_full).ravel(), np.abs(in_batch - in_full).ravel()]
            )
        same_nan = np.isnan(np.concatenate([alone.ravel(), in_batch.ravel()])) & np.isnan(
            np.concatenate([in_full.ravel(), in_full.ravel()])
        )
        gaps = np.where(same_nan, 0.0, np.nan_to_num(gaps, nan=np.inf))
        gap = float(gaps.max()) if gaps.size else 0.0
        return gap <= tolerance, gap
    same = np.array_equal(alone, in_full) and np.array_equal(in_batch, in_full)
    return same, 0.0 if same else 1.0


def _fit_and_transform(
    transformer: Any, frame: pd.DataFrame, contract: _Contract
) -> tuple[Any, np.ndarray, pd.DataFrame]:
    """Fit a clone on ``frame`` and transform it, noting whether either modified the input
    in place, the output's row count and whether a second transform keeps its shape and
    dtype; returns the fitted clone, its output and a fresh copy of the input as given."""
    from sklearn.base import clone

    before = frame.copy(deep=True)
    fitted = call("fit", clone(transformer, safe=False).fit, frame)
    if not frame.equals(before):
        contract.note("input_unchanged_by_fit", False, "fit modified X in place")
        frame = before.copy(deep=True)
    out = _as_array(call("transform", fitted.transform, frame))
    unchanged = frame.equals(before)
    contract.note(
        "input_unchanged_by_transform",
        unchanged,
        "X is unchanged" if unchanged else "transform modified X in place",
    )
    frame = before.copy(deep=True)
    contract.note(
        "rows",
        out.shape[0] == len(frame),
        f"{out.shape[0]} output rows for {len(frame)} input rows",
    )
    again = _as_array(call("transform", fitted.transform, frame))
    contract.note(
        "stable_shape_and_dtype",
        again.shape == out.shape and again.dtype == out.dtype,
        f"shape {out.shape}, dtype {out.dtype}",
    )
    return fitted, out, frame


def _note_finite_output(contract: _Contract, frame: pd.DataFrame, out: np.ndarray) -> None:
    """A float output has no NaN or infinity, where the numeric input had none."""
    import numpy as np

    numeric_in = frame.select_dtypes("number")
    input_finite = not len(numeric_in.columns) or bool(
        np.isfinite(numeric_in.to_numpy(dtype=float, na_value=np.nan)).all()
    )
    if out.dtype.kind in "fc" and input_finite:
        bad = int((~np.isfinite(out)).sum())
        contract.note("no_nan_or_inf", bad == 0, f"{bad} NaN or infinite values in the output")


def _note_unseen_values(contract: _Contract, fitted: Any, new: Any, out: np.ndarray) -> None:
    """New data with unseen categories and missing values transforms to the same width."""
    try:
        width = _as_array(call("transform", fitted.transform, new)).shape[1:]
        contract.note(
            "unseen_values",
            width == out.shape[1:],
            "new data with unseen categories and missing values transforms to the same width",
        )
    except CallableRaised as raised:  # the failure to handle new data is the finding
        contract.note(
            "unseen_values",
            False,
            f"new data with unseen categories or missing values raises "
            f"{type(raised.error).__name__}: {str(raised.error)[:200]}",
        )


@validate_params(
    {
        "batch_rows": [Interval(int, 2, None)],
        "tolerance": [NON_NEGATIVE],
        "random_state": [SEED],
    }
)
@user_errors("transformer", "pipeline")
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

    if not hasattr(transformer, "fit") or not hasattr(transformer, "transform"):
        raise MlopsTypeError("transformer must have fit and transform methods")
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    if len(frame) < 3:
        raise MlopsInputError("X needs at least 3 rows to test the transformer")
    contract = _Contract()
    fitted, out, frame = _fit_and_transform(transformer, frame, contract)
    _note_finite_output(contract, frame, out)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(len(frame), size=min(batch_rows, len(frame)), replace=False)
    if out.shape[0] == len(frame):
        same, gap = _row_independence(fitted, frame, out, rows, tolerance)
        contract.note(
            "row_independent",
            same,
            "rows transform the same alone and in batches"
            if same
            else f"a row transforms differently alone, in a batch of {len(rows)} and in the "
            f"full data (max difference {number(gap)}): the transform uses other rows' values",
        )
    new = X_new if X_new is not None else _perturbed(frame, rng)
    _note_unseen_values(contract, fitted, new, out)
    kind = type(transformer).__name__
    return conclude(
        name="transformer",
        category="pipeline",
        failures=[f"{kind} breaks {len(contract.broken)} rule(s): " + "; ".join(contract.broken)]
        if contract.broken
        else [],
        passed=f"{kind} keeps the fit/transform contract ({len(contract.rules)} rules)",
        next_step="fix the transformer, or test the one the pipeline really uses",
        reason="violations_found",
        metrics={"rules_broken": len(contract.broken)},
        details={"contract": contract.rules, "output_shape": list(out.shape), "transformer": kind},
    )


register(
    CheckSpec(
        name="serialization",
        category="pipeline",
        function=check_serialization,
        data=("X",),
        scorecard=("Infra 2",),
    )
)
register(
    CheckSpec(
        name="transformer",
        category="pipeline",
        function=check_transformer,
        data=("X",),
        seeded=True,
        scorecard=("Data 7", "Infra 2"),
    )
)

__all__ = [
    "check_deterministic",
    "check_directional",
    "check_invariance",
    "check_robustness",
    "check_serialization",
    "check_transformer",
]
