"""Inference cost: latency percentiles and peak memory against absolute budgets, and a
slowdown against the champion judged only from measurements taken in the same run.

A latency recorded on one machine says little about another machine, or about the same
machine under another load: a verdict that compares this run's timings with a stored
number is a flaky test. So the comparison with the champion times both models here,
interleaved (champion, candidate, champion, candidate ...), and gates on the median of
the per-round ratios with a distribution-free interval (the sign test's). Load that
slows the machine slows both models of a round alike and cancels in the ratio. A number
stored in the baseline by another run is only reported, never judged.
"""

from __future__ import annotations

import tracemalloc
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._calls import call, user_errors
from pytest_mlops.checks._champion_timing import (
    DEFAULT_ROUNDS,
    ChampionModel,
    against_champion,
    median_interval,
    resolve_champion,
    timed,
)
from pytest_mlops.core.inputs import (
    CONFIDENCE,
    InstanceOf,
    Interval,
    IsCallable,
    Text,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import Bound, conclude, judge, number
from pytest_mlops.errors import BaselineError, MlopsInputError, PytestMlopsWarning
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    from pytest_mlops._fixture.base import MlopsBase

#: The candidate fails when it is credibly more than this much slower than the champion
#: (the whole interval of the ratio above ``1 + min_regression``).
DEFAULT_MIN_REGRESSION: Final = 0.5
#: The baseline section where each model's figures are stored.
SECTION: Final = "latency"


#: The latency percentiles of one-row and of batch calls, in milliseconds.
PERCENTILES: Final = (50, 95, 99)
TIMINGS: Final = tuple(f"{calls}_p{q}_ms" for calls in ("row", "batch") for q in PERCENTILES)


def _measure(
    predict: Callable[[Any], Any],
    batch: Any,
    row: Callable[[int], Any],
    repeats: int,
    single_rows: int,
) -> dict[str, Any]:
    """This run's figures: the percentiles of ``repeats`` batch calls and ``single_rows``
    one-row calls, the per-row cost in a batch and the peak memory of one batch call."""
    import numpy as np

    batch_ms = [timed(predict, batch, "predict") for _ in range(repeats)]
    row_ms = [timed(predict, row(i), "predict") for i in range(single_rows)]
    peak_mb = _memory_mb(predict, batch)
    metrics: dict[str, Any] = {}
    for calls, values in (("row", row_ms), ("batch", batch_ms)):
        for q, value in zip(PERCENTILES, np.percentile(values, PERCENTILES), strict=True):
            metrics[f"{calls}_p{q}_ms"] = float(value)
    size = len(batch)
    metrics.update(
        batch_rows=size,
        per_row_in_batch_ms=metrics["batch_p50_ms"] / size,
        peak_memory_mb=peak_mb,
    )
    return metrics


def _stored_comparison(
    baseline: Mapping[str, Any] | None, row_p50: float, min_regression: float
) -> dict[str, Any] | None:
    """The comparison with a number stored by another run: reported, never judged."""
    if not baseline:
        return None
    stored = baseline.get("row_p50_ms") if isinstance(baseline, Mapping) else None
    if not isinstance(stored, (int, float)) or isinstance(stored, bool) or not stored > 0:
        return {"judged": False, "note": f"the stored entry has no usable row_p50_ms: {stored!r}"}
    ratio = row_p50 / float(stored)
    return {
        "judged": False,
        "severity": "warn",
        "row_p50_ms": float(stored),
        "ratio": ratio,
        "looks_slower": ratio > 1 + min_regression,
        "note": "recorded by another run (another machine or load): reported, not judged; "
        "pass champion= to compare in this run",
    }


def _figures_text(metrics: Mapping[str, Any]) -> str:
    """This run's figures in a line: one-row and batch medians, one-row p95, peak memory."""
    return (
        f"one row p50 {number(metrics['row_p50_ms'])} ms / p95 {number(metrics['row_p95_ms'])} "
        f"ms; batch of {metrics['batch_rows']} p50 {number(metrics['batch_p50_ms'])} ms; peak "
        f"memory {number(metrics['peak_memory_mb'])} MB"
    )


def _stored_note(stored: Mapping[str, Any]) -> str:
    """The message's clause on a stored comparison that has a ratio; else nothing."""
    if "ratio" not in stored:
        return ""
    return (
        f"; {number(stored['ratio'])}x the {number(stored['row_p50_ms'])} ms "
        "stored by another run (reported, not judged)"
    )


def _memory_mb(predict: Callable[[Any], Any], batch: Any) -> float:
    """Peak memory one batch call allocates (``tracemalloc``), in MB."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        call("predict", predict, batch)
        return (tracemalloc.get_traced_memory()[1] - base) / 2**20
    finally:
        if not tracing:
            tracemalloc.stop()


@validate_params(
    {
        "predict": [IsCallable()],
        "p95_ms": [Interval(float, 0, None, closed="neither"), None],
        "max_memory_mb": [Interval(float, 0, None, closed="neither"), None],
        "champion": [ChampionModel(), None],
        "min_regression": [Interval(float, 0, None)],
        "rounds": [Interval(int, 10, 10_000)],
        "confidence": [CONFIDENCE],
        "batch_size": [Interval(int, 1, None), None],
        "warmup": [Interval(int, 0, 1000)],
        "repeats": [Interval(int, 1, 100_000)],
        "single_rows": [Interval(int, 1, 100_000)],
        "name": [Text()],
        "baseline": [InstanceOf(Mapping, label="a dict"), None],
    }
)
@user_errors("latency", "model")
def check_latency(
    predict: Callable[[Any], Any],
    X: Any,
    *,
    p95_ms: float | None = None,
    max_memory_mb: float | None = None,
    champion: Any = None,
    min_regression: float = DEFAULT_MIN_REGRESSION,
    rounds: int = DEFAULT_ROUNDS,
    confidence: float = 0.95,
    batch_size: int | None = None,
    warmup: int = 3,
    repeats: int = 20,
    single_rows: int = 30,
    name: str = "model",
    baseline: Mapping[str, Any] | None = None,
) -> CheckResult:
    """Inference cost: latency percentiles, peak memory, and a slowdown against the
    champion measured in the same run.

    After ``warmup`` calls, times ``repeats`` calls on a batch (``batch_size`` rows,
    default up to 256) and ``single_rows`` one-row calls, and reports p50/p95/p99 in
    milliseconds; the peak memory of one batch call is measured with ``tracemalloc``.
    Absolute budgets: ``p95_ms`` on one-row latency, ``max_memory_mb``.

    With a ``champion`` (a callable, a model, or the path of a joblib/pickle file of the
    model in production), both are timed interleaved on the same rows: ``rounds`` rounds,
    each of 3 one-row calls per model alternating call by call, give per-round ratios of
    the medians (candidate / champion). The check fails when the whole ``confidence``
    interval of their median (the sign test's, distribution-free) lies above
    ``1 + min_regression``: the candidate is credibly that much slower.

    ``baseline`` (the fixture fills it from the baseline's ``latency/<name>``) is a
    previous run's figures: the comparison with it is reported in the details
    (``stored_baseline``), never judged, because it was measured on another machine or
    under another load.
    """
    batch, row = _inputs(X, batch_size)
    rival = resolve_champion(champion, predict) if champion is not None else None
    for _ in range(warmup):
        call("predict", predict, batch)
        if rival is not None:
            call("champion", rival, row(0))
    metrics = _measure(predict, batch, row, repeats, single_rows)
    budgets = (("row_p95_ms", p95_ms), ("peak_memory_mb", max_memory_mb))
    judged = [judge(Bound.at_most(m, lim), metrics[m]) for m, lim in budgets if lim is not None]
    failures = [j.failure for j in judged if not j.passed]
    details: dict[str, Any] = {
        "warmup": warmup,
        "repeats": repeats,
        "single_rows": single_rows,
        "baseline_entry": name,
        "judgements": [j.to_row() for j in judged],
    }
    thresholds: dict[str, Any] = {j.bound.metric: j.bound.to_dict() for j in judged}
    figures = _figures_text(metrics)
    if rival is not None:
        comparison = against_champion(predict, rival, row, rounds, confidence, min_regression)
        metrics.update(comparison["metrics"])
        details["champion"] = comparison["details"]
        thresholds["slowdown_ratio"] = {"max": 1 + min_regression}
        text = f"{figures}; {comparison['text']}"
        failures += [comparison["failure"]] if comparison["failure"] else []
    else:
        text = figures + _against_stored(baseline, metrics, min_regression, details)
    return conclude(
        name="latency",
        category="model",
        failures=failures,
        passed=text,
        next_step=f"{figures}; profile the predict path",
        reason="regression_detected" if rival is not None and failures else "threshold_not_met",
        metrics=metrics,
        thresholds=thresholds,
        details=details,
    )


def _inputs(X: Any, batch_size: int | None) -> tuple[Any, Callable[[int], Any]]:
    """The batch to time and ``row(i)``, the i-th one-row input (cycling over ``X``)."""
    n = len(X)
    if n == 0:
        raise MlopsInputError("X is empty (0 rows): there are no inputs to time")
    rows = X.iloc if hasattr(X, "iloc") else None

    def take(start: int, stop: int) -> Any:
        return rows[start:stop] if rows is not None else X[start:stop]

    def row(i: int) -> Any:
        return take(i % n, i % n + 1)

    return take(0, min(n, batch_size or 256)), row


def _against_stored(
    baseline: Mapping[str, Any] | None,
    metrics: Mapping[str, float],
    min_regression: float,
    details: dict[str, Any],
) -> str:
    """The note on a stored baseline's figures (reported in ``details``, never judged)."""
    stored = _stored_comparison(baseline, metrics["row_p50_ms"], min_regression)
    if stored is not None:
        details["stored_baseline"] = stored
    return _stored_note(stored or {})


#: The metrics stored as ``latency/<name>`` in the baseline (this run's own figures).
STORED: Final = (
    *TIMINGS,
    "batch_rows",
    "per_row_in_batch_ms",
    "peak_memory_mb",
)


def _prepare(mlops: MlopsBase, arguments: dict[str, Any]) -> dict[str, Any]:
    """Fill ``baseline`` from the baseline file's ``latency/<name>`` entry."""
    if mlops.baseline.exists:
        entry = mlops.baseline.get(SECTION, arguments["name"])
        if entry is not None and not isinstance(entry, Mapping):
            raise BaselineError(
                f"baseline file {mlops.baseline.path}: {SECTION}/{arguments['name']} must be "
                f"an object of figures, not {type(entry).__name__}; re-create it with "
                "--mlops-update-baseline"
            )
        arguments["baseline"] = entry
    return arguments


def _after(mlops: MlopsBase, result: CheckResult) -> None:
    """Propose this run's figures for the baseline; warn (never fail) when they look slower
    than the stored ones, which were measured by another run."""
    if result.status == "error":
        return
    entry = str(result.details.get("baseline_entry", "model"))
    mlops.propose_baseline(SECTION, entry, {k: result.metrics[k] for k in STORED})
    stored = result.details.get("stored_baseline") or {}
    if stored.get("looks_slower"):
        warnings.warn(
            PytestMlopsWarning(
                f"model/latency: the one-row median {number(result.metrics['row_p50_ms'])} ms "
                f"is {number(stored['ratio'])}x the {number(stored['row_p50_ms'])} ms stored "
                f"as {SECTION}/{entry} by another run. Not judged: that number was measured "
                "on another machine or under another load; pass champion= to compare the "
                "two models in the same run"
            ),
            stacklevel=2,
        )


register(
    CheckSpec(
        name="latency",
        category="model",
        function=check_latency,
        data=("X",),
        injected=("baseline",),
        prepare=_prepare,
        after=_after,
        scorecard=("Monitor 6",),
    )
)

__all__ = ["check_latency", "median_interval"]
