"""Every public check, driven with adversarial input: each call ends in a ``CheckResult``
or in an ``MlopsInputError``/``MlopsTypeError`` whose message names the culprit; never an
internal exception, never a bare traceback from NumPy, pandas, SciPy or scikit-learn.

The default profile runs a quick pass (``FUZZ_EXAMPLES`` examples per check, 25 unless
set); a long run by hand: ``FUZZ_EXAMPLES=1000 pytest tests/test_fuzz.py -p no:randomly``.
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pytest_mlops import checks
from pytest_mlops.errors import MlopsInputError, MlopsTypeError
from pytest_mlops.results import CheckResult

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") is None,
    suppress_health_check=list(HealthCheck),
    database=None,
    phases=[Phase.explicit, Phase.generate]
    if os.environ.get("FUZZ_NO_SHRINK")
    else [Phase.explicit, Phase.generate, Phase.shrink],
)

# -- the raw material: values that break code that assumed clean input -------------------
ODD_SCALARS = [
    0,
    1,
    2,
    -1,
    0.5,
    1.5,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    None,
    True,
    False,
    "a",
    "b",
    "0",
    "1",
    "",
    "$x_$",
    "\x00",
    "é",
    3 + 1j,
]
ODD_OPTIONS = [
    None,
    "x",
    "0.5",
    -1,
    0,
    1,
    2,
    0.5,
    1.5,
    math.nan,
    math.inf,
    True,
    [],
    {},
    1e308,
    -0.0,
    ["a"],
    {"a": 1},
]
ODD_NAMES = [
    "a",
    "b",
    "a",
    0,
    1,
    "",
    " ",
    "\x00",
    "é",
    "$$",
    "<b>x</b>",
    "::error::x",
    "a\nb",
    ("t", 1),
]


def labels(max_size: int = 40) -> st.SearchStrategy[Any]:
    """Label vectors: clean, or with odd values, as lists, arrays or pandas Series."""
    clean = st.lists(st.sampled_from([0, 1]), min_size=0, max_size=max_size)
    odd = st.lists(st.sampled_from(ODD_SCALARS), min_size=0, max_size=max_size)
    base = st.one_of(clean, clean, odd)
    return base.flatmap(
        lambda values: st.sampled_from(
            [
                values,
                np.array(values, dtype=object),
                pd.Series(values, dtype=object),
                _series(values, "category"),
                _series(values, "Int64"),
                _series(values, "boolean"),
                _series(values, "string"),
            ]
        )
    )


def _series(values: list[Any], dtype: str) -> Any:
    try:
        return pd.Series(values).astype(dtype)
    except (TypeError, ValueError, OverflowError):
        return pd.Series(values, dtype=object)


def scores(max_size: int = 40) -> st.SearchStrategy[Any]:
    floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
    unit = st.floats(0, 1)
    return st.one_of(
        st.lists(unit, max_size=max_size),
        st.lists(st.one_of(unit, floats), max_size=max_size),
        st.lists(st.lists(unit, min_size=2, max_size=3), max_size=max_size),
        st.lists(st.sampled_from(ODD_SCALARS), max_size=max_size),
    )


def columns() -> st.SearchStrategy[pd.Series]:
    def build(kind: str, n: int, seed: int) -> pd.Series:
        rng = np.random.default_rng(seed)
        x = rng.normal(size=n)
        made: dict[str, Callable[[], Any]] = {
            "float": lambda: x,
            "float_nan": lambda: np.where(rng.random(n) < 0.3, np.nan, x),
            "float_inf": lambda: np.where(rng.random(n) < 0.3, np.inf, x),
            "huge": lambda: x * 1e307,
            "int": lambda: rng.integers(0, 3, n),
            "Int64": lambda: pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "constant": lambda: np.zeros(n),
            "all_nan": lambda: np.full(n, np.nan),
            "bool": lambda: rng.random(n) < 0.5,
            "boolean": lambda: pd.array(rng.random(n) < 0.5, dtype="boolean"),
            "str": lambda: pd.array(rng.choice(["a", "b", "$x_$"], n), dtype="str"),
            "object": lambda: rng.choice(np.array(["a", 1, None], dtype=object), n),
            "category": lambda: pd.Categorical(rng.choice(["a", "b"], n)),
            "int_category": lambda: pd.Categorical(rng.integers(0, 2, n)),
            "datetime_tz": lambda: pd.date_range("2024-01-01", periods=n, tz="UTC"),
            "timedelta": lambda: pd.to_timedelta(rng.integers(0, 5, n), unit="D"),
            "lists": lambda: pd.Series([[1, 2]] * n, dtype=object),
            "dicts": lambda: pd.Series([{"a": 1}] * n, dtype=object),
        }
        return pd.Series(made[kind]())

    kinds = [
        "float",
        "float",
        "int",
        "str",
        "category",
        "float_nan",
        "float_inf",
        "huge",
        "Int64",
        "constant",
        "all_nan",
        "bool",
        "boolean",
        "object",
        "int_category",
        "datetime_tz",
        "timedelta",
        "lists",
        "dicts",
    ]
    return st.builds(
        build, st.sampled_from(kinds), st.sampled_from([0, 1, 2, 5, 60]), st.integers(0, 99)
    )


@st.composite
def frames(draw: st.DrawFn, min_columns: int = 0) -> pd.DataFrame:
    n = draw(st.sampled_from([0, 1, 3, 60]))
    count = draw(st.integers(min_columns, 4))
    names = draw(st.lists(st.sampled_from(ODD_NAMES), min_size=count, max_size=count))
    if draw(st.booleans()):  # mostly clean, unique string names
        names = [f"c{i}" for i in range(count)]
    data = {}
    for i in range(len(names)):
        column = draw(columns())
        values = list(column.iloc[:n]) + [column.iloc[0] if len(column) else 0] * (n - len(column))
        data[i] = values
    out = pd.DataFrame({i: pd.Series(v, dtype=object) for i, v in data.items()}, index=range(n))
    for i in data:
        with contextlib.suppress(TypeError, ValueError):
            out[i] = pd.Series(data[i]).infer_objects()
    out.columns = (
        names
        if len(set(map(repr, names))) == len(names) or draw(st.booleans())
        else [f"c{i}" for i in range(count)]
    )
    if draw(st.integers(0, 9)) == 0 and count:
        out.columns = pd.MultiIndex.from_tuples([("m", str(i)) for i in range(count)])
    return out


def options(**choices: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A random subset of the given options, each drawn from its strategy or an odd value."""
    return st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(strategy, st.sampled_from(ODD_OPTIONS))
            for name, strategy in choices.items()
        },
    )


# -- the contract ----------------------------------------------------------------------
def names_in(value: Any) -> list[str]:
    if isinstance(value, pd.DataFrame):
        return [str(c) for c in value.columns]
    return []


def run(check: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call ``check``; it must end in a result or an Mlops error that names something."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            outcome = check(*args, **kwargs)
        except (MlopsInputError, MlopsTypeError) as exc:
            text = str(exc)
            assert text.strip(), f"{check.__name__} raised {type(exc).__name__} with no message"
            import inspect

            culprits = [*kwargs, *[n for a in args for n in names_in(a)], check.__name__]
            culprits += list(inspect.signature(check).parameters)
            culprits += ["column", "label", "feature", "schema", "profile", "model"]
            assert any(c and c in text for c in culprits), (
                f"{check.__name__}: the message names no argument or column: {text}"
            )
            return
    if isinstance(outcome, CheckResult):
        outcome.to_dict()  # strict JSON-ready
        return
    assert check.__name__ in ("infer_schema", "build_profile"), type(outcome)


def _fitted(kind: str = "classifier") -> Any:
    from sklearn.linear_model import LinearRegression, LogisticRegression

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"c0": rng.normal(size=60), "c1": rng.normal(size=60)})
    if kind == "regressor":
        return LinearRegression().fit(X, X["c0"] * 2), X
    return LogisticRegression().fit(X, (X["c0"] > 0).astype(int)), X


# -- one property per check ------------------------------------------------------------
@FUZZ
@given(
    labels(),
    labels(),
    scores(),
    options(
        thresholds=st.sampled_from([{"accuracy": 0.5}, {"roc_auc": {"min": 0.5}}, {"nope": 1}]),
        report=st.sampled_from([["accuracy"], ["roc_auc", "log_loss"], ["nope"]]),
        pos_label=st.sampled_from([0, 1, "1", 5]),
        n_resamples=st.sampled_from([0, 10, 50]),
        confidence=st.sampled_from([0.9, 0.95]),
        gate_on=st.sampled_from(["point", "interval", "lower_bound"]),
    ),
)
def test_check_metrics(y_true: Any, y_pred: Any, y_score: Any, kw: dict[str, Any]) -> None:
    kw.setdefault("n_resamples", 20)
    run(checks.check_metrics, y_true, y_pred=y_pred, y_score=y_score, **kw)


@FUZZ
@given(
    labels(),
    scores(),
    scores(),
    options(
        metric=st.sampled_from(["accuracy", "roc_auc", "log_loss", "brier", "f1", "nope"]),
        margin=st.sampled_from([0.0, 0.01]),
        alpha=st.sampled_from([0.05]),
        n_resamples=st.sampled_from([0, 20]),
        pos_label=st.sampled_from([0, 1, 5]),
    ),
)
def test_compare_models(y_true: Any, champion: Any, challenger: Any, kw: dict[str, Any]) -> None:
    kw.setdefault("n_resamples", 20)
    run(checks.compare_models, y_true, champion=champion, challenger=challenger, **kw)


@FUZZ
@given(
    labels(),
    scores(),
    options(
        n_bins=st.sampled_from([2, 10]),
        strategy=st.sampled_from(["uniform", "quantile"]),
        max_ece=st.sampled_from([0.1]),
        max_brier=st.sampled_from([0.25]),
        pos_label=st.sampled_from([0, 1, 5]),
    ),
)
def test_check_calibration(y_true: Any, y_score: Any, kw: dict[str, Any]) -> None:
    run(checks.check_calibration, y_true, y_score, **kw)


@FUZZ
@given(
    labels(),
    labels(),
    labels(),
    scores(),
    options(
        metric=st.sampled_from(["accuracy", "roc_auc", "f1", "r2", "nope"]),
        min_gain=st.sampled_from([0.1]),
        strategy=st.sampled_from(["prior", "mean", "nope"]),
        pos_label=st.sampled_from([0, 1, 5]),
    ),
)
def test_check_beats_dummy(
    y_train: Any, y_test: Any, y_pred: Any, y_score: Any, kw: dict[str, Any]
) -> None:
    run(checks.check_beats_dummy, y_train, y_test, y_pred, y_score, **kw)


@FUZZ
@given(
    labels(),
    labels(),
    labels(),
    labels(),
    options(
        metric=st.sampled_from(["accuracy", "f1", "roc_auc", "nope"]),
        max_gap=st.sampled_from([0.05]),
        max_relative_gap=st.sampled_from([0.1]),
        pos_label=st.sampled_from([0, 1, 5]),
    ),
)
def test_check_overfitting(
    y_train: Any, y_test: Any, train_pred: Any, test_pred: Any, kw: dict[str, Any]
) -> None:
    run(checks.check_overfitting, y_train, y_test, train_pred=train_pred, test_pred=test_pred, **kw)


@FUZZ
@given(
    st.sampled_from(
        [None, {"accuracy": 0.9}, {"metrics": {"accuracy": "x"}}, {"accuracy": None}, [], "x"]
    ),
    labels(),
    labels(),
    options(
        max_drop=st.sampled_from([{"accuracy": 0.01}, {"accuracy": -1}, {"x": "y"}]),
        first_run=st.booleans(),
    ),
)
def test_check_against_baseline(
    baseline: Any, y_true: Any, y_pred: Any, kw: dict[str, Any]
) -> None:
    kw.setdefault("max_drop", {"accuracy": 0.01})
    run(checks.check_against_baseline, "model", baseline, y_true, y_pred, n_resamples=10, **kw)


@FUZZ
@given(
    frames(),
    st.sampled_from([None, "c0", "c1", "nope", 0]),
    options(
        max_null_fraction=st.sampled_from([0.05]),
        max_duplicate_fraction=st.sampled_from([0.0]),
        min_class_ratio=st.sampled_from([0.1]),
        fail_on=st.sampled_from([["nulls"], ["nope"]]),
    ),
)
def test_check_data(data: Any, label: Any, kw: dict[str, Any]) -> None:
    run(checks.check_data, data, label, **kw)


@FUZZ
@given(
    frames(),
    frames(),
    st.sampled_from([None, "c0", "nope"]),
    options(
        max_shared_fraction=st.sampled_from([0.05]),
        fail_on=st.sampled_from([["shared_rows"], ["nope"]]),
    ),
)
def test_check_train_test(train: Any, test: Any, label: Any, kw: dict[str, Any]) -> None:
    run(checks.check_train_test, train, test, label, **kw)


@FUZZ
@given(
    frames(),
    frames(),
    options(range_slack=st.sampled_from([0.1]), null_tolerance=st.sampled_from([0.05])),
)
def test_infer_and_check_schema(reference: Any, data: Any, kw: dict[str, Any]) -> None:
    run(checks.infer_schema, reference, **kw)
    try:
        schema = checks.infer_schema(reference)
    except (MlopsInputError, MlopsTypeError):
        return
    run(checks.check_schema, data, schema)
    import json

    json.dumps(schema.to_dict(), allow_nan=False)


@FUZZ
@given(
    frames(),
    st.sampled_from(["columns", "type", "min", "max", "categories", "nullable"]),
    st.sampled_from(ODD_OPTIONS),
)
def test_check_schema_on_hand_edited_schemas(data: Any, key: str, value: Any) -> None:
    try:
        schema = checks.infer_schema(data).to_dict()
    except (MlopsInputError, MlopsTypeError):
        return
    if key == "columns":
        schema["columns"] = value
    else:
        for column in (
            schema.get("columns", {}).values()
            if isinstance(schema.get("columns"), dict)
            else schema.get("columns", [])
        ):
            if isinstance(column, dict):
                column[key] = value
    run(checks.check_schema, data, schema)


@FUZZ
@given(
    frames(),
    frames(),
    options(
        method=st.sampled_from(["auto", "ks", "psi", "wasserstein", "anderson", "chi2", "nope"]),
        alpha=st.sampled_from([0.05]),
        correction=st.sampled_from(["bonferroni", "bh", "nope"]),
        effect_floor=st.sampled_from([0.1, {"c0": 0.2}]),
        min_samples=st.sampled_from([1, 50]),
        domain_classifier=st.booleans(),
    ),
)
def test_check_drift(reference: Any, current: Any, kw: dict[str, Any]) -> None:
    run(checks.check_drift, reference, current, **kw)


@FUZZ
@given(
    frames(),
    frames(),
    st.sampled_from(["bins", "columns", "kind", "counts", "n"]),
    st.sampled_from(ODD_OPTIONS),
)
def test_check_drift_on_corrupted_profiles(
    reference: Any, current: Any, key: str, value: Any
) -> None:
    try:
        profile = checks.build_profile(reference)
    except (MlopsInputError, MlopsTypeError):
        return
    profile = dict(profile)
    if key in profile:
        profile[key] = value
    else:
        for column in (profile.get("columns") or {}).values():
            if isinstance(column, dict):
                column[key] = value
    run(checks.check_drift, profile, current)


@FUZZ
@given(scores(), scores(), options(method=st.sampled_from(["auto", "ks", "psi", "nope"])))
def test_check_prediction_and_label_drift(reference: Any, current: Any, kw: dict[str, Any]) -> None:
    run(checks.check_prediction_drift, reference, current, **kw)
    run(checks.check_label_drift, reference, current, **kw)


@FUZZ
@given(
    labels(),
    labels(),
    st.one_of(labels(), frames(min_columns=1)),
    options(
        pos_label=st.sampled_from([0, 1, "1", 5]),
        min_demographic_parity_ratio=st.sampled_from([0.8]),
        max_equalized_odds_difference=st.sampled_from([0.1]),
        min_group_size=st.sampled_from([1, 2, 30]),
        n_resamples=st.sampled_from([0, 20]),
        gate_on=st.sampled_from(["point", "interval", "nope"]),
        intersectional=st.booleans(),
    ),
)
def test_check_fairness(y_true: Any, y_pred: Any, sensitive: Any, kw: dict[str, Any]) -> None:
    kw.setdefault("n_resamples", 20)
    run(checks.check_fairness, y_true, y_pred, sensitive_features=sensitive, **kw)


@FUZZ
@given(
    frames(), st.one_of(labels(), frames(min_columns=1)), options(threshold=st.sampled_from([0.8]))
)
def test_check_proxies(features: Any, sensitive: Any, kw: dict[str, Any]) -> None:
    run(checks.check_proxies, features, sensitive, **kw)


@FUZZ
@given(
    st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from(["numpy", "x", ""]), st.sampled_from(["1.0", "1.0rc1", "x", 1, None])
        ),
    ),
    st.dictionaries(st.sampled_from(["numpy", "x"]), st.sampled_from(["1.0", "2.0", "x"])),
    options(block_on=st.sampled_from([{"numpy": "major"}, {"numpy": "nope"}])),
)
def test_check_dependencies(recorded: Any, current: Any, kw: dict[str, Any]) -> None:
    run(checks.check_dependencies, recorded, current, **kw)


@FUZZ
@given(
    st.sampled_from(
        [
            datetime(2020, 1, 1),
            datetime(2020, 1, 1, tzinfo=timezone.utc),
            "2020-01-01",
            "x",
            0,
            None,
            math.nan,
            pd.Timestamp("2020-01-01"),
        ]
    ),
    options(
        max_age=st.sampled_from([30.0, timedelta(days=1), -1.0]),
        now=st.sampled_from([datetime.now(), datetime.now(timezone.utc), None]),
    ),
)
def test_check_staleness(trained_at: Any, kw: dict[str, Any]) -> None:
    run(checks.check_staleness, trained_at, **kw)


@FUZZ
@given(scores(), options(sum_tolerance=st.sampled_from([1e-4]), n_classes=st.sampled_from([2])))
def test_check_probabilities(y_score: Any, kw: dict[str, Any]) -> None:
    run(checks.check_probabilities, y_score, **kw)


@FUZZ
@given(
    frames(),
    options(
        tolerance=st.sampled_from([0.0, 1e-6]),
        max_broken_share=st.sampled_from([0.0]),
        expect=st.sampled_from(["increase", "decrease", "nope"]),
    ),
)
def test_model_behaviour_checks(X: Any, kw: dict[str, Any]) -> None:
    model, _ = _fitted()
    invariance = {k: v for k, v in kw.items() if k != "expect"}
    run(checks.check_invariance, model, X, perturb=lambda d: d, **invariance)
    directional = {k: v for k, v in kw.items() if k != "tolerance"}
    run(checks.check_directional, model, X, perturb=lambda d: d, **directional)
    run(checks.check_numerical_stability, model, X)
    run(checks.check_serialization, model, X)


@pytest.mark.parametrize("X", ["frame", "empty", "wrong"])
def test_model_checks_on_fixed_inputs(X: str) -> None:
    model, data = _fitted()
    frame = {"frame": data, "empty": data.iloc[:0], "wrong": data.rename(columns={"c0": "z"})}[X]
    y = (data["c0"] > 0).astype(int)
    run(checks.check_robustness, model, frame, y, repeats=1)
    run(checks.check_feature_importance, model, frame, y, n_repeats=1, time_budget_s=5.0)
    run(checks.check_latency, model.predict, frame, repeats=2, single_rows=2, warmup=0)
    run(checks.check_transformer, model, frame)
    run(checks.check_skew, lambda d: d, lambda d: d, frame)


# -- inputs the fuzz once found, kept as explicit cases ---------------------------------
@pytest.mark.parametrize(
    ("trained_at", "kw"),
    [
        (pd.Timestamp("2020-01-01"), {}),  # pandas' Timestamp has no astimezone()
        (datetime(2020, 1, 1), {"max_age": 1e308}),  # timedelta(days=1e308) overflows
    ],
)
def test_staleness_inputs_the_fuzz_found(trained_at: Any, kw: dict[str, Any]) -> None:
    run(checks.check_staleness, trained_at, **kw)


def test_prediction_drift_with_text_in_the_current_scores_names_the_column() -> None:
    with pytest.raises(MlopsInputError, match="compared as numbers"):
        checks.check_prediction_drift([0.1, 0.5, 0.9] * 20, [0.2, ""] * 30)


def test_calibration_of_missing_labels_says_so() -> None:
    with pytest.raises(MlopsInputError, match="missing values"):
        checks.check_calibration([None, None], [0.6, 1e-293])


def test_an_unhashable_pos_label_is_a_type_error_naming_it() -> None:
    with pytest.raises(MlopsTypeError, match="pos_label"):
        checks.check_overfitting(
            [1, 1, 0],
            [1, 0, 1, 0],
            train_pred=[1, 1, 0],
            test_pred=[1, 0, 0, 0],
            metric="f1",
            pos_label=[],
        )
