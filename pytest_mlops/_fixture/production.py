"""``mlops`` fixture methods for production readiness (the ML Test Score's monitoring tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_mlops._fixture.base import MlopsBase

if TYPE_CHECKING:
    from pytest_mlops.results import CheckResult


class ProductionMethods(MlopsBase):
    def check_skew(
        self,
        offline: Callable[[Any], Any],
        online: Callable[[Any], Any],
        raw: Any,
        *,
        severity: str | None = None,
        **options: Any,
    ) -> CheckResult:
        """Training vs serving feature code on the same raw rows; see ``checks.check_skew``."""
        __tracebackhide__ = True
        from pytest_mlops.checks.production import check_skew

        return self._run(
            check_skew,
            offline,
            online,
            raw,
            name="skew",
            category="pipeline",
            severity=severity,
            data={"raw": raw},
            **options,
        )

    def check_numerical_stability(
        self, model: Any, X: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """No NaN/inf on data and edge inputs; float32-stable; see the pure check."""
        __tracebackhide__ = True
        from pytest_mlops.checks.production import check_numerical_stability

        return self._run(
            check_numerical_stability,
            model,
            X,
            name="numerical_stability",
            category="model",
            severity=severity,
            data={"X": X},
            **options,
        )

    def check_staleness(
        self, trained_at: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """The model is not older than ``max_age``; see ``checks.check_staleness``."""
        __tracebackhide__ = True
        from pytest_mlops.checks.production import check_staleness

        return self._run(
            check_staleness,
            trained_at,
            name="staleness",
            category="model",
            severity=severity,
            **options,
        )

    def check_feature_importance(
        self, model: Any, X: Any, y: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """Permutation importance on held-out data, with a time budget."""
        __tracebackhide__ = True
        from pytest_mlops.checks.production import check_feature_importance

        options.setdefault("random_state", self.seed)
        return self._run(
            check_feature_importance,
            model,
            X,
            y,
            name="feature_importance",
            category="data",
            severity=severity,
            data={"X": X, "y": y},
            **options,
        )
