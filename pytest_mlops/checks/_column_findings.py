"""``check_data`` findings about one column at a time: missing, constant, mixed, misspelt
and outlying values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._findings import Table, detector, finding, percent
from pytest_mlops.checks._frames import examples, plain_value, type_names

if TYPE_CHECKING:
    import pandas as pd


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
        message, over = nulls_message(nulls, table.n, limit, column == table.label)
        sample = examples(series, series.isna().to_numpy())
        out.append(finding("nulls", column, nulls, table.n, message, sample, over=over))
    return out


def nulls_message(nulls: int, n: int, limit: float, is_label: bool) -> tuple[str, bool]:
    """The ``nulls`` finding's message and whether it is over its threshold (any missing
    label is), shared by the in-memory and the engine paths."""
    share = nulls / n
    message = f"{nulls} missing values ({percent(share)} {'>' if share > limit else '<='} "
    message += f"{limit:.0%})"
    if is_label:
        message = f"the label has {message}: every row needs a label"
    return message, share > limit or is_label


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
        variants = spelling_variants(text.unique())
        if variants:
            rows = int(text.isin([v for g in variants for v in g]).sum())
            out.append(variants_finding(column, variants, rows, table.n))
    return out


def variants_finding(column: str, variants: list[list[str]], rows: int, n: int) -> dict[str, Any]:
    """The ``case_variants`` finding of a column whose ``rows`` hold one of ``variants``."""
    return finding(
        "case_variants",
        column,
        rows,
        n,
        f"{len(variants)} value(s) spelled more than one way, e.g. {variants[0][:4]}",
        variants=variants[:20],
    )


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


def spelling_variants(distinct: Any) -> list[list[str]]:
    """The groups of distinct texts that differ only by case or white space, each sorted,
    in the order of their lower-cased, space-normalised form."""
    import pandas as pd

    text = pd.Series(distinct, dtype=object).astype(str)
    normal = text.str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
    groups = text.groupby(normal.to_numpy()).agg(list)
    return [sorted(g) for g in groups if len(g) > 1]


def _comparable(table: Table, column: str) -> pd.Series:
    """Non-missing values in a form ``value_counts`` can count (mixed columns as text)."""
    values = table.values(column)
    return values.astype(str) if table.kinds[column] == "mixed" else values
