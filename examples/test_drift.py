"""Drift gates for the example pipeline.

The "live" data is built from the test split with a deterministic, documented shift: the
tumour-size features grow by 15% (as if a new scanner measured larger), so the drift
gate has something real to find. The training profile is stored in the baseline
(`examples/mlops-baseline.json`) by `--mlops-update-baseline`, so CI can check live data
without the training data.
"""

from __future__ import annotations

import pandas as pd
import pytest

SHIFTED = ["mean radius", "mean perimeter", "mean area", "worst radius", "worst area"]


@pytest.fixture(scope="module")
def live(data) -> pd.DataFrame:
    """Test rows as a new scanner would measure them: size features 15% larger."""
    frame = data["X_test"].copy()
    frame[SHIFTED] = frame[SHIFTED] * 1.15
    return frame


@pytest.mark.mlops_drift
def test_test_split_looks_like_training(mlops, data):
    """The held-out split must come from the training distribution."""
    mlops.store_profile("train", data["X_train"])
    mlops.check_drift(data["X_train"], data["X_test"])


@pytest.mark.mlops_drift
def test_live_data_against_stored_profile(mlops, data):
    """Live data from the current scanner against the stored training profile."""
    mlops.check_drift("train", data["X_test"])


@pytest.mark.mlops_drift
def test_planted_scanner_shift_is_found(mlops, data, live):
    """The plain function (not a gate of this run): a new scanner's 15% larger sizes are
    found, and only those columns drift."""
    from pytest_mlops.checks import build_profile, check_drift

    result = check_drift(build_profile(data["X_train"]), live)
    drifted = {r["column"] for r in result.details["columns"] if r["drifted"]}
    assert result.status == "fail" and drifted and drifted <= set(SHIFTED), drifted


@pytest.mark.mlops_drift
def test_predictions_are_stable(mlops, model, data):
    """The score distribution on held-out data matches the one on training data."""
    mlops.check_prediction_drift(
        model.predict_proba(data["X_train"])[:, 1], model.predict_proba(data["X_test"])[:, 1]
    )
