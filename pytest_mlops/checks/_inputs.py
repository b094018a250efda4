"""Input coercion for the check families: kept as a name for :mod:`pytest_mlops.core.inputs`,
where the one validation and coercion layer lives."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_mlops.core.inputs import (
    check_mapping,
    choice,
    nan_positions,
    same_length,
    to_1d,
    to_labels,
    to_scores,
)
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import numpy as np


def to_2d_scores(name: str, values: Any) -> np.ndarray:
    """Scores as :func:`to_scores` gives them, non-finite values allowed (the caller
    decides what they mean), an unreadable value an :class:`MlopsInputError`."""
    try:
        return to_scores(name, values, nonfinite="allow")
    except MlopsTypeError as exc:
        raise MlopsInputError(str(exc)) from None


__all__ = [
    "check_mapping",
    "choice",
    "nan_positions",
    "same_length",
    "to_1d",
    "to_2d_scores",
    "to_labels",
    "to_scores",
]
