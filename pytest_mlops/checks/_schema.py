"""Schemas learned from reference data, saved as reviewable JSON, and validated lazily."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops._io import write_atomic
from pytest_mlops.checks._frames import (
    DEFAULT_MAX_CATEGORIES,
    KINDS,
    as_frame,
    column_kind,
    examples,
)
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION: Final = 1
#: A nullable column may have this much more missing data than the reference had.
DEFAULT_NULL_TOLERANCE: Final = 0.05
#: Numeric and datetime ranges widen by this share of the observed range on each side.
DEFAULT_RANGE_SLACK: Final = 0.1
#: Which kinds a column learned as one kind may hold later.
_COMPATIBLE: Final = {
    "integer": {"integer", "boolean"},
    "float": {"float", "integer", "boolean"},
    "boolean": {"boolean"},
    "categorical": {"categorical", "string", "boolean", "integer"},
    "string": {"string", "categorical"},
    "datetime": {"datetime"},
    "mixed": set(KINDS),
}


@dataclasses.dataclass
class ColumnSchema:
    """What one column may hold. Every field can be edited by hand in the JSON file."""

    name: str
    kind: str
    nullable: bool = True
    max_null_fraction: float = 1.0
    min: float | str | None = None
    max: float | str | None = None
    categories: list[str] | None = None
    unique: bool = False
    observed_null_fraction: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise MlopsInputError(
                f"column {self.name!r}: kind must be one of {', '.join(KINDS)}; got {self.kind!r}"
            )
        if not 0 <= self.max_null_fraction <= 1:
            raise MlopsInputError(
                f"column {self.name!r}: max_null_fraction must be between 0 and 1"
            )

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclasses.dataclass
class Schema:
    """The columns (in order) and a row-count range; see :func:`infer_schema`."""

    columns: list[ColumnSchema]
    ordered: bool = True
    strict: bool = True
    min_rows: int = 1
    max_rows: int | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise MlopsInputError(f"schema has duplicate columns: {names}")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise MlopsInputError(f"schema has no column {name!r}; it has {self.names}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "ordered": self.ordered,
            "strict": self.strict,
            "min_rows": self.min_rows,
            "max_rows": self.max_rows,
            "columns": [c.to_dict() for c in self.columns],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schema:
        if data.get("schema_version") != SCHEMA_VERSION:
            raise MlopsInputError(
                f"schema_version must be {SCHEMA_VERSION}; got {data.get('schema_version')!r}"
            )
        known = {f.name for f in dataclasses.fields(ColumnSchema)}
        columns = []
        for entry in data.get("columns", []):
            unknown = set(entry) - known
            if unknown:
                raise MlopsInputError(
                    f"schema column {entry.get('name')!r} has unknown keys {sorted(unknown)}; "
                    f"valid keys: {sorted(known)}"
                )
            columns.append(ColumnSchema(**entry))
        return cls(
            columns=columns,
            ordered=bool(data.get("ordered", True)),
            strict=bool(data.get("strict", True)),
            min_rows=int(data.get("min_rows", 1)),
            max_rows=data.get("max_rows"),
        )

    def to_json(self) -> str:
        """Readable JSON: fixed key order, one column per block."""
        head = {k: v for k, v in self.to_dict().items() if k != "columns"}
        lines = ["{"]
        for key, value in head.items():
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
        lines.append('  "columns": [')
        blocks = [json.dumps(c.to_dict(), indent=4, allow_nan=False) for c in self.columns]
        lines.append(",\n".join("    " + b.replace("\n", "\n    ") for b in blocks))
        lines.append("  ]")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def save(self, path: str | Path) -> Path:
        return write_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: str | Path) -> Schema:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise MlopsInputError(f"schema file {path} cannot be read: {exc}") from exc
        return cls.from_dict(data)


def _bound(value: Any) -> float | str | None:
    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return float(value)


def infer_schema(
    reference: Any,
    *,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    null_tolerance: float = DEFAULT_NULL_TOLERANCE,
    range_slack: float = DEFAULT_RANGE_SLACK,
    row_slack: float | None = None,
) -> Schema:
    """Learn a schema from reference data (the training set).

    Per column: its kind, whether it may be missing and how much (the observed fraction
    plus ``null_tolerance``; a column with no missing values must stay complete), its
    range widened by ``range_slack`` times the observed range on each side, the allowed
    categories (when there are at most ``max_categories``; above that the column is free
    text) and whether its values were all unique. For the frame: the columns in order,
    and with ``row_slack`` a row-count range of ``n * (1 +/- row_slack)`` (by default any
    number of rows from 1 up).
    """
    frame, _ = as_frame("reference", reference)
    n = len(frame)
    columns = []
    for name in frame.columns:
        series = frame[name]
        nulls = float(series.isna().mean())
        if nulls == 1.0:
            raise MlopsInputError(
                f"reference column {name!r} is entirely missing: nothing can be learned from "
                "it; drop it or describe it by hand with ColumnSchema"
            )
        kind = column_kind(series, max_categories)
        spec = ColumnSchema(
            name=str(name),
            kind=kind,
            nullable=nulls > 0,
            max_null_fraction=min(1.0, nulls + null_tolerance) if nulls > 0 else 0.0,
            observed_null_fraction=nulls,
            # Identifier-like columns only: distinct measurements (floats) are not a rule.
            unique=bool(
                kind in ("integer", "string", "categorical")
                and n > 1
                and series.notna().all()
                and series.is_unique
            ),
        )
        if kind in ("integer", "float"):
            values = series.astype("float64")
            low, high = float(values.min()), float(values.max())
            pad = (high - low) * range_slack
            spec.min, spec.max = low - pad, high + pad
        elif kind == "datetime":
            low_t, high_t = series.min(), series.max()
            pad_t = (high_t - low_t) * range_slack
            spec.min, spec.max = _bound(low_t - pad_t), _bound(high_t + pad_t)
        elif kind in ("categorical", "boolean"):
            spec.categories = sorted(str(v) for v in series.dropna().unique())
        columns.append(spec)
    min_rows, max_rows = 1, None
    if row_slack is not None:
        min_rows = max(1, math.floor(n * (1 - row_slack)))
        max_rows = math.ceil(n * (1 + row_slack))
    return Schema(columns=columns, min_rows=min_rows, max_rows=max_rows)


def _violation(
    column: str | None, rule: str, count: int, n: int, message: str, sample: Sequence[Any] = ()
) -> dict[str, Any]:
    return {
        "column": column,
        "rule": rule,
        "rows": int(count),
        "fraction": count / n if n else 0.0,
        "message": message,
        "examples": list(sample),
    }


def _certainly_clean(series: pd.Series, spec: ColumnSchema) -> bool:
    """A cheap proof that a column breaks no rule (the common case), or False to look closer.

    A NumPy numeric column whose minimum and maximum are within the bounds (a NaN makes
    them NaN) and a categorical column whose categories are all allowed and hold no
    missing value need no per-row masks.
    """
    import numpy as np
    import pandas as pd

    if spec.unique:
        return False
    dtype = series.dtype
    if spec.kind in ("integer", "float") and isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        if spec.kind == "integer" and dtype.kind == "f":
            return False
        values = series.to_numpy(copy=False)
        low, high = values.min(), values.max()
        if np.isnan(low) or np.isnan(high):
            return False
        return not (
            (spec.min is not None and low < float(spec.min))
            or (spec.max is not None and high > float(spec.max))
        )
    if spec.categories is not None and isinstance(dtype, pd.CategoricalDtype):
        if series.cat.codes.to_numpy().min() < 0:
            return False
        return bool(pd.Index(series.cat.categories.astype(str)).isin(spec.categories).all())
    return False


def validate(frame: pd.DataFrame, schema: Schema) -> list[dict[str, Any]]:
    """Every violation of ``schema`` in ``frame`` (lazy: nothing stops at the first)."""
    import numpy as np
    import pandas as pd

    n = len(frame)
    found: list[dict[str, Any]] = []
    present = [str(c) for c in frame.columns]
    missing = [c for c in schema.names if c not in present]
    for name in missing:
        found.append(_violation(name, "missing_column", n, n, f"column {name!r} is missing"))
    if schema.strict:
        for name in present:
            if name not in schema.names:
                found.append(
                    _violation(
                        name, "unexpected_column", 0, n, f"column {name!r} is not in the schema"
                    )
                )
    if schema.ordered and not missing:
        expected = [c for c in schema.names if c in present]
        actual = [c for c in present if c in schema.names]
        if expected != actual:
            found.append(
                _violation(
                    None,
                    "column_order",
                    0,
                    n,
                    f"columns are in the order {actual[:10]}, expected {expected[:10]}",
                )
            )
    if n < schema.min_rows or (schema.max_rows is not None and n > schema.max_rows):
        found.append(
            _violation(
                None,
                "row_count",
                n,
                n,
                f"{n} rows, expected {schema.min_rows} to {schema.max_rows or 'any'}",
            )
        )
    for spec in schema.columns:
        if spec.name not in present:
            continue
        series = frame[spec.name]
        if _certainly_clean(series, spec):
            continue
        null_mask = series.isna().to_numpy()
        nulls = int(null_mask.sum())
        if nulls and (not spec.nullable or nulls / n > spec.max_null_fraction):
            allowed = "none" if not spec.nullable else f"at most {spec.max_null_fraction:.1%}"
            found.append(
                _violation(
                    spec.name,
                    "nulls",
                    nulls,
                    n,
                    f"{nulls} missing values ({nulls / n:.1%}); {allowed} allowed",
                    examples(series, null_mask),
                )
            )
        if nulls == n:
            continue
        kind = column_kind(series, 10**9)
        if kind not in _COMPATIBLE[spec.kind] and not (
            kind == "string" and spec.kind == "categorical"
        ):
            found.append(
                _violation(
                    spec.name,
                    "kind",
                    n - nulls,
                    n,
                    f"holds {kind} values, expected {spec.kind} (dtype {series.dtype})",
                )
            )
            continue
        if spec.kind in ("integer", "float") and (spec.min is not None or spec.max is not None):
            values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            low = values < float(spec.min) if spec.min is not None else np.zeros(n, bool)
            high = values > float(spec.max) if spec.max is not None else np.zeros(n, bool)
            for rule, mask, bound in (("min", low, spec.min), ("max", high, spec.max)):
                count = int(mask.sum())
                if count:
                    found.append(
                        _violation(
                            spec.name,
                            rule,
                            count,
                            n,
                            f"{count} values {'below' if rule == 'min' else 'above'} {bound:.6g}",
                            examples(series, mask),
                        )
                    )
            if spec.kind == "integer":
                fractional = np.isfinite(values) & (np.mod(values, 1) != 0)
                if fractional.any():
                    found.append(
                        _violation(
                            spec.name,
                            "kind",
                            int(fractional.sum()),
                            n,
                            "non-whole numbers in an integer column",
                            examples(series, fractional),
                        )
                    )
        if spec.kind == "datetime" and (spec.min is not None or spec.max is not None):
            values_t = pd.to_datetime(series, errors="coerce", utc=True)
            for rule, bound in (("min", spec.min), ("max", spec.max)):
                if bound is None:
                    continue
                limit = pd.Timestamp(bound)
                limit = (
                    limit.tz_localize("UTC") if limit.tzinfo is None else limit.tz_convert("UTC")
                )
                mask = (values_t < limit if rule == "min" else values_t > limit).to_numpy(
                    na_value=False
                )
                if mask.any():
                    found.append(
                        _violation(
                            spec.name,
                            rule,
                            int(mask.sum()),
                            n,
                            f"{int(mask.sum())} dates {'before' if rule == 'min' else 'after'} "
                            f"{bound}",
                            examples(series, mask),
                        )
                    )
        if spec.categories is not None:
            allowed = pd.Index(spec.categories)
            if isinstance(series.dtype, pd.CategoricalDtype):
                # judge each category once, then spread the verdict over the rows by code
                known = np.r_[pd.Index(series.cat.categories.astype(str)).isin(allowed), True]
                unknown = ~known[series.cat.codes.to_numpy()] & ~null_mask
            else:
                unknown = ~series.astype(str).isin(allowed).to_numpy() & ~null_mask
            count = int(unknown.sum())
            if count:
                new = sorted({str(v) for v in series[unknown].unique()})[:10]
                found.append(
                    _violation(
                        spec.name,
                        "categories",
                        count,
                        n,
                        f"{count} values outside the {len(spec.categories)} known "
                        f"categories, e.g. {new}",
                        examples(series, unknown),
                    )
                )
        if spec.unique:
            duplicated = series.duplicated(keep="first").to_numpy() & ~null_mask
            if duplicated.any():
                found.append(
                    _violation(
                        spec.name,
                        "unique",
                        int(duplicated.sum()),
                        n,
                        f"{int(duplicated.sum())} repeated values in a unique column",
                        examples(series, duplicated),
                    )
                )
    return found


def check_schema(data: Any, schema: Schema | Mapping[str, Any] | str | Path | Any) -> CheckResult:
    """Validate ``data`` against a :class:`Schema`, a schema dict or file, or a pandera schema.

    Every violation is reported (lazy validation): the column, the rule (``missing_column``,
    ``unexpected_column``, ``column_order``, ``row_count``, ``nulls``, ``kind``, ``min``,
    ``max``, ``categories``, ``unique``, or pandera's own check names), how many rows broke
    it and what share, and up to five example values with their row labels.
    """
    frame, notes = as_frame("data", data)
    if _is_pandera(schema):
        return _pandera(frame, schema, notes)
    if isinstance(schema, (str, Path)):
        schema = Schema.load(schema)
    elif isinstance(schema, Mapping):
        schema = Schema.from_dict(schema)
    elif not isinstance(schema, Schema):
        raise MlopsInputError(
            f"schema must be a Schema, a dict, a path to a schema JSON file, a baseline name or "
            f"a pandera DataFrameSchema; got {type(schema).__name__}"
        )
    violations = validate(frame, schema)
    return _result(frame, violations, notes, len(schema.columns), "pytest-mlops schema")


def _result(
    frame: pd.DataFrame,
    violations: list[dict[str, Any]],
    notes: list[str],
    columns: int,
    source: str,
) -> CheckResult:
    broken_rows = sum(v["rows"] for v in violations)
    details = {
        "rows": len(frame),
        "columns_checked": columns,
        "source": source,
        "violations": violations,
        "notes": notes,
    }
    metrics = {"violations": len(violations), "rows": len(frame)}
    if violations:
        listed = "; ".join(f"{v['column'] or 'frame'}: {v['message']}" for v in violations[:5])
        more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
        return CheckResult(
            name="schema",
            category="data",
            status="fail",
            reason="violations_found",
            message=(
                f"{len(violations)} schema violation(s) in {len(frame)} rows: {listed}{more}. "
                "Fix the data, or if the change is intended, update the schema "
                "(--mlops-update-baseline, or edit the schema file)"
            ),
            metrics=metrics,
            details={**details, "violating_cells": broken_rows},
        )
    return CheckResult(
        name="schema",
        category="data",
        status="pass",
        reason="ok",
        message=f"{len(frame)} rows x {columns} columns match the schema",
        metrics=metrics,
        details=details,
    )


def _is_pandera(schema: Any) -> bool:
    return type(schema).__module__.startswith("pandera")


def _pandera(frame: pd.DataFrame, schema: Any, notes: list[str]) -> CheckResult:
    """Run a pandera schema lazily and map its failure cases into our violations."""
    import pandera.errors as pa_errors

    try:
        schema.validate(frame, lazy=True)
        violations: list[dict[str, Any]] = []
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
        violations = []
        n = len(frame)
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
            rows = int(group["index"].notna().sum()) or len(group)
            sample = [
                {
                    "row": None if r["index"] is None or r["index"] != r["index"] else r["index"],
                    "value": None if r["failure_case"] is None else str(r["failure_case"]),
                }
                for _, r in group.head(5).iterrows()
            ]
            violations.append(
                _violation(
                    None if column is None or column != column else str(column),
                    str(check),
                    rows,
                    n,
                    f"pandera check {check} failed for {rows} row(s)",
                    sample,
                )
            )
    return _result(frame, violations, notes, len(getattr(schema, "columns", {})), "pandera")
