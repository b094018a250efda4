"""Opening data on an engine as a :class:`~pytest_mlops.engines._source.Source`: a lazy
frame as it is, a path to Parquet/CSV files through DuckDB; the checks that the engine is
installed and that the column names are unique.
"""

from __future__ import annotations

import warnings
from typing import Any, Final

from pytest_mlops.engines._detect import engine_of, table_files
from pytest_mlops.engines._source import Source
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

_INSTALL: Final = {
    "narwhals": "pip install narwhals",
    "duckdb": "pip install duckdb",
}


def open_source(name: str, data: Any) -> Source:
    """A :class:`Source` over ``data``: a DuckDB relation, a polars LazyFrame, a Dask or
    PySpark DataFrame, an Ibis table, or a path to Parquet/CSV files (a file, a directory
    of Parquet files or a glob, read through DuckDB).

    Only the schema is read here. Raises :class:`MlopsTypeError` for other data and
    :class:`MlopsInputError` naming ``name`` for a path that matches nothing, a table
    without columns or with duplicate column names, or an engine that is not installed.
    """
    backend = engine_of(data)
    if backend is None:
        raise MlopsTypeError(
            f"{name} must be a DuckDB relation, a polars LazyFrame, a Dask or PySpark "
            "DataFrame, an Ibis table or a path to Parquet/CSV files to be read on an "
            f"engine; got {type(data).__name__}"
        )
    nw = _require(name, "narwhals")
    owner = None
    if backend == "files":
        file_format, files = table_files(name, data)
        duckdb = _require(name, "duckdb", f"{name} names {file_format} files, read through DuckDB")
        owner = duckdb.connect()
        # DuckDB folds isnan(x) to false from Parquet min/max statistics, which leave NaN
        # out, so a file of floats with NaN and no null would count no NaN (DuckDB 2.0.1)
        owner.execute("SET disabled_optimizers = 'statistics_propagation'")
        reader = owner.read_parquet if file_format == "parquet" else owner.read_csv
        try:
            data = reader(files if len(files) > 1 else files[0])
        except duckdb.Error as exc:
            raise MlopsInputError(
                f"{name} ({files[0]}) could not be read as {file_format}: "
                f"{str(exc).splitlines()[0]}"
            ) from exc
        backend = "duckdb"
    _reject_duplicates(name, _native_columns(backend, data))
    with warnings.catch_warnings():
        # narwhals 2.29 announces that Dask support moves to narwhals-dask (not yet released)
        warnings.filterwarnings("ignore", message="Dask support is moving", category=FutureWarning)
        frame = nw.from_native(data)
    if not isinstance(frame, nw.LazyFrame):  # pragma: no cover - engine_of admits lazy frames only
        frame = frame.lazy()
    source = Source(name, backend, frame, owner)
    if not source.columns:
        raise MlopsInputError(f"{name} has no columns")
    return source


def _require(name: str, package: str, why: str | None = None) -> Any:
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError:
        reason = why or f"{name} is read on an engine through {package}"
        raise MlopsInputError(
            f"{reason}, which is not installed: {_INSTALL[package]} "
            "(or pip install 'pytest-mlops[engines]')"
        ) from None


def _native_columns(backend: str, data: Any) -> list[str]:
    """Column names as the engine holds them (narwhals would reject duplicates itself)."""
    if backend == "polars":
        return list(data.collect_schema().names())
    if backend == "ibis":
        return list(data.columns)
    return [str(c) for c in data.columns]


def _reject_duplicates(name: str, columns: list[str]) -> None:
    seen: set[str] = set()
    duplicated = sorted({c for c in columns if c in seen or seen.add(c)})  # type: ignore[func-returns-value]
    if duplicated:
        raise MlopsInputError(
            f"{name} has duplicate column names: {duplicated}; "
            "rename them so each column can be checked on its own"
        )
