"""The findings detectors of ``check_data``: one small function per finding, in a registry.

Each :class:`Detector` has a name (the finding), the option that holds its threshold and
that option's default, the level a finding beyond the threshold gets by default (``fail``:
it fails the check; ``warn``: it is reported without failing) and where the default comes
from. A detector reports what it sees even when it stays within its threshold (20
duplicate rows in 589 when 5% are tolerated): such a finding has level ``info``, so a
reader sees it without the check failing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from pytest_mlops.checks._frames import column_kind, examples, plain_value, type_names

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Level = Literal["fail", "warn", "info"]
#: How many row labels a row-level finding (duplicates, conflicts) shows.
EXAMPLES: Final = 5


@dataclasses.dataclass(frozen=True)
class Table:
    """What every detector reads: the frame, its label, and the thresholds of this call."""

    frame: pd.DataFrame
    label: str | None
    options: Mapping[str, Any]
    random_state: int
    kinds: Mapping[str, str]
    #: Per-column numbers a detector computed that the report's column table shows.
    column_notes: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.frame)

    @property
    def features(self) -> list[str]:
        return [str(c) for c in self.frame.columns if c != self.label]

    def values(self, column: str) -> pd.Series:
        """The column's non-missing values."""
        return self.frame[column].dropna()


@dataclasses.dataclass(frozen=True)
class Detector:
    """One finding: how to look for it, its threshold option, default and source."""

    name: str
    level: Level
    option: str | None
    default: float | None
    source: str
    find: Callable[[Table], list[dict[str, Any]]]


_DETECTORS: dict[str, Detector] = {}


def detector(
    name: str, level: Level, option: str | None = None, default: float | None = None, *, source: str
) -> Callable[[Callable[[Table], list[dict[str, Any]]]], Callable[[Table], list[dict[str, Any]]]]:
    """Register the decorated function as the detector of finding ``name``."""

    def add(
        find: Callable[[Table], list[dict[str, Any]]],
    ) -> Callable[[Table], list[dict[str, Any]]]:
        _DETECTORS[name] = Detector(name, level, option, default, source, find)
        return find

    return add


def detectors() -> Iterator[Detector]:
    """Every detector, in the order findings are reported."""
    return iter(list(_DETECTORS.values()))


def finding(
    kind: str,
    column: str | None,
    rows: int,
    n: int,
    message: str,
    sample: Sequence[Any] = (),
    *,
    over: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """One finding; ``over=False`` when it is within its threshold (reported as ``info``)."""
    return {
        "finding": kind,
        "column": column,
        "rows": int(rows),
        "fraction": rows / n if n else 0.0,
        "message": message,
        "examples": list(sample),
        "over_threshold": over,
        **extra,
    }


def row_examples(frame: pd.DataFrame, mask: np.ndarray) -> list[dict[str, Any]]:
    """The labels of the first rows a row-level finding concerns."""
    from pytest_mlops.checks._frames import row_label

    return [{"row": row_label(r), "value": None} for r in frame.index[mask][:EXAMPLES]]


def percent(share: float) -> str:
    """``3.4%``; a share below 0.1% keeps two significant digits (``0.017%``)."""
    return f"{share * 100:.2g}%" if 0 < share < 0.001 else f"{share:.1%}"


# -- column findings ------------------------------------------------------------------


@detector("all_null", "fail", source="a column that holds nothing")
def _all_null(table: Table) -> list[dict[str, Any]]:
    n = table.n
    return [
        finding("all_null", c, n, n, f"column {c!r} has no values at all")
        for c in map(str, table.frame.columns)
        if table.kinds[c] == "empty"
    ]


@detector(
    "nulls", "fail", "max_null_fraction", 0.05,
    source="Deepchecks PercentOfNulls: add_condition_percent_of_nulls_not_greater_than"
    "(threshold=0.05), FAIL",
)  # fmt: skip
def _nulls(table: Table) -> list[dict[str, Any]]:
    limit = table.options["max_null_fraction"]
    out = []
    for column in map(str, table.frame.columns):
        series = table.frame[column]
        nulls = int(series.isna().sum())
        if nulls == 0 or table.kinds[column] == "empty":
            continue
        share = nulls / table.n
        message = f"{nulls} missing values ({percent(share)} {'>' if share > limit else '<='} "
        message += f"{limit:.0%})"
        if column == table.label:
            message = f"the label has {message}: every row needs a label"
        out.append(
            finding(
                "nulls",
                column,
                nulls,
                table.n,
                message,
                examples(series, series.isna().to_numpy()),
                over=share > limit or column == table.label,
            )
        )
    return out


@detector(
    "constant", "fail", source="Deepchecks IsSingleValue: add_condition_not_single_value(), FAIL"
)
def _constant(table: Table) -> list[dict[str, Any]]:
    out = []
    for column in table.features:
        if table.kinds[column] == "empty":
            continue
        values = _comparable(table, column)
        if values.nunique() == 1:
            out.append(
                finding(
                    "constant",
                    column,
                    len(values),
                    table.n,
                    f"every value is {plain_value(values.iloc[0])!r}: the column carries no "
                    "information",
                )
            )
    return out


@detector("almost_constant", "warn", "almost_constant_share", 0.99, source="our choice")
def _almost_constant(table: Table) -> list[dict[str, Any]]:
    share_limit = table.options["almost_constant_share"]
    out = []
    for column in map(str, table.frame.columns):
        if table.kinds[column] == "empty":
            continue
        counts = _comparable(table, column).value_counts()
        if len(counts) > 1 and counts.iloc[0] / counts.sum() >= share_limit:
            share = counts.iloc[0] / counts.sum()
            out.append(
                finding(
                    "almost_constant",
                    column,
                    int(counts.iloc[0]),
                    table.n,
                    f"{share:.2%} of values are {plain_value(counts.index[0])!r}",
                )
            )
    return out


@detector(
    "mixed_types", "warn",
    source="Deepchecks MixedDataTypes warns when the rarer type is 1-10% of values "
    "(ratio_range=(0.01, 0.1)); every mix is reported here",
)  # fmt: skip
def _mixed_types(table: Table) -> list[dict[str, Any]]:
    out = []
    for column in map(str, table.frame.columns):
        if table.kinds[column] != "mixed":
            continue
        series = table.frame[column]
        types = type_names(series)
        numeric = sum(v for k, v in types.items() if k in ("int", "float", "Decimal"))
        text = sum(v for k, v in types.items() if k == "str")
        if not (numeric and text):
            continue
        if text <= numeric:
            mask = series.map(lambda v: isinstance(v, str))
        else:
            mask = series.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        out.append(
            finding(
                "mixed_types",
                column,
                min(numeric, text),
                table.n,
                f"mixes numbers ({numeric}) and text ({text})",
                examples(series, mask.to_numpy(dtype=bool)),
                types=types,
            )
        )
    return out


@detector(
    "case_variants", "warn",
    source="Deepchecks StringMismatch: add_condition_no_variants(), WARN",
)  # fmt: skip
def _case_variants(table: Table) -> list[dict[str, Any]]:
    import pandas as pd

    out = []
    for column in map(str, table.frame.columns):
        kind = table.kinds[column]
        if kind not in ("categorical", "string", "mixed"):
            continue
        values = table.values(column)
        if kind == "mixed":
            text = values[values.map(lambda v: isinstance(v, str))].astype(str)
        else:
            text = values.astype(str)
        distinct = pd.Series(text.unique(), dtype=object).astype(str)
        normal = distinct.str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
        groups = distinct.groupby(normal.to_numpy()).agg(list)
        variants = [sorted(g) for g in groups if len(g) > 1]
        if variants:
            rows = int(text.isin([v for g in variants for v in g]).sum())
            out.append(
                finding(
                    "case_variants",
                    column,
                    rows,
                    table.n,
                    f"{len(variants)} value(s) spelled more than one way, e.g. {variants[0][:4]}",
                    variants=variants[:20],
                )
            )
    return out


@detector("outliers", "warn", "outlier_iqr", 3.0, source="Tukey (1977): far-out fences")
def _outliers(table: Table) -> list[dict[str, Any]]:
    import numpy as np

    factor = table.options["outlier_iqr"]
    out = []
    for column in table.features:
        if table.kinds[column] not in ("integer", "float"):
            continue
        series = table.frame[column].astype("float64")
        finite = series[np.isfinite(series.to_numpy(na_value=np.nan))]
        if finite.empty:
            continue
        q1, q3 = np.percentile(finite.to_numpy(), [25, 75])
        iqr = q3 - q1
        if iqr <= 0:
            continue
        low, high = q1 - factor * iqr, q3 + factor * iqr
        mask = ((series < low) | (series > high)).to_numpy(dtype=bool, na_value=False)
        if mask.any():
            out.append(
                finding(
                    "outliers",
                    column,
                    int(mask.sum()),
                    table.n,
                    f"{int(mask.sum())} values beyond {factor:g} IQR of the quartiles "
                    f"[{low:.4g}, {high:.4g}]",
                    examples(table.frame[column], mask),
                )
            )
    return out


def _comparable(table: Table, column: str) -> pd.Series:
    """Non-missing values in a form ``value_counts`` can count (mixed columns as text)."""
    values = table.values(column)
    return values.astype(str) if table.kinds[column] == "mixed" else values


# -- row and label findings -------------------------------------------------------------


@detector(
    "duplicates", "warn", "max_duplicate_fraction", 0.05,
    source="Deepchecks DataDuplicates: add_condition_ratio_less_or_equal(max_ratio=0.05), "
    "WARN (max_ratio=0 before Deepchecks 0.17)",
)  # fmt: skip
def _duplicates(table: Table) -> list[dict[str, Any]]:
    limit = table.options["max_duplicate_fraction"]
    duplicated = table.frame.duplicated(keep="first").to_numpy()
    count = int(duplicated.sum())
    if not count:
        return []
    share = count / table.n
    relation = ">" if share > limit else "<="
    return [
        finding(
            "duplicates",
            None,
            count,
            table.n,
            f"{count} duplicate rows in {table.n} ({percent(share)} {relation} {limit:.0%})",
            row_examples(table.frame, duplicated),
            over=share > limit,
        )
    ]


@detector(
    "class_imbalance", "warn", "min_class_ratio", 0.1,
    source="Deepchecks ClassImbalance: add_condition_class_ratio_less_than"
    "(class_imbalance_ratio_th=0.1), WARN",
)  # fmt: skip
def _class_imbalance(table: Table) -> list[dict[str, Any]]:
    if table.label is None or not _is_classification(table):
        return []
    limit = table.options["min_class_ratio"]
    shares = table.values(table.label).value_counts()
    if len(shares) < 2 or shares.iloc[-1] / shares.iloc[0] >= limit:
        return []
    rarest, ratio = shares.index[-1], shares.iloc[-1] / shares.iloc[0]
    return [
        finding(
            "class_imbalance",
            table.label,
            int(shares.iloc[-1]),
            table.n,
            f"the rarest class {plain_value(rarest)!r} has {int(shares.iloc[-1])} rows, "
            f"{ratio:.1%} of the most common (< {limit:.0%})",
            shares={str(k): int(v) for k, v in shares.items()},
        )
    ]


@detector(
    "conflicting_labels", "fail", "max_conflicting_fraction", 0.0,
    source="Deepchecks ConflictingLabels: add_condition_ratio_of_conflicting_labels_less_or_equal"
    "(max_ratio=0), FAIL",
)  # fmt: skip
def _conflicting_labels(table: Table) -> list[dict[str, Any]]:
    if table.label is None or not table.features:
        return []
    limit = table.options["max_conflicting_fraction"]
    grouped = table.frame.groupby(table.features, dropna=False, sort=False)[table.label]
    conflicting = (grouped.transform("nunique") > 1).to_numpy()
    count = int(conflicting.sum())
    if not count:
        return []
    return [
        finding(
            "conflicting_labels",
            table.label,
            count,
            table.n,
            f"{count} rows share identical features with rows of another label",
            row_examples(table.frame, conflicting),
            over=count / table.n > limit,
        )
    ]


#: A single-feature score above this (but within ``max_single_feature_score``) is reported
#: as information: Deepchecks' FeatureLabelCorrelation fails a PPS above 0.8.
STRONG_FEATURE: Final = 0.8


@detector(
    "leakage", "fail", "max_single_feature_score", 0.95,
    source="Deepchecks FeatureLabelCorrelation fails a PPS above 0.8 "
    "(add_condition_feature_pps_less_than(threshold=0.8), FAIL); our score fails above "
    "0.95 and reports scores above 0.8",
)  # fmt: skip
def _leakage(table: Table) -> list[dict[str, Any]]:
    from pytest_mlops.checks._leakage import single_feature_scores

    label = table.label
    if label is None or not table.features or table.n < 20 or table.frame[label].isna().any():
        return []
    limit = table.options["max_single_feature_score"]
    scores = single_feature_scores(
        table.frame, table.frame[label], table.features, table.random_state
    )
    for column, score in scores.items():
        table.column_notes.setdefault(column, {})["single_feature_score"] = score
    out = []
    for column, score in sorted(scores.items(), key=lambda kv: -kv[1]):
        if score <= min(limit, STRONG_FEATURE):
            continue
        over = score > limit
        verdict = "a leak, or a proxy of the label" if over else "a strong feature, or a leak"
        out.append(
            finding(
                "leakage",
                column,
                table.n,
                table.n,
                f"alone predicts {label!r} with score {score:.3f} "
                f"({'>' if over else '<='} {limit:g}): {verdict}",
                over=over,
                score=score,
            )
        )
    return out


def _is_classification(table: Table) -> bool:
    assert table.label is not None
    labels = table.frame[table.label]
    return column_kind(labels) != "float" or labels.nunique() <= 20
