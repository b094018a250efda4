"""check_prediction_range: a regressor's predictions stay within its training target's
learned range (the check family added through the registry alone)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pytest_mlops.checks import check_prediction_range, infer_schema
from pytest_mlops.errors import MlopsInputError


def test_the_range_of_four_values_by_hand() -> None:
    # y_train = 0, 1, 2, 3: k = ceil(sqrt(4)) = 2 extremes per side. Exponential tails:
    # 6 * mean(2 - 0, 2 - 1) = 9 below, 6 * mean(2 - 1, 3 - 1) = 9 above; the power-law
    # fit above is wider still (3 * expm1(6 * mean(log 2, log 3))); both sides are then
    # capped at twice the range, 6: the learned range is [-6, 9].
    result = check_prediction_range([9.0, -6.0, 1.5], y_train=[0, 1, 2, 3])
    assert result.status == "pass", result.message
    assert (result.metrics["low"], result.metrics["high"]) == (-6.0, 9.0)
    assert 6 * np.mean([math.log(2), math.log(3)]) > math.log1p(9 / 3)  # the cap binds
    failed = check_prediction_range([9.01, 0.0, -6.5, 2.0], y_train=[0, 1, 2, 3])
    assert failed.status == "fail"
    assert failed.metrics["outside"] == 2
    assert failed.metrics["outside_fraction"] == 0.5
    assert [e["row"] for e in failed.details["examples"]] == [0, 2]
    assert "2 prediction(s) (50.00%) outside the learned range [-6, 9]" in failed.message


def test_the_range_is_the_one_infer_schema_learns_for_the_same_column() -> None:
    rng = np.random.default_rng(3)
    target = rng.lognormal(3.0, 0.8, size=2_000)
    schema = infer_schema(pd.DataFrame({"price": target}))
    (learned,) = schema.columns
    result = check_prediction_range(target[:10], y_train=target)
    assert result.metrics["low"] == pytest.approx(learned.min)
    assert result.metrics["high"] == pytest.approx(learned.max)


@pytest.mark.parametrize(
    ("draw", "most_runs_failing"),
    [
        (lambda rng, n: rng.normal(50, 10, n), 0.01),
        (lambda rng, n: rng.exponential(3, n), 0.01),
        # skewed: the range is capped at twice the training range beyond each extreme,
        # and the cap binds here (measured: 2% of runs, 4e-5 of predictions outside)
        (lambda rng, n: rng.lognormal(2, 1, n), 0.05),
    ],
    ids=["normal", "exponential", "lognormal"],
)
def test_predictions_from_the_targets_own_distribution_rarely_fail(draw, most_runs_failing) -> None:
    # The promise: a new value lands beyond a side with probability about
    # exp(-6) / (n + 1) = 5e-6 (n = 500), so 500 predictions fail together about
    # 500 * 2 * exp(-6) / 501 = 0.5% of the time.
    rng = np.random.default_rng(11)
    runs, outside = 300, 0
    failed = 0
    for _ in range(runs):
        result = check_prediction_range(draw(rng, 500), y_train=draw(rng, 500))
        failed += result.status == "fail"
        outside += result.metrics["outside"]
    assert failed / runs <= most_runs_failing, f"{failed} of {runs} runs failed"
    assert outside / (runs * 500) < 1e-4


def test_a_shifted_model_fails_and_a_tolerated_share_passes() -> None:
    rng = np.random.default_rng(5)
    train = rng.normal(0, 1, 1_000)
    shifted = check_prediction_range(rng.normal(0, 1, 1_000) + 20, y_train=train)
    assert shifted.status == "fail"
    assert shifted.metrics["outside_fraction"] > 0.99
    few = np.concatenate([rng.normal(0, 1, 990), np.full(10, 1e6)])
    assert check_prediction_range(few, y_train=train).status == "fail"
    tolerated = check_prediction_range(few, y_train=train, max_outside_fraction=0.02)
    assert tolerated.status == "pass", tolerated.message
    assert tolerated.metrics["outside"] == 10


def test_non_finite_predictions_always_fail() -> None:
    result = check_prediction_range(
        [1.0, np.nan, np.inf, 2.0], y_train=[0, 1, 2, 3], max_outside_fraction=1.0
    )
    assert result.status == "fail"
    assert result.metrics["non_finite"] == 2
    assert result.metrics["outside"] == 0  # NaN and inf are counted once, as non-finite
    assert "2 prediction(s) are NaN or infinite" in result.message
    assert [e["row"] for e in result.details["examples"]] == [1, 2]


def test_what_cannot_decide_fails_closed_and_bad_input_names_the_argument() -> None:
    constant = check_prediction_range([1.0, 1.0], y_train=[4.0] * 50)
    assert constant.status == "error"
    assert "y_train has 1 distinct value(s); a range needs two" in constant.message
    with pytest.raises(MlopsInputError, match="y_train has 1 NaN or infinite"):
        check_prediction_range([1.0], y_train=[0.0, np.nan, 2.0])
    with pytest.raises(MlopsInputError, match="y_pred is empty"):
        check_prediction_range([], y_train=[0.0, 1.0])
    with pytest.raises(MlopsInputError, match="range_margin"):
        check_prediction_range([1.0], y_train=[0.0, 1.0], range_margin=-1)
    with pytest.raises(MlopsInputError, match="max_outside_fraction"):
        check_prediction_range([1.0], y_train=[0.0, 1.0], max_outside_fraction=1.5)
    with pytest.raises(MlopsInputError, match="y_pred must be 1-d; got an array of shape"):
        check_prediction_range([[1.0, 2.0]], y_train=[0.0, 1.0])


def test_the_fixture_method_records_gates_and_shows_the_view(
    pytester: pytest.Pytester, report_of
) -> None:
    pytester.makepyfile(
        """
        import pytest

        TRAIN = [0.0, 1.0, 2.0, 3.0]

        @pytest.mark.mlops_model
        def test_in_range(mlops):
            mlops.check_prediction_range([1.0, 2.0], y_train=TRAIN)

        @pytest.mark.mlops_model
        def test_out_of_range(mlops):
            mlops.check_prediction_range([1.0, 40.0], y_train=TRAIN)

        @pytest.mark.mlops_model
        def test_typo(mlops):
            mlops.check_prediction_range([1.0], y_train=TRAIN, range_margn=3)
        """
    )
    result = pytester.runpytest("--mlops", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*model/prediction_range: 1 prediction(s) (50.00%) outside the learned range*",
            "*unknown argument 'range_margn' (did you mean 'range_margin'?)*",
        ]
    )
    report = report_of()
    rows = {c["nodeid"].split("::")[-1]: c for c in report["checks"]}
    assert {k: c["status"] for k, c in rows.items()} == {
        "test_in_range": "pass",
        "test_out_of_range": "fail",
        "test_typo": "error",
    }
    assert rows["test_out_of_range"]["metrics"]["high"] == 9.0
    assert report["gate"]["decision"] == "fail"
    html = (pytester.path / "mlops-report" / "report.html").read_text(encoding="utf-8")
    assert "learned range" in html and "example rows" in html
