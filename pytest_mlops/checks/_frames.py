"""Turning user data into a pandas DataFrame, and what kind each column holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import pandas as pd

KINDS: Final = ("integer", "float", "boolean", "categorical", "string", "datetime", "mixed")
#: Above this many distinct values a text column is free text, not categorical.
DEFAULT_MAX_CATEGORIES: Final = 50


def as_frame(name: str, data: Any) -> tuple[pd.DataFrame, list[str]]:
    """A DataFrame from pandas, NumPy (columns ``x0``...), polars or pyarrow data.

    Returns the frame and notes about what was changed (non-string column names are
    turned into strings). Empty frames and duplicate column names raise, naming them.
    """
    import numpy as np
    import pandas as pd

    notes: list[str] = []
    module = type(data).__module__.split(".")[0]
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, pd.Series):
        frame = data.to_frame()
    elif isinstance(data, np.ndarray):
        array = data.reshape(-1, 1) if data.ndim == 1 else data
        if array.ndim != 2:
            raise MlopsInputError(f"{name} must be 2-d; got an array of shape {data.shape}")
        frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
    elif module in ("polars", "pyarrow") and hasattr(data, "to_pandas"):
        frame = _arrow_to_pandas(data)
    else:
        raise MlopsTypeError(
            f"{name} must be a pandas DataFrame, a NumPy array, or a polars/pyarrow table; "
            f"got {type(data).__name__}"
        )
    if frame.shape[1] == 0:
        raise MlopsInputError(f"{name} has no columns")
    if frame.shape[0] == 0:
        raise MlopsInputError(f"{name} is empty (0 rows): there is nothing to validate")
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise MlopsInputError(
            f"{name} has duplicate column names: {sorted({str(c) for c in duplicated})}; "
            "rename them so each column can be checked on its own"
        )
    odd = [c for c in frame.columns if not isinstance(c, str)]
    if odd:
        renamed = [str(c) for c in frame.columns]
        if len(set(renamed)) != len(renamed):
            raise MlopsInputError(
                f"{name} has column names that clash once written as text: {odd[:10]!r}"
            )
        frame = frame.set_axis(renamed, axis=1)
        notes.append(f"non-string column names {odd[:10]!r} were compared as text")
    return frame, notes


def _arrow_to_pandas(data: Any) -> pd.DataFrame:
    """``data.to_pandas()``, with column names that Arrow's C interface cannot carry (a
    NUL character makes polars panic) swapped for placeholders during the conversion."""
    names = list(getattr(data, "columns", None) or getattr(data, "column_names", []))
    if not any(isinstance(c, str) and "\x00" in c for c in names):
        return data.to_pandas()
    placeholders = [f"column_{i}" for i in range(len(names))]
    if hasattr(data, "rename_columns"):  # pyarrow
        renamed = data.rename_columns(placeholders)
    else:  # polars
        renamed = data.rename(dict(zip(names, placeholders, strict=True)))
    return renamed.to_pandas().set_axis(names, axis=1)


def require_hashable(name: str, frame: pd.DataFrame) -> None:
    """Raise naming the column, row and type when a column holds lists, dicts or other
    values that cannot be counted or compared (duplicates, categories need hashing)."""
    import pandas as pd

    for position_of_column, dtype in enumerate(frame.dtypes):
        if getattr(dtype, "kind", "") != "O":
            continue
        values = frame.iloc[:, position_of_column].to_numpy()
        column = frame.columns[position_of_column]
        try:
            pd.unique(values)
            continue
        except TypeError:
            pass
        for position, value in enumerate(values):
            try:
                hash(value)
            except TypeError:
                raise MlopsTypeError(
                    f"{name} column {str(column)!r} holds a {type(value).__name__} at row "
                    f"{row_label(frame.index[position])!r}; the data checks count and compare "
                    "values, so each cell must be a number, text, a date or missing: turn it "
                    "into text (e.g. json.dumps) or separate columns, or drop the column"
                ) from None


def column_kind(series: pd.Series, max_categories: int = DEFAULT_MAX_CATEGORIES) -> str:
    """The kind of a column: integer, float, boolean, datetime, categorical, string or mixed."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred == "boolean":
        return "boolean"
    if inferred in ("integer",):
        return "integer"
    if inferred in ("floating", "integer-na", "decimal"):
        return "float"
    if inferred in ("datetime", "datetime64", "date"):
        return "datetime"
    if inferred in ("string", "empty"):
        distinct = series.nunique(dropna=True)
        return "categorical" if distinct <= max_categories else "string"
    return "mixed"


def type_names(series: pd.Series) -> dict[str, int]:
    """How many non-null values of each Python type an object column holds."""
    values = series.dropna()
    counts = values.map(lambda v: type(v).__name__).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def examples(series: pd.Series, mask: Any, most: int = 5) -> list[dict[str, Any]]:
    """A few offending values with their row labels."""
    import numpy as np

    positions = np.flatnonzero(np.asarray(mask))[:most]
    return [
        {"row": row_label(series.index[p]), "value": plain_value(series.iloc[p])} for p in positions
    ]


def row_label(value: Any) -> Any:
    """A row label as JSON can hold it (a NumPy integer becomes an ``int``, others text)."""
    return (
        value.item()
        if hasattr(value, "item")
        else value
        if isinstance(value, (int, str))
        else str(value)
    )


def plain_value(value: Any) -> Any:
    import pandas as pd

    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()  # a NumPy scalar
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
