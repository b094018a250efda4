"""What a fitted model predicts, and how far two sets of predictions are apart: shared by
the pipeline and production checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._calls import CallableRaised, call
from pytest_mlops.errors import MlopsTypeError

if TYPE_CHECKING:
    import numpy as np


def outputs(model: Any, X: Any) -> dict[str, np.ndarray]:
    """Everything a fitted model predicts: ``predict`` and, when present, ``predict_proba``.

    An exception from the model's ``predict`` is a :class:`CallableRaised`; a
    ``predict_proba`` that the model exposes but refuses for its configuration
    (``AttributeError``, ``NotImplementedError``) is left out.
    """
    import numpy as np

    if not hasattr(model, "predict"):
        raise MlopsTypeError(f"the model must have a predict method; got {type(model).__name__}")
    out = {"predict": np.asarray(call("predict", model.predict, X))}
    if hasattr(model, "predict_proba"):
        try:
            out["predict_proba"] = np.asarray(
                call("predict_proba", model.predict_proba, X), dtype=float
            )
        except CallableRaised as raised:
            if not isinstance(raised.error, (AttributeError, NotImplementedError)):
                raise
    return out


def difference(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    """Largest absolute difference and the number of rows that differ at all."""
    import numpy as np

    if a.shape != b.shape:
        return float("inf"), len(a)
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        delta = np.abs(a.astype(float) - b.astype(float))
        rows = delta.reshape(len(delta), -1).max(axis=1) if delta.ndim > 1 else delta
        finite = np.nan_to_num(rows, nan=np.inf)
        return float(finite.max()) if len(finite) else 0.0, int((finite > 0).sum())
    unequal = a != b
    rows_unequal = unequal.reshape(len(unequal), -1).any(axis=1) if unequal.ndim > 1 else unequal
    return (1.0 if rows_unequal.any() else 0.0), int(rows_unequal.sum())
