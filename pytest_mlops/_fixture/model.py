"""``mlops`` fixture methods of the ``mlops_model`` family."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops._fixture.base import MlopsBase

if TYPE_CHECKING:
    from pytest_mlops.checks.metrics import Metric
    from pytest_mlops.results import CheckResult


class ModelMethods(MlopsBase):
    def check_metrics(
        self,
        y_true: Any,
        y_pred: Any = None,
        y_score: Any = None,
        *,
        thresholds: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Metric | Callable[..., float]] | None = None,
        report: Sequence[str] | None = None,
        pos_label: Any = None,
        sample_weight: Any = None,
        severity: str | None = None,
    ) -> CheckResult:
        """Hold model metrics to thresholds; see :func:`pytest_mlops.checks.check_metrics`."""
        __tracebackhide__ = True
        from pytest_mlops.checks.metrics import check_metrics

        return self._run(
            check_metrics,
            y_true,
            y_pred,
            y_score,
            thresholds=thresholds,
            metrics=metrics,
            report=report,
            pos_label=pos_label,
            sample_weight=sample_weight,
            name="metrics",
            category="model",
            severity=severity,
            data={"y_true": y_true, "y_pred": y_pred, "y_score": y_score},
        )
