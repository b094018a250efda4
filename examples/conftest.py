"""The example project: a scikit-learn pipeline on the breast-cancer data.

The data ships with scikit-learn (no download). It is split once, with a fixed seed, and
the pipeline is trained once per test session; every test reuses them.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest
from breast_cancer_model import SEED, make_model
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline


@pytest.fixture(scope="session")
def data() -> dict[str, pd.DataFrame | pd.Series]:
    """The breast-cancer data (569 rows, 30 numeric features), split 70/30, stratified."""
    frame = load_breast_cancer(as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(
        frame.data, frame.target, test_size=0.3, random_state=SEED, stratify=frame.target
    )
    return {"X_train": X_train, "X_test": X_test, "y_train": y_train, "y_test": y_test}


@pytest.fixture(scope="session")
def model(data: dict[str, pd.DataFrame | pd.Series]) -> Pipeline:
    """The pipeline, trained on the training split."""
    fitted = make_model().fit(data["X_train"], data["y_train"])
    fitted.trained_at_ = datetime.now(timezone.utc)  # recorded at training, for staleness
    return fitted


@pytest.fixture(scope="session")
def y_pred(model: Pipeline, data: dict[str, pd.DataFrame | pd.Series]) -> pd.Series:
    """Predicted classes on the test split."""
    return pd.Series(model.predict(data["X_test"]), index=data["X_test"].index)


@pytest.fixture(scope="session")
def y_score(model: Pipeline, data: dict[str, pd.DataFrame | pd.Series]) -> pd.Series:
    """Predicted probability of class 1 (benign) on the test split."""
    return pd.Series(model.predict_proba(data["X_test"])[:, 1], index=data["X_test"].index)
