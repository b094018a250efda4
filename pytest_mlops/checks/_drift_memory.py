"""``check_drift`` with both sides in memory: the reference is a DataFrame (or a stored
profile), the current side a DataFrame; one row per column, from the raw reference data
(:mod:`._drift_columns`) or from the profile (:mod:`._drift_profile`).

:func:`frame` is the validation every in-memory side goes through, here and in
:mod:`._drift_engine` for a side held in memory next to one on an engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks import _drift_columns as dc
from pytest_mlops.checks import _drift_profile as dp
from pytest_mlops.checks._drift_engine import Compared, Request
from pytest_mlops.core.inputs import as_frame
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import pandas as pd


def frame(name: str, data: Any) -> pd.DataFrame:
    """``data`` as a DataFrame (an unnamed Series becomes column ``value``), its object
    columns checked to hold hashable values."""
    import numpy as np
    import pandas as pd

    from pytest_mlops.checks._frames import require_hashable

    if isinstance(data, pd.Series) and data.name is None:
        data = data.to_frame(name="value")
    out, _ = as_frame(name, data)
    # only NumPy object columns can hold lists or dicts: category and string columns hash
    plain = [i for i, dtype in enumerate(out.dtypes) if dtype == np.dtype(object)]
    if plain:
        require_hashable(name, out.iloc[:, plain])
    return out


def columns_of(reference: Any, current: pd.DataFrame, columns: Sequence[Any] | None) -> list[str]:
    """The columns to compare: ``columns``, else every column present on both sides."""
    available = list(reference["columns"]) if dp.is_profile(reference) else list(reference)
    if columns is None:
        return [c for c in available if c in current.columns]
    for column in map(str, columns):
        for name, names in (("reference", available), ("current", list(current.columns))):
            if column not in names:
                raise MlopsInputError(f"column {column!r} is not in {name}; it has {names[:20]}")
    return [str(c) for c in columns]


def compare(reference: Any, current: Any, request: Request) -> Compared:
    """The rows of a drift check on data in memory (the reference may be a profile)."""
    from_profile = dp.is_profile(reference)
    if from_profile:
        dp.validate_profile(reference)
        ref: Any = reference
    else:
        ref = frame("reference", reference)
    cur = frame("current", current)
    wanted = columns_of(ref, cur, request.columns)
    if not wanted:
        raise MlopsInputError("reference and current share no column to compare")
    rows = _rows(ref, cur, wanted, request)
    return Compared(
        rows,
        n_reference=int(ref["n"]) if from_profile else len(ref),
        n_current=len(cur),
        reference_columns=list(ref["columns"]) if from_profile else list(map(str, ref.columns)),
        current_columns=list(map(str, cur.columns)),
        frames=None if from_profile else (ref, cur),
    )


def _rows(
    reference: Any, cur: pd.DataFrame, wanted: list[str], request: Request
) -> list[dict[str, Any]]:
    """One row per wanted column, from the raw reference frame or a validated profile."""
    rows = []
    from_profile = dp.is_profile(reference)
    method, min_samples = request.method, request.min_samples
    for column in wanted:
        if from_profile:
            entry = reference["columns"][column]
            kind = entry["kind"]
        else:
            kind = dc.kind_of(reference[column], request.categorical, column)
        if kind == "datetime" and request.columns is None:
            why = "datetime columns are only compared when listed in columns="
            ref = cur[column][:0] if from_profile else reference[column]
            rows.append(dc.skip(column, kind, ref, cur[column], why))
        elif from_profile:
            rows.append(dp.profile_row(column, entry, cur[column], method, min_samples))
        else:
            rows.append(
                dc.column_row(column, kind, reference[column], cur[column], method, min_samples)
            )
    return rows
