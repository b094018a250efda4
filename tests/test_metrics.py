"""check_metrics as a plain function: values equal scikit-learn's, thresholds mean what they say."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from pytest_mlops.checks import BUILTIN_METRICS, Metric, check_metrics
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

RNG = np.random.default_rng(0)
Y_BIN = RNG.integers(0, 2, 200)
SCORE = np.clip(Y_BIN * 0.3 + RNG.random(200) * 0.7, 0.001, 0.999)
PRED = (SCORE > 0.5).astype(int)
Y_REG = RNG.normal(10, 3, 200)
PRED_REG = Y_REG + RNG.normal(0, 1, 200)

CLASSIFICATION = {
    "accuracy": lambda: skm.accuracy_score(Y_BIN, PRED),
    "balanced_accuracy": lambda: skm.balanced_accuracy_score(Y_BIN, PRED),
    "precision": lambda: skm.precision_score(Y_BIN, PRED),
    "recall": lambda: skm.recall_score(Y_BIN, PRED),
    "f1": lambda: skm.f1_score(Y_BIN, PRED),
    "mcc": lambda: skm.matthews_corrcoef(Y_BIN, PRED),
    "roc_auc": lambda: skm.roc_auc_score(Y_BIN, SCORE),
    "average_precision": lambda: skm.average_precision_score(Y_BIN, SCORE),
    "log_loss": lambda: skm.log_loss(Y_BIN, SCORE),
    "brier": lambda: skm.brier_score_loss(Y_BIN, SCORE),
}
REGRESSION = {
    "mae": lambda: skm.mean_absolute_error(Y_REG, PRED_REG),
    "mse": lambda: skm.mean_squared_error(Y_REG, PRED_REG),
    "rmse": lambda: math.sqrt(skm.mean_squared_error(Y_REG, PRED_REG)),
    "r2": lambda: skm.r2_score(Y_REG, PRED_REG),
    "mape": lambda: skm.mean_absolute_percentage_error(Y_REG, PRED_REG),
}


def test_every_builtin_is_tested() -> None:
    assert set(CLASSIFICATION) | set(REGRESSION) == set(BUILTIN_METRICS)


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_classification_metrics_equal_sklearn(name: str) -> None:
    result = check_metrics(Y_BIN, y_pred=PRED, y_score=SCORE, report=[name])
    assert result.status == "pass"
    assert result.metrics[name] == pytest.approx(CLASSIFICATION[name](), rel=1e-12)


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_regression_metrics_equal_sklearn(name: str) -> None:
    result = check_metrics(Y_REG, y_pred=PRED_REG, report=[name])
    assert result.metrics[name] == pytest.approx(REGRESSION[name](), rel=1e-12)


def test_two_column_scores_use_the_positive_column() -> None:
    proba = np.column_stack([1 - SCORE, SCORE])
    result = check_metrics(Y_BIN, y_score=proba, report=["roc_auc", "log_loss"])
    assert result.metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(Y_BIN, SCORE))
    assert result.metrics["log_loss"] == pytest.approx(skm.log_loss(Y_BIN, proba))


def test_multiclass_uses_macro_and_ovr() -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    pred, proba = model.predict(X), model.predict_proba(X)
    result = check_metrics(y, y_pred=pred, y_score=proba, report=["f1", "roc_auc", "log_loss"])
    assert result.metrics["f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert result.metrics["roc_auc"] == pytest.approx(
        skm.roc_auc_score(y, proba, multi_class="ovr", average="macro")
    )
    assert result.metrics["log_loss"] == pytest.approx(skm.log_loss(y, proba))


@pytest.mark.parametrize(
    ("thresholds", "status"),
    [
        ({"accuracy": 0.75}, "pass"),  # inclusive minimum
        ({"accuracy": 0.76}, "fail"),
        ({"accuracy": {"max": 0.7}}, "fail"),
        ({"accuracy": {"min": 0.5, "max": 0.8}}, "pass"),
        ({"mse": 0.25}, "pass"),  # lower is better: a bare number is a maximum
        ({"mse": 0.2}, "fail"),
        ({"mse": {"min": 0.3}}, "fail"),
    ],
)
def test_threshold_direction(thresholds: dict, status: str) -> None:
    truth, pred = [0, 1, 1, 0], [0, 1, 0, 0]  # accuracy 0.75, mse 0.25
    assert check_metrics(truth, y_pred=pred, thresholds=thresholds).status == status


def test_failure_message_names_metric_value_interval_bound_and_next_step() -> None:
    result = check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0], thresholds={"accuracy": 0.9})
    assert result.status == "fail" and result.reason == "threshold_not_met"
    # Wilson interval of 3/4 at 95%: 0.3006-0.9544 (hand-computed from the Wilson formula)
    assert result.message.startswith(
        "accuracy = 0.75 (95% CI 0.3006-0.9544), must be >= 0.9 (n=4); "
    )
    assert "change thresholds=" in result.message
    assert result.thresholds == {"accuracy": {"min": 0.9}}
    row = result.details["rows"][0]
    assert row["ci_low"] == pytest.approx(0.30064, abs=1e-4)
    assert row["ci_high"] == pytest.approx(0.95440, abs=1e-4)
    assert {k: row[k] for k in ("metric", "value", "direction", "min", "passed")} == {
        "metric": "accuracy",
        "value": 0.75,
        "direction": "higher",
        "min": 0.9,
        "passed": False,
    }


def test_unknown_metric_lists_valid_names() -> None:
    with pytest.raises(MlopsInputError) as info:
        check_metrics([0, 1], y_pred=[0, 1], thresholds={"auc": 0.9})
    assert str(info.value).startswith("unknown metric 'auc'; valid metrics are: accuracy, ")
    assert "roc_auc" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"thresholds": {"f1": {"best": 1}}}, MlopsInputError, "thresholds['f1'] takes the keys"),
        ({"thresholds": {"f1": {"min": 0.9, "max": 0.1}}}, MlopsInputError, "min 0.9 is above max"),
        ({"thresholds": {"f1": "high"}}, MlopsTypeError, "thresholds['f1'] must be a number"),
        ({"thresholds": {"f1": float("nan")}}, MlopsInputError, "must be a number; got nan"),
        ({"thresholds": [("f1", 0.5)]}, MlopsTypeError, "thresholds must be a dict"),
        ({"metrics": {"x": 3}, "report": ["x"]}, MlopsTypeError, "metrics['x'] must be a callable"),
        ({"y_pred": [0, 1, 1]}, MlopsInputError, "y_true has 2, y_pred has 3"),
        ({"y_pred": None}, MlopsInputError, "pass y_pred, y_score or both"),
        (
            {"y_pred": [[0, 1], [1, 0]]},
            MlopsInputError,
            "y_pred must be 1-d; got an array of shape",
        ),
        ({"y_pred": "01"}, MlopsTypeError, "y_pred must be a 1-d array-like"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs: dict, error: type, message: str) -> None:
    kwargs = {"y_pred": [0, 1], **kwargs}
    with pytest.raises(error, match=message.replace("[", r"\[").replace("(", r"\(")):
        check_metrics([0, 1], **kwargs)


def test_empty_input_is_an_error() -> None:
    with pytest.raises(MlopsInputError, match="y_true is empty"):
        check_metrics([], y_pred=[])


def test_nan_in_inputs_is_an_error_result() -> None:
    result = check_metrics([0.0, np.nan, 1.0], y_pred=[0, 1, 1], thresholds={"accuracy": 0.5})
    assert result.status == "error" and result.reason == "not_computable"
    assert "y_true has 1 missing value(s) (of 3 rows)" in result.message
    nullable = pd.Series([0, None, 1], dtype="Int64")
    assert check_metrics(nullable, y_pred=[0, 1, 1]).status == "error"


def test_one_class_makes_roc_auc_an_error_not_a_pass() -> None:
    result = check_metrics([1, 1, 1], y_score=[0.2, 0.5, 0.9], thresholds={"roc_auc": 0.5})
    assert result.status == "error"
    assert "only one class (1) is present in y_true" in result.message


def test_uncomputable_unthresholded_metric_is_noted_not_fatal() -> None:
    result = check_metrics(
        [1, 1, 1],
        y_pred=[1, 1, 0],
        y_score=[0.9, 0.8, 0.2],
        thresholds={"accuracy": 0.5},
        report=["roc_auc"],
    )
    assert result.status == "pass"
    assert "roc_auc" in result.details["errors"]


def test_string_labels_need_pos_label_for_binary_metrics() -> None:
    truth, pred = ["yes", "no", "yes", "no"], ["yes", "no", "no", "no"]
    assert check_metrics(truth, y_pred=pred, thresholds={"accuracy": 0.7}).status == "pass"
    with pytest.raises(MlopsInputError, match="pass pos_label= to say which class is positive"):
        check_metrics(truth, y_pred=pred, thresholds={"recall": 0.4})
    result = check_metrics(truth, y_pred=pred, thresholds={"recall": 0.4}, pos_label="yes")
    assert result.metrics["recall"] == 0.5
    with pytest.raises(MlopsInputError, match="pos_label 'maybe' is not one of the labels"):
        check_metrics(truth, y_pred=pred, thresholds={"recall": 0.4}, pos_label="maybe")


def test_user_metrics() -> None:
    def profit(y_true, y_pred):
        return float(np.sum((np.asarray(y_true) == 1) & (np.asarray(y_pred) == 1)) * 10)

    cost = Metric(lambda t, s: float(np.mean(s)), greater_is_better=False, needs="score")
    result = check_metrics(
        [0, 1, 1],
        y_pred=[0, 1, 0],
        y_score=[0.1, 0.9, 0.4],
        metrics={"profit": profit, "cost": cost},
        thresholds={"profit": 5, "cost": 0.3},
    )
    assert result.metrics == {"profit": 10.0, "cost": pytest.approx(1.4 / 3)}
    assert result.thresholds == {"profit": {"min": 5.0}, "cost": {"max": 0.3}}
    assert result.status == "fail"


def test_pandas_nullable_and_categorical_inputs() -> None:
    truth = pd.Series(["a", "b", "a", "b"], dtype="category")
    pred = pd.Series(["a", "b", "b", "b"], dtype="string")
    assert check_metrics(truth, y_pred=pred, report=["accuracy"]).metrics["accuracy"] == 0.75
    ints = pd.Series([0, 1, 1, 0], dtype="Int64")
    floats = pd.Series([0.1, 0.9, 0.6, 0.2], dtype="Float64")
    assert check_metrics(ints, y_score=floats, report=["roc_auc"]).metrics["roc_auc"] == 1.0


def test_sample_weight_is_passed_through() -> None:
    w = np.where(Y_BIN == 1, 2.0, 1.0)
    result = check_metrics(Y_BIN, y_pred=PRED, sample_weight=w, report=["accuracy"])
    assert result.metrics["accuracy"] == pytest.approx(
        skm.accuracy_score(Y_BIN, PRED, sample_weight=w)
    )


def test_default_report_without_thresholds() -> None:
    result = check_metrics(Y_BIN, y_pred=PRED, y_score=SCORE)
    assert set(result.metrics) == set(CLASSIFICATION)
    regression = check_metrics(Y_REG, y_pred=PRED_REG)
    assert set(regression.metrics) == set(REGRESSION)
