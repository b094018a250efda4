"""``check_data`` on an engine source: the findings that are aggregations run on the
engine, the ones that need rows on a bounded, seeded sample, and the report says which.

On the engine (exact, the same counts as pandas on the same data): ``all_null``,
``nulls``, ``constant``, ``almost_constant`` (one pass of missing and distinct counts, and
the top value of the few columns whose distinct count allows it), ``outliers`` (the
engine's quartiles, then one pass counting every column's values beyond the fences),
``duplicates`` (the engine's duplicate-row count), ``class_imbalance`` (the label's class
counts) and ``case_variants`` (from a column's distinct values, when there are at most
:data:`MAX_DISTINCT_TEXTS`). On a sample of at most :data:`SAMPLE_ROWS` rows:
``conflicting_labels``, ``leakage``, and ``case_variants`` of a column with more distinct
texts. ``mixed_types`` cannot occur: an engine column has one type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._cell_findings import Cells, column_cells
from pytest_mlops.checks._column_findings import (
    nulls_message,
    spelling_variants,
    variants_finding,
)
from pytest_mlops.checks._engine_ops import (
    NO_ROW_LABELS,
    add_distinct,
    aggregate,
    as_number,
    engine_kind,
    lazy_frame,
    missing,
    not_comparable,
    top_values,
    values_where,
)
from pytest_mlops.checks._findings import (
    Survey,
    detectors,
    finding,
    percent,
    require_label,
)
from pytest_mlops.checks._frames import plain_value
from pytest_mlops.checks._order_findings import almost_constant, finite_ranges, outliers
from pytest_mlops.engines._counts import distinct_by_group
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import narwhals as nw

    from pytest_mlops.engines import Source

#: The most rows the findings that need rows read, as one seeded sample of the source.
SAMPLE_ROWS: Final = 50_000
#: Up to this many distinct texts, ``case_variants`` reads them all from the engine.
MAX_DISTINCT_TEXTS: Final = 10_000
#: The most classes of the label whose counts are fetched (the rarest is always found).
MAX_CLASSES: Final = 1_000
#: Engines whose order statistics come from a lattice of cells, not a sort.
CELL_BACKENDS: Final = frozenset({"duckdb", "polars"})
#: Findings that need rows: run by their pandas detector on the sample.
ON_SAMPLE: Final = ("conflicting_labels", "leakage")
#: Why float features' distinct values are not counted on an engine.
UNCOUNTED_FLOATS: Final = (
    "distinct values of float columns are not counted on an engine (it would hold a hash "
    "of every value: 3.8 GB for 20 float columns at 10M rows through DuckDB): constant "
    "comes from their minimum and maximum, almost_constant from the rows equal to the median"
)
#: Findings that cannot occur on an engine, and why.
NOT_APPLICABLE: Final = {
    "mixed_types": "mixed_types is not checked: an engine column has one type, so numbers "
    "and text cannot mix in it",
}


@dataclasses.dataclass
class EngineTable:
    """What the engine-side detectors read: the source, its counts and the options."""

    source: Source
    lf: nw.LazyFrame[Any]
    label: str | None
    options: Mapping[str, Any]
    #: ``integer``, ``float``, ``boolean``, ``datetime``, ``categorical``, ``string``, ``empty``
    kinds: dict[str, str]
    #: The engine kind (``text`` for a string type).
    types: dict[str, str]
    n: int
    nulls: dict[str, int]
    #: None for a float feature with more than one value (see :data:`UNCOUNTED_FLOATS`)
    distinct: dict[str, int | None]
    #: How many finite values each numeric column holds, and how many -inf.
    finite: dict[str, int]
    below: dict[str, int]
    #: Which text columns' spelling variants need the sample (too many distinct values).
    sampled_texts: list[str] = dataclasses.field(default_factory=list)
    #: Each numeric column's smallest and largest finite value, where its order
    #: statistics come from a lattice of cells (DuckDB, polars; see :mod:`._cell_findings`).
    ranges: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    _cells: dict[str, Cells] | None = None

    def cells(self, column: str) -> Cells | None:
        """The column counted on its lattice (every ranged column in one go, the first
        time), or None where order statistics come from sorting."""
        if self._cells is None:
            self._cells = column_cells(self.source, self.ranges) if self.ranges else {}
        return self._cells.get(column)

    @property
    def features(self) -> list[str]:
        return [c for c in self.kinds if c != self.label]

    def counted(self, column: str) -> int:
        """The distinct values of a column whose values are counted (the label, text)."""
        value = self.distinct[column]
        if value is None:
            raise RuntimeError(f"the distinct values of {column!r} were not counted")
        return value


def _open(
    source: Source, label: str | None, options: Mapping[str, Any], max_categories: int
) -> EngineTable:
    """One aggregation pass: the row count, and each column's missing and distinct values."""
    import narwhals as nw

    require_label(label, list(source.columns))
    lf = lazy_frame(source)
    dtypes = lf.collect_schema()
    types = {c: engine_kind(dtypes[c]) for c in source.columns}
    exprs: dict[str, nw.Expr] = {"n": nw.len()}
    deferred: dict[str, nw.Expr] = {}
    cells = source.backend in CELL_BACKENDS
    for i, (column, kind) in enumerate(types.items()):
        exprs[f"m{i}"] = missing(column, kind).cast(nw.Int64).sum()
        value = as_number(column, kind) if kind == "float" else nw.col(column)
        if kind == "float" and column != label:  # see UNCOUNTED_FLOATS
            exprs[f"mn{i}"], exprs[f"mx{i}"] = value.min(), value.max()
        elif kind != "other":
            add_distinct(lf, exprs, deferred, f"d{i}", value)  # NaN made null, null a value
        if kind == "float":  # NaN is neither: the finite values are the rest
            exprs[f"lo{i}"] = (nw.col(column) == float("-inf")).cast(nw.Int64).sum()
            exprs[f"hi{i}"] = (nw.col(column) == float("inf")).cast(nw.Int64).sum()
        if kind == "integer" and cells:
            exprs[f"imn{i}"], exprs[f"imx{i}"] = value.min(), value.max()
    stats = {**aggregate(lf, exprs), **distinct_by_group(lf, deferred)}
    n = int(stats["n"])
    if n == 0:
        raise MlopsInputError("data is empty (0 rows): there is nothing to validate")
    nulls = {c: int(stats[f"m{i}"] or 0) for i, c in enumerate(types)}
    distinct = {c: _distinct_count(stats, i, nulls[c] > 0) for i, c in enumerate(types)}
    below = {c: int(stats.get(f"lo{i}") or 0) for i, c in enumerate(types)}
    finite = {
        c: n - nulls[c] - below[c] - int(stats.get(f"hi{i}") or 0)
        for i, c in enumerate(types)
        if types[c] in ("integer", "float")
    }
    kinds = {}
    for column, kind in types.items():
        if nulls[column] == n:
            kind = "empty"
        elif kind == "other":
            raise not_comparable("data", column, dtypes[column])
        elif kind == "text":
            kind = "categorical" if int(distinct[column] or 0) <= max_categories else "string"
        kinds[column] = kind
    counted = (n, nulls, distinct, finite, below)
    ranges = finite_ranges(lf, stats, types, finite) if cells else {}
    return EngineTable(source, lf, label, options, kinds, types, *counted, ranges=ranges)


def _distinct_count(stats: Mapping[str, Any], i: int, has_nulls: bool) -> int | None:
    """Column ``i``'s distinct values; for a float feature (not counted) 0 without a
    value, 1 when its minimum equals its maximum, else None (more than one)."""
    if f"mn{i}" in stats:
        low, high = stats[f"mn{i}"], stats[f"mx{i}"]
        if low is None or low != low:  # no value at all (NaN on pandas-backed Dask)
            return 0
        return 1 if low == high else None
    return int(stats.get(f"d{i}", 0)) - has_nulls


def _all_null(table: EngineTable) -> list[dict[str, Any]]:
    n = table.n
    return [
        finding("all_null", c, n, n, f"column {c!r} has no values at all")
        for c, kind in table.kinds.items()
        if kind == "empty"
    ]


def _nulls(table: EngineTable) -> list[dict[str, Any]]:
    limit, out = table.options["max_null_fraction"], []
    for column, nulls in table.nulls.items():
        if nulls == 0 or table.kinds[column] == "empty":
            continue
        message, over = nulls_message(nulls, table.n, limit, column == table.label)
        out.append(finding("nulls", column, nulls, table.n, message, over=over))
    return out


def _constant(table: EngineTable) -> list[dict[str, Any]]:
    out = []
    for column in table.features:
        if table.kinds[column] == "empty" or table.distinct[column] != 1:
            continue
        kind = table.types[column]
        value = values_where(table.lf, ~missing(column, kind), column, 1)[0]
        message = f"every value is {value!r}: the column carries no information"
        present = table.n - table.nulls[column]
        out.append(finding("constant", column, present, table.n, message))
    return out


def _duplicates(table: EngineTable) -> list[dict[str, Any]]:
    limit, count = table.options["max_duplicate_fraction"], table.source.duplicate_rows()
    if not count:
        return []
    share = count / table.n
    message = f"{count} duplicate rows in {table.n} ({percent(share)} "
    message += f"{'>' if share > limit else '<='} {limit:.0%})"
    return [finding("duplicates", None, count, table.n, message, over=share > limit)]


def _class_imbalance(table: EngineTable) -> list[dict[str, Any]]:
    label = table.label
    if label is None or table.kinds[label] == "empty":
        return []
    if table.kinds[label] == "float" and table.counted(label) > 20:
        return []  # a regression target
    limit, kind = table.options["min_class_ratio"], table.types[label]
    shares = top_values(table.lf, label, kind, MAX_CLASSES)
    if table.counted(label) > MAX_CLASSES:
        shares.append(top_values(table.lf, label, kind, 1, rarest=True)[0])
    if len(shares) < 2 or shares[-1][1] / shares[0][1] >= limit:
        return []
    (rarest, fewest), ratio = shares[-1], shares[-1][1] / shares[0][1]
    message = f"the rarest class {plain_value(rarest)!r} has {fewest} rows, "
    message += f"{ratio:.1%} of the most common (< {limit:.0%})"
    counts = {str(plain_value(k)): v for k, v in shares}
    return [finding("class_imbalance", label, fewest, table.n, message, shares=counts)]


def _case_variants(table: EngineTable) -> list[dict[str, Any]]:
    texts = [c for c, kind in table.kinds.items() if kind in ("categorical", "string")]
    counted = [c for c in texts if table.counted(c) <= MAX_DISTINCT_TEXTS]
    table.sampled_texts.extend(c for c in texts if c not in counted)
    out: list[dict[str, Any]] = []
    if not counted:
        return out
    for column, (counts, _) in table.source.category_counts(counted, MAX_DISTINCT_TEXTS).items():
        variants = spelling_variants(list(counts))
        if variants:
            rows = sum(counts[v] for group in variants for v in group)
            out.append(variants_finding(column, variants, rows, table.n))
    return out


#: The engine-side detector of each finding computed on the engine.
ON_ENGINE: Final[dict[str, Callable[[EngineTable], list[dict[str, Any]]]]] = {
    "all_null": _all_null,
    "nulls": _nulls,
    "constant": _constant,
    "almost_constant": almost_constant,
    "case_variants": _case_variants,
    "outliers": outliers,
    "duplicates": _duplicates,
    "class_imbalance": _class_imbalance,
}


def survey_source(
    source: Source,
    label: str | None,
    options: Mapping[str, Any],
    random_state: int,
    max_categories: int,
) -> Survey:
    """Every finding of ``check_data`` on ``source``, each where it can be computed."""
    from pytest_mlops.checks._findings_sample import on_sample

    table = _open(source, label, options, max_categories)
    found: list[dict[str, Any]] = []
    on_rows = []
    for detector in detectors():
        if detector.name in ON_ENGINE:
            found += ON_ENGINE[detector.name](table)
        elif detector.name in ON_SAMPLE:
            on_rows.append(detector)
        elif detector.name not in NOT_APPLICABLE:
            raise MlopsInputError(
                f"check_data: the finding {detector.name!r} has no engine implementation; "
                "pass the data as a pandas frame (or a sample of it) to check it"
            )
    column_notes: dict[str, dict[str, Any]] = {}
    sampled, notes, details = on_sample(table, on_rows, random_state, column_notes)
    notes = [
        f"computed on the {source.backend} engine without collecting the data: every "
        f"finding except {', '.join(details['on_sample']) or 'none'}; {NO_ROW_LABELS}",
        *NOT_APPLICABLE.values(),
        *notes,
    ]
    if any(v is None for v in table.distinct.values()):
        notes.append(UNCOUNTED_FLOATS)
    if not source.exact_quantiles:
        notes.append(
            f"outliers: the quartiles behind the fences are approximate on {source.backend} "
            f"(rank error at most {source.quantile_rank_error} of the values), so a value "
            "near a fence may be counted differently than on exact data"
        )
    columns = [
        {
            "column": c,
            "kind": kind,
            "nulls": table.nulls[c],
            "null_fraction": table.nulls[c] / table.n,
            "distinct": table.distinct[c],
            **column_notes.get(c, {}),
        }
        for c, kind in table.kinds.items()
    ]
    return Survey(table.n, len(table.kinds), found + sampled, columns, notes, details)
