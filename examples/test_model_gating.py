"""Promotion gates with honest statistics: intervals, the champion, a challenger, slices."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


@pytest.mark.mlops_model
def test_auc_clears_the_bar_with_its_whole_interval(mlops, data, y_score):
    """171 test rows: the lower end of the 95% interval must clear the bar, not just the point."""
    mlops.check_metrics(
        data["y_test"], y_score=y_score, thresholds={"roc_auc": 0.95}, gate_on="lower_bound"
    )


@pytest.mark.mlops_model
def test_no_regression_against_the_champion(mlops, data, y_pred, y_score):
    """The champion's metrics live in examples/mlops-baseline.json."""
    mlops.check_against_baseline(
        "breast-cancer-classifier",
        data["y_test"],
        y_pred=y_pred,
        y_score=y_score,
        max_drop={"roc_auc": 0.01, "f1": 0.02},
    )


@pytest.mark.mlops_model
def test_challenger_is_not_worse_than_champion(mlops, data, y_score):
    """A more strongly regularised challenger against the champion (DeLong's paired test).

    (A random forest scores 0.978 here against the champion's 0.996: this gate keeps the
    champion then, which is the point of it.)
    """
    challenger = make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=1000))
    challenger.fit(data["X_train"], data["y_train"])
    mlops.compare_models(
        data["y_test"],
        champion=y_score,
        challenger=challenger.predict_proba(data["X_test"])[:, 1],
        metric="roc_auc",
        margin=0.02,
    )


@pytest.mark.mlops_model
def test_quality_holds_on_every_size_slice(mlops, data, y_pred):
    """Small and large tumours are both important: accuracy per slice of 'mean radius'."""
    size = pd.qcut(data["X_test"]["mean radius"], 3, labels=["small", "medium", "large"])
    mlops.check_metrics(
        data["y_test"],
        y_pred=y_pred,
        thresholds={"accuracy": 0.85},
        slices=pd.DataFrame({"tumour size": size}),
    )


@pytest.mark.mlops_model
def test_no_overfitting_and_beats_a_dummy(mlops, data, model, y_pred, y_score):
    mlops.check_overfitting(
        data["y_train"],
        data["y_test"],
        train_score=model.predict_proba(data["X_train"])[:, 1],
        test_score=y_score,
        metric="roc_auc",
        max_gap=0.03,
    )
    mlops.check_beats_dummy(data["y_train"], data["y_test"], y_pred=y_pred, metric="accuracy")


@pytest.mark.mlops_model(severity="warn")
def test_probabilities_are_calibrated(mlops, data, y_score):
    mlops.check_calibration(data["y_test"], y_score, max_ece=0.1)
