"""Pipeline gates: reproducible training, serialisation, the preprocessing contract,
metamorphic expectations and robustness."""

from __future__ import annotations

import pytest
from breast_cancer_model import make_model
from sklearn.preprocessing import StandardScaler


@pytest.mark.mlops_pipeline
def test_training_is_reproducible(mlops, data):
    mlops.check_deterministic(make_model, data["X_train"], data["y_train"], X_eval=data["X_test"])


@pytest.mark.mlops_pipeline
def test_model_survives_serialisation(mlops, model, data):
    mlops.check_serialization(model, data["X_test"])


@pytest.mark.mlops_pipeline
def test_scaler_keeps_the_transformer_contract(mlops, data):
    mlops.check_transformer(StandardScaler(), data["X_train"])


@pytest.mark.mlops_pipeline
def test_invariant_to_instrument_rounding(mlops, model, data):
    """Rounding the measurements to 4 decimals (instrument precision) must not matter."""
    mlops.check_invariance(model, data["X_test"], perturb=lambda X: X.round(4), tolerance=0.01)


@pytest.mark.mlops_pipeline
def test_larger_tumours_look_less_benign(mlops, model, data):
    """Growing the 'worst' size measurements by 20% must not raise P(benign)."""
    size = ["worst radius", "worst perimeter", "worst area"]
    mlops.check_directional(
        model,
        data["X_test"],
        perturb=lambda X: X.assign(**{c: X[c] * 1.2 for c in size}),
        expect="decrease",
    )


@pytest.mark.mlops_pipeline
def test_robust_to_measurement_noise(mlops, model, data):
    mlops.check_robustness(model, data["X_test"], data["y_test"], noise=0.05, max_drop=0.03)
