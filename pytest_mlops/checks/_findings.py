"""The findings detectors of ``check_data``: one small function per finding, in a registry.

Each :class:`Detector` has a name (the finding), the option that holds its threshold and
that option's default, the level a finding beyond the threshold gets by default (``fail``:
it fails the check; ``warn``: it is reported without failing) and where the default comes
from. A detector reports what it sees even when it stays within its threshold (20
duplicate rows in 589 when 5% are tolerated): such a finding has level ``info``, so a
reader sees it without the check failing.

The detectors themselves live in :mod:`~pytest_mlops.checks._column_findings` (one column
at a time) and :mod:`~pytest_mlops.checks._row_findings` (rows and the label).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from pytest_mlops.core.inputs import Interval
from pytest_mlops.core.verdict import conclude, counted
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from pytest_mlops.results import CheckResult

Level = Literal["fail", "warn", "info"]
#: A share of rows, as every fraction threshold is declared.
SHARE: Final = Interval(float, 0, 1)
#: How many row labels a row-level finding (duplicates, conflicts) shows.
EXAMPLES: Final = 5


@dataclasses.dataclass(frozen=True)
class Table:
    """What every detector reads: the frame, its label, and the thresholds of this call."""

    frame: pd.DataFrame
    label: str | None
    options: Mapping[str, Any]
    random_state: int
    kinds: Mapping[str, str]
    #: Per-column numbers a detector computed that the report's column table shows.
    column_notes: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.frame)

    @property
    def features(self) -> list[str]:
        return [str(c) for c in self.frame.columns if c != self.label]

    def values(self, column: str) -> pd.Series:
        """The column's non-missing values."""
        return self.frame[column].dropna()


@dataclasses.dataclass(frozen=True)
class Survey:
    """What the detectors found in a frame or an engine source, before levels are given."""

    n: int
    width: int
    found: list[dict[str, Any]]
    #: One row per column for the report: kind, missing values, distinct values.
    columns: list[dict[str, Any]]
    notes: list[str]
    #: Further details: how an engine source was read, what ran on a sample.
    details: dict[str, Any] = dataclasses.field(default_factory=dict)


def require_label(label: str | None, columns: list[str]) -> None:
    """Raise naming the label when the data has no such column."""
    if label is not None and label not in columns:
        raise MlopsInputError(
            f"check_data: label column {label!r} is not in the data; it has {columns[:20]}"
        )


@dataclasses.dataclass(frozen=True)
class Detector:
    """One finding: how to look for it, its threshold option, default and source."""

    name: str
    level: Level
    option: str | None
    default: float | None
    source: str
    find: Callable[[Table], list[dict[str, Any]]]


_DETECTORS: dict[str, Detector] = {}


def detector(
    name: str, level: Level, option: str | None = None, default: float | None = None, *, source: str
) -> Callable[[Callable[[Table], list[dict[str, Any]]]], Callable[[Table], list[dict[str, Any]]]]:
    """Register the decorated function as the detector of finding ``name``."""

    def add(
        find: Callable[[Table], list[dict[str, Any]]],
    ) -> Callable[[Table], list[dict[str, Any]]]:
        _DETECTORS[name] = Detector(name, level, option, default, source, find)
        return find

    return add


def detectors() -> Iterator[Detector]:
    """Every detector, in the order findings are reported."""
    return iter(list(_DETECTORS.values()))


def finding(
    kind: str,
    column: str | None,
    rows: int,
    n: int,
    message: str,
    sample: Sequence[Any] = (),
    *,
    over: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """One finding; ``over=False`` when it is within its threshold (reported as ``info``)."""
    return {
        "finding": kind,
        "column": column,
        **counted(rows, n, message, sample),
        "over_threshold": over,
        **extra,
    }


def row_examples(frame: pd.DataFrame, mask: np.ndarray) -> list[dict[str, Any]]:
    """The labels of the first rows a row-level finding concerns."""
    from pytest_mlops.checks._frames import row_label

    return [{"row": row_label(r), "value": None} for r in frame.index[mask][:EXAMPLES]]


def percent(share: float) -> str:
    """``3.4%``; a share below 0.1% keeps two significant digits (``0.017%``)."""
    return f"{share * 100:.2g}%" if 0 < share < 0.001 else f"{share:.1%}"


def levelled(found: list[dict[str, Any]], fail_on: Sequence[str]) -> list[dict[str, Any]]:
    """Give each finding its level: ``fail`` (beyond its threshold and on ``fail_on``),
    ``warn`` (beyond its threshold) or ``info`` (within it)."""
    for item in found:
        over = item.pop("over_threshold")
        item["level"] = ("fail" if item["finding"] in fail_on else "warn") if over else "info"
    order = {"fail": 0, "warn": 1, "info": 2}
    return sorted(found, key=lambda f: order[f["level"]])


def _listed(found: list[dict[str, Any]], level: str) -> str:
    chosen = [f for f in found if f["level"] == level]
    text = "; ".join(f"{f['column'] or 'rows'}: {f['message']}" for f in chosen[:5])
    return text + (f" (and {len(chosen) - 5} more)" if len(chosen) > 5 else "")


def outcome(
    name: str,
    found: list[dict[str, Any]],
    *,
    clean: str,
    next_step: str,
    metrics: dict[str, Any],
    details: dict[str, Any],
    thresholds: dict[str, Any],
) -> CheckResult:
    """The verdict: fail on ``fail`` findings; the message lists warnings and information."""
    counts = {level: sum(f["level"] == level for f in found) for level in ("fail", "warn", "info")}
    failures = []
    if counts["fail"]:
        failures = [f"{counts['fail']} problem(s): {_listed(found, 'fail')}"]
    passed = clean
    for level, heading in (("warn", "warnings"), ("info", "for information")):
        if counts[level]:
            passed += f"; {heading}: {_listed(found, level)}"
    return conclude(
        name=name,
        category="data",
        failures=failures,
        passed=passed,
        next_step=next_step,
        reason="violations_found",
        metrics={**metrics, "findings": len(found), "failing_findings": counts["fail"],
                 "warnings": counts["warn"], "information": counts["info"]},
        thresholds=thresholds,
        details=details,
    )  # fmt: skip
