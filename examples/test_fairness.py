"""Fairness gate for the example pipeline.

The breast-cancer data has no sensitive attribute, so this example adds one: a synthetic
"clinic" column drawn at random with a fixed seed, independent of the data. It stands in
for the demographic attribute a real project would have. Because it is independent of
the features, the model should treat both clinics alike, and the gate passes; plant a
bias (e.g. flip some predictions for one clinic) to see it fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

SENSITIVE_SEED = 2026


@pytest.fixture(scope="module")
def clinic(data) -> pd.Series:
    """Synthetic, seeded: which of two clinics each test-set patient came from."""
    rng = np.random.default_rng(SENSITIVE_SEED)
    index = data["X_test"].index
    return pd.Series(rng.choice(["north", "south"], len(index)), index=index, name="clinic")


@pytest.mark.mlops_fairness
def test_both_clinics_are_treated_alike(mlops, data, y_pred, clinic):
    mlops.check_fairness(
        data["y_test"],
        y_pred,
        sensitive_features=clinic,
        features=data["X_test"],
        min_demographic_parity_ratio=0.8,
        max_equalized_odds_difference=0.1,
    )
