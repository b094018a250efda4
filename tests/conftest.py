"""Shared helpers: run the plugin through pytester and read what it wrote."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pytest_mlops.report import SCHEMA_PATH

# One thread per native library: under `pytest -n 2` each worker's OpenMP and BLAS pools
# would otherwise start a thread per core and spin against the other worker's (a
# 2-second HistGradientBoosting fit took 20 s that way). Set before NumPy loads them;
# xdist workers and pytester subprocesses inherit it.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# pytester's in-process runs forget modules first imported inside them, and NumPy's C
# extension cannot be loaded twice in one process: import the heavy stack up front.
for _module in (
    "numpy",
    "pandas",
    "scipy.stats",
    "sklearn.metrics",
    "sklearn.linear_model",
    "sklearn.model_selection",
    "sklearn.preprocessing",
    "sklearn.pipeline",
    "matplotlib.figure",
    "jinja2",
    "fairlearn.metrics",
):
    __import__(_module)


def read_report(path: Path, *, validate: bool = True) -> dict[str, Any]:
    """Load ``path/report.json`` and validate it against the shipped JSON Schema."""
    target = path / "report.json"
    payload: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    if validate:
        import jsonschema

        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        jsonschema.validate(payload, schema)
    return payload


@pytest.fixture
def report_of(pytester: pytest.Pytester):
    """``report_of()`` reads and schema-validates the report of the last pytester run."""

    def read(folder: str = "mlops-report") -> dict[str, Any]:
        return read_report(pytester.path / folder)

    return read


@pytest.fixture(scope="session")
def spark():
    """One PySpark session in local mode per test process (starting one costs ~10 s)."""
    import shutil

    if shutil.which("java") is None:
        pytest.skip("PySpark needs a Java runtime, and none is installed here")
    sql = pytest.importorskip("pyspark.sql")
    session = (
        sql.SparkSession.builder.master("local[1]")
        .appName("pytest-mlops")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dask_client():
    """A Dask ``distributed`` client on an in-process LocalCluster (one worker thread)."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
