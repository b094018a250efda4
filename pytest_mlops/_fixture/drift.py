"""``mlops`` fixture methods of the ``mlops_drift`` family that are not checks.

The drift checks themselves (``check_drift``, ``check_prediction_drift``,
``check_label_drift``) are registered in :mod:`pytest_mlops.checks.drift`, so the fixture
derives them; a string ``reference`` is resolved here, by :func:`stored_profile`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_mlops._fixture.base import MlopsBase


def stored_profile(mlops: MlopsBase, name: str) -> Any:
    """The profile proposed in this test (when updating the baseline), else the stored one
    (``None`` when there is neither); not yet validated."""
    if mlops.update_baseline:
        for update in reversed(mlops._sink.baseline_updates):
            if update.section == "profiles" and update.name == name:
                return update.value
    return mlops.baseline.get("profiles", name)


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
