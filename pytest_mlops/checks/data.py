"""Data integrity (``check_data``) and train/test checks (``check_train_test``).

Each finding is a detector in a small registry (:mod:`pytest_mlops.checks._findings`) with
its threshold option, its default and where the default comes from (see the README).
A finding beyond its threshold fails the check when it is on the ``fail_on`` list and is
reported as a warning otherwise; one within its threshold is still reported, at level
``info``, with its count and examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _column_findings, _row_findings  # noqa: F401 (they register)
from pytest_mlops.checks._findings import (
    SHARE,
    Survey,
    Table,
    detectors,
    levelled,
    outcome,
    require_label,
)
from pytest_mlops.checks._frames import (
    DEFAULT_MAX_CATEGORIES,
    as_frame,
    column_kind,
    require_hashable,
)
from pytest_mlops.checks._schema import ColumnSchema, Schema, check_schema, infer_schema
from pytest_mlops.checks._train_test import check_train_test
from pytest_mlops.core.inputs import (
    InstanceOf,
    Interval,
    Options,
    SequenceOf,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops.results import CheckResult

INTEGRITY_FINDINGS: Final = tuple(d.name for d in detectors())
#: The findings whose peer default fails (Deepchecks' FAIL conditions); the rest warn.
DEFAULT_FAIL_ON: Final = tuple(d.name for d in detectors() if d.level == "fail")
_DEFAULTS: Final[dict[str, float]] = {
    d.option: float(d.default) for d in detectors() if d.option and d.default is not None
}

__all__ = [
    "ColumnSchema",
    "Schema",
    "check_data",
    "check_schema",
    "check_train_test",
    "infer_schema",
]


@validate_params(
    {
        "label": [InstanceOf(str), None],
        "max_null_fraction": [SHARE],
        "max_duplicate_fraction": [SHARE],
        "almost_constant_share": [Interval(float, 0, 1, closed="right")],
        "outlier_iqr": [Interval(float, 0, None, closed="neither")],
        "min_class_ratio": [SHARE],
        "max_conflicting_fraction": [SHARE],
        "max_single_feature_score": [SHARE],
        "max_categories": [Interval(int, 1, None)],
        "fail_on": [SequenceOf(Options(*INTEGRITY_FINDINGS))],
        "random_state": [Interval(int, 0, 2**32 - 1)],
    }
)
def check_data(
    data: Any,
    label: str | None = None,
    *,
    max_null_fraction: float = _DEFAULTS["max_null_fraction"],
    max_duplicate_fraction: float = _DEFAULTS["max_duplicate_fraction"],
    almost_constant_share: float = _DEFAULTS["almost_constant_share"],
    outlier_iqr: float = _DEFAULTS["outlier_iqr"],
    min_class_ratio: float = _DEFAULTS["min_class_ratio"],
    max_conflicting_fraction: float = _DEFAULTS["max_conflicting_fraction"],
    max_single_feature_score: float = _DEFAULTS["max_single_feature_score"],
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    fail_on: Sequence[str] = DEFAULT_FAIL_ON,
    random_state: int = 0,
) -> CheckResult:
    """Integrity checks on one frame (a training or test set).

    Findings (the README lists each default and its source): ``all_null`` (a column with
    no value), ``nulls`` (more than ``max_null_fraction`` missing in a column, or any
    missing label), ``constant`` (one distinct value), ``almost_constant`` (one value in
    at least ``almost_constant_share`` of rows), ``mixed_types`` (numbers and text in one
    column), ``case_variants`` (text differing only by case or white space), ``outliers``
    (beyond ``outlier_iqr`` interquartile ranges of the quartiles), ``duplicates`` (more
    than ``max_duplicate_fraction`` of rows repeated), ``class_imbalance`` (the rarest
    class under ``min_class_ratio`` of the most common), ``conflicting_labels`` (identical
    features, different labels, in more than ``max_conflicting_fraction`` of rows) and
    ``leakage`` (one feature alone predicts the label with a score above
    ``max_single_feature_score``).

    ``data`` may be an engine source (a Parquet path or glob, DuckDB, polars lazy, Dask,
    Spark): the aggregation findings are computed on the engine, ``conflicting_labels``
    and ``leakage`` on one seeded sample of at most 50,000 rows, and
    ``details["on_sample"]``/``details["notes"]`` say which ran where.

    Returns
    -------
    CheckResult
        ``fail`` when a finding on ``fail_on`` (default: nulls, all_null, constant,
        conflicting_labels, leakage) is beyond its threshold. Every finding is in
        ``details["findings"]`` with its ``level``: ``fail``, ``warn`` (beyond its
        threshold, not on ``fail_on``) or ``info`` (within its threshold: 20 duplicate
        rows in 589 are reported, not failed).

    Examples
    --------
    >>> import pandas as pd
    >>> check_data(pd.DataFrame({"x": [1, 2, 2], "y": [0, 1, 1]}), label="y").status
    'pass'
    """
    options = {
        "max_null_fraction": max_null_fraction,
        "max_duplicate_fraction": max_duplicate_fraction,
        "almost_constant_share": almost_constant_share,
        "outlier_iqr": outlier_iqr,
        "min_class_ratio": min_class_ratio,
        "max_conflicting_fraction": max_conflicting_fraction,
        "max_single_feature_score": max_single_feature_score,
    }
    survey = _survey(data, label, options, random_state, max_categories)
    found = levelled(survey.found, fail_on)
    return outcome(
        "data_integrity",
        found,
        clean=f"{survey.n} rows x {survey.width} columns pass the integrity checks",
        next_step="fix the data pipeline, or drop the column if it should not be there",
        metrics={"rows": survey.n},
        details={
            "rows": survey.n,
            "columns": survey.columns,
            "findings": found,
            "fail_on": list(fail_on),
            "notes": survey.notes,
            "label": label,
            **survey.details,
        },
        thresholds={**options, "fail_on": list(fail_on)},
    )


def _survey(
    data: Any, label: str | None, options: dict[str, Any], random_state: int, max_categories: int
) -> Survey:
    """The findings on an engine source (aggregations pushed down) or an in-memory frame."""
    from pytest_mlops.engines import is_engine_source, open_source

    if is_engine_source(data):
        from pytest_mlops.checks._findings_engine import survey_source

        source = open_source("data", data)
        return survey_source(source, label, options, random_state, max_categories)
    return _survey_frame(data, label, options, random_state, max_categories)


def _survey_frame(
    data: Any, label: str | None, options: dict[str, Any], random_state: int, max_categories: int
) -> Survey:
    """Every detector on data that fits in memory, as a pandas frame."""
    frame, notes = as_frame("data", data)
    require_label(label, [str(c) for c in frame.columns])
    require_hashable("data", frame)
    kinds = {
        str(c): column_kind(frame[c], max_categories) if frame[c].notna().any() else "empty"
        for c in frame.columns
    }
    table = Table(frame, label, options, random_state, kinds)
    found = [f for d in detectors() for f in d.find(table)]
    columns = _column_rows(frame, kinds, table.column_notes)
    return Survey(len(frame), frame.shape[1], found, columns, notes)


def _column_rows(
    frame: pd.DataFrame, kinds: dict[str, str], notes: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per column for the report: kind, missing values, distinct values."""
    n = len(frame)
    rows = []
    for column in map(str, frame.columns):
        nulls = int(frame[column].isna().sum())
        rows.append(
            {
                "column": column,
                "kind": kinds[column],
                "nulls": nulls,
                "null_fraction": nulls / n,
                "distinct": int(frame[column].nunique(dropna=True)),
                **notes.get(column, {}),
            }
        )
    return rows


register(
    CheckSpec(
        name="data_integrity",
        category="data",
        function=check_data,
        data=("data",),
        seeded=True,
        scorecard=(),
    )
)
