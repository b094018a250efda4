"""The model is not stale: trained recently enough, by a clock that is not in the future."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.core.inputs import InstanceOf, Interval, validate_params
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import Bound, cannot_decide, conclude, judge
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    from pytest_mlops.results import CheckResult

#: A ``trained_at`` later than now by more than this is a clock or time-zone mistake.
FUTURE_SLACK: Final = timedelta(hours=1)


def _aware(value: datetime) -> datetime:
    """A naive datetime is local time (as ``datetime.now()`` gives it)."""
    to_pydatetime = getattr(value, "to_pydatetime", None)  # pandas' Timestamp
    if callable(to_pydatetime):
        value = to_pydatetime()
    return value if value.tzinfo is not None else value.astimezone()


def _as_datetime(value: Any) -> tuple[datetime, str]:
    if isinstance(value, os.PathLike) or (isinstance(value, str) and Path(value).exists()):
        path = Path(value)
        if not path.exists():
            raise MlopsInputError(f"trained_at: the model file {str(path)!r} does not exist")
        stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        return stamp, f"modification time of {path}"
    if isinstance(value, datetime):
        return _aware(value), "given datetime"
    if isinstance(value, date):
        return _aware(datetime(value.year, value.month, value.day)), "given date"
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise MlopsInputError(
                f"trained_at {value!r} is neither an ISO date/time nor an existing file"
            ) from None
        return _aware(parsed), "given ISO date"
    raise MlopsTypeError(
        "trained_at must be a datetime, a date, an ISO string or a model file path; "
        f"got {type(value).__name__}"
    )


@validate_params(
    {
        "max_age": [InstanceOf(timedelta), Interval(float, 0, 999_999_999, closed="neither")],
        "now": [InstanceOf(datetime), None],
    }
)
def check_staleness(
    trained_at: Any, *, max_age: timedelta | float = 30.0, now: datetime | None = None
) -> CheckResult:
    """The model is at most ``max_age`` old (a ``timedelta`` or days; default 30 days).

    ``trained_at`` is a datetime or date, an ISO string, or the path of the model file (its
    modification time: copying a file can reset it, so prefer a date recorded at training).
    A datetime without a time zone (``datetime.now()``), a date and an ISO string without
    an offset are local time; ``now`` defaults to the current time.
    """
    stamp, source = _as_datetime(trained_at)
    limit = max_age if isinstance(max_age, timedelta) else timedelta(days=float(max_age))
    if limit <= timedelta(0):
        raise MlopsInputError(f"max_age must be a positive duration; got {limit}")
    current = _aware(now) if now is not None else datetime.now(timezone.utc)
    age = current - stamp
    days = age.total_seconds() / 86400
    limit_days = limit.total_seconds() / 86400
    common: dict[str, Any] = {
        "name": "staleness",
        "category": "model",
        "metrics": {"age_days": days},
        "thresholds": {"age_days": {"max": limit_days}},
        "details": {"trained_at": stamp.isoformat(), "now": current.isoformat(), "source": source},
    }
    if age < -FUTURE_SLACK:
        return cannot_decide(
            **common,
            why=f"trained_at {stamp.isoformat()} ({source}) is {-days:.2f} days after now "
            f"({current.isoformat()}): a clock or time-zone mistake; give the time zone",
        )
    judged = judge(Bound.at_most("age_days", limit_days), days)
    return conclude(
        **common,
        failures=[] if judged.passed else [f"the model is too old ({source}): {judged.failure}"],
        passed=f"the model is {days:.1f} days old ({source})",
        next_step="retrain it on recent data",
        reason="threshold_not_met",
    )


register(
    CheckSpec(
        name="staleness",
        category="model",
        function=check_staleness,
        scorecard=("Model 4", "Monitor 4"),
    )
)
