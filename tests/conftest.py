"""Shared helpers: run the plugin through pytester and read what it wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_mlops.report import SCHEMA_PATH

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
