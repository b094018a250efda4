"""Input coercion shared by the check families.

Every helper turns user input into NumPy data or raises :class:`MlopsInputError` /
:class:`MlopsTypeError` with a message that names the argument and the problem, so a
user never sees a bare traceback from inside NumPy or pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    from collections.abc import Sized

    import numpy as np


def to_1d(name: str, values: Any, *, allow_none: bool = False) -> np.ndarray | None:
    """Return ``values`` as a 1-d NumPy array.

    Accepts lists, tuples, NumPy arrays, pandas Series/Index, a single-column
    DataFrame and pandas nullable/categorical dtypes (``pd.NA`` becomes ``nan`` for
    numbers, ``None`` otherwise).
    """
    import numpy as np
    import pandas as pd

    if values is None:
        if allow_none:
            return None
        raise MlopsInputError(f"{name} is required; got None")
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise MlopsTypeError(
            f"{name} must be a 1-d array-like (list, NumPy array, pandas Series); "
            f"got {type(values).__name__}"
        )
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise MlopsInputError(
                f"{name} must be 1-d; got a DataFrame with {values.shape[1]} columns"
            )
        values = values.iloc[:, 0]
    if isinstance(values, (pd.Series, pd.Index)):
        series = pd.Series(values)
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype) or (
            pd.api.types.is_bool_dtype(dtype) and series.isna().any()
        ):
            series = series.astype(object)
        elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            return series.to_numpy(dtype=float, na_value=np.nan)
        array = series.to_numpy(dtype=object if series.dtype == object else None)
        if array.dtype == object:
            array = np.array([None if v is pd.NA else v for v in array], dtype=object)
        else:
            array = np.asarray(array)
    else:
        try:
            array = np.asarray(values)
        except (ValueError, TypeError) as exc:
            raise MlopsInputError(f"{name} could not be read as an array: {exc}") from exc
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1:
        raise MlopsInputError(f"{name} must be 1-d; got an array of shape {array.shape}")
    return array


def to_2d_scores(name: str, values: Any) -> np.ndarray:
    """Return class scores as a float array: 1-d (positive class) or 2-d (n, k)."""
    import numpy as np
    import pandas as pd

    if isinstance(values, (pd.DataFrame, pd.Series)):
        array: np.ndarray = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            array = np.asarray(values, dtype=float)
        except (ValueError, TypeError) as exc:
            raise MlopsInputError(f"{name} must be numeric scores; {exc}") from exc
    if array.ndim == 2 and array.shape[1] == 1:
        array = array.reshape(-1)
    if array.ndim not in (1, 2):
        raise MlopsInputError(f"{name} must be 1-d or 2-d; got shape {array.shape}")
    return array


def same_length(**arrays: Sized | None) -> int:
    """Return the common length of the given arrays, or raise naming the mismatch."""
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise MlopsInputError(f"inputs must have the same length; {described}")
    return next(iter(lengths.values()), 0)


def nan_positions(array: np.ndarray) -> np.ndarray:
    """Boolean mask of missing values (nan, None, pd.NA) in a 1-d array of any dtype."""
    import numpy as np
    import pandas as pd

    if array.dtype.kind in "fc":
        return np.isnan(array)
    if array.dtype.kind in "biuUS":
        return np.zeros(array.shape, dtype=bool)
    return np.asarray(pd.isna(array), dtype=bool)


def check_mapping(name: str, value: Any) -> Mapping[str, Any]:
    """Require a mapping argument (``thresholds={...}``), naming it when it is not."""
    if not isinstance(value, Mapping):
        raise MlopsTypeError(f"{name} must be a dict; got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise MlopsTypeError(f"{name} keys must be strings; got {key!r}")
    return value


def choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """Require ``value`` to be one of ``choices``, listing them when it is not."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise MlopsInputError(f"{name} must be one of {listed}; got {value!r}")
    return value
