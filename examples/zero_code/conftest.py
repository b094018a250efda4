"""A zero-code suite: declare the data and the model; `pytest --mlops` adds the checks.

scikit-learn's bundled diabetes data (442 patients, a disease-progression score to
predict: a regression problem), split 75/25 with a fixed seed. The settings of the suite
are in `examples/mlops.toml`.
"""

from __future__ import annotations

import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from pytest_mlops import MlopsDataset


@pytest.fixture(scope="session")
def mlops_dataset() -> MlopsDataset:
    frame = load_diabetes(as_frame=True).frame
    train, test = train_test_split(frame, test_size=0.25, random_state=0)
    return MlopsDataset(train=train, test=test, label="target")


@pytest.fixture(scope="session")
def mlops_model():
    """A factory: the suite trains it, and checks that training is reproducible."""

    def make() -> Pipeline:
        return make_pipeline(StandardScaler(), Ridge(alpha=1.0))

    return make
