"""Train/test checks (``check_train_test``): the split is a fair test of the model.

Its findings are judged like ``check_data``'s (:func:`~pytest_mlops.checks._findings.outcome`):
beyond its threshold a finding fails (on ``fail_on``) or warns; within it, it is
reported at level ``info``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._findings import SHARE, finding, levelled, outcome, percent, row_examples
from pytest_mlops.checks._frames import (
    DEFAULT_MAX_CATEGORIES,
    as_frame,
    column_kind,
    examples,
    require_hashable,
)
from pytest_mlops.core.inputs import InstanceOf, Interval, Options, SequenceOf, validate_params
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops.results import CheckResult

TRAIN_TEST_FINDINGS: Final = (
    "shared_rows",
    "new_categories",
    "new_labels",
    "missing_columns",
    "size_ratio",
)
DEFAULT_TRAIN_TEST_FAIL_ON: Final = TRAIN_TEST_FINDINGS


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
    found = levelled(found, fail_on)
    return outcome(
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
        name="train_test",
        category="data",
        function=check_train_test,
        data=("train", "test"),
        scorecard=(),
    )
)
