"""``infer_schema`` and ``check_schema`` on an engine source, without collecting it.

Learning takes one aggregation pass (row count, and per column its missing values,
distinct count, finite and infinite values) plus, per numeric or datetime column, two
queries for its ``tail_size(n) + 1`` lowest and highest values, and per categorical column
one for its distinct values: the same inputs the pandas path reads, so the learned schema
is the same. Checking takes one pass that counts every rule of every column, then one
bounded query (at most five rows) per violation for its examples.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._engine_ops import (
    NO_ROW_LABELS,
    add_distinct,
    aggregate,
    as_number,
    as_text,
    distinct_texts,
    distinct_where,
    engine_kind,
    extremes,
    lazy_frame,
    missing,
    not_comparable,
    repeated_values,
    values_where,
)
from pytest_mlops.checks._ranges import bounds_from_tails, stamp, tail_size
from pytest_mlops.checks._schema import column_spec
from pytest_mlops.checks._schema_model import ColumnSchema, Schema
from pytest_mlops.checks._schema_rules import COMPATIBLE, frame_rules, violation
from pytest_mlops.engines._counts import distinct_by_group
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import narwhals as nw
    import numpy as np
    import pandas as pd

    from pytest_mlops.engines import Source

#: How many example values a violation shows (as the pandas path).
EXAMPLES: Final = 5


def _int_sum(predicate: nw.Expr) -> nw.Expr:
    import narwhals as nw

    return predicate.cast(nw.Int64).sum()


def _kinds(lf: nw.LazyFrame[Any], columns: list[str]) -> tuple[dict[str, str], Any]:
    dtypes = lf.collect_schema()
    return {c: engine_kind(dtypes[c]) for c in columns}, dtypes


def _rows(stats: Mapping[str, Any], argument: str) -> int:
    n = int(stats["n"])
    if n == 0:
        raise MlopsInputError(f"{argument} is empty (0 rows): there is nothing to validate")
    return n


#: The kinds whose distinct values infer_schema needs: integers and text may be unique
#: (ids), text and booleans list their categories. Floats and datetimes use neither, and
#: counting a continuous column's distinct values holds a hash of every value (3 GB for
#: 20 float columns at 10M rows through DuckDB).
_COUNTED_DISTINCT: Final = ("integer", "text", "categorical", "boolean")


def learn_on_engine(source: Source, options: Mapping[str, Any]) -> tuple[list[ColumnSchema], int]:
    """The learned columns of ``source`` and its row count (see ``infer_schema``)."""
    import narwhals as nw

    lf = lazy_frame(source)
    columns = list(source.columns)
    kinds, dtypes = _kinds(lf, columns)
    exprs: dict[str, nw.Expr] = {"n": nw.len()}
    deferred: dict[str, nw.Expr] = {}
    for i, column in enumerate(columns):
        kind = kinds[column]
        exprs[f"m{i}"] = _int_sum(missing(column, kind))
        if kind in _COUNTED_DISTINCT:
            add_distinct(lf, exprs, deferred, f"d{i}", nw.col(column))
        if kind in ("integer", "float"):
            number = as_number(column, kind)
            exprs[f"f{i}"] = _int_sum(number.is_finite())
            exprs[f"lo{i}"] = _int_sum(number == float("-inf"))
            exprs[f"hi{i}"] = _int_sum(number == float("inf"))
    stats = {**aggregate(lf, exprs), **distinct_by_group(lf, deferred)}
    n = _rows(stats, "reference")
    learned = []
    for i, column in enumerate(columns):
        kind, nulls = kinds[column], int(stats[f"m{i}"])
        if kind == "other" and nulls < n:
            raise not_comparable("reference", column, dtypes[column])
        distinct = int(stats.get(f"d{i}", 0)) - (nulls > 0)
        if kind == "text":
            kind = "categorical" if distinct <= options["max_categories"] else "string"
        all_unique = n > 1 and nulls == 0 and distinct == n
        learned.append(column_spec(column, kind, nulls / n, all_unique, options))
    _learn_ranges(lf, learned, kinds, dtypes, stats, options)
    categorical = {s.name: as_text(s.name, kinds[s.name]) for s in learned
                   if s.kind in ("categorical", "boolean")}  # fmt: skip
    limits = {name: max(1, int(stats[f"d{columns.index(name)}"])) for name in categorical}
    for name, texts in distinct_texts(lf, categorical, limits).items():
        learned[columns.index(name)].categories = sorted(texts)
    return learned, n


def _learn_ranges(
    lf: nw.LazyFrame[Any],
    learned: list[ColumnSchema],
    kinds: Mapping[str, str],
    dtypes: Any,
    stats: Mapping[str, Any],
    options: Mapping[str, Any],
) -> None:
    """The range of every numeric column from its tails (one query), and of each datetime
    column (one query each: their types differ)."""
    import narwhals as nw

    margin, slack = options["range_margin"], options["range_slack"]
    numbers, sizes = {}, {}
    for i, spec in enumerate(learned):
        if spec.kind in ("integer", "float") and stats[f"f{i}"]:
            number = as_number(spec.name, kinds[spec.name])
            numbers[spec.name] = nw.when(number.is_finite()).then(number)
            sizes[spec.name] = _tail_rows(int(stats[f"f{i}"]))
    tails = extremes(lf, numbers, sizes)
    for i, spec in enumerate(learned):
        if spec.name in tails:
            lowest, highest = (t.to_numpy(dtype="float64") for t in tails[spec.name])
            open_sides = (int(stats[f"lo{i}"]) > 0, int(stats[f"hi{i}"]) > 0)
            finite = int(stats[f"f{i}"])
            spec.min, spec.max = bounds_from_tails(
                finite, lowest, highest, open_sides, margin, slack
            )
        elif spec.kind == "datetime":
            present = int(stats["n"]) - int(stats[f"m{i}"])
            ends = extremes(lf, {"t": nw.col(spec.name)}, {"t": _tail_rows(present)})["t"]
            (low_ticks, unit), (high_ticks, _) = _ticks(ends[0]), _ticks(ends[1])
            low, high = bounds_from_tails(present, low_ticks, high_ticks, (False, False),
                                          margin, slack)  # fmt: skip
            tz = getattr(dtypes[spec.name], "time_zone", None)
            spec.min, spec.max = stamp(low, unit, tz), stamp(high, unit, tz)


def _tail_rows(n: int) -> int:
    """How many values of each end the range of ``n`` values is fitted to."""
    return (tail_size(n) if n >= 2 else 0) + 1


def _ticks(dates: pd.Series) -> tuple[np.ndarray, str]:
    """Datetimes as float ticks since 1970 UTC in their own unit (as the pandas path)."""
    import pandas as pd

    utc = pd.to_datetime(dates, utc=True)
    return utc.astype("int64").to_numpy().astype("float64"), str(utc.dt.unit)


@dataclasses.dataclass(frozen=True)
class _Rule:
    """One counted rule of one column: its predicate and how its message reads."""

    column: str
    rule: str
    predicate: nw.Expr
    message: Callable[[int], str]


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What is counted for one column of the schema that the source holds."""

    spec: ColumnSchema
    kind: str
    dtype: Any
    rules: list[_Rule]


def validate_on_engine(
    source: Source, schema: Schema
) -> tuple[list[dict[str, Any]], int, list[str]]:
    """Every violation of ``schema`` in ``source``, its row count, and notes for the report."""
    import narwhals as nw

    lf = lazy_frame(source)
    present = list(source.columns)
    specs = [spec for spec in schema.columns if spec.name in present]
    kinds, dtypes = _kinds(lf, [s.name for s in specs])
    plans = [
        _Plan(s, kinds[s.name], dtypes[s.name], _value_rules(s, kinds[s.name], dtypes[s.name]))
        for s in specs
    ]
    exprs: dict[str, nw.Expr] = {"n": nw.len()}
    deferred: dict[str, nw.Expr] = {}
    for i, plan in enumerate(plans):
        exprs[f"m{i}"] = _int_sum(missing(plan.spec.name, plan.kind))
        if plan.spec.unique and plan.kind != "other":
            add_distinct(lf, exprs, deferred, f"d{i}", nw.col(plan.spec.name))
        for j, rule in enumerate(plan.rules):
            exprs[f"r{i}_{j}"] = _int_sum(rule.predicate)
    stats = {**aggregate(lf, exprs), **distinct_by_group(lf, deferred)}
    n = _rows(stats, "data")
    found = frame_rules(present, n, schema)
    for i, plan in enumerate(plans):
        counted = [int(stats[f"r{i}_{j}"]) for j in range(len(plan.rules))]
        distinct = int(stats[f"d{i}"]) if f"d{i}" in stats else None
        found += _column_violations(lf, plan, n, int(stats[f"m{i}"]), distinct, counted)
    notes = [
        f"checked on the {source.backend} engine: every rule of every column is counted in "
        f"one aggregation pass, and only the examples are fetched (at most {EXAMPLES} rows a "
        f"violation); {NO_ROW_LABELS}"
    ]
    return found, n, notes


def _schema_kind(kind: str) -> str:
    """An engine kind as the pandas path names the kind of data it holds."""
    return "categorical" if kind == "text" else kind


def _value_rules(spec: ColumnSchema, kind: str, dtype: Any) -> list[_Rule]:
    """The counted rules of a column whose data kind the schema allows (none otherwise)."""
    import narwhals as nw

    if _schema_kind(kind) not in COMPATIBLE[spec.kind]:
        return []
    found: list[_Rule] = []
    if spec.kind in ("integer", "float"):
        # An integer or boolean type holds only whole numbers; a float column is a kind
        # violation of an integer schema, as in pandas, so no non-whole rule is counted.
        number = as_number(spec.name, kind)
        for rule, bound in (("min", spec.min), ("max", spec.max)):
            if bound is None:
                continue
            limit, where = float(bound), "below" if rule == "min" else "above"
            predicate = number < limit if rule == "min" else number > limit
            text = f"{{}} values {where} {limit:.6g}"
            found.append(_Rule(spec.name, rule, predicate, text.format))
    if spec.kind == "datetime":
        value = nw.col(spec.name)
        if dtype == nw.Date:
            value = value.cast(nw.Datetime("us"))
        for rule, bound in (("min", spec.min), ("max", spec.max)):
            if bound is None:
                continue
            limit = _date_literal(str(bound), getattr(dtype, "time_zone", None), rule)
            predicate = value < nw.lit(limit) if rule == "min" else value > nw.lit(limit)
            text = f"{{}} dates {'before' if rule == 'min' else 'after'} {bound}"
            found.append(_Rule(spec.name, rule, predicate, text.format))
    if spec.categories is not None:
        unknown = ~missing(spec.name, kind) & ~as_text(spec.name, kind).is_in(spec.categories)
        found.append(_Rule(spec.name, "categories", unknown, str))
    return found


def _date_literal(bound: str, tz: str | None, rule: str) -> Any:
    """A datetime bound as a literal the engine compares with its column: in UTC, naive for
    a naive column (which pandas reads as UTC). Python datetimes hold microseconds, so a
    nanosecond bound is rounded towards the inside of the range (a value within a
    microsecond of it is flagged)."""
    import pandas as pd

    limit = pd.Timestamp(bound)
    limit = limit.tz_localize("UTC") if limit.tzinfo is None else limit.tz_convert("UTC")
    limit = limit.ceil("us") if rule == "min" else limit.floor("us")
    return (limit if tz is not None else limit.tz_localize(None)).to_pydatetime()


def _column_violations(
    lf: nw.LazyFrame[Any],
    plan: _Plan,
    n: int,
    nulls: int,
    distinct: int | None,
    counted: list[int],
) -> list[dict[str, Any]]:
    """The violations of one column from its counts, in the pandas path's order."""
    spec, kind = plan.spec, plan.kind
    found = []
    if nulls and not (spec.nullable and nulls / n <= spec.max_null_fraction):
        allowed = "none" if not spec.nullable else f"at most {spec.max_null_fraction:.1%}"
        message = f"{nulls} missing values ({nulls / n:.1%}); {allowed} allowed"
        found.append(violation(spec.name, "nulls", nulls, n, message))
    if nulls == n:
        return found
    if _schema_kind(kind) not in COMPATIBLE[spec.kind]:
        held = _schema_kind(kind)
        message = f"holds {held} values, expected {spec.kind} (engine type {plan.dtype})"
        return [*found, violation(spec.name, "kind", n - nulls, n, message)]
    for rule, count in zip(plan.rules, counted, strict=True):
        if not count:
            continue
        message = rule.message(count)
        if rule.rule == "categories":
            new = distinct_where(lf, rule.predicate, as_text(spec.name, kind), 10)
            message = f"{count} values outside the {len(spec.categories or [])} known "
            message += f"categories, e.g. {[str(v) for v in new]}"
        sample = values_where(lf, rule.predicate, spec.name, EXAMPLES)
        found.append(violation(spec.name, rule.rule, count, n, message, _examples(sample)))
    if distinct is not None:
        repeated = n - nulls - (distinct - (nulls > 0))
        if repeated:
            message = f"{repeated} repeated values in a unique column"
            sample = _examples(repeated_values(lf, spec.name, kind, EXAMPLES))
            found.append(violation(spec.name, "unique", repeated, n, message, sample))
    return found


def _examples(values: list[Any]) -> list[dict[str, Any]]:
    return [{"row": None, "value": v} for v in values]
