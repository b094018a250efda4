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

from pytest_mlops.checks._findings import Table, detectors, finding, percent, row_examples
from pytest_mlops.checks._frames import (
    DEFAULT_MAX_CATEGORIES,
    as_frame,
    column_kind,
    examples,
    require_hashable,
)
from pytest_mlops.checks._schema import ColumnSchema, Schema, check_schema, infer_schema
from pytest_mlops.core.inputs import (
    InstanceOf,
    Interval,
    Options,
    SequenceOf,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import conclude
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops.results import CheckResult

INTEGRITY_FINDINGS: Final = tuple(d.name for d in detectors())
#: The findings whose peer default fails (Deepchecks' FAIL conditions); the rest warn.
DEFAULT_FAIL_ON: Final = tuple(d.name for d in detectors() if d.level == "fail")
_DEFAULTS: Final[dict[str, float]] = {
    d.option: float(d.default) for d in detectors() if d.option and d.default is not None
}
TRAIN_TEST_FINDINGS: Final = (
    "shared_rows",
    "new_categories",
    "new_labels",
    "missing_columns",
    "size_ratio",
)
DEFAULT_TRAIN_TEST_FAIL_ON: Final = TRAIN_TEST_FINDINGS
SHARE: Final = Interval(float, 0, 1)

__all__ = [
    "ColumnSchema",
    "Schema",
    "check_data",
    "check_schema",
    "check_train_test",
    "infer_schema",
]


def _levelled(found: list[dict[str, Any]], fail_on: Sequence[str]) -> list[dict[str, Any]]:
    """Give each finding its level: ``fail`` (beyond its threshold and on ``fail_on``),
    ``warn`` (beyond its threshold) or ``info`` (within it)."""
    for item in found:
        over = item.pop("over_threshold")
        item["level"] = ("fail" if item["finding"] in fail_on else "warn") if over else "info"
    order = {"fail": 0, "warn": 1, "info": 2}
    return sorted(found, key=lambda f: order[f["level"]])


def _listed(found: list[dict[str, Any]], level: str) -> str:
    chosen = [f for f in found if f["level"] == level]
    text = "; ".join(f"{f['column'] or 'rows'}: {f['message']}" for f in chosen[:5])
    return text + (f" (and {len(chosen) - 5} more)" if len(chosen) > 5 else "")


def _outcome(
    name: str,
    found: list[dict[str, Any]],
    *,
    clean: str,
    next_step: str,
    metrics: dict[str, Any],
    details: dict[str, Any],
    thresholds: dict[str, Any],
) -> CheckResult:
    """The verdict: fail on ``fail`` findings; the message lists warnings and information."""
    counts = {level: sum(f["level"] == level for f in found) for level in ("fail", "warn", "info")}
    failures = []
    if counts["fail"]:
        failures = [f"{counts['fail']} problem(s): {_listed(found, 'fail')}"]
    passed = clean
    for level, heading in (("warn", "warnings"), ("info", "for information")):
        if counts[level]:
            passed += f"; {heading}: {_listed(found, level)}"
    return conclude(
        name=name,
        category="data",
        failures=failures,
        passed=passed,
        next_step=next_step,
        reason="violations_found",
        metrics={**metrics, "findings": len(found), "failing_findings": counts["fail"],
                 "warnings": counts["warn"], "information": counts["info"]},
        thresholds=thresholds,
        details=details,
    )  # fmt: skip


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
    frame, notes = as_frame("data", data)
    if label is not None and label not in frame.columns:
        raise MlopsInputError(
            f"check_data: label column {label!r} is not in the data; it has "
            f"{[str(c) for c in frame.columns][:20]}"
        )
    require_hashable("data", frame)
    n = len(frame)
    kinds = {
        str(c): column_kind(frame[c], max_categories) if frame[c].notna().any() else "empty"
        for c in frame.columns
    }
    options = {
        "max_null_fraction": max_null_fraction,
        "max_duplicate_fraction": max_duplicate_fraction,
        "almost_constant_share": almost_constant_share,
        "outlier_iqr": outlier_iqr,
        "min_class_ratio": min_class_ratio,
        "max_conflicting_fraction": max_conflicting_fraction,
        "max_single_feature_score": max_single_feature_score,
    }
    table = Table(frame, label, options, random_state, kinds)
    found = _levelled([f for d in detectors() for f in d.find(table)], fail_on)
    return _outcome(
        "data_integrity",
        found,
        clean=f"{n} rows x {frame.shape[1]} columns pass the integrity checks",
        next_step="fix the data pipeline, or drop the column if it should not be there",
        metrics={"rows": n},
        details={
            "rows": n,
            "columns": _column_rows(frame, kinds, table.column_notes),
            "findings": found,
            "fail_on": list(fail_on),
            "notes": notes,
            "label": label,
        },
        thresholds={**options, "fail_on": list(fail_on)},
    )


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


# -- train/test -------------------------------------------------------------------------


def _shared_rows(a: pd.DataFrame, b: pd.DataFrame, features: list[str], limit: float) -> list[Any]:
    import numpy as np
    import pandas as pd

    if not features:
        return []
    hashed_a = pd.util.hash_pandas_object(a[features], index=False).to_numpy()
    hashed_b = pd.util.hash_pandas_object(b[features], index=False).to_numpy()
    shared = np.isin(hashed_b, hashed_a)
    count, n = int(shared.sum()), len(b)
    if not count:
        return []
    over = bool(shared.mean() > limit)
    message = f"{count} test rows ({percent(count / n)}) also appear in train "
    message += f"({'>' if over else '<='} {limit:.0%})"
    if over:
        message += ": the test score is inflated"
    return [finding("shared_rows", None, count, n, message, row_examples(b, shared), over=over)]


def _new_categories(
    a: pd.DataFrame, b: pd.DataFrame, features: list[str], limit: float, max_categories: int
) -> list[Any]:
    out = []
    for column in features:
        if column_kind(a[column], max_categories) not in ("categorical", "boolean"):
            continue
        seen = set(a[column].dropna().astype(str))
        present = b[column].notna()
        new_mask = (~b[column].astype(str).isin(seen) & present).to_numpy()
        if new_mask.any():
            new = sorted(set(b[column][new_mask].astype(str)))[:10]
            out.append(
                finding(
                    "new_categories",
                    column,
                    int(new_mask.sum()),
                    len(b),
                    f"{int(new_mask.sum())} test rows hold categories unseen in train: {new}",
                    examples(b[column], new_mask),
                    over=new_mask.mean() > limit,
                )
            )
    return out


def _new_labels(a: pd.DataFrame, b: pd.DataFrame, label: str | None) -> list[Any]:
    if label is None:
        return []
    for name, frame in (("train", a), ("test", b)):
        if label not in frame.columns:
            raise MlopsInputError(f"check_train_test: label column {label!r} is not in {name}")
    if column_kind(a[label]) == "float" and a[label].nunique() > 20:
        return []
    seen = set(a[label].dropna().astype(str))
    new_mask = (~b[label].astype(str).isin(seen) & b[label].notna()).to_numpy()
    if not new_mask.any():
        return []
    new = sorted(set(b[label][new_mask].astype(str)))[:10]
    return [
        finding(
            "new_labels", label, int(new_mask.sum()), len(b), f"labels never seen in train: {new}"
        )
    ]


@validate_params(
    {
        "label": [InstanceOf(str), None],
        "max_shared_fraction": [SHARE],
        "max_new_category_fraction": [SHARE],
        "min_size_ratio": [Interval(float, 0, None)],
        "max_categories": [Interval(int, 1, None)],
        "fail_on": [SequenceOf(Options(*TRAIN_TEST_FINDINGS))],
    }
)
def check_train_test(
    train: Any,
    test: Any,
    label: str | None = None,
    *,
    max_shared_fraction: float = 0.05,
    max_new_category_fraction: float = 0.0,
    min_size_ratio: float = 0.01,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    fail_on: Sequence[str] = DEFAULT_TRAIN_TEST_FAIL_ON,
) -> CheckResult:
    """Checks on a train/test pair.

    - ``shared_rows``: test rows that also appear in train (leakage), more than
      ``max_shared_fraction`` (0.05, Deepchecks ``TrainTestSamplesMix``); fewer are
      reported at level ``info``.
    - ``new_categories``: test values of a categorical column never seen in train, in more
      than ``max_new_category_fraction`` (0, Deepchecks ``NewCategoryTrainTest``) of rows.
    - ``new_labels``: label values in test never seen in train (Deepchecks ``NewLabelTrainTest``).
    - ``missing_columns``: columns in one frame and not the other.
    - ``size_ratio``: test smaller than ``min_size_ratio`` (0.01, Deepchecks
      ``DatasetsSizeComparison``) of train.
    """
    a, notes_a = as_frame("train", train)
    b, notes_b = as_frame("test", test)
    require_hashable("train", a)
    require_hashable("test", b)
    n = len(b)
    found: list[dict[str, Any]] = []
    only_train = [str(c) for c in a.columns if c not in b.columns]
    only_test = [str(c) for c in b.columns if c not in a.columns]
    if only_train or only_test:
        found.append(
            finding(
                "missing_columns",
                None,
                0,
                n,
                f"only in train: {only_train[:10]}; only in test: {only_test[:10]}",
                only_in_train=only_train,
                only_in_test=only_test,
            )
        )
    features = [str(c) for c in a.columns if c in b.columns and c != label]
    found += _shared_rows(a, b, features, max_shared_fraction)
    found += _new_categories(a, b, features, max_new_category_fraction, max_categories)
    found += _new_labels(a, b, label)
    ratio = len(b) / len(a)
    if ratio < min_size_ratio:
        found.append(
            finding(
                "size_ratio",
                None,
                n,
                n,
                f"test has {len(b)} rows, {ratio:.2%} of train's {len(a)} (< {min_size_ratio:.0%})",
            )
        )
    found = _levelled(found, fail_on)
    return _outcome(
        "train_test",
        found,
        clean=f"train ({len(a)} rows) and test ({n} rows) are consistent",
        next_step="re-split the data so that test rows are new and of the same kinds as train",
        metrics={"size_ratio": ratio},
        details={
            "train_rows": len(a),
            "test_rows": n,
            "size_ratio": ratio,
            "findings": found,
            "notes": notes_a + notes_b,
            "fail_on": list(fail_on),
        },
        thresholds={
            "max_shared_fraction": max_shared_fraction,
            "max_new_category_fraction": max_new_category_fraction,
            "min_size_ratio": min_size_ratio,
            "fail_on": list(fail_on),
        },
    )


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
register(
    CheckSpec(
        name="train_test",
        category="data",
        function=check_train_test,
        data=("train", "test"),
        scorecard=(),
    )
)
