"""The drift gate: it fails on any drifted column by default (issue 11), keeps its false-alarm
rate at or below alpha, and fails closed on what it cannot judge (issue 14)."""

from __future__ import annotations

import json
import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from pytest_mlops.checks import build_profile, check_drift, check_prediction_drift
from pytest_mlops.core import registry
from pytest_mlops.errors import MlopsInputError, MlopsTypeError


def row(result, column: str) -> dict:
    return next(r for r in result.details["columns"] if r["column"] == column)


def frames_with_four_drifted_columns(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """25 columns (20 numeric, 5 categorical); in ``current`` three numeric columns shift by
    0.2 sd and one category's share goes from 10% to 30%."""
    rng = np.random.default_rng(seed)

    def frame(shifted: bool) -> pd.DataFrame:
        data = {f"num{i}": rng.normal(0.2 if shifted and i < 3 else 0.0, 1.0, n) for i in range(20)}
        for i in range(5):
            p = [0.3, 0.2, 0.25, 0.25] if shifted and i == 0 else [0.1, 0.3, 0.3, 0.3]
            data[f"cat{i}"] = pd.Categorical(rng.choice(list("abcd"), n, p=p))
        return pd.DataFrame(data)

    return frame(False), frame(True)


def test_four_of_25_drifted_columns_fail_and_are_named_first() -> None:
    ref, cur = frames_with_four_drifted_columns(100_000)
    result = check_drift(ref, cur)
    assert result.status == "fail" and result.reason == "drift_detected"
    drifted = {"num0", "num1", "num2", "cat0"}
    assert {r["column"] for r in result.details["columns"] if r["drifted"]} == drifted
    assert result.message.startswith("drifted columns: ")
    named = result.message.removeprefix("drifted columns: ").split(" (4 of 25")[0]
    assert {part.split(" (")[0] for part in named.split("), ")} == drifted
    assert result.metrics["drifted_columns"] == 4 and result.metrics["judged_columns"] == 25
    assert check_drift(ref, cur, max_drifted_share=0.2).status == "pass"  # 16% tolerated


def test_a_doubled_feature_in_the_13_wine_columns_fails() -> None:
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    wine = load_wine(as_frame=True)
    train, test = train_test_split(wine.data, test_size=0.33, random_state=0, stratify=wine.target)
    assert train.shape[1] == 13
    assert check_drift(train, test).status == "pass"  # an honest split does not drift
    doubled = test.assign(alcohol=test["alcohol"] * 2)
    result = check_drift(train, doubled)
    assert result.status == "fail" and result.message.startswith("drifted columns: alcohol")


@pytest.mark.parametrize("correction", ["bonferroni", "bh"])
def test_false_alarm_rate_on_no_drift_data_is_at_most_alpha(correction: str) -> None:
    """200 seeded draws of 20 rows x 6 columns (4 numeric, 2 categorical) without drift:
    the check fails in at most alpha + a one-sided 99% binomial margin of the draws."""
    rng = np.random.default_rng(11)
    draws, alpha = 200, 0.05
    failures = 0
    for _ in range(draws):
        sides = []
        for _ in range(2):
            numbers = pd.DataFrame(rng.normal(size=(20, 4)), columns=list("abcd"))
            numbers["e"] = rng.choice(["x", "y", "z"], 20)
            numbers["f"] = rng.choice(["u", "v"], 20, p=[0.7, 0.3])
            sides.append(numbers)
        result = check_drift(*sides, correction=correction, alpha=alpha)
        assert result.status in ("pass", "fail")
        failures += result.status == "fail"
    margin = 2.33 * math.sqrt(alpha * (1 - alpha) / draws)
    assert failures / draws <= alpha + margin, failures


def test_the_deprecated_drift_share_still_works_and_warns() -> None:
    rng = np.random.default_rng(1)
    ref = pd.DataFrame(rng.normal(size=(5000, 3)), columns=list("xyz"))
    cur = pd.DataFrame(rng.normal(size=(5000, 3)), columns=list("xyz")).assign(x=lambda f: f.x + 1)
    with pytest.warns(FutureWarning, match="drift_share= is deprecated; use max_drifted_share="):
        tolerated = check_drift(ref, cur, drift_share=0.5)  # 1 of 3 < a half: the old pass
    assert tolerated.status == "pass" and tolerated.details["max_drifted_share"] == 0.5
    with pytest.warns(FutureWarning):
        assert check_drift(ref, cur, drift_share=1 / 3).status == "fail"  # reaching it fails
    with pytest.raises(MlopsInputError, match="not both"):
        check_drift(ref, cur, drift_share=0.5, max_drifted_share=0.5)


# -- fail closed -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ref", "why"),
    [
        (pd.DataFrame({"x": np.arange(9.0)}), "too few values to judge"),
        (pd.DataFrame({"x": np.ones(200), "c": ["a"] * 200}), "constant on both sides"),
        (pd.DataFrame({"x": [np.nan] * 200}), "too few values to judge"),
    ],
)
def test_nothing_judgeable_is_an_error_with_the_reason(ref: pd.DataFrame, why: str) -> None:
    result = check_drift(ref, ref.copy())
    assert result.status == "error" and result.reason == "insufficient_data"
    assert why in result.message and "no column could be judged" in result.message
    json.dumps(result.to_dict(), allow_nan=False)


def test_awkward_columns_beside_a_judged_one_do_not_crash() -> None:
    rng = np.random.default_rng(2)
    ref = pd.DataFrame({"x": rng.normal(size=300), "flat": 1.0, "empty": np.nan})
    cur = pd.DataFrame({"x": rng.normal(size=300), "flat": 1.0, "empty": np.nan})
    anderson = check_drift(ref, cur, method="anderson")
    assert anderson.status == "pass" and row(anderson, "flat")["judged"] is False
    classified = check_drift(ref, cur, domain_classifier=True)
    assert classified.status == "pass" and "domain_auc" in classified.metrics
    only_awkward = check_drift(
        ref[["flat", "empty"]], cur[["flat", "empty"]], domain_classifier=True
    )
    assert only_awkward.status == "error"
    assert only_awkward.details["domain_classifier"] == {"note": "no column varies: not run"}


def test_more_categories_than_the_domain_classifier_can_bin() -> None:
    rng = np.random.default_rng(3)
    ids = [f"id{i}" for i in range(600)]
    ref = pd.DataFrame({"c": rng.choice(ids, 2000), "x": rng.normal(size=2000)})
    cur = pd.DataFrame({"c": rng.choice(ids, 2000), "x": rng.normal(size=2000)})
    assert check_drift(ref, cur, domain_classifier=True).metrics["domain_auc"] < 0.6


@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"alpha": "0.05"}, MlopsTypeError, "alpha"),
        ({"effect_floor": "x"}, MlopsTypeError, "effect_floor"),
        ({"method": "anderson-darling"}, MlopsInputError, "method"),
        ({"method": {"x": "nope"}}, MlopsInputError, "method['x']"),
        ({"correction": None}, MlopsTypeError, "correction"),
        ({"max_domain_rows": 5}, MlopsInputError, "max_domain_rows"),
        ({"drift_share": 0}, MlopsInputError, "drift_share"),
    ],
)
def test_wrong_option_types_name_the_argument(kwargs: dict, error: type, argument: str) -> None:
    frame = pd.DataFrame({"x": np.arange(100.0)})
    with pytest.raises(error, match="^check_drift: " + re.escape(argument)):
        check_drift(frame, frame, **kwargs)


def test_prediction_drift_declares_its_options() -> None:
    scores = np.linspace(0, 1, 200)
    with pytest.raises(MlopsTypeError, match="check_prediction_drift: alpha"):
        check_prediction_drift(scores, scores, alpha="0.05")
    with pytest.raises(MlopsTypeError, match="unknown argument 'max_drifted_share'"):
        check_prediction_drift(scores, scores, max_drifted_share=0.5)


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda p: p.pop("n"), "'n' must be the number of rows"),
        (lambda p: p.update(version=7), "version is 7; this release reads version 1"),
        (lambda p: p.update(columns=[]), "'columns' must be a non-empty object"),
        (lambda p: p["columns"]["x"].update(kind="weird"), "column 'x' has kind 'weird'"),
        (lambda p: p["columns"]["x"]["counts"].pop(), "column 'x': 9 counts for 9 edges"),
        (lambda p: p["columns"]["x"].update(edges="1,2"), "column 'x': 'edges' must be a list"),
        (lambda p: p["columns"]["x"]["edges"].reverse(), "column 'x': 'edges' must increase"),
        (lambda p: p["columns"]["c"].update(counts=[1, 2]), "column 'c': 'counts' must map"),
        (lambda p: p["columns"]["c"].update(missing=-1), "column 'c': 'missing' must be a count"),
    ],
)
def test_corrupted_profiles_name_the_field_and_the_fix(corrupt, message: str) -> None:
    rng = np.random.default_rng(4)
    ref = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(list("ab"), 500)})
    profile = json.loads(json.dumps(build_profile(ref)))
    corrupt(profile)
    with pytest.raises(MlopsInputError, match="the profile cannot be used: ") as caught:
        check_drift(profile, ref)
    assert message in str(caught.value) and "build_profile(reference)" in str(caught.value)


def test_drift_checks_are_registered_not_hand_written() -> None:
    from pytest_mlops._fixture.drift import DriftMethods
    from pytest_mlops.fixture import Mlops

    for method in ("check_drift", "check_prediction_drift", "check_label_drift"):
        spec = registry.get(method)
        assert spec is not None and spec.category == "drift"
        assert method not in vars(DriftMethods)
        assert callable(getattr(Mlops, method))
    assert registry.get("check_drift").seeded


def test_a_corrupted_stored_profile_names_the_file_and_the_fix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import numpy as np
        import pandas as pd
        import pytest

        TRAIN = pd.DataFrame({"x": np.random.default_rng(0).normal(size=500)})

        @pytest.mark.mlops_drift
        def test_live(mlops):
            mlops.store_profile("train", TRAIN)
            mlops.check_drift("train", TRAIN)
        """
    )
    pytester.runpytest("--mlops", "--mlops-update-baseline").assert_outcomes(passed=1)
    path = pytester.path / "mlops-baseline.json"
    stored = json.loads(path.read_text())
    stored["entries"]["profiles"]["train"]["columns"]["x"]["counts"] = "lost"
    path.write_text(json.dumps(stored))
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"*profile 'train' in baseline file {path} cannot be used: column 'x': 'counts' "
            "must be a list of counts; re-create it: run the test that calls "
            "mlops.store_profile('train', ...) with --mlops-update-baseline*"
        ]
    )


def test_huge_values_give_a_finite_json_ready_result() -> None:
    rng = np.random.default_rng(5)
    big = pd.DataFrame({"x": rng.uniform(-1, 1, 400) * 1.7e308})
    for reference in (big, build_profile(big)):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way
            result = check_drift(reference, big * 0.5)
        assert result.status == "fail"
        assert math.isfinite(row(result, "x")["effect_size"])
        json.dumps(result.to_dict(), allow_nan=False)


def test_merged_ks_equals_scipy_with_ties_and_unequal_sizes() -> None:
    from scipy import stats

    from pytest_mlops.checks import _drift_stats as st

    rng = np.random.default_rng(6)
    a = np.sort(rng.integers(0, 5, 20_000).astype(float))  # above the exact-KS size: merged
    b = np.sort(np.r_[rng.integers(0, 6, 14_000), np.full(1_000, 2)].astype(float))
    statistic, _, wasserstein = st.ks_and_wasserstein(a, b)
    assert statistic == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-12)
    assert wasserstein == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-9)
