"""Drift: statistics equal SciPy's, no false alarms at either end, edge cases have rules."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from pytest_mlops.checks import _drift_stats as st
from pytest_mlops.checks import (
    build_profile,
    check_drift,
    check_label_drift,
    check_prediction_drift,
)
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

RNG = np.random.default_rng(0)


def row(result, column: str) -> dict:
    return next(r for r in result.details["columns"] if r["column"] == column)


@pytest.mark.parametrize("n", [300, 20_000])
def test_ks_and_wasserstein_equal_scipy(n: int) -> None:
    a, b = RNG.normal(size=n), RNG.normal(0.05, 1.1, size=int(n * 1.3))
    statistic, p_value, wasserstein = st.ks_and_wasserstein(np.sort(a), np.sort(b))
    reference = stats.ks_2samp(a, b)
    assert statistic == pytest.approx(reference.statistic, abs=1e-12)
    # exact below 10,000 rows; Kolmogorov's limit (within about 1%) above
    assert p_value == pytest.approx(reference.pvalue, rel=1e-9 if n < 10_000 else 0.02)
    assert wasserstein == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-9)


def test_column_statistics_equal_scipy() -> None:
    ref = pd.DataFrame({"x": RNG.normal(size=2000), "c": RNG.choice(list("abc"), 2000)})
    cur = pd.DataFrame({"x": RNG.normal(0.3, 1, 1500), "c": RNG.choice(list("abcd"), 1500)})
    result = check_drift(ref, cur, method={"x": "ks", "c": "auto"}, correction="none")
    x = row(result, "x")
    ks = stats.ks_2samp(ref["x"], cur["x"])
    assert x["statistic"] == pytest.approx(ks.statistic) and x["p_value"] == pytest.approx(
        ks.pvalue
    )
    c = row(result, "c")
    table = pd.crosstab(
        np.r_[np.zeros(2000), np.ones(1500)], np.r_[ref["c"].to_numpy(), cur["c"].to_numpy()]
    ).to_numpy()
    chi = stats.chi2_contingency(table)
    assert c["statistic"] == pytest.approx(chi.statistic) and c["p_value"] == pytest.approx(
        chi.pvalue
    )
    counts_a = ref["c"].value_counts().reindex(list("abcd"), fill_value=0).to_numpy()
    counts_b = cur["c"].value_counts().reindex(list("abcd"), fill_value=0).to_numpy()
    assert c["effect_size"] == pytest.approx(
        jensenshannon(counts_a / counts_a.sum(), counts_b / counts_b.sum(), base=2)
    )
    assert c["new_categories"] == ["d"]
    wasserstein = check_drift(ref[["x"]], cur[["x"]])
    assert row(wasserstein, "x")["effect_size"] == pytest.approx(
        stats.wasserstein_distance(ref["x"], cur["x"]) / np.std(ref["x"])
    )


def test_psi_hand_worked() -> None:
    # reference shares 0.5/0.5, current 0.8/0.2:
    # (0.8-0.5) ln(0.8/0.5) + (0.2-0.5) ln(0.2/0.5) = 0.3*0.47000 + 0.3*0.91629 = 0.415888
    assert st.psi(np.array([50, 50]), np.array([80, 20])) == pytest.approx(0.4158883, abs=1e-6)
    # an empty current bin is clipped at 1e-4 instead of giving ln(0)
    expected = (0.5 - 1e-4) * math.log(0.5 / 1e-4) + (1 - 0.5) * math.log(1 / 0.5)
    assert st.psi(np.array([1, 1]), np.array([0, 10])) == pytest.approx(expected)


def test_anderson_equals_scipy() -> None:
    a, b = RNG.normal(size=400), RNG.normal(0.4, 1, size=300)
    result = check_drift(pd.DataFrame({"x": a}), pd.DataFrame({"x": b}), method="anderson")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SciPy's notes on its p-value cap
        reference = stats.anderson_ksamp([np.sort(a), np.sort(b)])
    assert row(result, "x")["statistic"] == pytest.approx(reference.statistic)
    assert row(result, "x")["test"] == "anderson_darling"


@pytest.mark.parametrize("correction", ["bonferroni", "bh"])
def test_corrections_equal_reference(correction: str) -> None:
    p = [0.001, 0.01, 0.02, 0.5]
    adjusted = st.adjust(p, correction)
    if correction == "bonferroni":
        assert adjusted == [0.004, 0.04, 0.08, 1.0]
    else:
        assert adjusted == pytest.approx(stats.false_discovery_control(p, method="bh"))


def test_no_drift_false_alarms_stay_below_the_nominal_level() -> None:
    """25 columns without drift, 60 draws of 300 rows: the check (which fails on any
    drifted column) fails at most ~5% of the time; see test_drift_gate.py for 200 draws."""
    rng = np.random.default_rng(42)
    alarms = 0
    draws = 60
    for _ in range(draws):
        ref = pd.DataFrame(rng.normal(size=(300, 25)), columns=[f"c{i}" for i in range(25)])
        cur = pd.DataFrame(rng.normal(size=(300, 25)), columns=[f"c{i}" for i in range(25)])
        result = check_drift(ref, cur)
        alarms += result.status == "fail"
        assert (result.status == "fail") == (result.metrics["drifted_columns"] > 0)
    # Bonferroni bounds the chance of any column alarm at 5%; 60 draws allow a few.
    assert alarms <= 6


def test_real_shift_in_100k_rows_is_found() -> None:
    rng = np.random.default_rng(1)
    names = ["x", "y", "z"]
    ref = pd.DataFrame(rng.normal(size=(100_000, 3)), columns=names)
    cur = pd.DataFrame(rng.normal(size=(100_000, 3)), columns=names)
    cur["x"] += 0.2
    result = check_drift(ref, cur)
    assert row(result, "x")["drifted"] and not row(result, "y")["drifted"]
    assert result.status == "fail"  # one drifted column is enough by default
    assert result.message.startswith("drifted columns: x (wasserstein 0.2")
    tolerant = check_drift(ref, cur, max_drifted_share=0.5)  # 1 of 3 is within a half
    assert tolerant.status == "pass" and "x (wasserstein 0.2" in tolerant.message


def test_trivial_shift_in_a_million_rows_is_not_drift() -> None:
    rng = np.random.default_rng(2)
    ref = pd.DataFrame({"x": rng.normal(size=1_000_000)})
    cur = pd.DataFrame({"x": rng.normal(0.01, 1, 1_000_000)})
    result = check_drift(ref, cur)
    x = row(result, "x")
    assert x["p_value"] < 1e-6  # the test alone would cry wolf
    assert not x["drifted"] and result.status == "pass"


def test_tiny_samples_are_not_judged() -> None:
    ref = pd.DataFrame({"x": RNG.normal(size=20)})
    cur = pd.DataFrame({"x": RNG.normal(3, 1, size=8)})
    result = check_drift(ref, cur)
    assert result.status == "error" and result.reason == "insufficient_data"
    assert "no column could be judged (too few values to judge)" in result.message
    assert "too few values to judge (20 reference, 8 current" in row(result, "x")["note"]
    assert check_drift(ref, cur, min_samples=5).status == "fail"  # 3 sd is found even so


def test_edge_columns_follow_stated_rules() -> None:
    n = 500
    ref = pd.DataFrame(
        {
            "constant": np.ones(n),
            "all_null": [np.nan] * n,
            "when": pd.date_range("2024-01-01", periods=n, freq="D", tz="UTC"),
            "nullable": pd.array(RNG.integers(0, 5, n), dtype="Int64"),
            "flag": pd.array(RNG.integers(0, 2, n).astype(bool), dtype="boolean"),
            "kind": pd.Categorical(RNG.choice(["a", "b"], n)),
        }
    )
    cur = ref.copy()
    cur["constant"] = np.r_[np.ones(n - 100), np.full(100, 2.0)]
    cur["when"] = pd.date_range("2025-01-01", periods=n, freq="D", tz="UTC")
    cur.loc[: n // 4, "nullable"] = pd.NA  # a quarter goes missing
    result = check_drift(ref, cur)
    constant = row(result, "constant")
    assert constant["effect_size"] == pytest.approx(0.2) and constant["drifted"]
    assert "constant" in constant["note"]
    assert row(result, "all_null")["judged"] is False
    assert "datetime" in row(result, "when")["note"] and not row(result, "when")["judged"]
    nullable = row(result, "nullable")
    assert nullable["missing_shift"] and nullable["drifted"]
    assert row(result, "flag")["kind"] == "categorical" and not row(result, "flag")["drifted"]
    assert row(result, "kind")["kind"] == "categorical"
    listed = check_drift(ref, cur, columns=["when"])
    assert row(listed, "when")["judged"] and row(listed, "when")["drifted"]


def test_profile_based_drift_matches_binned_statistics() -> None:
    """A profile without the fine grid (built with grid=False, or stored by 0.1) is
    compared by chi-squared and Jensen-Shannon on its decile bins."""
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"x": rng.normal(size=5000), "c": rng.choice(list("abc"), 5000)})
    cur = pd.DataFrame({"x": rng.normal(0.5, 1, 3000), "c": rng.choice(list("abc"), 3000)})
    profile = build_profile(ref, grid=False)
    assert len(str(profile)) < 5000  # kilobytes, not data
    result = check_drift(profile, cur)
    assert result.details["from_profile"] is True
    x = row(result, "x")
    edges = np.asarray(profile["columns"]["x"]["edges"])
    ref_counts = np.asarray(profile["columns"]["x"]["counts"])
    cur_counts = np.bincount(
        np.searchsorted(edges, cur["x"], side="right"), minlength=len(edges) + 1
    )
    assert x["effect_size"] == pytest.approx(
        jensenshannon(ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum(), base=2)
    )
    assert x["drifted"] and not row(result, "c")["drifted"]
    with pytest.raises(MlopsInputError, match="needs the reference data"):
        check_drift(profile, cur, method="ks")


def test_a_profile_with_its_grid_judges_like_the_data_itself() -> None:
    """The default profile keeps a percentile grid: KS and Wasserstein are judged on it,
    each within its stated bound of SciPy's exact value, as with the data in memory."""
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({"x": rng.normal(size=5000), "c": rng.choice(list("abc"), 5000)})
    cur = pd.DataFrame({"x": rng.normal(0.5, 1, 3000), "c": rng.choice(list("abc"), 3000)})
    profile = build_profile(ref)
    assert len(json.dumps(profile)) < 12_000  # kilobytes, not data
    from_profile, in_memory = check_drift(profile, cur), check_drift(ref, cur)
    x, exact = row(from_profile, "x"), row(in_memory, "x")
    assert x["effect"] == exact["effect"] == "wasserstein"
    assert abs(x["effect_size"] - exact["effect_size"]) <= x["effect_bound"]
    ks = row(check_drift(profile, cur, method={"x": "ks"}), "x")
    truth = stats.ks_2samp(ref["x"], cur["x"]).statistic
    assert ks["statistic"] <= truth <= ks["statistic"] + ks["ks_bound"]
    assert x["drifted"] and not row(from_profile, "c")["drifted"]
    assert row(from_profile, "c")["p_value"] == pytest.approx(row(in_memory, "c")["p_value"])
    with pytest.raises(MlopsInputError, match="'x' needs the rows in memory"):
        check_drift(profile, cur, method="anderson")


def test_domain_classifier_names_the_separating_feature() -> None:
    rng = np.random.default_rng(4)
    ref = pd.DataFrame({"a": rng.normal(size=1500), "b": rng.normal(size=1500)})
    cur = pd.DataFrame({"a": rng.normal(size=1500), "b": rng.normal(size=1500)})
    cur["b"] = cur["b"] * 1.6 + 0.4
    result = check_drift(ref, cur, domain_classifier=True, max_drifted_share=1.0)
    assert result.status == "fail" and result.metrics["domain_auc"] > 0.625
    assert result.details["domain_classifier"]["top_features"][0]["feature"] == "b"
    same = check_drift(ref, ref.sample(frac=1, random_state=0), domain_classifier=True)
    assert same.metrics["domain_auc"] < 0.6 and same.status == "pass"


def test_prediction_and_label_drift() -> None:
    rng = np.random.default_rng(5)
    result = check_prediction_drift(rng.beta(2, 5, 3000), rng.beta(5, 2, 3000))
    assert result.name == "prediction_drift" and result.status == "fail"
    labels = check_label_drift(rng.choice([0, 1], 3000), rng.choice([0, 1], 3000, p=[0.8, 0.2]))
    assert labels.name == "label_drift" and labels.status == "fail"
    assert row(labels, "label")["kind"] == "categorical"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"columns": ["nope"]}, MlopsInputError, "column 'nope' is not in reference"),
        ({"columns": "x"}, MlopsTypeError, "columns must be a list"),
        ({"method": "magic"}, MlopsInputError, "method must be one of"),
        ({"method": "ks "}, MlopsInputError, "did you mean 'ks'"),
        ({"method": 3}, MlopsTypeError, "method must be one of"),
        (
            {"method": {"c": "ks"}},
            MlopsInputError,
            "method 'ks' does not apply to categorical column 'c'",
        ),
        ({"correction": "holm"}, MlopsInputError, "correction must be one of"),
        ({"alpha": 1.5}, MlopsInputError, r"alpha must be a float in \(0, 1\); got 1.5"),
        ({"alpha": "0.05"}, MlopsTypeError, r"alpha must be a float in \(0, 1\); got '0.05'"),
        ({"effect_floor": "x"}, MlopsTypeError, "effect_floor must be a float >= 0"),
        ({"min_samples": 1}, MlopsInputError, "min_samples must be an int >= 2"),
        ({"min_samples": 2.5}, MlopsTypeError, "min_samples must be an int >= 2"),
        ({"effect_floor": {"energy": 0.1}}, MlopsInputError, "the keys of effect_floor must be"),
        ({"max_drifted_share": 1.5}, MlopsInputError, "max_drifted_share must be a float in"),
        ({"domain_classifier": "yes"}, MlopsTypeError, "domain_classifier must be a bool"),
        ({"random_state": -1}, MlopsInputError, "random_state must be"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, message: str) -> None:
    frame = pd.DataFrame({"x": RNG.normal(size=100), "c": RNG.choice(list("ab"), 100)})
    with pytest.raises(error, match=message):
        check_drift(frame, frame, **kwargs)


def test_bad_frames() -> None:
    good = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(MlopsInputError, match="current is empty"):
        check_drift(good, good.iloc[:0])
    with pytest.raises(MlopsTypeError, match="reference must be a pandas DataFrame"):
        check_drift([1, 2, 3], good)
    dupes = pd.DataFrame([[1, 2]], columns=["x", "x"])
    with pytest.raises(MlopsInputError, match="duplicate column names"):
        check_drift(dupes, good)
    with pytest.raises(MlopsInputError, match="share no column"):
        check_drift(pd.DataFrame({"y": [1.0]}), good)


def test_fixture_with_stored_profile(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        import numpy as np
        import pandas as pd
        import pytest

        rng = np.random.default_rng(0)
        TRAIN = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(list("ab"), 2000)})
        LIVE = pd.DataFrame({"x": rng.normal(0.8, 1, 2000), "c": rng.choice(list("ab"), 2000)})

        @pytest.mark.mlops_drift
        def test_live(mlops):
            mlops.store_profile("train", TRAIN)
            mlops.check_drift("train", TRAIN.sample(frac=1.0, random_state=1))

        @pytest.mark.mlops_drift(severity="warn")
        def test_shifted(mlops):
            mlops.check_drift("train", LIVE)
        """
    )
    first = pytester.runpytest("--mlops")
    first.assert_outcomes(failed=1, passed=1, warnings=1)  # both fail closed
    missing = next(c for c in report_of()["checks"] if c["nodeid"].endswith("test_live"))
    assert missing["reason"] == "missing_baseline"
    assert "mlops.store_profile('train', training_data)" in missing["message"]
    created = pytester.runpytest("--mlops", "--mlops-update-baseline", "-k", "test_live")
    created.assert_outcomes(passed=1)
    assert "profiles" in (pytester.path / "mlops-baseline.json").read_text()
    again = pytester.runpytest("--mlops")
    again.assert_outcomes(passed=2, warnings=1)
    shifted = next(c for c in report_of()["checks"] if c["nodeid"].endswith("test_shifted"))
    assert shifted["status"] == "warn" and shifted["details"]["from_profile"] is True
    page = (pytester.path / "mlops-report" / "report.html").read_text()
    assert "x: wasserstein" in page and "<svg" in page
