"""Model quality gates for the example pipeline."""

from __future__ import annotations

import time

import pytest


@pytest.mark.mlops_model
def test_quality_thresholds(mlops, data, y_pred, y_score):
    """The candidate must clear fixed bars on the held-out split."""
    mlops.check_metrics(
        data["y_test"],
        y_pred=y_pred,
        y_score=y_score,
        thresholds={"roc_auc": 0.95, "f1": 0.9, "log_loss": 0.3},
    )


@pytest.mark.mlops_model(severity="warn")
def test_balanced_accuracy_target(mlops, data, y_pred):
    """A softer goal: were it missed, it would be reported without blocking promotion."""
    mlops.check_metrics(data["y_test"], y_pred=y_pred, thresholds={"balanced_accuracy": 0.93})


@pytest.mark.mlops_model
def test_training_time_is_tracked(mlops, data):
    """Track how long training takes, in the report and the baseline."""
    from breast_cancer_model import make_model

    start = time.perf_counter()
    make_model().fit(data["X_train"], data["y_train"])
    mlops.record("train_seconds", time.perf_counter() - start)
