"""The same-run comparison of :func:`~pytest_mlops.checks.latency.check_latency`: the
champion and the candidate timed interleaved in this run, the slowdown judged from the
median of the per-round ratios with the sign test's distribution-free interval."""

from __future__ import annotations

import inspect
import math
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from pytest_mlops.checks._calls import call
from pytest_mlops.core.inputs import Constraint
from pytest_mlops.core.verdict import number
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

#: Interleaved rounds of the champion comparison; each round times ``CALLS_PER_ROUND``
#: one-row calls of each model and keeps the ratio of their medians.
DEFAULT_ROUNDS: Final = 30
CALLS_PER_ROUND: Final = 3


class ChampionModel(Constraint):
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


def resolve_champion(champion: Any, predict: Callable[[Any], Any]) -> Callable[[Any], Any]:
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


def timed(function: Callable[[Any], Any], argument: Any, what: str) -> float:
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
                theirs.append(timed(champion, one, "champion"))
                mine.append(timed(candidate, one, "predict"))
            else:
                mine.append(timed(candidate, one, "predict"))
                theirs.append(timed(champion, one, "champion"))
        ratios.append(statistics.median(mine) / max(statistics.median(theirs), 1e-9))
        candidate_ms += mine
        champion_ms += theirs
    return ratios, candidate_ms, champion_ms


def against_champion(
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
