"""The checks as plain functions, usable without pytest (notebooks, scripts).

Each returns a :class:`~pytest_mlops.results.CheckResult`. Heavy libraries (NumPy,
pandas, scikit-learn ...) are imported inside the functions, so importing this package
is cheap.
"""

from __future__ import annotations

from pytest_mlops.checks.champion import check_against_baseline
from pytest_mlops.checks.compare import compare_models
from pytest_mlops.checks.data import (
    ColumnSchema,
    Schema,
    check_data,
    check_schema,
    check_train_test,
    infer_schema,
)
from pytest_mlops.checks.drift import build_profile, check_drift
from pytest_mlops.checks.fairness import check_fairness, check_proxies
from pytest_mlops.checks.metrics import BUILTIN_METRICS, Metric, check_metrics
from pytest_mlops.checks.output_drift import check_label_drift, check_prediction_drift
from pytest_mlops.checks.outputs import check_probabilities
from pytest_mlops.checks.pipeline import (
    check_deterministic,
    check_directional,
    check_invariance,
    check_robustness,
    check_serialization,
    check_transformer,
)
from pytest_mlops.checks.prediction_range import check_prediction_range
from pytest_mlops.checks.production import (
    check_dependencies,
    check_feature_importance,
    check_latency,
    check_numerical_stability,
    check_skew,
    check_staleness,
)
from pytest_mlops.checks.sanity import check_beats_dummy, check_calibration, check_overfitting
from pytest_mlops.results import CheckResult

__all__ = [
    "BUILTIN_METRICS",
    "CheckResult",
    "ColumnSchema",
    "Metric",
    "Schema",
    "build_profile",
    "check_against_baseline",
    "check_beats_dummy",
    "check_calibration",
    "check_data",
    "check_dependencies",
    "check_deterministic",
    "check_directional",
    "check_drift",
    "check_fairness",
    "check_feature_importance",
    "check_invariance",
    "check_label_drift",
    "check_latency",
    "check_metrics",
    "check_numerical_stability",
    "check_overfitting",
    "check_prediction_drift",
    "check_prediction_range",
    "check_probabilities",
    "check_proxies",
    "check_robustness",
    "check_schema",
    "check_serialization",
    "check_skew",
    "check_staleness",
    "check_train_test",
    "check_transformer",
    "compare_models",
    "infer_schema",
]
