"""The results model: what a check returns and what every report is rendered from.

A :class:`CheckResult` is a frozen dataclass holding only JSON-ready values (numbers,
strings, booleans, ``None``, lists and dicts of them), so it crosses pytest-xdist's
worker boundary unchanged and renders the same in every report. Non-finite floats are
normalised on construction: ``nan`` becomes ``None`` and ``inf`` becomes the string
``"inf"`` (or ``"-inf"``), because strict JSON has no spelling for them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, Final, Literal

Status = Literal["pass", "fail", "warn", "error", "skipped"]
Severity = Literal["block", "warn"]

STATUSES: Final[tuple[Status, ...]] = ("pass", "fail", "warn", "error", "skipped")
SEVERITIES: Final[tuple[Severity, ...]] = ("block", "warn")
CATEGORIES: Final[tuple[str, ...]] = ("data", "pipeline", "model", "fairness", "drift", "custom")

#: Stable reason codes; reports and users may match on them.
REASONS: Final[tuple[str, ...]] = (
    "ok",
    "threshold_not_met",
    "invalid_input",
    "not_computable",
    "missing_baseline",
    "missing_metric",
    "insufficient_data",
    "violations_found",
    "drift_detected",
    "disparity_detected",
    "regression_detected",
)

_SEVERITY_RANK: Final[dict[str, int]] = {"warn": 1, "block": 2}


def severity_rank(severity: str) -> int:
    """Order severities so that ``block`` outranks ``warn``."""
    return _SEVERITY_RANK[severity]


#: Integers longer than this are written as a note: Python refuses to print an integer of
#: more than 4,300 decimal digits (about 14,000 bits) and JSON readers lose precision long before.
MAX_INT_BITS: Final = 1024


def jsonable(value: Any) -> Any:
    """Return ``value`` as plain JSON-ready Python data.

    NumPy scalars and arrays, pandas objects with ``tolist``, tuples and sets become
    numbers and lists; mapping keys become strings; ``nan`` becomes ``None`` and
    infinities become ``"inf"``/``"-inf"``. Anything else falls back to ``str``.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:  # Python will not write it as decimal digits
            return f"<integer of {value.bit_length()} bits>"
        return int(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=repr)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        to_dict = getattr(value, "to_dict", None)
        return jsonable(to_dict() if callable(to_dict) else dataclasses.asdict(value))
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", None) == 0:  # numpy scalar / 0-d array
        return jsonable(item())
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # numpy array, pandas Series/Index
        return jsonable(tolist())
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):  # datetime, date, pandas Timestamp
        return str(isoformat())
    return str(value)


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    Parameters
    ----------
    name : str
        What was checked, e.g. ``"metrics"`` or ``"drift"``.
    category : str
        The check family: one of ``data``, ``pipeline``, ``model``, ``fairness``,
        ``drift`` or ``custom``.
    status : {"pass", "fail", "warn", "error", "skipped"}
        ``warn`` is a failure of a check whose severity is ``warn``; ``error`` means
        the check could not be computed; ``skipped`` means it could not judge (for
        example too little data) and says why.
    severity : {"block", "warn"}
        How much a failure of this check matters to the gate.
    message : str
        One human sentence: what, how much, against what, and what to do next.
    reason : str
        A stable code from :data:`REASONS`.
    metrics, thresholds, details : dict
        Observed values, the limits they were held to, and anything else a report
        shows (tables, per-column rows, figure data).
    id, nodeid : str
        Filled in when the check runs inside a test: the pytest node id and a
        run-unique check id ``"<nodeid>::<name>[<n>]"``.
    """

    name: str
    category: str
    status: Status
    severity: Severity = "block"
    message: str = ""
    reason: str = "ok"
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)
    thresholds: dict[str, Any] = dataclasses.field(default_factory=dict)
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    id: str = ""
    nodeid: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}; got {self.status!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"severity must be one of {', '.join(SEVERITIES)}; got {self.severity!r}"
            )
        if self.category not in CATEGORIES:
            raise ValueError(
                f"category must be one of {', '.join(CATEGORIES)}; got {self.category!r}"
            )
        if self.reason not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)}; got {self.reason!r}")
        for field in ("metrics", "thresholds", "details"):
            object.__setattr__(self, field, jsonable(getattr(self, field)))

    @property
    def passed(self) -> bool:
        """True unless the check failed, warned or errored."""
        return self.status in ("pass", "skipped")

    @property
    def failed(self) -> bool:
        """True when the check failed, warned or could not be computed."""
        return self.status in ("fail", "warn", "error")

    def with_severity(self, severity: Severity) -> CheckResult:
        """Return a copy judged at ``severity``: a failure becomes ``warn`` for ``warn``."""
        status: Status = self.status
        if self.status in ("fail", "warn"):
            status = "warn" if severity == "warn" else "fail"
        return dataclasses.replace(self, severity=severity, status=status)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form used by ``report.json`` (key order is stable)."""
        return {
            "id": self.id,
            "nodeid": self.nodeid,
            "category": self.category,
            "name": self.name,
            "status": self.status,
            "severity": self.severity,
            "reason": self.reason,
            "message": self.message,
            "metrics": self.metrics,
            "thresholds": self.thresholds,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckResult:
        """Rebuild a result from :meth:`to_dict` output (used across xdist workers)."""
        return cls(
            name=data["name"],
            category=data["category"],
            status=data["status"],
            severity=data["severity"],
            message=data.get("message", ""),
            reason=data.get("reason", "ok"),
            metrics=dict(data.get("metrics", {})),
            thresholds=dict(data.get("thresholds", {})),
            details=dict(data.get("details", {})),
            id=data.get("id", ""),
            nodeid=data.get("nodeid", ""),
        )
