"""The standard suite's test functions (collected by ``suite.SuiteModule``).

Each is an ordinary test using the ``mlops`` fixture and the project's ``mlops_dataset``
and ``mlops_model`` fixtures; settings come from ``[tool.pytest-mlops]``.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_mlops.plugin import session_key


@pytest.fixture
def mlops_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    return request.config.stash[session_key].project


@pytest.fixture
def mlops_fitted_model(mlops_model: Any, mlops_dataset: Any) -> Any:
    """The declared model, fitted on the training data when a factory was declared."""
    if hasattr(mlops_model, "predict"):
        return mlops_model
    ds = mlops_dataset
    return mlops_model().fit(ds.features(ds.train), ds.train[ds.label])


def _severity(settings: dict[str, Any], family: str) -> str:
    return str(settings["severity"][family])


@pytest.mark.mlops_data
@pytest.mark.parametrize("split", ["train", "test"])
def test_mlops_data_integrity(
    mlops: Any, mlops_dataset: Any, mlops_settings: Any, split: str
) -> None:
    mlops.check_data(
        getattr(mlops_dataset, split),
        label=mlops_dataset.label,
        severity=_severity(mlops_settings, "data"),
    )


@pytest.mark.mlops_data
def test_mlops_schema(mlops: Any, mlops_dataset: Any, mlops_settings: Any) -> None:
    name = mlops_settings["schema_name"]
    severity = _severity(mlops_settings, "data")
    margin = mlops_settings["schema"]["range_margin"]
    mlops.check_schema(mlops_dataset.train, name, severity=severity, range_margin=margin)
    if not mlops.update_baseline:
        mlops.check_schema(mlops_dataset.test, name, severity=severity)


@pytest.mark.mlops_data
def test_mlops_train_test(mlops: Any, mlops_dataset: Any, mlops_settings: Any) -> None:
    mlops.check_train_test(
        mlops_dataset.train,
        mlops_dataset.test,
        label=mlops_dataset.label,
        severity=_severity(mlops_settings, "data"),
    )


@pytest.mark.mlops_drift
def test_mlops_drift_train_vs_test(mlops: Any, mlops_dataset: Any, mlops_settings: Any) -> None:
    ds = mlops_dataset
    mlops.check_drift(
        ds.features(ds.train),
        ds.features(ds.test),
        categorical=list(ds.categorical),
        severity=_severity(mlops_settings, "drift"),
        **mlops_settings["drift"],
    )


def _predictions(model: Any, ds: Any) -> dict[str, Any]:
    X = ds.features(ds.test)
    out = {"y_pred": model.predict(X)}
    if ds.classification and hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        out["y_score"] = proba[:, 1] if proba.shape[1] == 2 else proba
    return out


@pytest.mark.mlops_model
def test_mlops_metrics(
    mlops: Any, mlops_dataset: Any, mlops_fitted_model: Any, mlops_settings: Any
) -> None:
    ds = mlops_dataset
    mlops.check_metrics(
        ds.test[ds.label],
        **_predictions(mlops_fitted_model, ds),
        thresholds=mlops_settings["thresholds"],
        gate_on=mlops_settings["gate_on"],
        severity=_severity(mlops_settings, "model"),
    )


@pytest.mark.mlops_model
def test_mlops_against_baseline(
    mlops: Any, mlops_dataset: Any, mlops_fitted_model: Any, mlops_settings: Any
) -> None:
    ds = mlops_dataset
    max_drop = mlops_settings["max_drop"] or (
        {"roc_auc": 0.01} if ds.classification else {"rmse": 0.0}
    )
    mlops.check_against_baseline(
        mlops_settings["baseline_name"],
        ds.test[ds.label],
        **_predictions(mlops_fitted_model, ds),
        max_drop=max_drop,
        severity=_severity(mlops_settings, "model"),
    )


@pytest.mark.mlops_fairness
def test_mlops_fairness(
    mlops: Any, mlops_dataset: Any, mlops_fitted_model: Any, mlops_settings: Any
) -> None:
    ds = mlops_dataset
    if not ds.sensitive:
        pytest.skip("no sensitive columns declared in mlops_dataset")
    if not ds.classification:
        pytest.skip("fairness rates need a classification label")
    mlops.check_fairness(
        ds.test[ds.label],
        mlops_fitted_model.predict(ds.features(ds.test)),
        sensitive_features=ds.test[list(ds.sensitive)],
        features=ds.features(ds.test),
        severity=_severity(mlops_settings, "fairness"),
        **mlops_settings["fairness"],
    )


@pytest.mark.mlops_pipeline
def test_mlops_determinism(
    mlops: Any, mlops_dataset: Any, mlops_model: Any, mlops_settings: Any
) -> None:
    if hasattr(mlops_model, "predict"):
        pytest.skip(
            "declare mlops_model as a factory (a function returning an unfitted model) "
            "to check that training is reproducible"
        )
    ds = mlops_dataset
    mlops.check_deterministic(
        mlops_model,
        ds.features(ds.train),
        ds.train[ds.label],
        X_eval=ds.features(ds.test),
        severity=_severity(mlops_settings, "pipeline"),
    )


@pytest.mark.mlops_pipeline
def test_mlops_serialization(
    mlops: Any, mlops_dataset: Any, mlops_fitted_model: Any, mlops_settings: Any
) -> None:
    ds = mlops_dataset
    mlops.check_serialization(
        mlops_fitted_model, ds.features(ds.test), severity=_severity(mlops_settings, "pipeline")
    )
