"""Schemas learned from reference data (``infer_schema``) and checked lazily (``check_schema``).

A learned numeric range is the training range widened on each side by a margin scaled to
that side's tail (see :func:`tail_margin`): a new value exceeds the largest of ``n``
training values with probability about ``1/(n + 1)``, so the exact training range fails
an ordinary test split; the margin makes that rare while a unit error still fails.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._frames import (
    DEFAULT_MAX_CATEGORIES,
    as_frame,
    column_kind,
    require_hashable,
)
from pytest_mlops.checks._ranges import (
    DEFAULT_RANGE_MARGIN,
    date_bounds,
    numeric_bounds,
)
from pytest_mlops.checks._ranges import tail_margin as tail_margin  # documented from here
from pytest_mlops.checks._schema_model import SCHEMA_VERSION, ColumnSchema, Schema
from pytest_mlops.checks._schema_rules import validate, violation
from pytest_mlops.core.inputs import Constraint, Interval, validate_params
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import conclude
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops._fixture.base import MlopsBase
    from pytest_mlops.results import CheckResult

__all__ = ["SCHEMA_VERSION", "ColumnSchema", "Schema", "check_schema", "infer_schema"]

#: A nullable column may have this much more missing data than the reference had.
DEFAULT_NULL_TOLERANCE: Final = 0.05
#: Why a pandera schema cannot check an engine source.
PANDERA_ON_ENGINE: Final = (
    "check_schema: data is an engine source (a Parquet path, DuckDB, polars lazy, Dask or "
    "Spark) and a pandera schema validates a pandas frame in memory; check it against a "
    "pytest-mlops Schema (infer_schema learns one on the engine), or pass a pandas sample"
)
#: The options that shape a learned schema (the fixture passes them to infer_schema).
LEARNING_OPTIONS: Final = ("max_categories", "null_tolerance", "range_margin", "range_slack",
                           "row_slack")  # fmt: skip
_LEARNING_CONSTRAINTS: Final[dict[str, list[Constraint | None]]] = {
    "max_categories": [Interval(int, 1, None)],
    "null_tolerance": [Interval(float, 0, 1)],
    "range_margin": [Interval(float, 0, None)],
    "range_slack": [Interval(float, 0, None), None],
    "row_slack": [Interval(float, 0, 1), None],
}


def column_spec(
    name: str, kind: str, nulls: float, all_unique: bool, options: Mapping[str, Any]
) -> ColumnSchema:
    """A learned column without its range or categories, from its share of missing values
    and whether its ``n > 1`` values were all present and distinct (``all_unique``)."""
    if nulls == 1.0:
        raise MlopsInputError(
            f"reference column {name!r} is entirely missing: nothing can be learned from "
            "it; drop it or describe it by hand with ColumnSchema"
        )
    return ColumnSchema(
        name=name,
        kind=kind,
        nullable=nulls > 0,
        max_null_fraction=min(1.0, nulls + options["null_tolerance"]) if nulls > 0 else 0.0,
        observed_null_fraction=nulls,
        # Identifier-like columns only: distinct measurements (floats) are not a rule.
        unique=all_unique and kind in ("integer", "string", "categorical"),
    )


def _learn_column(name: str, series: pd.Series, options: Mapping[str, Any]) -> ColumnSchema:
    nulls = float(series.isna().mean())
    kind = column_kind(series, options["max_categories"]) if nulls < 1 else "mixed"
    all_unique = bool(len(series) > 1 and series.notna().all() and series.is_unique)
    spec = column_spec(name, kind, nulls, all_unique, options)
    margin, slack = options["range_margin"], options["range_slack"]
    if kind in ("integer", "float"):
        values = series.astype("float64").to_numpy(na_value=float("nan"))
        spec.min, spec.max = numeric_bounds(values, margin, slack)
    elif kind == "datetime":
        spec.min, spec.max = date_bounds(series, margin, slack)
    elif kind in ("categorical", "boolean"):
        spec.categories = sorted(str(v) for v in series.dropna().unique())
    return spec


def row_range(n: int, row_slack: float | None) -> tuple[int, int | None]:
    """The learned ``(min_rows, max_rows)``: ``n * (1 +/- row_slack)``, or 1 and up."""
    if row_slack is None:
        return 1, None
    return max(1, math.floor(n * (1 - row_slack))), math.ceil(n * (1 + row_slack))


@validate_params(_LEARNING_CONSTRAINTS)
def infer_schema(
    reference: Any,
    *,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    null_tolerance: float = DEFAULT_NULL_TOLERANCE,
    range_margin: float = DEFAULT_RANGE_MARGIN,
    range_slack: float | None = None,
    row_slack: float | None = None,
) -> Schema:
    """Learn a schema from reference data (the training set).

    Per column: its kind, whether it may be missing and how much (the observed fraction
    plus ``null_tolerance``; a column with no missing values must stay complete), its
    range, the allowed categories (when there are at most ``max_categories``; above that
    the column is free text) and whether its values were all unique. For the frame: the
    columns in order, and with ``row_slack`` a row-count range of ``n * (1 +/- row_slack)``
    (by default any number of rows from 1 up).

    The range of a numeric or datetime column is the training range widened on each side
    by ``range_margin`` (default 6) tail scales (:func:`tail_margin`), at most twice the
    training range itself; a side that held an infinity is left open. ``range_slack``
    instead widens both sides by that share of the training range (``0`` keeps the exact
    training range).

    ``reference`` may be an engine source (a Parquet path or glob, DuckDB, polars lazy,
    Dask, Spark): the schema is learned from aggregations and the bounded tails the range
    is fitted to, and equals the one learned from the same data in pandas.
    """
    options = {
        "max_categories": max_categories,
        "null_tolerance": null_tolerance,
        "range_margin": range_margin,
        "range_slack": range_slack,
    }
    from pytest_mlops.engines import is_engine_source, open_source

    if is_engine_source(reference):
        from pytest_mlops.checks._schema_engine import learn_on_engine

        columns, n = learn_on_engine(open_source("reference", reference), options)
    else:
        frame, _ = as_frame("reference", reference)
        require_hashable("reference", frame)
        columns = [_learn_column(str(name), frame[name], options) for name in frame.columns]
        n = len(frame)
    min_rows, max_rows = row_range(n, row_slack)
    return Schema(columns=columns, min_rows=min_rows, max_rows=max_rows)


_LEARNING_DEFAULTS: Final = {
    "max_categories": DEFAULT_MAX_CATEGORIES,
    "null_tolerance": DEFAULT_NULL_TOLERANCE,
    "range_margin": DEFAULT_RANGE_MARGIN,
    "range_slack": None,
    "row_slack": None,
}


def _as_schema(schema: Any) -> Schema:
    if isinstance(schema, Schema):
        return schema
    if isinstance(schema, (str, Path)):
        return Schema.load(schema)
    if isinstance(schema, Mapping):
        return Schema.from_dict(schema)
    raise MlopsInputError(
        f"check_schema: schema must be a Schema, a dict, a path to a schema JSON file, a "
        f"baseline name or a pandera DataFrameSchema; got {type(schema).__name__}"
    )


@validate_params(_LEARNING_CONSTRAINTS)
def check_schema(
    data: Any,
    schema: Schema | Mapping[str, Any] | str | Path | Any,
    *,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    null_tolerance: float = DEFAULT_NULL_TOLERANCE,
    range_margin: float = DEFAULT_RANGE_MARGIN,
    range_slack: float | None = None,
    row_slack: float | None = None,
) -> CheckResult:
    """Validate ``data`` against a :class:`Schema`, a schema dict or file, or a pandera schema.

    Every violation is reported (lazy validation): the column, the rule (``missing_column``,
    ``unexpected_column``, ``column_order``, ``row_count``, ``nulls``, ``kind``, ``min``,
    ``max``, ``categories``, ``unique``, or pandera's own check names), how many rows broke
    it and what share, and up to five example values with their row labels (on an engine
    source every rule is counted in one aggregation pass; its examples are values without
    row labels, as the report's notes say).

    The keyword options are :func:`infer_schema`'s: they shape a schema learned by the
    ``mlops`` fixture (``mlops.check_schema(df, "name", ...)`` with
    ``--mlops-update-baseline``); with a schema given, changing them is an error.
    """
    given = {
        "max_categories": max_categories,
        "null_tolerance": null_tolerance,
        "range_margin": range_margin,
        "range_slack": range_slack,
        "row_slack": row_slack,
    }
    changed = sorted(k for k, v in given.items() if v != _LEARNING_DEFAULTS[k])
    if changed:
        raise MlopsInputError(
            f"check_schema: {', '.join(changed)} shape a learned schema, so they apply only "
            "when mlops.check_schema names a baseline schema and --mlops-update-baseline "
            "learns it; pass them to infer_schema to learn one yourself"
        )
    from pytest_mlops.engines import is_engine_source, open_source

    if is_engine_source(data):
        from pytest_mlops.checks._schema_engine import validate_on_engine

        if _is_pandera(schema):
            raise MlopsInputError(PANDERA_ON_ENGINE)
        checked = _as_schema(schema)
        found, n, notes = validate_on_engine(open_source("data", data), checked)
        return _result(n, found, notes, len(checked.columns), "pytest-mlops")
    frame, notes = as_frame("data", data)
    if _is_pandera(schema):
        return _pandera(frame, schema, notes)
    checked = _as_schema(schema)
    return _result(
        len(frame), validate(frame, checked), notes, len(checked.columns), "pytest-mlops"
    )


def _result(
    n: int,
    violations: list[dict[str, Any]],
    notes: list[str],
    columns: int,
    source: str,
) -> CheckResult:
    listed = "; ".join(f"{v['column'] or 'frame'}: {v['message']}" for v in violations[:5])
    more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
    failures = [f"{len(violations)} schema violation(s): {listed}{more}"] if violations else []
    return conclude(
        name="schema",
        category="data",
        failures=failures,
        passed=f"{n} rows x {columns} columns match the schema",
        next_step="fix the data, or if the change is intended, update the schema "
        "(--mlops-update-baseline, or edit the schema file)",
        n=n,
        reason="violations_found",
        metrics={"violations": len(violations), "rows": n},
        details={
            "rows": n,
            "columns_checked": columns,
            "source": f"{source} schema" if source == "pytest-mlops" else source,
            "violations": violations,
            "notes": notes,
            "violating_cells": sum(v["rows"] for v in violations),
        },
    )  # fmt: skip


def _is_pandera(schema: Any) -> bool:
    return type(schema).__module__.startswith("pandera")


def _pandera(frame: pd.DataFrame, schema: Any, notes: list[str]) -> CheckResult:
    """Run a pandera schema lazily and map its failure cases into our violations."""
    import pandera.errors as pa_errors

    violations: list[dict[str, Any]] = []
    try:
        schema.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        for (column, check), group in exc.failure_cases.groupby(
            ["column", "check"], dropna=False, sort=True
        ):
            rows = int(group["index"].notna().sum()) or len(group)
            sample = [
                {
                    "row": None if r["index"] is None or r["index"] != r["index"] else r["index"],
                    "value": None if r["failure_case"] is None else str(r["failure_case"]),
                }
                for _, r in group.head(5).iterrows()
            ]
            name = None if column is None or column != column else str(column)
            message = f"pandera check {check} failed for {rows} row(s)"
            violations.append(violation(name, str(check), rows, len(frame), message, sample))
    columns = len(getattr(schema, "columns", {}))
    return _result(len(frame), violations, notes, columns, "pandera")


def _is_path(schema: Any) -> bool:
    return isinstance(schema, Path) or (
        isinstance(schema, str) and (schema.endswith(".json") or Path(schema).exists())
    )


def _prepare(mlops: MlopsBase, arguments: dict[str, Any]) -> dict[str, Any] | CheckResult:
    """A schema named by text that is not a file is the baseline's ``schemas/<name>``:
    learned from the data with ``--mlops-update-baseline`` (and proposed for the
    baseline), read from the baseline otherwise (missing: fail closed)."""
    schema = arguments["schema"]
    if not isinstance(schema, str) or _is_path(schema):
        return arguments
    learning = {k: arguments.pop(k) for k in LEARNING_OPTIONS if k in arguments}
    if mlops.update_baseline:
        learned = infer_schema(arguments["data"], **learning)
        mlops.propose_baseline("schemas", schema, learned.to_dict())
        result = check_schema(arguments["data"], learned)
        message = (
            f"schema {schema!r} learned from this data ({len(learned.columns)} columns); it "
            "is stored in the baseline when the gate passes"
        )
        return dataclasses.replace(result, message=message) if result.passed else result
    stored = mlops.baseline.get("schemas", schema)
    if stored is None:
        return conclude(
            name="schema",
            category="data",
            failures=[f"{mlops.baseline.how_to_create('schemas', schema)} (the schema is "
                      "learned from the data this test passes)"],
            passed="",
            reason="missing_baseline",
        )  # fmt: skip
    source = f"baseline file {mlops.baseline.path}, schema {schema!r}"
    return {**arguments, "schema": Schema.from_dict(stored, source=source)}


register(
    CheckSpec(
        name="schema",
        category="data",
        function=check_schema,
        data=("data",),
        prepare=_prepare,
        scorecard=("Data 1", "Monitor 2"),
    )
)
