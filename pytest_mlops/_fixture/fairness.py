"""``mlops`` fixture methods of the ``mlops_fairness`` family."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_mlops._fixture.base import MlopsBase

if TYPE_CHECKING:
    from pytest_mlops.results import CheckResult


class FairnessMethods(MlopsBase):
    def check_fairness(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sensitive_features: Any,
        features: Any = None,
        proxy_threshold: float = 0.8,
        severity: str | None = None,
        **options: Any,
    ) -> CheckResult:
        """Hold group disparities to bounds; see :func:`pytest_mlops.checks.check_fairness`.

        With ``features=`` (a DataFrame of the model's inputs), features that predict a
        sensitive attribute are reported first as a separate ``proxy_features`` check of
        severity ``warn`` (see :func:`pytest_mlops.checks.check_proxies`).
        """
        __tracebackhide__ = True
        from pytest_mlops.checks.fairness import check_fairness, check_proxies

        if features is not None:
            self._run(
                check_proxies,
                features,
                sensitive_features,
                threshold=proxy_threshold,
                name="proxy_features",
                category="fairness",
                severity="warn",
                data={"features": features},
            )
        options.setdefault("random_state", self.seed)
        return self._run(
            check_fairness,
            y_true,
            y_pred,
            sensitive_features=sensitive_features,
            name="fairness",
            category="fairness",
            severity=severity,
            data={"y_true": y_true, "y_pred": y_pred, "sensitive_features": sensitive_features},
            **options,
        )
