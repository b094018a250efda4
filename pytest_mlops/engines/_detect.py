"""Which inputs go through an engine, and which files a path names.

Nothing here imports an engine: a type is recognised by the module it comes from, and only
then is that (already loaded) module imported to confirm it. Importing pytest_mlops stays
as cheap as before.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any, Final

from pytest_mlops.errors import MlopsInputError

#: File types opened through DuckDB, the default engine for files.
FILE_FORMATS: Final = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}
_GLOB_CHARACTERS: Final = frozenset("*?[")

#: (top-level module, class name) of the lazy frames that go through an engine.
_ENGINE_TYPES: Final = {
    ("duckdb", "DuckDBPyRelation"): "duckdb",
    ("polars", "LazyFrame"): "polars",
    ("dask", "DataFrame"): "dask",
    ("pyspark", "DataFrame"): "pyspark",
    ("ibis", "Table"): "ibis",
}


def engine_of(data: Any) -> str | None:
    """The backend of a lazy frame (``"duckdb"``, ``"polars"``...), ``"files"`` for a path,
    or ``None`` for data that keeps the pandas path (pandas, NumPy, eager polars, pyarrow)."""
    if isinstance(data, (str, os.PathLike)):
        return "files" if _looks_like_table_files(os.fspath(data)) else None
    for klass in type(data).__mro__:
        module = klass.__module__.split(".")[0]
        backend = _ENGINE_TYPES.get((module, klass.__name__))
        if backend is not None and _confirmed(backend, data):
            return backend
    return None


def is_engine_source(data: Any) -> bool:
    """Whether ``data`` is read through an engine rather than converted to pandas.

    True for a DuckDB relation, a polars LazyFrame, a Dask DataFrame, a PySpark DataFrame,
    an Ibis table, and a path (``str`` or ``os.PathLike``) naming a ``.parquet``/``.csv``
    file, a directory of Parquet files or a glob. False for pandas, NumPy, eager polars and
    pyarrow data, which keep the pandas path.
    """
    return engine_of(data) is not None


def _confirmed(backend: str, data: Any) -> bool:
    """``isinstance`` against the real class; its module is loaded, since ``data`` exists."""
    if backend == "duckdb":
        import duckdb

        return isinstance(data, duckdb.DuckDBPyRelation)
    if backend == "polars":
        import polars as pl

        return isinstance(data, pl.LazyFrame)
    if backend == "dask":
        import dask.dataframe as dd

        return isinstance(data, dd.DataFrame)
    if backend == "pyspark":
        from pyspark.sql import DataFrame

        return isinstance(data, DataFrame)
    import ibis.expr.types as ir

    return isinstance(data, ir.Table)


def _looks_like_table_files(text: str) -> bool:
    path = Path(text)
    return (
        path.suffix.lower() in FILE_FORMATS or bool(_GLOB_CHARACTERS & set(text)) or path.is_dir()
    )


def table_files(name: str, data: str | os.PathLike[str]) -> tuple[str, list[str]]:
    """The format (``"parquet"`` or ``"csv"``) and the files a path, directory or glob names.

    Raises :class:`MlopsInputError` naming ``name`` when nothing matches or the files mix
    formats.
    """
    text = os.fspath(data)
    path = Path(text)
    if _GLOB_CHARACTERS & set(text):
        files = sorted(p for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not files:
            raise MlopsInputError(f"{name} is the glob {text!r}, which matches no file")
    elif path.is_dir():
        files = sorted(str(p) for p in path.rglob("*.parquet") if p.is_file())
        if not files:
            raise MlopsInputError(f"{name} is the directory {text!r}, which holds no .parquet file")
    elif path.is_file():
        files = [text]
    else:
        raise MlopsInputError(f"{name} names {text!r}, which does not exist")
    formats = {FILE_FORMATS.get(Path(f).suffix.lower()) for f in files}
    if None in formats:
        odd = [f for f in files if Path(f).suffix.lower() not in FILE_FORMATS][:5]
        raise MlopsInputError(
            f"{name} names files that are neither Parquet nor CSV: {odd}; "
            "point it at .parquet or .csv files"
        )
    if len(formats) > 1:
        raise MlopsInputError(
            f"{name} names both Parquet and CSV files ({text!r}); read one format at a time"
        )
    return str(formats.pop()), files
