"""``mlops`` fixture methods of the ``mlops_drift`` family."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops._fixture.base import MlopsBase

if TYPE_CHECKING:
    from pytest_mlops.results import CheckResult


class DriftMethods(MlopsBase):
    def store_profile(
        self,
        name: str,
        reference: Any,
        *,
        columns: Sequence[str] | None = None,
        categorical: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Profile ``reference`` (see :func:`pytest_mlops.checks.build_profile`) and propose
        it as ``profiles/<name>`` of the baseline; it is written with
        ``--mlops-update-baseline`` when the gate passes. Returns the profile."""
        from pytest_mlops.checks.drift import build_profile

        profile = build_profile(reference, columns=columns, categorical=categorical)
        self.propose_baseline("profiles", name, profile)
        return profile

    def _stored_profile(self, name: str) -> dict[str, Any] | None:
        """The profile proposed in this test (when updating the baseline), else the stored one."""
        if self.update_baseline:
            for update in reversed(self._sink.baseline_updates):
                if update.section == "profiles" and update.name == name:
                    return dict(update.value)
        stored = self.baseline.get("profiles", name)
        return dict(stored) if stored is not None else None

    def check_drift(
        self, reference: Any, current: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """Compare ``current`` with ``reference`` data, or with the stored profile named
        ``reference``; see :func:`pytest_mlops.checks.check_drift`."""
        __tracebackhide__ = True
        from pytest_mlops.checks.drift import check_drift
        from pytest_mlops.results import CheckResult

        options.setdefault("random_state", self.seed)
        if isinstance(reference, str):
            profile = self._stored_profile(reference)
            if profile is None:
                missing = CheckResult(
                    name="drift",
                    category="drift",
                    status="fail",
                    reason="missing_baseline",
                    message=(
                        f"{self.baseline.how_to_create('profiles', reference)}, with "
                        f"mlops.store_profile({reference!r}, training_data) in the test"
                    ),
                )
                return self._run(
                    lambda: missing,
                    name="drift",
                    category="drift",
                    severity=severity,
                    data={"current": current},
                )
            reference = profile
        return self._run(
            check_drift,
            reference,
            current,
            name="drift",
            category="drift",
            severity=severity,
            data={"reference": reference, "current": current},
            **options,
        )

    def check_prediction_drift(
        self, reference: Any, current: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """Drift of model outputs; see :func:`pytest_mlops.checks.check_prediction_drift`."""
        __tracebackhide__ = True
        from pytest_mlops.checks.drift import check_prediction_drift

        options.setdefault("random_state", self.seed)
        return self._run(
            check_prediction_drift,
            reference,
            current,
            name="prediction_drift",
            category="drift",
            severity=severity,
            data={"reference": reference, "current": current},
            **options,
        )

    def check_label_drift(
        self, reference: Any, current: Any, *, severity: str | None = None, **options: Any
    ) -> CheckResult:
        """Drift of the label distribution; see :func:`pytest_mlops.checks.check_label_drift`."""
        __tracebackhide__ = True
        from pytest_mlops.checks.drift import check_label_drift

        options.setdefault("random_state", self.seed)
        return self._run(
            check_label_drift,
            reference,
            current,
            name="label_drift",
            category="drift",
            severity=severity,
            data={"reference": reference, "current": current},
            **options,
        )
