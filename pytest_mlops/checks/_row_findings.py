"""``check_data`` findings about rows and the label: duplicates, class imbalance,
conflicting labels and single-feature leakage."""

from __future__ import annotations

from typing import Any, Final

from pytest_mlops.checks._findings import Table, detector, finding, percent, row_examples
from pytest_mlops.checks._frames import column_kind, plain_value


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
