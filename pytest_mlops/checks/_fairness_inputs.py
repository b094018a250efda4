"""The fairness family's inputs: binary labels with their positive class, and sensitive
(or control) features as one column of group names per feature."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.core.inputs import as_frame, label_kind, nan_positions, same_length, to_1d
from pytest_mlops.core.inputs import to_labels as _to_labels
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: The error for a ``pos_label`` that names none of the labels (it would make every
#: rate 0 and every disparity 0: a maximally unfair model would pass).
MSG_POS_LABEL_UNSEEN: Final = (
    "pos_label {pos_label!r} ({kind}) matches none of the labels in y_true/y_pred, which "
    "are {labels}; every rate would be 0 and every disparity 0, so the check would pass "
    "whatever the model does. {fix}"
)
#: The error for labels that are not 0/1 when no ``pos_label`` says which is positive.
MSG_NOT_ZERO_ONE: Final = (
    "{name} has labels {labels}, not 0/1: pass pos_label= to say which is positive"
)
#: More distinct groups than this in one feature is a continuous column, not groups.
MAX_GROUPS: Final = 1000


def binary_labels(y_true: Any, y_pred: Any, pos_label: Any) -> tuple[np.ndarray, np.ndarray]:
    """``y_true`` and ``y_pred`` as 0/1 integers, 1 meaning ``pos_label`` (or 1)."""
    truth = _to_labels("y_true", y_true)
    pred = _to_labels("y_pred", y_pred)
    n = same_length(y_true=truth, y_pred=pred)
    if n == 0:
        raise MlopsInputError("y_true and y_pred are empty (0 rows): there are no groups to judge")
    kinds = {name: _kind(values) for name, values in (("y_true", truth), ("y_pred", pred))}
    if len(set(kinds.values())) > 1:
        raise MlopsTypeError(
            f"y_true holds {kinds['y_true']} labels and y_pred holds {kinds['y_pred']} "
            "labels; use one type for both (labels read from a CSV are often text)"
        )
    seen = _distinct(truth, pred)
    if len(seen) > 2:
        raise MlopsInputError(
            f"fairness rates need binary labels; y_true and y_pred hold {len(seen)} values: "
            f"{seen[:10]!r}. Threshold scores into classes, or map the classes to two"
        )
    if pos_label is None:
        for name, values in (("y_true", truth), ("y_pred", pred)):
            present = _distinct(values)
            if not set(present) <= {0, 1}:
                raise MlopsInputError(MSG_NOT_ZERO_ONE.format(name=name, labels=present))
        return truth.astype(int), pred.astype(int)
    if not any(bool(v == pos_label) for v in seen):  # 1 == 1.0 == True, but 1 != "1"
        raise MlopsInputError(
            MSG_POS_LABEL_UNSEEN.format(
                pos_label=pos_label,
                kind=type(pos_label).__name__,
                labels=", ".join(repr(v) for v in seen),
                fix=_pos_label_fix(pos_label, seen),
            )
        )
    positive = next(v for v in seen if bool(v == pos_label))
    return _is(truth, positive), _is(pred, positive)


def _is(values: np.ndarray, label: Any) -> np.ndarray:
    import numpy as np

    return np.asarray(values.astype(object) == label, dtype=int)


def _kind(values: np.ndarray) -> str:
    if values.dtype.kind in "biuf":
        return "number"
    if values.dtype.kind in "US":
        return "string"
    kinds = {label_kind(v) for v in values.tolist()}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _distinct(*arrays: np.ndarray) -> list[Any]:
    seen: dict[Any, None] = {}
    for array in arrays:
        for value in array.tolist():
            seen.setdefault(value, None)
    try:
        return sorted(seen)
    except TypeError:
        return list(seen)


def _pos_label_fix(pos_label: Any, labels: list[Any]) -> str:
    """The next step for an unseen ``pos_label``: usually text labels read from a CSV."""
    same_text = [label for label in labels if str(label) == str(pos_label)]
    if same_text:
        return (
            f"The labels hold it as {type(same_text[0]).__name__}: pass "
            f"pos_label={same_text[0]!r}, or convert the labels (e.g. .astype(int)) so their "
            "type matches"
        )
    return "Pass pos_label= as one of the labels listed"


def group_frame(name: str, values: Any, n: int) -> pd.DataFrame:
    """Sensitive or control features as a DataFrame of group names (strings), one column
    per feature, each checked for missing, mixed-type and too many values."""
    import pandas as pd

    if isinstance(values, Mapping):
        columns = {str(k): _column(f"{name}[{k!r}]", v) for k, v in values.items()}
        if not columns:
            raise MlopsInputError(f"{name} has no columns")
        for key, column in columns.items():
            if len(column) != n:
                raise MlopsInputError(
                    f"inputs must have the same length; y_true has {n}, {name}[{key!r}] has "
                    f"{len(column)}"
                )
        frame = pd.DataFrame(columns)
    elif isinstance(values, (pd.Series, list, tuple)) or getattr(values, "ndim", 0) == 1:
        label = values.name if isinstance(values, pd.Series) and values.name is not None else name
        frame = pd.DataFrame({str(label): _column(name, values)})
    else:
        frame, _ = as_frame(name, values)
    if len(frame) != n:
        raise MlopsInputError(
            f"inputs must have the same length; y_true has {n}, {name} has {len(frame)}"
        )
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        raise MlopsInputError(f"{name} has duplicate column names: {list(frame.columns)!r}")
    return pd.DataFrame({c: _group_names(name, c, frame[c]) for c in frame.columns})


def _column(name: str, values: Any) -> pd.Series:
    """One feature as a Series that keeps its values' own types (so ``[1, "1"]`` is
    caught as mixed rather than merged into one group)."""
    import pandas as pd

    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    to_1d(name, values)  # the shape and type errors, naming the argument
    if isinstance(values, (list, tuple)):
        return pd.Series(list(values))
    return pd.Series(to_1d(name, values))


def _group_names(name: str, column: str, series: pd.Series) -> pd.Series:
    where = f"{name} column {column!r}"
    array = _to_labels(where, series, allow_missing=True)
    missing = int(nan_positions(array).sum())
    if missing == len(array):
        raise MlopsInputError(
            f"{where} is entirely missing ({missing} values): there are no groups to compare"
        )
    if missing:
        raise MlopsInputError(
            f"{where} has {missing} missing value(s); fill them with an explicit group such "
            "as 'unknown' so they are judged rather than dropped"
        )
    names = series.astype(str)
    if names.nunique() > MAX_GROUPS:
        raise MlopsInputError(
            f"{where} has {names.nunique()} distinct values; a sensitive feature holds groups "
            f"(at most {MAX_GROUPS}); bin a continuous column (e.g. age bands) first"
        )
    return names.reset_index(drop=True)
