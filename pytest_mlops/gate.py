"""The gate decision: may this model be promoted?"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, Literal

from pytest_mlops.results import CheckResult, severity_rank

Decision = Literal["pass", "fail"]


@dataclasses.dataclass(frozen=True)
class Gate:
    """The decision and the checks that caused it."""

    decision: Decision
    fail_on: str
    reasons: tuple[str, ...]
    blocking: tuple[str, ...]
    #: Why the run did not finish, when it did not (the gate then fails).
    incomplete: str | None = None

    @property
    def passed(self) -> bool:
        return self.decision == "pass"

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "fail_on": self.fail_on,
            "reasons": list(self.reasons),
            "blocking_checks": list(self.blocking),
        }


def blocks_gate(check: CheckResult, fail_on: str) -> bool:
    """True when ``check`` failed or errored at a severity at or above ``fail_on``."""
    return check.failed and severity_rank(check.severity) >= severity_rank(fail_on)


def decide(
    checks: Iterable[CheckResult], fail_on: str = "block", *, incomplete: str | None = None
) -> Gate:
    """Fail when any check at or above ``fail_on`` failed or errored; otherwise pass.

    ``incomplete`` says why the run did not finish (Ctrl-C, a collection error, ``-x``):
    such a run fails whatever its checks say, with that reason first, because the checks
    that did not run were never judged.
    """
    checks = list(checks)
    blocking = [c for c in checks if blocks_gate(c, fail_on)]
    reasons = tuple(f"{c.id or c.name} [{c.status}, {c.severity}]: {c.message}" for c in blocking)
    if incomplete is not None:
        first = f"incomplete run: {incomplete}; an unfinished run cannot pass the gate"
        return Gate("fail", fail_on, (first, *reasons), tuple(c.id for c in blocking), incomplete)
    if blocking:
        return Gate("fail", fail_on, reasons, tuple(c.id for c in blocking))
    if not checks:
        reasons = ("no ML check ran in this session",)
    else:
        reasons = (f"all {len(checks)} check(s) at severity >= {fail_on} passed",)
    return Gate("pass", fail_on, reasons, ())
