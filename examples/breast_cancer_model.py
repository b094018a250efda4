"""The example project's model: scaling and a logistic regression (importable by tests)."""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

SEED = 0


def make_model(random_state: int = SEED) -> Pipeline:
    """The model under test: scaling and a logistic regression."""
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(max_iter=1000, random_state=random_state)),
        ]
    )
