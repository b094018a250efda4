"""Validating a frame against a :class:`Schema`: one small function per rule, all lazy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._frames import KINDS, column_kind, examples
from pytest_mlops.checks._schema_model import ColumnSchema, Schema
from pytest_mlops.core.verdict import counted

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Which kinds a column learned as one kind may hold later.
COMPATIBLE: Final = {
    "integer": {"integer", "boolean"},
    "float": {"float", "integer", "boolean"},
    "boolean": {"boolean"},
    "categorical": {"categorical", "string", "boolean", "integer"},
    "string": {"string", "categorical"},
    "datetime": {"datetime"},
    "mixed": set(KINDS),
}


def violation(
    column: str | None, rule: str, count: int, n: int, message: str, sample: Sequence[Any] = ()
) -> dict[str, Any]:
    """One rule's violation in ``column``: ``count`` of ``n`` rows break it."""
    return {"column": column, "rule": rule, **counted(count, n, message, sample)}


def certainly_clean(series: pd.Series, spec: ColumnSchema) -> bool:
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


def frame_rules(present: list[str], n: int, schema: Schema) -> list[dict[str, Any]]:
    """Missing, unexpected and misordered columns (of those ``present``), and the row count."""
    found = []
    missing = [c for c in schema.names if c not in present]
    for name in missing:
        found.append(violation(name, "missing_column", n, n, f"column {name!r} is missing"))
    if schema.strict:
        for name in present:
            if name not in schema.names:
                message = f"column {name!r} is not in the schema"
                found.append(violation(name, "unexpected_column", 0, n, message))
    if schema.ordered and not missing:
        expected = [c for c in schema.names if c in present]
        actual = [c for c in present if c in schema.names]
        if expected != actual:
            message = f"columns are in the order {actual[:10]}, expected {expected[:10]}"
            found.append(violation(None, "column_order", 0, n, message))
    if n < schema.min_rows or (schema.max_rows is not None and n > schema.max_rows):
        message = f"{n} rows, expected {schema.min_rows} to {schema.max_rows or 'any'}"
        found.append(violation(None, "row_count", n, n, message))
    return found


Rule = Callable[["pd.Series", ColumnSchema, "np.ndarray"], list[dict[str, Any]]]


def _nulls(series: pd.Series, spec: ColumnSchema, null_mask: np.ndarray) -> list[dict[str, Any]]:
    n, nulls = len(series), int(null_mask.sum())
    if not nulls or (spec.nullable and nulls / n <= spec.max_null_fraction):
        return []
    allowed = "none" if not spec.nullable else f"at most {spec.max_null_fraction:.1%}"
    message = f"{nulls} missing values ({nulls / n:.1%}); {allowed} allowed"
    return [violation(spec.name, "nulls", nulls, n, message, examples(series, null_mask))]


def _numeric_range(
    series: pd.Series, spec: ColumnSchema, null_mask: np.ndarray
) -> list[dict[str, Any]]:
    import numpy as np
    import pandas as pd

    if spec.kind not in ("integer", "float"):
        return []
    n = len(series)
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    found = []
    for rule, bound in (("min", spec.min), ("max", spec.max)):
        if bound is None:
            continue
        mask = values < float(bound) if rule == "min" else values > float(bound)
        if mask.any():
            count = int(mask.sum())
            where = "below" if rule == "min" else "above"
            message = f"{count} values {where} {float(bound):.6g}"
            found.append(violation(spec.name, rule, count, n, message, examples(series, mask)))
    if spec.kind == "integer":
        fractional = np.isfinite(values) & (np.mod(values, 1) != 0)
        if fractional.any():
            message = "non-whole numbers in an integer column"
            count = int(fractional.sum())
            found.append(
                violation(spec.name, "kind", count, n, message, examples(series, fractional))
            )
    return found


def _date_range(
    series: pd.Series, spec: ColumnSchema, null_mask: np.ndarray
) -> list[dict[str, Any]]:
    import pandas as pd

    if spec.kind != "datetime":
        return []
    values = pd.to_datetime(series, errors="coerce", utc=True)
    found = []
    for rule, bound in (("min", spec.min), ("max", spec.max)):
        if bound is None:
            continue
        limit = pd.Timestamp(bound)
        limit = limit.tz_localize("UTC") if limit.tzinfo is None else limit.tz_convert("UTC")
        mask = (values < limit if rule == "min" else values > limit).to_numpy(na_value=False)
        if mask.any():
            count = int(mask.sum())
            message = f"{count} dates {'before' if rule == 'min' else 'after'} {bound}"
            found.append(
                violation(spec.name, rule, count, len(series), message, examples(series, mask))
            )
    return found


def _categories(
    series: pd.Series, spec: ColumnSchema, null_mask: np.ndarray
) -> list[dict[str, Any]]:
    import numpy as np
    import pandas as pd

    if spec.categories is None:
        return []
    allowed = pd.Index(spec.categories)
    if isinstance(series.dtype, pd.CategoricalDtype):
        # judge each category once, then spread the verdict over the rows by code
        known = np.r_[pd.Index(series.cat.categories.astype(str)).isin(allowed), True]
        unknown = ~known[series.cat.codes.to_numpy()] & ~null_mask
    else:
        unknown = ~series.astype(str).isin(allowed).to_numpy() & ~null_mask
    count = int(unknown.sum())
    if not count:
        return []
    new = sorted({str(v) for v in series[unknown].unique()})[:10]
    message = f"{count} values outside the {len(spec.categories)} known categories, e.g. {new}"
    return [
        violation(spec.name, "categories", count, len(series), message, examples(series, unknown))
    ]


def _unique(series: pd.Series, spec: ColumnSchema, null_mask: np.ndarray) -> list[dict[str, Any]]:
    if not spec.unique:
        return []
    duplicated = series.duplicated(keep="first").to_numpy() & ~null_mask
    if not duplicated.any():
        return []
    count = int(duplicated.sum())
    message = f"{count} repeated values in a unique column"
    return [
        violation(spec.name, "unique", count, len(series), message, examples(series, duplicated))
    ]


_VALUE_RULES: Final[tuple[Rule, ...]] = (_numeric_range, _date_range, _categories, _unique)


def column_rules(series: pd.Series, spec: ColumnSchema) -> list[dict[str, Any]]:
    """Every rule of one column: missing values, kind, range, categories, uniqueness."""
    if certainly_clean(series, spec):
        return []
    null_mask = series.isna().to_numpy()
    found = _nulls(series, spec, null_mask)
    n, nulls = len(series), int(null_mask.sum())
    if nulls == n:
        return found
    kind = column_kind(series, 10**9)
    if kind not in COMPATIBLE[spec.kind]:
        message = f"holds {kind} values, expected {spec.kind} (dtype {series.dtype})"
        return [*found, violation(spec.name, "kind", n - nulls, n, message)]
    for rule in _VALUE_RULES:
        found += rule(series, spec, null_mask)
    return found


def validate(frame: pd.DataFrame, schema: Schema) -> list[dict[str, Any]]:
    """Every violation of ``schema`` in ``frame`` (lazy: nothing stops at the first)."""
    found = frame_rules([str(c) for c in frame.columns], len(frame), schema)
    present = {str(c) for c in frame.columns}
    for spec in schema.columns:
        if spec.name in present:
            found += column_rules(frame[spec.name], spec)
    return found
