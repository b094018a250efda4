"""Was the run complete? The ``run`` object of ``report.json``.

A gate decision is only worth reading when every selected test ran: a run cut short by
Ctrl-C, a collection error, ``-x``/``--maxfail``, ``pytest.exit()`` or an internal error
has not judged the checks it skipped, so its gate is ``fail`` with the reason, never
``pass``. ``--collect-only`` judges nothing and writes nothing.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, Final

import pytest

#: Why a run is incomplete, as recorded in ``run.why``.
WHY: Final = (
    "interrupted",
    "collection_error",
    "stopped_early",
    "not_all_tests_ran",
    "internal_error",
    "usage_error",
)


@dataclasses.dataclass(frozen=True)
class RunState:
    """What ``report.json`` says about the run as a whole."""

    id: str
    complete: bool
    why: str | None
    detail: str
    exit_status: int
    tests_collected: int
    tests_run: int

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class RunTracker:
    """Counts what was collected and what ran, and notes interruptions (controller only)."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.collection_errors: list[str] = []
        self.finished: set[str] = set()
        self.interrupt: str | None = None

    def collected_report(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(report.nodeid or "(the session)")

    def test_report(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":
            self.finished.add(report.nodeid)

    def interrupted(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # Collection errors and -x stop the loop with pytest's own Interrupted/Failed;
        # those are named by their own reasons below.
        if type(excinfo.value).__name__ != "Interrupted":
            self.interrupt = excinfo.exconly().strip()

    def state(self, session: pytest.Session, exit_status: int) -> RunState:
        collected = session.testscollected
        ran = len(self.finished)
        why, detail = self._why(session, int(exit_status), collected, ran)
        return RunState(
            id=self.id,
            complete=why is None,
            why=why,
            detail=detail,
            exit_status=int(exit_status),
            tests_collected=collected,
            tests_run=ran,
        )

    def _why(
        self, session: pytest.Session, exit_status: int, collected: int, ran: int
    ) -> tuple[str | None, str]:
        if self.interrupt is not None:
            return "interrupted", (
                f"the run was interrupted ({self.interrupt}): {ran} of {collected} tests ran"
            )
        if self.collection_errors:
            shown = ", ".join(self.collection_errors[:3])
            more = len(self.collection_errors) - 3
            extra = f" and {more} more" if more > 0 else ""
            return "collection_error", (
                f"{len(self.collection_errors)} error(s) during collection ({shown}{extra}): "
                "the tests in those files never ran"
            )
        if exit_status == pytest.ExitCode.USAGE_ERROR:
            return "usage_error", "the run stopped on a usage error before its tests finished"
        stop = session.shouldfail or session.shouldstop
        if ran < collected:
            if stop:
                return "stopped_early", (
                    f"pytest stopped early ({stop}; -x or --maxfail): {ran} of {collected} "
                    "tests ran"
                )
            return "not_all_tests_ran", f"only {ran} of {collected} selected tests ran"
        if exit_status == pytest.ExitCode.INTERNAL_ERROR:
            return "internal_error", "pytest hit an internal error (INTERNALERROR above)"
        return None, f"all {collected} selected tests ran"
