"""The single validation and coercion layer every check uses.

Options are validated by the constraints a check declares with :func:`validate_params`
(see :mod:`pytest_mlops.core.constraints`, re-exported here). Arrays are coerced here:
each helper turns user input into NumPy data or raises
:class:`~pytest_mlops.errors.MlopsInputError` / :class:`~pytest_mlops.errors.MlopsTypeError`
with a message that names the argument and the problem, so a user never sees a bare
traceback from NumPy, pandas or scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from pytest_mlops.core.constraints import (
    CONFIDENCE,
    N_RESAMPLES,
    NON_NEGATIVE,
    POSITIVE_INT,
    PROBABILITY,
    SEED,
    SEVERITY,
    Boolean,
    Constraint,
    InstanceOf,
    Interval,
    IsCallable,
    MappingOf,
    Options,
    SequenceOf,
    Text,
    shown,
)
from pytest_mlops.core.params import (
    bind_arguments,
    constraints_of,
    unknown_argument,
    validate,
    validate_params,
)
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    from collections.abc import Sized

    import numpy as np
    import pandas as pd
    from packaging.version import Version

__all__ = [
    "CONFIDENCE",
    "NON_NEGATIVE",
    "N_RESAMPLES",
    "POSITIVE_INT",
    "PROBABILITY",
    "SEED",
    "SEVERITY",
    "Boolean",
    "Constraint",
    "InstanceOf",
    "Interval",
    "IsCallable",
    "MappingOf",
    "Options",
    "SequenceOf",
    "Text",
    "as_frame",
    "bind_arguments",
    "check_mapping",
    "choice",
    "constraints_of",
    "nan_positions",
    "parse_version",
    "require_rows",
    "same_length",
    "shown",
    "to_1d",
    "to_labels",
    "to_scores",
    "unknown_argument",
    "validate",
    "validate_params",
]

NonFinite = Literal["reject", "nan", "allow"]

#: Text of the error for labels that mix kinds (``[True, "b"]``, ``[1, "1"]``).
MSG_MIXED_LABELS: Final = (
    "{name} mixes label types ({kinds}); use one type for every label (e.g. all int or "
    "all str: labels read from a CSV are often text)"
)


def to_1d(name: str, values: Any, *, allow_none: bool = False) -> np.ndarray | None:
    """Return ``values`` as a 1-d NumPy array.

    Accepts lists, tuples, NumPy arrays, pandas Series/Index, a single-column DataFrame
    and pandas nullable/categorical dtypes (``pd.NA`` becomes ``nan`` for numbers,
    ``None`` otherwise; categorical values keep their categories' type).
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
    if isinstance(values, Mapping):
        raise MlopsTypeError(f"{name} must be a 1-d array-like; got a {type(values).__name__}")
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise MlopsInputError(
                f"{name} must be 1-d; got a DataFrame with {values.shape[1]} columns"
            )
        values = values.iloc[:, 0]
    if isinstance(values, (pd.Series, pd.Index)):
        return _series_to_1d(pd.Series(values))
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as exc:
        raise MlopsInputError(f"{name} could not be read as an array: {exc}") from exc
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1:
        raise MlopsInputError(f"{name} must be 1-d; got an array of shape {array.shape}")
    return array


def _series_to_1d(series: pd.Series) -> np.ndarray:
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        if pd.api.types.is_numeric_dtype(categories.dtype) and not series.isna().any():
            return np.asarray(categories.to_numpy()[series.cat.codes.to_numpy()])
        series = series.astype(object)
    elif pd.api.types.is_bool_dtype(dtype) and series.isna().any():
        series = series.astype(object)
    elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    array = series.to_numpy(dtype=object if series.dtype == object else None)
    if array.dtype == object or str(series.dtype) in ("str", "string"):
        return np.array([None if v is pd.NA else v for v in array], dtype=object)
    return np.asarray(array)


def to_scores(
    name: str, values: Any, *, nonfinite: NonFinite = "reject", ndim: tuple[int, ...] = (1, 2)
) -> np.ndarray:
    """Return scores as a float array of 1 or 2 dimensions (``(n,)`` or ``(n, k)``).

    ``nonfinite="reject"`` (the default) raises naming how many values are NaN or
    infinite and where the first is; ``"nan"`` allows NaN but not infinities;
    ``"allow"`` allows both.
    """
    import numpy as np
    import pandas as pd

    if values is None:
        raise MlopsInputError(f"{name} is required; got None")
    if isinstance(values, (str, bytes)):
        raise MlopsTypeError(f"{name} must be numeric scores; got {type(values).__name__}")
    try:
        if isinstance(values, (pd.DataFrame, pd.Series)):
            array: np.ndarray = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            array = np.asarray(values, dtype=float)
    except (ValueError, TypeError) as exc:
        raise MlopsTypeError(f"{name} must be numeric scores; {exc}") from exc
    if array.ndim == 2 and array.shape[1] == 1 and 1 in ndim:
        array = array.reshape(-1)
    if array.ndim not in ndim:
        wanted = " or ".join(f"{d}-d" for d in ndim)
        raise MlopsInputError(f"{name} must be {wanted}; got an array of shape {array.shape}")
    _check_finite(name, array, nonfinite)
    return array


def _check_finite(name: str, array: np.ndarray, policy: NonFinite) -> None:
    import numpy as np

    if policy == "allow" or array.size == 0:
        return
    bad = np.isinf(array) if policy == "nan" else ~np.isfinite(array)
    if bad.any():
        first = np.argwhere(bad)[0]
        where = int(first[0]) if len(first) == 1 else tuple(int(i) for i in first)
        kind = "infinite" if policy == "nan" else "NaN or infinite"
        raise MlopsInputError(
            f"{name} has {int(bad.sum())} {kind} value(s) (first at position {where}); "
            "scores must be finite numbers"
        )


def label_kind(value: Any) -> str:
    """``"number"``, ``"string"``, ``"missing"`` or the type's name, for label checks."""
    import numbers

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if isinstance(value, (bool, numbers.Real)) or type(value).__name__.startswith("bool"):
        return "number"
    if isinstance(value, numbers.Number):
        return type(value).__name__
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def to_labels(name: str, values: Any, *, allow_missing: bool = False) -> np.ndarray:
    """Return class labels as a 1-d array whose labels are all numbers or all strings.

    Raises naming ``name`` for missing labels (unless ``allow_missing``), for unhashable
    or complex labels, and for a mix of kinds (``[True, "b"]``), which scikit-learn would
    reject with a message that names nothing.
    """
    import numpy as np

    if isinstance(values, (list, tuple)):
        _check_label_kinds(name, np.array(values, dtype=object).reshape(-1), allow_missing)
    array = to_1d(name, values)
    assert array is not None
    if array.dtype.kind == "c":
        raise MlopsTypeError(f"{name} holds complex numbers; labels must be numbers or strings")
    if array.dtype.kind == "f":
        missing = np.isnan(array)
        if missing.any() and not allow_missing:
            raise MlopsInputError(
                f"{name} has {int(missing.sum())} missing label(s) (first at position "
                f"{int(np.flatnonzero(missing)[0])}); drop or fill them first"
            )
    elif array.dtype.kind == "O":
        _check_label_kinds(name, array, allow_missing)
    return array


def _check_label_kinds(name: str, array: np.ndarray, allow_missing: bool) -> None:
    kinds: dict[str, int] = {}
    for position, value in enumerate(array):
        kind = label_kind(value)
        if kind == "missing" and not allow_missing:
            raise MlopsInputError(
                f"{name} has a missing label at position {position}; drop or fill them first"
            )
        try:
            hash(value)
        except TypeError:
            raise MlopsTypeError(
                f"{name} holds an unhashable {type(value).__name__} at position {position}; "
                "labels must be numbers or strings"
            ) from None
        if kind not in ("number", "string", "missing"):
            raise MlopsTypeError(
                f"{name} holds a {kind} at position {position}; labels must be numbers or strings"
            )
        kinds.setdefault(kind, position)
    kinds.pop("missing", None)
    if len(kinds) > 1:
        listed = ", ".join(f"{k} at position {p}" for k, p in kinds.items())
        raise MlopsTypeError(MSG_MIXED_LABELS.format(name=name, kinds=listed))


def same_length(**arrays: Sized | None) -> int:
    """Return the common length of the given arrays, or raise naming the mismatch."""
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise MlopsInputError(f"inputs must have the same length; {described}")
    return next(iter(lengths.values()), 0)


def require_rows(name: str, n: int, minimum: int = 1) -> None:
    """Raise naming ``name`` when it has fewer than ``minimum`` rows."""
    if n < minimum:
        need = "at least one row" if minimum == 1 else f"at least {minimum} rows"
        raise MlopsInputError(f"{name} has {n} row(s); the check needs {need}")


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
    if value not in choices or not Options(*choices).accepts(value):
        listed = ", ".join(repr(c) for c in choices)
        raise MlopsInputError(f"{name} must be one of {listed}; got {value!r}")
    return value


def as_frame(name: str, data: Any) -> tuple[pd.DataFrame, list[str]]:
    """A pandas DataFrame from pandas, NumPy, polars or pyarrow data, and notes on what
    was changed; see :func:`pytest_mlops.checks._frames.as_frame`."""
    from pytest_mlops.checks._frames import as_frame as _as_frame

    return _as_frame(name, data)


def parse_version(text: Any) -> Version | None:
    """A :class:`packaging.version.Version`, or ``None`` for text that is not a version
    (``"1.0rc1"`` is a pre-release of ``1.0``, not ``1.0``)."""
    from packaging.version import InvalidVersion, Version

    if not isinstance(text, str):
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


def finite_number(name: str, value: Any) -> float:
    """``value`` as a finite float, or raise naming ``name``."""
    finite = Interval(float, None, None)
    if not finite.accepts(value):
        error = MlopsInputError if finite.fits_type(value) else MlopsTypeError
        raise error(f"{name} must be a finite number; got {shown(value)}")
    return float(value)
