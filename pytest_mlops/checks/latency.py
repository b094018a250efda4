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

import inspect
import math
import os
import time
import tracemalloc
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._calls import call, user_errors
from pytest_mlops.core.inputs import (
    CONFIDENCE,
    Constraint,
    InstanceOf,
    Interval,
    IsCallable,
    Text,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import Bound, conclude, judge, number
from pytest_mlops.errors import BaselineError, MlopsInputError, MlopsTypeError, PytestMlopsWarning
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    from pytest_mlops._fixture.base import MlopsBase

#: The candidate fails when it is credibly more than this much slower than the champion
#: (the whole interval of the ratio above ``1 + min_regression``).
DEFAULT_MIN_REGRESSION: Final = 0.5
#: Interleaved rounds of the champion comparison; each round times ``CALLS_PER_ROUND``
#: one-row calls of each model and keeps the ratio of their medians.
DEFAULT_ROUNDS: Final = 30
CALLS_PER_ROUND: Final = 3
#: The baseline section where each model's figures are stored.
SECTION: Final = "latency"


class _ChampionModel(Constraint):
    """A champion: a callable, a model with a ``predict`` method, or a file path."""

    def accepts(self, value: Any) -> bool:
        return callable(value) or hasattr(value, "predict") or isinstance(value, (str, os.PathLike))

    def describe(self) -> str:
        return "a callable, a model with predict, or the path of a joblib/pickle file"


def median_interval(values: Sequence[float], confidence: float) -> tuple[float, float] | None:
    """The distribution-free confidence interval of a median (the sign test's).

    With ``n`` values sorted, ``[x_(k), x_(n-k+1)]`` covers the median with probability
    at least ``confidence`` when ``P(Binomial(n, 1/2) <= k - 1) <= (1 - confidence) / 2``;
    ``k`` is the largest such rank. ``None`` when ``n`` is too small for any ``k``.
    """
    n = len(values)
    tail = (1 - confidence) / 2
    cumulative, k = 0.0, 0
    for j in range(n):
        cumulative += math.comb(n, j) / 2**n
        if cumulative > tail:
            break
        k = j + 1
    if k == 0:
        return None
    ordered = sorted(values)
    return ordered[k - 1], ordered[n - k]


def _percentiles(values: list[float]) -> dict[str, float]:
    import numpy as np

    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"p50": float(p50), "p95": float(p95), "p99": float(p99)}


def _resolve_champion(champion: Any, predict: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The champion's prediction callable: the same method as the candidate's
    (``model.predict_proba`` -> ``champion.predict_proba``) for a model or a loaded file."""
    if isinstance(champion, (str, os.PathLike)):
        path = Path(champion)
        if not path.is_file():
            raise MlopsInputError(f"champion {str(path)!r} is not a file; pass a model or its path")
        import joblib

        try:
            champion = joblib.load(path)  # the user's own file, as they would load it
        except Exception as exc:  # any unreadable file is the same input error
            raise MlopsInputError(
                f"champion {str(path)!r} could not be loaded with joblib: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    method = getattr(predict, "__name__", "predict")
    if not inspect.isroutine(champion):
        for name in (method, "predict"):
            bound = getattr(champion, name, None)
            if callable(bound):
                return bound
    if callable(champion):
        return champion
    raise MlopsTypeError(
        f"champion must be a callable or a model with {method}; got {type(champion).__name__}"
    )


def _timed(function: Callable[[Any], Any], argument: Any, what: str) -> float:
    start = time.perf_counter()
    call(what, function, argument)
    return (time.perf_counter() - start) * 1000


def _interleaved(
    candidate: Callable[[Any], Any],
    champion: Callable[[Any], Any],
    row: Callable[[int], Any],
    rounds: int,
) -> tuple[list[float], list[float], list[float]]:
    """Per round, ``CALLS_PER_ROUND`` one-row calls of each model, alternating call by call
    (and which model goes first, from round to round); returns the per-round ratio of the
    medians (candidate / champion) and every timing of each model."""
    import statistics

    ratios: list[float] = []
    candidate_ms: list[float] = []
    champion_ms: list[float] = []
    for i in range(rounds):
        one = row(i)
        mine: list[float] = []
        theirs: list[float] = []
        for j in range(CALLS_PER_ROUND):
            if (i + j) % 2 == 0:
                theirs.append(_timed(champion, one, "champion"))
                mine.append(_timed(candidate, one, "predict"))
            else:
                mine.append(_timed(candidate, one, "predict"))
                theirs.append(_timed(champion, one, "champion"))
        ratios.append(statistics.median(mine) / max(statistics.median(theirs), 1e-9))
        candidate_ms += mine
        champion_ms += theirs
    return ratios, candidate_ms, champion_ms


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
        "champion": [_ChampionModel(), None],
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
    n = len(X)
    if n == 0:
        raise MlopsInputError("X is empty (0 rows): there are no inputs to time")
    size = min(n, batch_size or 256)
    rows = X.iloc if hasattr(X, "iloc") else None

    def take(start: int, stop: int) -> Any:
        return rows[start:stop] if rows is not None else X[start:stop]

    batch = take(0, size)
    rival = _resolve_champion(champion, predict) if champion is not None else None
    for _ in range(warmup):
        call("predict", predict, batch)
        if rival is not None:
            call("champion", rival, take(0, 1))
    batch_ms = [_timed(predict, batch, "predict") for _ in range(repeats)]
    row_ms = [_timed(predict, take(i % n, i % n + 1), "predict") for i in range(single_rows)]
    peak_mb = _memory_mb(predict, batch)
    per_row, per_batch = _percentiles(row_ms), _percentiles(batch_ms)
    metrics: dict[str, Any] = {
        "row_p50_ms": per_row["p50"],
        "row_p95_ms": per_row["p95"],
        "row_p99_ms": per_row["p99"],
        "batch_p50_ms": per_batch["p50"],
        "batch_p95_ms": per_batch["p95"],
        "batch_p99_ms": per_batch["p99"],
        "batch_rows": size,
        "per_row_in_batch_ms": per_batch["p50"] / size,
        "peak_memory_mb": peak_mb,
    }
    judged = [
        judge(Bound.at_most(metric, limit), metrics[metric])
        for metric, limit in (("row_p95_ms", p95_ms), ("peak_memory_mb", max_memory_mb))
        if limit is not None
    ]
    failures = [j.failure for j in judged if not j.passed]
    details: dict[str, Any] = {
        "warmup": warmup,
        "repeats": repeats,
        "single_rows": single_rows,
        "baseline_entry": name,
        "judgements": [j.to_row() for j in judged],
    }
    thresholds: dict[str, Any] = {j.bound.metric: j.bound.to_dict() for j in judged}
    figures = (
        f"one row p50 {number(per_row['p50'])} ms / p95 {number(per_row['p95'])} ms; batch of "
        f"{size} p50 {number(per_batch['p50'])} ms; peak memory {number(peak_mb)} MB"
    )
    text = figures
    if rival is not None:
        comparison = _against_champion(
            predict, rival, lambda i: take(i % n, i % n + 1), rounds, confidence, min_regression
        )
        metrics.update(comparison["metrics"])
        details["champion"] = comparison["details"]
        thresholds["slowdown_ratio"] = {"max": 1 + min_regression}
        text += "; " + comparison["text"]
        if comparison["failure"]:
            failures.append(comparison["failure"])
    else:
        stored = _stored_comparison(baseline, per_row["p50"], min_regression)
        if stored is not None:
            details["stored_baseline"] = stored
            if "ratio" in stored:
                text += (
                    f"; {number(stored['ratio'])}x the {number(stored['row_p50_ms'])} ms "
                    "stored by another run (reported, not judged)"
                )
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


def _against_champion(
    predict: Callable[[Any], Any],
    champion: Callable[[Any], Any],
    row: Callable[[int], Any],
    rounds: int,
    confidence: float,
    min_regression: float,
) -> dict[str, Any]:
    """Time both models interleaved; judge the median per-round ratio by its interval."""
    import statistics

    ratios, mine, theirs = _interleaved(predict, champion, row, rounds)
    ratio = statistics.median(ratios)
    interval = median_interval(ratios, confidence)
    assert interval is not None  # rounds >= 10 always has a 95%+ sign-test interval
    low, high = interval
    limit = 1 + min_regression
    shown = f"{number(ratio)}x ({confidence:.0%} CI {number(low)}-{number(high)})"
    failure = ""
    if low > limit:
        failure = (
            f"one-row latency is {shown} the champion's over {rounds} interleaved rounds, "
            f"credibly more than {number(limit)}x (the whole interval is above it)"
        )
    return {
        "metrics": {
            "slowdown_ratio": ratio,
            "slowdown_ci_low": low,
            "slowdown_ci_high": high,
            "champion_row_p50_ms": statistics.median(theirs),
            "candidate_interleaved_row_p50_ms": statistics.median(mine),
        },
        "details": {
            "rounds": rounds,
            "calls_per_round": CALLS_PER_ROUND,
            "confidence": confidence,
            "ratios": ratios,
            "method": "sign-test interval of the median per-round ratio of medians, "
            "champion and candidate interleaved",
        },
        "text": f"{shown} the champion's one-row latency",
        "failure": failure,
    }


#: The metrics stored as ``latency/<name>`` in the baseline (this run's own figures).
STORED: Final = (
    "row_p50_ms",
    "row_p95_ms",
    "row_p99_ms",
    "batch_p50_ms",
    "batch_p95_ms",
    "batch_p99_ms",
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
