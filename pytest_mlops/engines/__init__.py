"""The backend-neutral data layer: checks aggregate on the engine that holds the data.

A DuckDB relation, a polars LazyFrame, a Dask or PySpark DataFrame, an Ibis table, or a
path to Parquet/CSV files (read through DuckDB) is opened as a :class:`Source`; its
methods push aggregations down through narwhals and collect only their result. pandas,
NumPy, eager polars and pyarrow data keep the pandas path (:func:`is_engine_source` is
False for them).

Importing this package imports no engine, narwhals or NumPy.
"""

from __future__ import annotations

from pytest_mlops.engines._detect import is_engine_source
from pytest_mlops.engines._open import open_source
from pytest_mlops.engines._results import ColumnSummary
from pytest_mlops.engines._source import Source

__all__ = ["ColumnSummary", "Source", "is_engine_source", "open_source"]
