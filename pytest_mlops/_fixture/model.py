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
        **options: Any,
    ) -> CheckResult:
        """Hold model metrics (with intervals) to thresholds; see
        :func:`pytest_mlops.checks.check_metrics` for ``n_resamples``, ``confidence``,
        ``gate_on`` and ``slices``. The bootstrap is seeded with ``--mlops-seed``."""
        __tracebackhide__ = True
        from pytest_mlops.checks.metrics import check_metrics

        options.setdefault("random_state", self.seed)
        name = "slice_metrics" if options.get("slices") is not None else "metrics"
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
            name=name,
            category="model",
            severity=severity,
            data={"y_true": y_true, "y_pred": y_pred, "y_score": y_score},
            **options,
        )

    def check_against_baseline(
        self,
        name: str,
        y_true: Any,
        y_pred: Any = None,
        y_score: Any = None,
        *,
        severity: str | None = None,
        **options: Any,
    ) -> CheckResult:
        """Compare this run's metrics with the champion's stored as ``metrics/<name>``.

        See :func:`pytest_mlops.checks.check_against_baseline`. This run's metrics are
        proposed as the new champion: ``--mlops-update-baseline`` stores them when the
        gate passes. A missing entry fails closed, except in a run with
        ``--mlops-update-baseline`` (the first champion is recorded).
        """
        __tracebackhide__ = True
        from pytest_mlops.checks.compare import check_against_baseline

        options.setdefault("random_state", self.seed)
        return self._run(
            check_against_baseline,
            name,
            self.baseline.get("metrics", name),
            y_true,
            y_pred,
            y_score,
            first_run=self.update_baseline,
            how_to_create=self.baseline.how_to_create("metrics", name),
            name="baseline_comparison",
            category="model",
            severity=severity,
            data={"y_true": y_true, "y_pred": y_pred, "y_score": y_score},
            before_judging=lambda result: self.propose_metrics("metrics", name, result),
            **options,
        )

    def compare_models(
        self,
        y_true: Any,
        *,
        champion: Any,
        challenger: Any,
        severity: str | None = None,
        **options: Any,
    ) -> CheckResult:
        """Paired non-inferiority test; see :func:`pytest_mlops.checks.compare_models`."""
        __tracebackhide__ = True
        from pytest_mlops.checks.compare import compare_models

        options.setdefault("random_state", self.seed)
        return self._run(
            compare_models,
            y_true,
            champion=champion,
            challenger=challenger,
            name="champion_challenger",
            category="model",
            severity=severity,
            data={"y_true": y_true, "champion": champion, "challenger": challenger},
            **options,
        )

    def check_overfitting(
        self, y_train: Any, y_test: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """Train vs test gap; see :func:`pytest_mlops.checks.check_overfitting`."""
        __tracebackhide__ = True
        from pytest_mlops.checks.compare import check_overfitting

        return self._run(
            check_overfitting,
            y_train,
            y_test,
            name="overfitting",
            category="model",
            severity=severity,
            data={"y_train": y_train, "y_test": y_test},
            **options,
        )

    def check_beats_dummy(
        self,
        y_train: Any,
        y_test: Any,
        y_pred: Any = None,
        y_score: Any = None,
        *,
        severity: str | None = None,
        **options: Any,
    ) -> CheckResult:
        """Beat scikit-learn's Dummy estimator; see ``checks.check_beats_dummy``."""
        __tracebackhide__ = True
        from pytest_mlops.checks.compare import check_beats_dummy

        return self._run(
            check_beats_dummy,
            y_train,
            y_test,
            y_pred,
            y_score,
            name="beats_dummy",
            category="model",
            severity=severity,
            data={"y_train": y_train, "y_test": y_test},
            **options,
        )

    def check_calibration(
        self, y_true: Any, y_score: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """ECE and Brier bounds; see :func:`pytest_mlops.checks.check_calibration`."""
        __tracebackhide__ = True
        from pytest_mlops.checks.compare import check_calibration

        return self._run(
            check_calibration,
            y_true,
            y_score,
            name="calibration",
            category="model",
            severity=severity,
            data={"y_true": y_true, "y_score": y_score},
            **options,
        )
