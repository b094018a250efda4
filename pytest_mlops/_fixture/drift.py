"""``mlops`` fixture methods of the ``mlops_drift`` family that are not checks.

The drift checks themselves (``check_drift``, ``check_prediction_drift``,
``check_label_drift``) are registered in :mod:`pytest_mlops.checks.drift`, so the fixture
derives them; a string ``reference`` that is not a path of data names a stored profile,
resolved here by :func:`stored_reference`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops._fixture.base import MlopsBase
from pytest_mlops.checks._drift_profile import validate_profile
from pytest_mlops.core.verdict import conclude

if TYPE_CHECKING:
    from pytest_mlops.results import CheckResult

#: A string reference ending so is a data file, not the name of a stored profile.
DATA_SUFFIXES: Final = (".parquet", ".pq", ".csv", ".tsv", ".json", ".ndjson")


def stored_profile(mlops: MlopsBase, name: str) -> Any:
    """The profile proposed in this test (when updating the baseline), else the stored one
    (``None`` when there is neither); not yet validated."""
    if mlops.update_baseline:
        for update in reversed(mlops._sink.baseline_updates):
            if update.section == "profiles" and update.name == name:
                return update.value
    return mlops.baseline.get("profiles", name)


def names_data(text: str) -> bool:
    """Whether a string ``reference`` is a path or glob of data (else a profile's name)."""
    return (
        os.sep in text
        or text.lower().endswith(DATA_SUFFIXES)
        or any(mark in text for mark in "*?[")
        or Path(text).exists()
    )


def stored_reference(mlops: MlopsBase, arguments: dict[str, Any]) -> dict[str, Any] | CheckResult:
    """A string reference names a stored profile: the one proposed in this test (when
    updating the baseline), else the baseline file's; a missing one fails closed."""
    reference = arguments["reference"]
    if not isinstance(reference, str) or names_data(reference):
        return arguments
    profile = stored_profile(mlops, reference)
    if profile is None:
        return conclude(
            name=str(arguments.get("name", "drift")),
            category="drift",
            failures=[
                f"{mlops.baseline.how_to_create('profiles', reference)}, with "
                f"mlops.store_profile({reference!r}, training_data) in the test"
            ],
            passed="",
            reason="missing_baseline",
        )
    validate_profile(
        profile,
        where=f"profile {reference!r} in baseline file {mlops.baseline.path}",
        fix=(
            f"re-create it: run the test that calls mlops.store_profile({reference!r}, ...) "
            "with --mlops-update-baseline, or delete the entry from the file"
        ),
    )
    return {**arguments, "reference": profile}


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
