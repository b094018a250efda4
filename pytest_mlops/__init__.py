"""pytest-mlops: a pytest plugin that turns an ML test suite into a model-promotion gate.

Importing this package is cheap: it loads no NumPy, pandas, scikit-learn or matplotlib.
The checks live in :mod:`pytest_mlops.checks`.
"""

from __future__ import annotations

from pytest_mlops.dataset import MlopsDataset
from pytest_mlops.errors import (
    BaselineError,
    MlopsCheckFailed,
    MlopsInputError,
    MlopsTypeError,
    PytestMlopsError,
    PytestMlopsWarning,
)
from pytest_mlops.results import CheckResult

__version__ = "0.1.0"

__all__ = [
    "BaselineError",
    "CheckResult",
    "MlopsCheckFailed",
    "MlopsDataset",
    "MlopsInputError",
    "MlopsTypeError",
    "PytestMlopsError",
    "PytestMlopsWarning",
    "__version__",
]
