"""``mlops`` fixture methods of the ``mlops_pipeline`` family."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_mlops._fixture.base import MlopsBase

if TYPE_CHECKING:
    from pytest_mlops.results import CheckResult


class PipelineMethods(MlopsBase):
    def check_serialization(
        self, model: Any, X: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """Pickle/joblib/skops round trips; see ``checks.check_serialization``."""
        __tracebackhide__ = True
        from pytest_mlops.checks.pipeline import check_serialization

        return self._run(
            check_serialization,
            model,
            X,
            name="serialization",
            category="pipeline",
            severity=severity,
            data={"X": X},
            **options,
        )

    def check_transformer(
        self, transformer: Any, X: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """The fit/transform contract; see ``checks.check_transformer``."""
        __tracebackhide__ = True
        from pytest_mlops.checks.pipeline import check_transformer

        options.setdefault("random_state", self.seed)
        return self._run(
            check_transformer,
            transformer,
            X,
            name="transformer",
            category="pipeline",
            severity=severity,
            data={"X": X},
            **options,
        )

    def check_invariance(
        self,
        model: Any,
        X: Any,
        *,
        perturb: Callable[[Any], Any],
        severity: str | None = None,
        **options: Any,
    ) -> CheckResult:
        """Predictions must not move under a change that should not matter."""
        __tracebackhide__ = True
        from pytest_mlops.checks.pipeline import check_invariance

        return self._run(
            check_invariance,
            model,
            X,
            perturb=perturb,
            name="invariance",
            category="pipeline",
            severity=severity,
            data={"X": X},
            **options,
        )

    def check_directional(
        self,
        model: Any,
        X: Any,
        *,
        perturb: Callable[[Any], Any],
        expect: str = "increase",
        severity: str | None = None,
        **options: Any,
    ) -> CheckResult:
        """Predictions must move the expected way under a change."""
        __tracebackhide__ = True
        from pytest_mlops.checks.pipeline import check_directional

        return self._run(
            check_directional,
            model,
            X,
            perturb=perturb,
            expect=expect,
            name="directional",
            category="pipeline",
            severity=severity,
            data={"X": X},
            **options,
        )

    def check_robustness(
        self, model: Any, X: Any, y: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """Metric drop under small noise; see ``checks.check_robustness``."""
        __tracebackhide__ = True
        from pytest_mlops.checks.pipeline import check_robustness

        options.setdefault("random_state", self.seed)
        return self._run(
            check_robustness,
            model,
            X,
            y,
            name="robustness",
            category="pipeline",
            severity=severity,
            data={"X": X, "y": y},
            **options,
        )
