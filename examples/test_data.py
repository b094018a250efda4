"""Data gates for the example project: a learned schema and integrity checks."""

from __future__ import annotations

import pytest


@pytest.mark.mlops_data
def test_training_data_matches_the_stored_schema(mlops, data):
    """The schema is learned from the training split by --mlops-update-baseline and kept in
    examples/mlops-baseline.json; the test split must fit it too. Learned ranges reach a
    few tail scales beyond the training values (fitted per side, so the heavy upper tails
    of these measurements get room), wide enough for a test split, narrow enough to catch
    a unit error (mm for cm is 10x)."""
    mlops.check_schema(data["X_train"], "breast-cancer-features")
    if not mlops.update_baseline:
        mlops.check_schema(data["X_test"], "breast-cancer-features")


@pytest.mark.mlops_data
def test_training_data_integrity(mlops, data):
    """Nulls, duplicates, constants, mixed types, leakage, conflicting labels..."""
    frame = data["X_train"].assign(target=data["y_train"])
    mlops.check_data(frame, label="target")


@pytest.mark.mlops_data
def test_train_and_test_do_not_overlap(mlops, data):
    mlops.check_train_test(data["X_train"], data["X_test"])
