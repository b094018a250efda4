"""This run's metrics against the champion's, stored in the baseline file."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._measurement import Measurement, measure
from pytest_mlops.checks.compare import change, relative_change
from pytest_mlops.core.constraints import is_real
from pytest_mlops.core.inputs import (
    CONFIDENCE,
    N_RESAMPLES,
    NON_NEGATIVE,
    SEED,
    Boolean,
    InstanceOf,
    MappingOf,
    Options,
    Text,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import GATE_ON, cannot_decide, conclude, skipped
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    from pytest_mlops._fixture.base import MlopsBase
    from pytest_mlops.results import CheckResult

#: The rules, in the order they are checked: (name, uses the relative change, is a floor
#: on the improvement rather than a cap on the drop).
RULES: Final = (
    ("max_drop", False, False),
    ("max_relative_drop", True, False),
    ("min_improvement", False, True),
    ("min_relative_improvement", True, True),
)
_AMOUNTS = MappingOf(Text(), [NON_NEGATIVE], label="a dict of metric -> a float >= 0")


def _rule_failures(
    metric: str, value: float, stored: float, higher: bool, rules: Mapping[str, Mapping[str, float]]
) -> tuple[dict[str, Any], list[str]]:
    """The report row of one metric and the rules it breaks."""
    delta = change(value, stored, higher)
    relative = relative_change(value, stored, higher)
    failures = []
    for rule, is_relative, is_floor in RULES:
        if metric not in rules[rule]:
            continue
        limit = rules[rule][metric]
        moved = relative if is_relative else delta
        amount = f"{moved:.2%}" if is_relative else f"{moved:.4g}"
        allowed = f"{limit:.2%}" if is_relative else f"{limit:g}"
        if is_floor and moved < limit:
            failures.append(
                f"{metric} improved {amount} on the champion's {stored:.4g} (at least "
                f"{allowed} required)"
            )
        elif not is_floor and moved < -limit:
            dropped = f"{-moved:.2%}" if is_relative else f"{-moved:.4g}"
            failures.append(
                f"{metric} dropped {dropped} below the champion's {stored:.4g} (at most "
                f"{allowed} allowed)"
            )
    row = {
        "metric": metric,
        "value": value,
        "champion": stored,
        "change": delta,
        "relative_change": relative,
        "passed": not failures,
    }
    return row, failures


def _stored(name: str, champion: Mapping[str, Any], metric: str) -> float | None:
    value = champion.get(metric)
    if value is None:
        return None
    if not is_real(value) or not math.isfinite(float(value)):
        raise MlopsInputError(
            f"the champion {name!r} stores {metric} = {value!r}, which is not a finite number; "
            "fix the baseline file or re-record it with --mlops-update-baseline"
        )
    return float(value)


@validate_params(
    {
        "name": [Text()],
        "baseline": [InstanceOf(Mapping, label="a dict"), None],
        "max_drop": [_AMOUNTS, None],
        "max_relative_drop": [_AMOUNTS, None],
        "min_improvement": [_AMOUNTS, None],
        "min_relative_improvement": [_AMOUNTS, None],
        "thresholds": [InstanceOf(Mapping, label="a dict of metric -> bound"), None],
        "first_run": [Boolean()],
        "how_to_create": [InstanceOf(str)],
        "n_resamples": [N_RESAMPLES],
        "confidence": [CONFIDENCE],
        "gate_on": [Options(*GATE_ON)],
        "random_state": [SEED],
    }
)
def check_against_baseline(
    name: str,
    baseline: Mapping[str, Any] | None,
    y_true: Any,
    y_pred: Any = None,
    y_score: Any = None,
    *,
    max_drop: Mapping[str, float] | None = None,
    max_relative_drop: Mapping[str, float] | None = None,
    min_improvement: Mapping[str, float] | None = None,
    min_relative_improvement: Mapping[str, float] | None = None,
    thresholds: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
    pos_label: Any = None,
    sample_weight: Any = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    gate_on: str = "point",
    random_state: int = 0,
    first_run: bool = False,
    how_to_create: str = "",
) -> CheckResult:
    """Compare this run's metrics with the champion's stored in the baseline.

    ``max_drop={"roc_auc": 0.01}``: at most 0.01 worse than the champion.
    ``max_relative_drop={"f1": 0.02}``: at most 2% of ``|champion|`` worse.
    ``min_improvement`` / ``min_relative_improvement``: must be better by at least that
    (MLflow's ``min_absolute_change`` / ``min_relative_change``). ``thresholds``: absolute
    bounds as in :func:`check_metrics` (MLflow's ``threshold``), with its ``n_resamples``,
    ``confidence`` and ``gate_on``. Direction (``greater_is_better``) comes from the
    metric. A missing baseline entry or metric fails closed, except on a ``first_run``
    (``--mlops-update-baseline`` with no champion yet), which is skipped so the run can
    record the first champion.
    """
    given = (max_drop, max_relative_drop, min_improvement, min_relative_improvement)
    rules = {rule: dict(value or {}) for (rule, _, _), value in zip(RULES, given, strict=True)}
    compared = list(dict.fromkeys(m for rule in rules.values() for m in rule))
    if not compared and not thresholds:
        raise MlopsInputError(
            "name at least one metric in max_drop=, max_relative_drop=, min_improvement=, "
            "min_relative_improvement= or thresholds="
        )
    measured = measure(
        y_true,
        y_pred,
        y_score,
        thresholds=thresholds,
        metrics=metrics,
        report=compared,
        pos_label=pos_label,
        sample_weight=sample_weight,
        n_resamples=n_resamples,
        confidence=confidence,
        gate_on=gate_on,
        random_state=random_state,
    )
    limits: dict[str, Any] = {}
    if isinstance(measured, Measurement):
        limits = {k: b.to_dict() for k, b in measured.bounds.items()}
    for rule, spec in rules.items():
        for metric, value in spec.items():
            limits.setdefault(metric, {})[rule] = value
    if not isinstance(measured, Measurement):
        return cannot_decide(
            name="baseline_comparison",
            category="model",
            why=measured.message,
            thresholds=limits,
            details={"baseline_name": name, "current": measured.details, "rows": []},
        )
    return _judge_against(
        name, baseline, measured, rules, compared, limits, first_run, how_to_create
    )


def _judge_against(
    name: str,
    baseline: Mapping[str, Any] | None,
    measured: Measurement,
    rules: Mapping[str, Mapping[str, float]],
    compared: list[str],
    limits: dict[str, Any],
    first_run: bool,
    how_to_create: str,
) -> CheckResult:
    details: dict[str, Any] = {"baseline_name": name, "current": measured.details, "rows": []}
    common: dict[str, Any] = {
        "name": "baseline_comparison",
        "category": "model",
        "metrics": dict(measured.values),
        "thresholds": limits,
        "details": details,
    }
    if measured.gated_errors:
        return cannot_decide(why=measured.result().message, **common)
    if baseline is None:
        if first_run:
            why = (
                f"no champion {name!r} yet: this run's metrics are recorded as the first "
                "baseline (nothing to compare against)"
            )
            return skipped(why=why, reason="missing_baseline", **common)
        absent = how_to_create or f"the baseline has no champion {name!r}"
        return conclude(failures=[absent], passed="", reason="missing_baseline", **common)
    champion = baseline.get("metrics", baseline)
    failures = list(measured.failures)
    missing: list[str] = []
    for metric in compared:
        if metric not in measured.values:
            why = measured.errors.get(metric, "")
            failures.append(f"{metric} could not be computed for this model {why}".rstrip())
            continue
        stored = _stored(name, champion, metric)
        if stored is None:
            missing.append(metric)
            continue
        higher = measured.evaluation.resolved[metric].greater_is_better
        row, broken = _rule_failures(metric, measured.values[metric], stored, higher, rules)
        details["rows"].append(row)
        failures.extend(broken)
    if missing and first_run:
        details["not_in_baseline"] = missing
    elif missing:
        failures.append(
            f"the champion {name!r} has no stored {', '.join(missing)}; {how_to_create}"
        )
    summary = ", ".join(
        f"{r['metric']} {r['value']:.4g} vs champion {r['champion']:.4g} ({r['change']:+.4g})"
        for r in details["rows"]
    )
    only_missing = bool(missing) and not first_run and len(failures) == 1
    return conclude(
        failures=failures,
        passed=summary or measured.result().message,
        next_step="keep the champion, or improve the candidate",
        reason="missing_metric" if only_missing else "regression_detected",
        **common,
    )


def _prepare(mlops: MlopsBase, arguments: dict[str, Any]) -> dict[str, Any]:
    """Read the champion from the baseline file; a run that updates it may record the first."""
    name = arguments["name"]
    if isinstance(name, str):
        arguments["baseline"] = mlops.baseline.get("metrics", name)
        arguments["how_to_create"] = mlops.baseline.how_to_create("metrics", name)
    arguments["first_run"] = mlops.update_baseline
    return arguments


def _propose(mlops: MlopsBase, result: CheckResult) -> None:
    """This run's metrics are the next champion (written when the gate passes)."""
    mlops.propose_metrics("metrics", str(result.details["baseline_name"]), result)


register(
    CheckSpec(
        name="baseline_comparison",
        category="model",
        function=check_against_baseline,
        data=("y_true", "y_pred", "y_score"),
        seeded=True,
        injected=("baseline", "first_run", "how_to_create"),
        prepare=_prepare,
        after=_propose,
        scorecard=("Monitor 7", "Infra 4"),
    )
)
