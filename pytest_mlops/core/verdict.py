"""Bounds, judging, severities and the one pass/fail tail every check ends with.

A check computes its numbers, judges each against a :class:`Bound` with :func:`judge`
(point or interval gated), and hands the failure sentences to :func:`conclude`, which
builds the :class:`~pytest_mlops.results.CheckResult`. A check that cannot decide
returns :func:`cannot_decide` (status ``error``); none writes its own tail.

A value that is ``None`` or NaN never passes a bound: it fails closed with
:data:`MSG_NOT_COMPUTED`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from pytest_mlops.results import CheckResult, Severity, Status

GateOn = Literal["point", "interval", "lower_bound", "upper_bound"]
#: How a bound is judged: on the point estimate, or on the whole confidence interval
#: (``"lower_bound"``/``"upper_bound"`` are accepted names for the interval rule: for a
#: minimum the lower end must clear it, for a maximum the upper end).
GATE_ON: Final[tuple[GateOn, ...]] = ("point", "interval", "lower_bound", "upper_bound")

#: ``roc_auc = 0.91``
MSG_VALUE: Final = "{metric} = {value}"
#: ``roc_auc = 0.91 (95% CI 0.88-0.94)``
MSG_VALUE_CI: Final = "{metric} = {value} ({confidence} CI {low}-{high})"
#: A failed bound: ``roc_auc = 0.81 (95% CI 0.78-0.84), must be >= 0.85``.
MSG_MUST_BE: Final = "{observed}, must be {bound}{rule}"
#: Appended to :data:`MSG_MUST_BE` when the interval is judged.
MSG_WHOLE_INTERVAL: Final = " (the whole interval must clear it)"
#: A bound whose value could not be computed (it never passes).
MSG_NOT_COMPUTED: Final = "{metric} could not be computed, so it cannot be shown to be {bound}"
#: The message of a check that cannot decide.
MSG_CANNOT_DECIDE: Final = "{name} cannot decide: {why}"
#: Joins a failure list, the sample size and the next step into one message.
MSG_FAILED: Final = "{failures}{n}; {next_step}"


def counted(rows: int, n: int, message: str, sample: Sequence[Any] = ()) -> dict[str, Any]:
    """The part of a finding or a rule violation that counts rows: ``rows`` of ``n`` (and
    their share), what they break and example rows."""
    return {
        "rows": int(rows),
        "fraction": rows / n if n else 0.0,
        "message": message,
        "examples": list(sample),
    }


def number(value: float) -> str:
    """Four significant digits, as every message shows numbers."""
    return f"{value:.4g}"


def is_missing(value: Any) -> bool:
    """True for ``None``, NaN and anything that is not a real number."""
    if value is None or isinstance(value, bool):
        return value is None
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


@dataclasses.dataclass(frozen=True)
class Bound:
    """What a value must be: ``>= min``, ``<= max``, or both."""

    metric: str
    min: float | None = None
    max: float | None = None

    @classmethod
    def at_least(cls, metric: str, limit: float) -> Bound:
        return cls(metric, min=float(limit))

    @classmethod
    def at_most(cls, metric: str, limit: float) -> Bound:
        return cls(metric, max=float(limit))

    def holds(self, value: float) -> bool:
        """True when ``value`` (a real number, not NaN) is within the bound."""
        return self.holds_range(value, value)

    def holds_range(self, low: float, high: float) -> bool:
        """True when the whole range ``[low, high]`` is within the bound."""
        if math.isnan(low) or math.isnan(high):
            return False
        if self.min is not None and low < self.min:
            return False
        return not (self.max is not None and high > self.max)

    def describe(self) -> str:
        """``>= 0.8``, ``<= 0.1`` or ``>= 0.8 and <= 1``."""
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts)

    def to_dict(self) -> dict[str, float]:
        out: dict[str, float] = {}
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        return out


def describe_value(
    metric: str,
    value: float | None,
    interval: tuple[float, float] | None = None,
    confidence: float = 0.95,
) -> str:
    """``roc_auc = 0.91 (95% CI 0.88-0.94)``; without a usable interval ``roc_auc = 0.91``."""
    if value is None or is_missing(value):
        return MSG_VALUE.format(metric=metric, value="n/a")
    if interval is None or any(is_missing(v) for v in interval):
        return MSG_VALUE.format(metric=metric, value=number(value))
    return MSG_VALUE_CI.format(
        metric=metric,
        value=number(value),
        confidence=f"{confidence:.0%}",
        low=number(interval[0]),
        high=number(interval[1]),
    )


@dataclasses.dataclass(frozen=True)
class Judgement:
    """One value held to one bound: whether it passed and, if not, the sentence why."""

    bound: Bound
    value: float | None
    interval: tuple[float, float] | None
    gate_on: GateOn
    passed: bool
    failure: str

    def to_row(self) -> dict[str, Any]:
        """The report row: metric, value, interval ends, the bound and whether it held."""
        return {
            "metric": self.bound.metric,
            "value": self.value,
            "ci_low": self.interval[0] if self.interval else None,
            "ci_high": self.interval[1] if self.interval else None,
            **self.bound.to_dict(),
            "passed": self.passed,
        }


def judge(
    bound: Bound,
    value: float | None,
    *,
    interval: tuple[float, float] | None = None,
    gate_on: GateOn = "point",
    confidence: float = 0.95,
) -> Judgement:
    """Hold ``value`` (or, unless ``gate_on="point"``, its whole interval) to ``bound``.

    A missing value (``None``/NaN) fails. A missing or NaN interval under interval gating
    falls back to the point value (the interval could not be estimated, e.g. with
    ``n_resamples=0``), which the row shows with ``ci_low``/``ci_high`` of ``None``.
    """
    if value is None or is_missing(value):
        text = MSG_NOT_COMPUTED.format(metric=bound.metric, bound=bound.describe())
        return Judgement(bound, None, interval, gate_on, False, text)
    point = float(value)
    low = high = point
    usable = interval is not None and not any(is_missing(v) for v in interval)
    if gate_on != "point" and usable and interval is not None:
        low, high = float(interval[0]), float(interval[1])
    passed = bound.holds_range(low, high)
    failure = ""
    if not passed:
        failure = MSG_MUST_BE.format(
            observed=describe_value(bound.metric, point, interval, confidence),
            bound=bound.describe(),
            rule="" if gate_on == "point" else MSG_WHOLE_INTERVAL,
        )
    return Judgement(bound, point, interval, gate_on, passed, failure)


def conclude(
    *,
    name: str,
    category: str,
    failures: Sequence[str],
    passed: str,
    next_step: str = "",
    n: int | None = None,
    reason: str = "threshold_not_met",
    metrics: Mapping[str, Any] | None = None,
    thresholds: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    severity: Severity = "block",
) -> CheckResult:
    """The result of a check that decided: ``pass`` with the ``passed`` message when
    ``failures`` is empty, else ``fail`` with the failures joined, the sample size and
    the next step (``"roc_auc = 0.81, must be >= 0.85 (n=171); improve ..."``)."""
    status: Status = "fail" if failures else "pass"
    if failures:
        message = "; ".join(failures) + (f" (n={n})" if n is not None else "")
        if next_step:
            message = f"{message}; {next_step}"
    else:
        message = passed
    return CheckResult(
        name=name,
        category=category,
        status=status,
        severity=severity,
        reason=reason if failures else "ok",
        message=message,
        metrics=dict(metrics or {}),
        thresholds=dict(thresholds or {}),
        details=dict(details or {}),
    )


def cannot_decide(
    *,
    name: str,
    category: str,
    why: str,
    reason: str = "not_computable",
    metrics: Mapping[str, Any] | None = None,
    thresholds: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
) -> CheckResult:
    """Status ``error``: the check could not reach a decision, and says why. The gate
    treats it as a failure (fail closed)."""
    return CheckResult(
        name=name,
        category=category,
        status="error",
        reason=reason,
        message=MSG_CANNOT_DECIDE.format(name=name, why=why),
        metrics=dict(metrics or {}),
        thresholds=dict(thresholds or {}),
        details=dict(details or {}),
    )


def skipped(
    *,
    name: str,
    category: str,
    why: str,
    reason: str = "insufficient_data",
    metrics: Mapping[str, Any] | None = None,
    thresholds: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
) -> CheckResult:
    """Status ``skipped``: nothing here could be judged (too little data), with why. Use
    only where judging nothing is a legitimate outcome (an optional slice, the first
    baseline run), never to hide an input the check cannot use."""
    return CheckResult(
        name=name,
        category=category,
        status="skipped",
        reason=reason,
        message=why,
        metrics=dict(metrics or {}),
        thresholds=dict(thresholds or {}),
        details=dict(details or {}),
    )
