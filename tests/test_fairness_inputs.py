"""Every input the fairness checks cannot use ends in a clear error or status error,
never a traceback from NumPy or pandas, and never a pass."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_mlops.checks import check_fairness, check_proxies
from pytest_mlops.errors import MlopsInputError, MlopsTypeError
from pytest_mlops.report.figures import figures_for

Y = [0, 1] * 40
GROUPS = ["a", "a", "b", "b"] * 20


def _call(**overrides: Any) -> Any:
    arguments: dict[str, Any] = {"y_true": Y, "y_pred": Y, "sensitive_features": GROUPS}
    arguments.update(overrides)
    return check_fairness(arguments.pop("y_true"), arguments.pop("y_pred"), **arguments)


@pytest.mark.parametrize(
    ("overrides", "error", "text"),
    [
        ({"y_true": [0j, 1j] * 40}, MlopsTypeError, "y_true holds a complex"),
        ({"y_true": [0, "1"] * 40}, MlopsTypeError, "y_true mixes label types"),
        (
            {"y_pred": ["0", "1"] * 40},
            MlopsTypeError,
            "y_true holds number labels and y_pred holds string labels",
        ),
        ({"y_true": [], "y_pred": [], "sensitive_features": []}, MlopsInputError, "are empty"),
        ({"y_true": [0, None] * 40}, MlopsInputError, "y_true has a missing label"),
        (
            {"sensitive_features": [float("nan")] * 80},
            MlopsInputError,
            "column 'sensitive_features' is entirely missing",
        ),
        (
            {"sensitive_features": [1, "1"] * 40},
            MlopsTypeError,
            "sensitive_features column 'sensitive_features' mixes label types",
        ),
        (
            {"sensitive_features": {"sex": GROUPS, "age": ["x"] * 3}},
            MlopsInputError,
            "y_true has 80, sensitive_features\\['age'\\] has 3",
        ),
        (
            {
                "sensitive_features": [str(i) for i in range(1001)] * 2,
                "y_true": [0, 1] * 1001,
                "y_pred": [0, 1] * 1001,
            },
            MlopsInputError,
            "has 1001 distinct values",
        ),
        (
            {"min_demographic_parity_ratio": "0.8"},
            MlopsTypeError,
            "min_demographic_parity_ratio must be a float in \\[0, 1\\] or None; got '0.8' "
            "\\(str\\)",
        ),
        ({"confidence": "0.9"}, MlopsTypeError, "confidence must be a float in \\(0, 1\\)"),
        ({"min_group_size": "30"}, MlopsTypeError, "min_group_size must be an int >= 1"),
        ({"max_gap": {"tpr": "0.1"}}, MlopsTypeError, "max_gap\\['tpr'\\] must be a float"),
        ({"intersectional": "yes"}, MlopsTypeError, "intersectional must be a bool"),
        ({"pos_label": 1j}, MlopsTypeError, "pos_label must be a label \\(str or number\\)"),
        ({"n_resamples": 100}, MlopsTypeError, "unknown argument 'n_resamples'"),
    ],
)
def test_bad_input_names_the_culprit(
    overrides: dict[str, Any], error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text):
        _call(**overrides)


def test_y_pred_with_the_wrong_length_of_a_different_type() -> None:
    with pytest.raises(MlopsInputError, match="y_true has 80, y_pred has 3"):
        _call(y_pred=[0, 1, 1])


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"sensitive_features": ["a"] * 80}, "has a single group ('a')"),
        ({"min_group_size": 41}, "fewer than two groups have at least 41 rows ('a': 40, 'b': 40)"),
        (
            {"control_features": ["x", "x", "y", "y"] * 20, "min_group_size": 30},
            "within one stratum of control_features",
        ),
    ],
)
def test_data_that_cannot_be_judged_is_an_error_with_its_reason(
    overrides: dict[str, Any], text: str
) -> None:
    result = _call(**overrides)
    assert result.status == "error" and result.reason == "insufficient_data"
    assert text in result.message


def test_pos_label_of_another_numeric_type_matches() -> None:
    """``1.0`` and ``True`` name the label ``1``; the text ``"1"`` does not."""
    for label in (1, 1.0, True, np.int64(1)):
        assert _call(pos_label=label).status == "pass"
    with pytest.raises(MlopsInputError, match="pass pos_label=1"):
        _call(y_true=[0, 1] * 40, pos_label="1")


def test_several_sensitive_features_from_a_2d_array() -> None:
    array = np.column_stack([GROUPS, ["x"] * 40 + ["y"] * 40])
    result = _call(sensitive_features=array, min_group_size=20)
    assert [f["feature"] for f in result.details["features"]] == ["x0", "x1"]


@pytest.mark.parametrize("name", ["$$", "$x_$", "a$b", "\\$", "100$ & $5"])
def test_group_names_with_dollar_signs_draw(name: str) -> None:
    result = _call(sensitive_features=[name, "plain"] * 40)
    (figure,) = figures_for({**result.to_dict(), "category": "fairness"})
    assert figure["svg"].startswith("<svg")


def test_proxies_handle_inf_nan_all_missing_and_datetimes() -> None:
    rng = np.random.default_rng(0)
    sex = rng.choice(["F", "M"], 400)
    height = np.where(sex == "F", 163.0, 177.0) + rng.normal(0, 5, 400)
    height[:5] = np.inf
    height[5:10] = -np.inf
    height[10:20] = np.nan
    features = pd.DataFrame(
        {
            "height": height,
            "empty": np.full(400, np.nan),
            "joined": pd.to_datetime("2020-01-01")
            + pd.to_timedelta(rng.integers(0, 999, 400), "D"),
        }
    )
    result = check_proxies(features, pd.Series(sex, name="sex"))
    rows = {r["feature"]: r for r in result.details["features"]}
    assert rows["height"]["proxy"] and rows["height"]["auc"] > 0.9
    assert rows["empty"]["auc"] is None and "too few known values" in rows["empty"]["note"]
    assert rows["joined"]["auc"] < 0.6
    assert result.status == "fail" and result.severity == "warn"


def test_proxies_reject_duplicate_feature_names() -> None:
    features = pd.DataFrame(np.zeros((4, 2)), columns=["x", "x"])
    with pytest.raises(MlopsInputError, match="features has duplicate column names: \\['x'\\]"):
        check_proxies(features, ["a", "b", "a", "b"])
    with pytest.raises(MlopsTypeError, match=r"threshold must be a float in \[0.5, 1\]"):
        check_proxies(pd.DataFrame({"x": [1, 2]}), ["a", "b"], threshold="0.8")


labels = st.sampled_from([0, 1, True, False, "0", "1", "yes", 2, 1.5, None, float("nan"), 1j])
options = st.fixed_dictionaries(
    {},
    optional={
        "pos_label": labels,
        "min_group_size": st.one_of(st.integers(-1, 5), st.just("3")),
        "confidence": st.one_of(st.floats(-1, 2), st.just("0.9")),
        "gate_on": st.sampled_from(["point", "interval", "upper"]),
        "intersectional": st.booleans(),
        "min_demographic_parity_ratio": st.one_of(st.none(), st.floats(-1, 2)),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(labels, labels, st.sampled_from(["a", "b", "$", 1, None])), max_size=12
    ),
    chosen=options,
)
def test_fuzz_ends_in_a_result_or_a_named_error(rows: list[tuple], chosen: dict) -> None:
    """Adversarial labels, groups and options: a CheckResult (never a pass with a group
    that cannot be judged) or an error that names an argument."""
    y_true = [r[0] for r in rows]
    y_pred = [r[1] for r in rows]
    groups = [r[2] for r in rows]
    try:
        result = check_fairness(y_true, y_pred, sensitive_features=groups, **chosen)
    except (MlopsInputError, MlopsTypeError) as exc:
        named = ("y_true", "y_pred", "sensitive_features", "pos_label", *chosen)
        assert any(name in str(exc) for name in named), str(exc)
        return
    assert result.status in ("pass", "fail", "error")
    if result.status == "pass":
        assert all(f["judged"] for f in result.details["features"])


def test_high_cardinality_categories_are_not_proxies_by_overfitting() -> None:
    """In-sample category shares made a column of unique ids (and a random 300-value zip
    code) a perfect proxy; out-of-fold shares score them as no information."""
    rng = np.random.default_rng(0)
    sex = rng.choice(["F", "M"], 1000)
    features = pd.DataFrame(
        {
            "id": [f"u{i}" for i in range(1000)],
            "zip": rng.choice([f"z{i}" for i in range(300)], 1000),
            "title": np.where(sex == "F", "Ms", "Mr"),
            "shop": np.where(rng.random(1000) < 0.9, np.where(sex == "F", "a", "b"), "c"),
        }
    )
    rows = {r["feature"]: r for r in check_proxies(features, sex).details["features"]}
    assert rows["id"]["auc"] == 0.5 and rows["zip"]["auc"] < 0.55
    assert not rows["id"]["proxy"] and not rows["zip"]["proxy"]
    assert rows["title"]["auc"] == 1.0 and rows["shop"]["auc"] > 0.9
