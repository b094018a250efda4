"""``check_drift`` where a side lives on an engine (a Parquet path, DuckDB, polars lazy,
Dask, Spark): both sides become counts on the reference's grid, computed where the data
is, so memory is bounded by the profile, not by the rows.

The reference is a stored profile, an engine source (profiled on its engine) or data in
memory (profiled in memory); the current side is an engine source or data in memory.
The per-column rows are the profile comparison's (:mod:`._drift_profile`), so every
verdict rule is the same as for in-memory data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks import _drift_columns as dc
from pytest_mlops.checks import _drift_grid as grid
from pytest_mlops.checks import _drift_profile as dp
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops.engines import Source


@dataclass
class Compared:
    """The per-column rows of a drift check and what its details say about the sides."""

    rows: list[dict[str, Any]]
    n_reference: int
    n_current: int
    reference_columns: list[str]
    current_columns: list[str]
    #: the backend of each side on an engine
    engines: dict[str, str] = field(default_factory=dict)
    #: both sides in memory (for the domain classifier), else None
    frames: tuple[pd.DataFrame, pd.DataFrame] | None = None


@dataclass(frozen=True)
class Request:
    """What ``check_drift`` asks of a comparison, on an engine or in memory."""

    #: the columns listed (None: every column on both sides; datetimes then left out)
    columns: Sequence[Any] | None
    #: columns to treat as categorical although numeric
    categorical: set[str]
    method: str | Mapping[Any, str]
    min_samples: int


def uses_engine(reference: Any, current: Any) -> bool:
    from pytest_mlops.engines import is_engine_source

    return is_engine_source(reference) or is_engine_source(current)


def _open(name: str, data: Any) -> Source | None:
    from pytest_mlops.engines import is_engine_source, open_source

    return open_source(name, data) if is_engine_source(data) else None


def chosen(
    available: Sequence[str], current: Sequence[str], columns: Sequence[Any] | None
) -> list[str]:
    if columns is None:
        return [c for c in available if c in set(current)]
    for column in map(str, columns):
        for name, names in (("reference", available), ("current", current)):
            if column not in names:
                raise MlopsInputError(
                    f"column {column!r} is not in {name}; it has {list(names)[:20]}"
                )
    return [str(c) for c in columns]


def open_reference(data: Any) -> Source:
    from pytest_mlops.engines import open_source

    return open_source("reference", data)


def reference_profile(
    reference: Any,
    source: Source | None,
    wanted: Sequence[str],
    cats: set[str],
    frame: pd.DataFrame | None,
) -> dict[str, Any]:
    """The reference as a profile: given, profiled on its engine (``source``, opened from
    it), or profiled in memory."""
    if dp.is_profile(reference):
        return dict(reference)
    if source is not None:
        return grid.source_profile(source, wanted, cats)
    assert frame is not None
    return dp.build_profile(frame, wanted, cats, dc.BINS, 200)


def compare(reference: Any, current: Any, request: Request) -> Compared:
    """Rows of a drift check with at least one side on an engine (a side in memory is
    validated as in memory, by :func:`._drift_memory.frame`)."""
    ref_source = None if dp.is_profile(reference) else _open("reference", reference)
    cur_source = _open("current", current)
    ref_frame, ref_columns = _reference_columns(reference, ref_source)
    cur_frame, cur_columns = _side_columns("current", current, cur_source)
    wanted = chosen(ref_columns, cur_columns, request.columns)
    if not wanted:
        raise MlopsInputError("reference and current share no column to compare")
    kinds = _kinds(ref_source, ref_frame, reference, wanted, request.categorical)
    # a datetime column is compared when listed, as seconds since the epoch (in memory too)
    dated = [c for c in wanted if kinds[c] == "datetime"] if request.columns is not None else []
    ref_source = _in_seconds(ref_source, dated)
    cur_source = _in_seconds(cur_source, dated)
    compared = [c for c in wanted if kinds[c] != "datetime" or c in dated]
    profile = (
        reference_profile(reference, ref_source, compared, request.categorical, ref_frame)
        if compared
        else {}
    )
    entries = {c: profile["columns"][c] for c in compared}
    counts, n_current = _current_counts(cur_source, cur_frame, entries)
    rows = [_row(column, kinds[column], entries, counts, request, dated) for column in wanted]
    n_reference = (
        int(profile.get("n", 0))
        if profile
        else (ref_source.count() if ref_source else len(ref_frame) if ref_frame is not None else 0)
    )
    engines = {
        side: source.backend
        for side, source in (("reference", ref_source), ("current", cur_source))
        if source is not None
    }
    return Compared(rows, n_reference, n_current, ref_columns, cur_columns, engines)


def _reference_columns(
    reference: Any, source: Source | None
) -> tuple[pd.DataFrame | None, list[str]]:
    """The reference's frame when it is in memory (else None) and its column names."""
    if dp.is_profile(reference):
        dp.validate_profile(reference)
        return None, list(reference["columns"])
    return _side_columns("reference", reference, source)


def _side_columns(
    name: str, data: Any, source: Source | None
) -> tuple[pd.DataFrame | None, list[str]]:
    """A side's frame when it is in memory (else None) and its column names."""
    from pytest_mlops.checks._drift_memory import frame

    if source is not None:
        return None, list(source.columns)
    data_frame = frame(name, data)
    return data_frame, [str(c) for c in data_frame.columns]


def _current_counts(
    source: Source | None, frame: pd.DataFrame | None, entries: Mapping[str, Mapping[str, Any]]
) -> tuple[Mapping[str, grid.Counts], int]:
    """The current side counted on each profiled column's edges, and its number of rows."""
    if source is not None:
        counts = grid.current_from_source(source, entries) if entries else {}
        return counts, source.count()
    assert frame is not None
    return {c: grid.current_from_series(e, frame[c]) for c, e in entries.items()}, len(frame)


def _row(
    column: str,
    kind: str,
    entries: Mapping[str, Mapping[str, Any]],
    counts: Mapping[str, grid.Counts],
    request: Request,
    dated: Sequence[str],
) -> dict[str, Any]:
    """One column's row: compared on the grid, or a datetime column not listed (so not
    judged, as in memory)."""
    if kind == "datetime" and column not in dated:
        why = "datetime columns are only compared when listed in columns="
        return dc.not_judged(_empty_row(column), why)
    row = dp.profile_row(
        column, entries[column], counts[column], request.method, request.min_samples
    )
    if kind == "datetime":
        row["kind"] = "datetime"
    return row


def _in_seconds(source: Source | None, dated: Sequence[str]) -> Source | None:
    """``source`` with its datetime columns among ``dated`` in epoch seconds."""
    if source is None or not dated:
        return source
    mine = [c for c in dated if source.kinds().get(c) == "datetime"]
    return source.with_epoch_seconds(mine) if mine else source


def _kinds(
    source: Source | None,
    frame: pd.DataFrame | None,
    reference: Any,
    wanted: Sequence[str],
    cats: set[str],
) -> dict[str, str]:
    if source is not None:
        return {c: grid.kind_on_engine(source, c, cats) for c in wanted}
    if frame is not None:
        return {c: dc.kind_of(frame[c], cats, c) for c in wanted}
    return {c: reference["columns"][c]["kind"] for c in wanted}


def _empty_row(column: str) -> dict[str, Any]:
    return dc.base_row(column, "datetime", 0, 0, 0, 0)
