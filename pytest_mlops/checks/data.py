"""Data integrity (``check_data``) and train/test checks (``check_train_test``).

Each finding has a documented default taken from the peer tools (Deepchecks' default
conditions, see the README); findings on the ``fail_on`` list fail the check, the others
are reported without failing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._frames import (
    DEFAULT_MAX_CATEGORIES,
    as_frame,
    column_kind,
    examples,
    plain_value,
    type_names,
)
from pytest_mlops.checks._inputs import choice
from pytest_mlops.checks._schema import ColumnSchema, Schema, check_schema, infer_schema
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    import pandas as pd

INTEGRITY_FINDINGS: Final = (
    "nulls",
    "duplicates",
    "constant",
    "almost_constant",
    "mixed_types",
    "case_variants",
    "outliers",
    "class_imbalance",
    "conflicting_labels",
    "leakage",
    "all_null",
)
#: Deepchecks' severities: its FAIL conditions fail here, its WARN conditions only report.
DEFAULT_FAIL_ON: Final = ("nulls", "constant", "conflicting_labels", "leakage", "all_null")
TRAIN_TEST_FINDINGS: Final = (
    "shared_rows",
    "new_categories",
    "new_labels",
    "missing_columns",
    "size_ratio",
)
DEFAULT_TRAIN_TEST_FAIL_ON: Final = TRAIN_TEST_FINDINGS

__all__ = [
    "ColumnSchema",
    "Schema",
    "check_data",
    "check_schema",
    "check_train_test",
    "infer_schema",
]


def _finding(
    kind: str,
    column: str | None,
    rows: int,
    n: int,
    message: str,
    sample: Sequence[Any] = (),
    **extra: Any,
) -> dict[str, Any]:
    return {
        "finding": kind,
        "column": column,
        "rows": int(rows),
        "fraction": rows / n if n else 0.0,
        "message": message,
        "examples": list(sample),
        **extra,
    }


def _normalise(text: pd.Series) -> pd.Series:
    return text.str.lower().str.replace(r"\s+", " ", regex=True).str.strip()


def _single_feature_scores(
    frame: pd.DataFrame, label: pd.Series, features: Sequence[str], random_state: int
) -> dict[str, float]:
    """How well each feature alone predicts the label, cross-fitted on two halves.

    Numbers are cut into 20 quantile bins, other values used as they are; each half
    learns the label per bin (majority class, or mean for a numeric label) and predicts
    the other half (unseen bins get the overall answer). The score is balanced accuracy
    rescaled so 0 is chance and 1 is perfect (classification), or R² (regression).
    ID-like columns score about 0 because their values never repeat across halves.
    """
    import numpy as np
    import pandas as pd

    n = len(frame)
    rng = np.random.default_rng(random_state)
    half = rng.permutation(n) < n // 2
    y = label.to_numpy()
    regression = column_kind(label) == "float" and label.nunique() > 20
    classes = np.unique(y.astype(str)) if not regression else None
    scores: dict[str, float] = {}
    for column in features:
        series = frame[column]
        numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype
        )
        if numeric and series.nunique() > 20:
            bins = pd.qcut(series.astype(float), 20, labels=False, duplicates="drop")
            keys: np.ndarray = bins.astype("float").fillna(-1).astype(int).astype(str).to_numpy()
        else:
            keys = series.astype(str).to_numpy()
        predicted = np.empty(n, dtype=object if not regression else float)
        for train_mask in (half, ~half):
            frame_fit = pd.DataFrame({"k": keys[train_mask], "y": y[train_mask]})
            if regression:
                table = frame_fit.groupby("k")["y"].mean()
                fallback: Any = float(np.mean(y[train_mask]))
            else:
                frame_fit["y"] = frame_fit["y"].astype(str)
                table = frame_fit.groupby("k")["y"].agg(lambda s: s.value_counts().index[0])
                fallback = pd.Series(y[train_mask].astype(str)).value_counts().index[0]
            mapped = pd.Series(keys[~train_mask]).map(table)
            predicted[~train_mask] = mapped.fillna(fallback).to_numpy()
        if regression:
            residual = np.sum((y.astype(float) - predicted.astype(float)) ** 2)
            total = np.sum((y.astype(float) - y.astype(float).mean()) ** 2)
            scores[column] = float(1 - residual / total) if total > 0 else 0.0
        else:
            truth = y.astype(str)
            recalls = [np.mean(predicted[truth == c] == c) for c in classes]  # type: ignore[union-attr]
            balanced = float(np.mean(recalls))
            chance = 1 / len(recalls)
            scores[column] = (
                max(0.0, (balanced - chance) / (1 - chance)) if len(recalls) > 1 else 0.0
            )
    return scores


def check_data(
    data: Any,
    label: str | None = None,
    *,
    max_null_fraction: float = 0.05,
    max_duplicate_fraction: float = 0.05,
    almost_constant_share: float = 0.99,
    outlier_iqr: float = 3.0,
    min_class_ratio: float = 0.1,
    max_conflicting_fraction: float = 0.0,
    max_single_feature_score: float = 0.95,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    fail_on: Sequence[str] = DEFAULT_FAIL_ON,
    random_state: int = 0,
) -> CheckResult:
    """Integrity checks on one frame (a training or test set).

    Findings, each with its default (and where it comes from):

    - ``nulls``: a column with more than ``max_null_fraction`` (0.05, Deepchecks
      ``PercentOfNulls``) missing values; ``all_null``: a column with no value at all.
    - ``duplicates``: more than ``max_duplicate_fraction`` (0.05, Deepchecks
      ``DataDuplicates``) of rows repeated.
    - ``constant``: one distinct value (Deepchecks ``IsSingleValue``);
      ``almost_constant``: one value in at least ``almost_constant_share`` (0.99) of rows.
    - ``mixed_types``: an object column mixing numbers and text (Deepchecks ``MixedDataTypes``).
    - ``case_variants``: text values that differ only by case or white space (Deepchecks
      ``StringMismatch``).
    - ``outliers``: numbers outside Tukey's far-out fences, ``outlier_iqr`` (3.0) times the
      interquartile range beyond the quartiles.
    - ``class_imbalance``: the rarest label class under ``min_class_ratio`` (0.1,
      Deepchecks ``ClassImbalance``) of the most common.
    - ``conflicting_labels``: identical features with different labels, more than
      ``max_conflicting_fraction`` (0, Deepchecks ``ConflictingLabels``) of rows.
    - ``leakage``: a single feature that predicts the label almost perfectly: score above
      ``max_single_feature_score`` (0.95; Deepchecks' PPS uses 0.8, which flags genuinely
      strong features — e.g. 'worst perimeter' on the breast-cancer data scores 0.84).

    ``fail_on`` (default: nulls, all_null, constant, conflicting_labels, leakage — the
    findings Deepchecks marks FAIL) lists the findings that fail the check; the rest are
    reported without failing it.
    """
    import numpy as np
    import pandas as pd

    for finding in fail_on:
        choice("fail_on entry", finding, INTEGRITY_FINDINGS)
    frame, notes = as_frame("data", data)
    if label is not None and label not in frame.columns:
        raise MlopsInputError(
            f"label column {label!r} is not in the data; it has {list(frame.columns)[:20]}"
        )
    n = len(frame)
    features = [c for c in frame.columns if c != label]
    found: list[dict[str, Any]] = []
    per_column: list[dict[str, Any]] = []
    for column in frame.columns:
        series = frame[column]
        nulls = int(series.isna().sum())
        kind = column_kind(series, max_categories) if nulls < n else "empty"
        per_column.append(
            {
                "column": column,
                "kind": kind,
                "nulls": nulls,
                "null_fraction": nulls / n,
                "distinct": int(series.nunique(dropna=True)),
            }
        )
        if nulls == n:
            found.append(
                _finding("all_null", column, n, n, f"column {column!r} has no values at all")
            )
            continue
        if nulls / n > max_null_fraction:
            found.append(
                _finding(
                    "nulls",
                    column,
                    nulls,
                    n,
                    f"{nulls} missing values ({nulls / n:.1%} > {max_null_fraction:.0%})",
                    examples(series, series.isna()),
                )
            )
        values = series.dropna()
        counts = values.astype(str).value_counts() if kind in ("mixed",) else values.value_counts()
        if len(counts) == 1 and column != label:
            found.append(
                _finding(
                    "constant",
                    column,
                    n - nulls,
                    n,
                    f"every value is {plain_value(counts.index[0])!r}: "
                    "the column carries no information",
                )
            )
        elif len(counts) > 1 and counts.iloc[0] / len(values) >= almost_constant_share:
            found.append(
                _finding(
                    "almost_constant",
                    column,
                    int(counts.iloc[0]),
                    n,
                    f"{counts.iloc[0] / len(values):.2%} of values are "
                    f"{plain_value(counts.index[0])!r}",
                )
            )
        if kind == "mixed":
            types = type_names(series)
            numeric = sum(v for k, v in types.items() if k in ("int", "float", "Decimal"))
            text = sum(v for k, v in types.items() if k == "str")
            if numeric and text:
                minority = min(numeric, text)
                mask = (
                    series.map(lambda v: isinstance(v, str))
                    if text == minority
                    else series.map(
                        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
                    )
                )
                found.append(
                    _finding(
                        "mixed_types",
                        column,
                        minority,
                        n,
                        f"mixes numbers ({numeric}) and text ({text})",
                        examples(series, mask.to_numpy()),
                        types=types,
                    )
                )
        if kind in ("categorical", "string", "mixed"):
            text_values = (
                values[values.map(lambda v: isinstance(v, str))]
                if kind == "mixed"
                else values.astype(str)
            )
            distinct = pd.Series(text_values.unique()).astype(str)
            groups = distinct.groupby(_normalise(distinct).to_numpy()).agg(list)
            variants = [sorted(g) for g in groups if len(g) > 1]
            if variants:
                rows = int(text_values.astype(str).isin([v for g in variants for v in g]).sum())
                found.append(
                    _finding(
                        "case_variants",
                        column,
                        rows,
                        n,
                        f"{len(variants)} value(s) spelled more than one way, e.g. "
                        f"{variants[0][:4]}",
                        variants=variants[:20],
                    )
                )
        if kind in ("integer", "float") and column != label:
            numbers = values.astype(float)
            q1, q3 = np.percentile(numbers, [25, 75])
            iqr = q3 - q1
            if iqr > 0:
                mask = (
                    (series.astype(float) < q1 - outlier_iqr * iqr)
                    | (series.astype(float) > q3 + outlier_iqr * iqr)
                ).to_numpy()
                if mask.any():
                    found.append(
                        _finding(
                            "outliers",
                            column,
                            int(mask.sum()),
                            n,
                            f"{int(mask.sum())} values beyond {outlier_iqr:g} IQR of the "
                            f"quartiles [{q1 - outlier_iqr * iqr:.4g}, "
                            f"{q3 + outlier_iqr * iqr:.4g}]",
                            examples(series, mask),
                        )
                    )
    duplicated = (
        frame.duplicated(keep="first").to_numpy() if _hashable(frame) else np.zeros(n, bool)
    )
    if duplicated.sum() / n > max_duplicate_fraction:
        found.append(
            _finding(
                "duplicates",
                None,
                int(duplicated.sum()),
                n,
                f"{int(duplicated.sum())} duplicate rows ({duplicated.mean():.1%} > "
                f"{max_duplicate_fraction:.0%})",
                [{"row": r, "value": None} for r in frame.index[duplicated][:5].tolist()],
            )
        )
    if label is not None:
        labels = frame[label]
        if labels.isna().any():
            found.append(
                _finding(
                    "nulls", label, int(labels.isna().sum()), n, "the label has missing values"
                )
            )
        classification = column_kind(labels) != "float" or labels.nunique() <= 20
        if classification:
            shares = labels.value_counts()
            if len(shares) > 1 and shares.iloc[-1] / shares.iloc[0] < min_class_ratio:
                found.append(
                    _finding(
                        "class_imbalance",
                        label,
                        int(shares.iloc[-1]),
                        n,
                        f"the rarest class {plain_value(shares.index[-1])!r} has "
                        f"{int(shares.iloc[-1])} "
                        f"rows, {shares.iloc[-1] / shares.iloc[0]:.1%} of the most common "
                        f"(< {min_class_ratio:.0%})",
                        shares={str(k): int(v) for k, v in shares.items()},
                    )
                )
        if features and _hashable(frame):
            grouped = frame.groupby(features, dropna=False, sort=False)[label].transform("nunique")
            conflicting = (grouped > 1).to_numpy()
            if conflicting.mean() > max_conflicting_fraction:
                found.append(
                    _finding(
                        "conflicting_labels",
                        label,
                        int(conflicting.sum()),
                        n,
                        f"{int(conflicting.sum())} rows share identical features with rows "
                        "of another label",
                        [{"row": r, "value": None} for r in frame.index[conflicting][:5].tolist()],
                    )
                )
        if features and labels.notna().all() and n >= 20:
            scores = _single_feature_scores(frame, labels, features, random_state)
            for column, score in sorted(scores.items(), key=lambda kv: -kv[1]):
                if score > max_single_feature_score:
                    found.append(
                        _finding(
                            "leakage",
                            column,
                            n,
                            n,
                            f"alone predicts {label!r} with score {score:.3f} "
                            f"(> {max_single_feature_score:g}): a leak, or a proxy of the label",
                            score=score,
                        )
                    )
            for row in per_column:
                if row["column"] in scores:
                    row["single_feature_score"] = scores[row["column"]]
    failing = [f for f in found if f["finding"] in fail_on]
    details = {
        "rows": n,
        "columns": per_column,
        "findings": found,
        "fail_on": list(fail_on),
        "notes": notes,
        "label": label,
    }
    metrics = {"findings": len(found), "failing_findings": len(failing), "rows": n}
    listed = "; ".join(f"{f['column'] or 'rows'}: {f['message']}" for f in (failing or found)[:5])
    if failing:
        return CheckResult(
            name="data_integrity",
            category="data",
            status="fail",
            reason="violations_found",
            message=f"{len(failing)} integrity problem(s): {listed}. Fix the data "
            "pipeline, or drop the column if it should not be there",
            metrics=metrics,
            details=details,
            thresholds={"fail_on": list(fail_on)},
        )
    reported = f"; reported without failing: {listed}" if found else ""
    return CheckResult(
        name="data_integrity",
        category="data",
        status="pass",
        reason="ok",
        message=f"{n} rows x {frame.shape[1]} columns pass the integrity checks{reported}",
        metrics=metrics,
        details=details,
        thresholds={"fail_on": list(fail_on)},
    )


def _hashable(frame: pd.DataFrame) -> bool:
    try:
        import pandas as pd

        pd.util.hash_pandas_object(frame.head(50), index=False)
    except TypeError:
        return False
    return True


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
      ``max_shared_fraction`` (0.05, Deepchecks ``TrainTestSamplesMix``).
    - ``new_categories``: test values of a categorical column never seen in train, in more
      than ``max_new_category_fraction`` (0, Deepchecks ``NewCategoryTrainTest``) of rows.
    - ``new_labels``: label values in test never seen in train (Deepchecks ``NewLabelTrainTest``).
    - ``missing_columns``: columns in one frame and not the other.
    - ``size_ratio``: test smaller than ``min_size_ratio`` (0.01, Deepchecks
      ``DatasetsSizeComparison``) of train.
    """
    import numpy as np
    import pandas as pd

    for finding in fail_on:
        choice("fail_on entry", finding, TRAIN_TEST_FINDINGS)
    a, notes_a = as_frame("train", train)
    b, notes_b = as_frame("test", test)
    n = len(b)
    found: list[dict[str, Any]] = []
    only_train = [c for c in a.columns if c not in b.columns]
    only_test = [c for c in b.columns if c not in a.columns]
    if only_train or only_test:
        found.append(
            _finding(
                "missing_columns",
                None,
                0,
                n,
                f"only in train: {only_train[:10]}; only in test: {only_test[:10]}",
                only_in_train=only_train,
                only_in_test=only_test,
            )
        )
    common = [c for c in a.columns if c in b.columns]
    features = [c for c in common if c != label]
    if features and _hashable(a[features]) and _hashable(b[features]):
        hashed_a = pd.util.hash_pandas_object(a[features], index=False).to_numpy()
        hashed_b = pd.util.hash_pandas_object(b[features], index=False).to_numpy()
        shared = np.isin(hashed_b, hashed_a)
        if shared.mean() > max_shared_fraction or (max_shared_fraction == 0 and shared.any()):
            found.append(
                _finding(
                    "shared_rows",
                    None,
                    int(shared.sum()),
                    n,
                    f"{int(shared.sum())} test rows ({shared.mean():.1%}) also appear in "
                    f"train (> {max_shared_fraction:.0%}): the test score is inflated",
                    [{"row": r, "value": None} for r in b.index[shared][:5].tolist()],
                )
            )
    for column in features:
        kind = column_kind(a[column], max_categories)
        if kind not in ("categorical", "boolean"):
            continue
        seen = set(a[column].dropna().astype(str))
        values = b[column].astype(str).where(b[column].notna(), None)
        new_mask = (~values.isin(seen) & b[column].notna()).to_numpy()
        if new_mask.mean() > max_new_category_fraction:
            new = sorted(set(values[new_mask]))[:10]
            found.append(
                _finding(
                    "new_categories",
                    column,
                    int(new_mask.sum()),
                    n,
                    f"{int(new_mask.sum())} test rows hold categories unseen in train: {new}",
                    examples(b[column], new_mask),
                )
            )
    if label is not None:
        for name, frame in (("train", a), ("test", b)):
            if label not in frame.columns:
                raise MlopsInputError(f"label column {label!r} is not in {name}")
        if column_kind(a[label]) != "float" or a[label].nunique() <= 20:
            seen_labels = set(a[label].dropna().astype(str))
            new_mask = (~b[label].astype(str).isin(seen_labels) & b[label].notna()).to_numpy()
            if new_mask.any():
                found.append(
                    _finding(
                        "new_labels",
                        label,
                        int(new_mask.sum()),
                        n,
                        "labels never seen in train: "
                        f"{sorted(set(b[label][new_mask].astype(str)))[:10]}",
                    )
                )
    ratio = len(b) / len(a)
    if ratio < min_size_ratio:
        found.append(
            _finding(
                "size_ratio",
                None,
                n,
                n,
                f"test has {len(b)} rows, {ratio:.2%} of train's {len(a)} (< {min_size_ratio:.0%})",
            )
        )
    failing = [f for f in found if f["finding"] in fail_on]
    details = {
        "train_rows": len(a),
        "test_rows": n,
        "size_ratio": ratio,
        "findings": found,
        "notes": notes_a + notes_b,
        "fail_on": list(fail_on),
    }
    metrics = {"findings": len(found), "size_ratio": ratio}
    listed = "; ".join(f"{f['column'] or 'rows'}: {f['message']}" for f in (failing or found)[:5])
    if failing:
        return CheckResult(
            name="train_test",
            category="data",
            status="fail",
            reason="violations_found",
            message=f"{len(failing)} train/test problem(s): {listed}. Re-split the data "
            "so that test rows are new and of the same kinds as train",
            metrics=metrics,
            details=details,
        )
    return CheckResult(
        name="train_test",
        category="data",
        status="pass",
        reason="ok",
        message=f"train ({len(a)} rows) and test ({n} rows) are consistent"
        + (f"; reported: {listed}" if found else ""),
        metrics=metrics,
        details=details,
    )
