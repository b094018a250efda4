"""Fairness gates: numbers equal fairlearn's, planted bias is caught, fair data passes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    equalized_odds_ratio,
    selection_rate,
    true_positive_rate,
)

from pytest_mlops.checks import check_fairness, check_proxies
from pytest_mlops.errors import MlopsInputError, MlopsTypeError


def synthetic(n: int = 4000, bias: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Labels, an 85%-accurate prediction, and a prediction bias against group F."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "age": rng.choice(["young", "old"], n, p=[0.6, 0.4]),
            "y": rng.integers(0, 2, n),
        }
    )
    correct = rng.random(n) < 0.85
    pred = np.where(correct, frame["y"], 1 - frame["y"])
    dropped = (frame["sex"] == "F") & (rng.random(n) < bias)
    frame["pred"] = np.where(dropped, 0, pred)
    return frame


@pytest.mark.parametrize("bias", [0.0, 0.3])
def test_disparities_equal_fairlearn(bias: float) -> None:
    frame = synthetic(bias=bias)
    result = check_fairness(frame["y"], frame["pred"], sensitive_features=frame["sex"])
    sf = frame["sex"]
    expected = {
        "demographic_parity_difference": demographic_parity_difference(
            frame["y"], frame["pred"], sensitive_features=sf
        ),
        "demographic_parity_ratio": demographic_parity_ratio(
            frame["y"], frame["pred"], sensitive_features=sf
        ),
        "equalized_odds_difference": equalized_odds_difference(
            frame["y"], frame["pred"], sensitive_features=sf
        ),
        "equalized_odds_ratio": equalized_odds_ratio(
            frame["y"], frame["pred"], sensitive_features=sf
        ),
        "equal_opportunity_difference": equal_opportunity_difference(
            frame["y"], frame["pred"], sensitive_features=sf
        ),
    }
    for name, value in expected.items():
        assert result.metrics[f"sex.{name}"] == pytest.approx(value, abs=1e-12), name


def test_group_table_equals_metricframe() -> None:
    frame = synthetic(bias=0.2)
    result = check_fairness(frame["y"], frame["pred"], sensitive_features=frame["sex"])
    mf = MetricFrame(
        metrics={"selection_rate": selection_rate, "tpr": true_positive_rate},
        y_true=frame["y"],
        y_pred=frame["pred"],
        sensitive_features=frame["sex"],
    )
    groups = {g["group"]: g for g in result.details["features"][0]["groups"]}
    for group in ("F", "M"):
        assert groups[group]["selection_rate"] == pytest.approx(
            mf.by_group.loc[group, "selection_rate"]
        )
        assert groups[group]["tpr"] == pytest.approx(mf.by_group.loc[group, "tpr"])
        assert groups[group]["count"] == int((frame["sex"] == group).sum())


def test_planted_bias_fails_and_fair_data_passes() -> None:
    fair = synthetic(bias=0.0)
    assert check_fairness(fair["y"], fair["pred"], sensitive_features=fair["sex"]).status == "pass"
    biased = synthetic(bias=0.4)
    result = check_fairness(biased["y"], biased["pred"], sensitive_features=biased["sex"])
    assert result.status == "fail" and result.reason == "disparity_detected"
    assert result.message.startswith("sex: demographic_parity_ratio = ")
    assert "must be >= 0.8" in result.message and "(95% CI " in result.message
    assert result.thresholds == {
        "demographic_parity_ratio": {"min": 0.8},
        "equalized_odds_difference": {"max": 0.1},
    }


def test_several_features_and_intersections() -> None:
    frame = synthetic(bias=0.0)
    result = check_fairness(
        frame["y"], frame["pred"], sensitive_features=frame[["sex", "age"]], intersectional=True
    )
    features = [f["feature"] for f in result.details["features"]]
    assert features == ["sex", "age", "sex & age"]
    combined = frame["sex"] + " & " + frame["age"]
    assert result.metrics["sex & age.demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(frame["y"], frame["pred"], sensitive_features=combined)
    )


def test_control_features_take_the_worst_stratum() -> None:
    frame = synthetic(bias=0.3)
    result = check_fairness(
        frame["y"],
        frame["pred"],
        sensitive_features=frame["sex"],
        control_features=frame["age"],
        min_demographic_parity_ratio=None,
        max_demographic_parity_difference=0.5,
    )
    mf = MetricFrame(
        metrics=selection_rate,
        y_true=frame["y"],
        y_pred=frame["pred"],
        sensitive_features=frame["sex"],
        control_features=frame["age"],
    )
    assert result.metrics["sex.demographic_parity_difference"] == pytest.approx(
        mf.difference().max()
    )
    row = result.details["features"][0]["disparities"][0]
    assert row["stratum"] == mf.difference().idxmax()


def test_small_groups_are_reported_not_judged() -> None:
    frame = synthetic(n=2000)
    labels = frame["sex"].where(frame.index >= 10, "X")  # ten rows in group X
    frame.loc[:9, "pred"] = 0  # group X never selected: would fail every bound
    result = check_fairness(frame["y"], frame["pred"], sensitive_features=labels, min_group_size=30)
    assert result.status == "pass"
    feature = result.details["features"][0]
    assert feature["too_small"] == ["X"]
    assert next(g for g in feature["groups"] if g["group"] == "X")["judged"] is False


def test_nothing_judgeable_is_an_error_not_a_pass() -> None:
    frame = synthetic(n=40)
    result = check_fairness(
        frame["y"], frame["pred"], sensitive_features=frame["sex"], min_group_size=30
    )
    assert result.status == "error" and result.reason == "insufficient_data"
    assert "fewer than two groups have at least 30 rows" in result.message
    assert "lower min_group_size" in result.message


def _no_positives_in_c() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    n = 300
    group = np.array(["a"] * 100 + ["b"] * 100 + ["c"] * 100)
    y = rng.integers(0, 2, n)
    y[group == "c"] = 0  # group c has no positives: no true positive rate
    pred = y.copy()
    pred[(group == "c") & (rng.random(n) < 0.05)] = 1
    return y, pred, group


def test_undefined_rate_is_reported_not_zero_when_not_gated() -> None:
    y, pred, group = _no_positives_in_c()
    result = check_fairness(
        y,
        pred,
        sensitive_features=group,
        max_equalized_odds_difference=None,
        min_demographic_parity_ratio=None,
    )
    assert result.status == "pass" and "reported only" in result.message
    feature = result.details["features"][0]
    c = next(g for g in feature["groups"] if g["group"] == "c")
    assert c["tpr"] is None
    eo = next(r for r in feature["disparities"] if r["disparity"] == "equal_opportunity_difference")
    assert eo["value"] == 0.0  # a and b are both perfect; fairlearn would count c's tpr as 0
    assert "left out where undefined (tpr): c" in eo["note"]
    assert equal_opportunity_difference(y, pred, sensitive_features=group) == 1.0


@pytest.mark.parametrize(
    "bound",
    [
        {"max_equal_opportunity_difference": 0.1, "max_equalized_odds_difference": None},
        {},  # the default equalized-odds bound reads the true positive rate too
    ],
)
def test_gated_disparity_with_an_undefined_rate_cannot_pass(bound: dict) -> None:
    y, pred, group = _no_positives_in_c()
    result = check_fairness(
        y, pred, sensitive_features=group, min_demographic_parity_ratio=None, **bound
    )
    assert result.status == "error" and result.reason == "insufficient_data"
    assert "tpr is undefined for 'c' (no actual positives)" in result.message
    assert "cannot be judged" in result.message
    # A disparity that fails still fails, and the message says what could not be judged.
    both = check_fairness(y, pred, sensitive_features=group, **bound)
    assert both.status == "fail" and both.reason == "disparity_detected"
    assert both.message.startswith("sensitive_features: demographic_parity_ratio = ")
    assert "and cannot decide: sensitive_features: tpr is undefined" in both.message


def test_intervals_are_deterministic_and_gate_on_interval_is_stricter() -> None:
    frame = synthetic(n=600, bias=0.12, seed=3)
    args = (frame["y"], frame["pred"])
    one = check_fairness(*args, sensitive_features=frame["sex"])
    two = check_fairness(*args, sensitive_features=frame["sex"])
    assert one.details == two.details
    assert one.details["interval_method"].startswith("Wilson")
    row = next(
        r
        for r in one.details["features"][0]["disparities"]
        if r["disparity"] == "demographic_parity_ratio"
    )
    assert row["ci_low"] < row["value"] < row["ci_high"]
    bound = (row["value"] + row["ci_low"]) / 2  # between the lower bound and the point
    options = {"min_demographic_parity_ratio": bound, "max_equalized_odds_difference": None}
    point = check_fairness(*args, sensitive_features=frame["sex"], **options)
    interval = check_fairness(*args, sensitive_features=frame["sex"], gate_on="interval", **options)
    assert point.status == "pass" and interval.status == "fail"
    assert "(the whole interval must clear it)" in interval.message


def test_max_gap_of_a_chosen_metric() -> None:
    frame = synthetic(bias=0.3)
    result = check_fairness(
        frame["y"],
        frame["pred"],
        sensitive_features=frame["sex"],
        min_demographic_parity_ratio=None,
        max_equalized_odds_difference=None,
        max_gap={"recall": 0.1},
    )
    mf = MetricFrame(
        metrics=true_positive_rate,
        y_true=frame["y"],
        y_pred=frame["pred"],
        sensitive_features=frame["sex"],
    )
    assert result.metrics["sex.max_gap[recall]"] == pytest.approx(mf.difference())
    assert result.status == "fail"


def test_string_labels_with_pos_label() -> None:
    frame = synthetic()
    y = frame["y"].map({0: "deny", 1: "grant"})
    pred = frame["pred"].map({0: "deny", 1: "grant"})
    with pytest.raises(MlopsInputError, match="not 0/1: pass pos_label="):
        check_fairness(y, pred, sensitive_features=frame["sex"])
    result = check_fairness(y, pred, sensitive_features=frame["sex"], pos_label="grant")
    assert result.metrics["sex.demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(frame["y"], frame["pred"], sensitive_features=frame["sex"])
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"sensitive_features": pd.Series(["a", None, "b", "a"])},
            MlopsInputError,
            "column 'sensitive_features' has 1 missing value",
        ),
        (
            {"sensitive_features": ["a", "b"]},
            MlopsInputError,
            "y_true has 4, sensitive_features has 2",
        ),
        ({"y_pred": [0, 1, 2, 1]}, MlopsInputError, "need binary labels; y_true and y_pred hold 3"),
        ({"y_pred": [0, 1, 1]}, MlopsInputError, "y_true has 4, y_pred has 3"),
        ({"gate_on": "upper"}, MlopsInputError, "gate_on must be one of 'point', 'interval'"),
        ({"min_group_size": 0}, MlopsInputError, "min_group_size must be an int >= 1; got 0"),
        ({"max_gap": {"auc": 0.1}}, MlopsInputError, "the keys of max_gap must be one of"),
        ({"metrics": {"x": 1}}, MlopsTypeError, "metrics\\['x'\\] must be a callable"),
    ],
)
def test_bad_input_gets_clear_errors(kwargs: dict, error: type, message: str) -> None:
    base = {
        "y_true": [0, 1, 1, 0],
        "y_pred": [0, 1, 0, 0],
        "sensitive_features": ["a", "b", "a", "b"],
    }
    base.update(kwargs)
    with pytest.raises(error, match=message):
        check_fairness(base.pop("y_true"), base.pop("y_pred"), **base)


def test_proxies_are_flagged() -> None:
    rng = np.random.default_rng(0)
    sex = rng.choice(["F", "M"], 1000)
    features = pd.DataFrame(
        {
            "height": np.where(sex == "F", 163, 177) + rng.normal(0, 5, 1000),
            "title": np.where(sex == "F", "Ms", "Mr"),
            "noise": rng.normal(size=1000),
        }
    )
    result = check_proxies(features, pd.Series(sex, name="sex"))
    assert result.status == "fail" and result.severity == "warn"
    flagged = {r["feature"] for r in result.details["features"] if r["proxy"]}
    assert flagged == {"height", "title"}
    noise = next(r for r in result.details["features"] if r["feature"] == "noise")
    assert noise["auc"] < 0.6
    with pytest.raises(MlopsTypeError, match="features must be a pandas DataFrame"):
        check_proxies("height", sex)


def test_fixture_runs_fairness_and_proxies(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        import numpy as np
        import pandas as pd
        import pytest

        @pytest.mark.mlops_fairness
        def test_groups(mlops):
            rng = np.random.default_rng(0)
            sex = pd.Series(rng.choice(["F", "M"], 800), name="sex")
            y = rng.integers(0, 2, 800)
            pred = np.where(rng.random(800) < 0.9, y, 1 - y)
            X = pd.DataFrame({"height": np.where(sex == "F", 160, 178) + rng.normal(0, 4, 800)})
            mlops.check_fairness(y, pred, sensitive_features=sex, features=X)

        @pytest.mark.mlops_fairness
        def test_biased(mlops):
            rng = np.random.default_rng(1)
            sex = pd.Series(rng.choice(["F", "M"], 800), name="sex")
            y = rng.integers(0, 2, 800)
            pred = np.where(sex == "F", 0, y)
            mlops.check_fairness(y, pred, sensitive_features=sex)
        """
    )
    result = pytester.runpytest("--mlops", "--mlops-seed", "3")
    result.assert_outcomes(passed=1, failed=1, warnings=1)
    checks = {c["id"].split("::", 1)[1]: c for c in report_of()["checks"]}
    assert checks["test_groups::proxy_features"]["status"] == "warn"
    assert checks["test_groups::fairness"]["status"] == "pass"
    assert checks["test_biased::fairness"]["status"] == "fail"
    page = (pytester.path / "mlops-report" / "report.html").read_text()
    assert "Groups of sex" in page and "<svg" in page


def test_pos_label_matching_no_label_is_an_error_not_a_pass() -> None:
    """Labels read from a CSV as text with ``pos_label=1``: every rate would be 0."""
    group = np.array(["a"] * 200 + ["b"] * 200)
    y = np.array(["0", "1"] * 200)
    pred = np.where(group == "a", "1", "0")  # maximally unfair: a always, b never
    with pytest.raises(MlopsInputError) as caught:
        check_fairness(y, pred, sensitive_features=group, pos_label=1)
    text = str(caught.value)
    assert "pos_label 1 (int) matches none of the labels in y_true/y_pred" in text
    assert "'0', '1'" in text and "pass pos_label='1'" in text
    result = check_fairness(y, pred, sensitive_features=group, pos_label="1")
    assert result.status == "fail"
    assert result.metrics["sensitive_features.demographic_parity_ratio"] == 0.0


def test_report_renders_groups_named_like_mathtext(pytester: pytest.Pytester, report_of) -> None:
    """A group named ``$x_$`` once crashed report.html (matplotlib read it as math)."""
    pytester.makepyfile(
        """
        import numpy as np
        import pytest

        @pytest.mark.mlops_fairness
        def test_groups(mlops):
            rng = np.random.default_rng(0)
            group = rng.choice(["$x_$", "$$"], 600)
            y = rng.integers(0, 2, 600)
            mlops.check_fairness(y, y, sensitive_features=group)
        """
    )
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(passed=1)
    assert [c["status"] for c in report_of()["checks"]] == ["pass"]
    page = (pytester.path / "mlops-report" / "report.html").read_text()
    assert "Groups of sensitive_features" in page and "<svg" in page
