"""Per-group counts, rates and the disparities between groups, as typed rows.

Everything is computed from each group's four confusion-matrix counts (tn, fp, fn, tp),
independently of fairlearn; the test suite compares the numbers with fairlearn's
``MetricFrame`` and its disparity functions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from pytest_mlops.checks._fairness_intervals import wilson, z_value
from pytest_mlops.core.verdict import Bound, Judgement

if TYPE_CHECKING:
    import numpy as np

RATES: Final = ("selection_rate", "tpr", "fpr", "accuracy", "precision", "recall")
#: Which cells (tn, fp, fn, tp) count a rate's successes and its denominator.
_CELLS: Final[dict[str, tuple[tuple[int, ...], tuple[int, ...]]]] = {
    "selection_rate": ((1, 3), (0, 1, 2, 3)),
    "tpr": ((3,), (2, 3)),
    "recall": ((3,), (2, 3)),
    "fpr": ((1,), (0, 1)),
    "accuracy": ((0, 3), (0, 1, 2, 3)),
    "precision": ((3,), (1, 3)),
}
#: What a group lacks when a rate is undefined for it.
LACKS: Final = {
    "selection_rate": "rows",
    "accuracy": "rows",
    "tpr": "actual positives",
    "recall": "actual positives",
    "fpr": "actual negatives",
    "precision": "predicted positives",
}
#: Rates shown with a per-group interval in the report's figures.
FIGURE_RATES: Final = ("selection_rate", "tpr")


@dataclasses.dataclass(frozen=True)
class Disparity:
    """A between-group disparity: the largest gap or the smallest ratio of some rates."""

    name: str
    rates: tuple[str, ...]
    kind: Literal["difference", "ratio"]


DISPARITIES: Final = (
    Disparity("demographic_parity_difference", ("selection_rate",), "difference"),
    Disparity("demographic_parity_ratio", ("selection_rate",), "ratio"),
    Disparity("equalized_odds_difference", ("tpr", "fpr"), "difference"),
    Disparity("equalized_odds_ratio", ("tpr", "fpr"), "ratio"),
    Disparity("equal_opportunity_difference", ("tpr",), "difference"),
)


def gap(rate: str) -> Disparity:
    """The ``max_gap[rate]`` disparity: the largest between-group gap of one rate."""
    return Disparity(f"max_gap[{rate}]", (rate,), "difference")


def counts(cells: np.ndarray, rate: str) -> tuple[np.ndarray, np.ndarray]:
    """Successes and denominators of ``rate`` from cells of shape ``(..., 4)``."""
    hits, total = _CELLS[rate]
    return cells[..., list(hits)].sum(axis=-1), cells[..., list(total)].sum(axis=-1)


def rate_value(cells: np.ndarray, rate: str) -> float | None:
    """One group's rate, ``None`` where its denominator is 0 (never counted as 0)."""
    x, n = counts(cells, rate)
    return float(x / n) if n > 0 else None


@dataclasses.dataclass(frozen=True)
class GroupRow:
    """One group of one feature: its size, its rates and the intervals of two of them."""

    group: str
    count: int
    judged: bool
    rates: Mapping[str, float | None]
    extra: Mapping[str, float]
    intervals: Mapping[str, tuple[float, float] | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "count": self.count,
            "judged": self.judged,
            **self.rates,
            **self.extra,
        }

    def interval_row(self) -> dict[str, Any]:
        return {"group": self.group, "judged": self.judged, **self.intervals}


@dataclasses.dataclass(frozen=True)
class DisparityRow:
    """One disparity of one feature: its value, interval, bound and whether it held."""

    disparity: str
    value: float | None
    interval: tuple[float, float] | None
    bound: Bound | None
    judgement: Judgement | None
    note: str
    stratum: str | None
    controlled: bool

    @property
    def passed(self) -> bool | None:
        return None if self.judgement is None else self.judgement.passed

    def to_dict(self) -> dict[str, Any]:
        failure = self.judgement.failure if self.judgement else ""
        if failure and self.controlled:
            failure += f" (worst stratum {self.stratum!r})"
        return {
            "disparity": self.disparity,
            "value": self.value,
            "ci_low": self.interval[0] if self.interval else None,
            "ci_high": self.interval[1] if self.interval else None,
            **(self.bound.to_dict() if self.bound else {}),
            "passed": self.passed,
            "note": self.note,
            "text": failure,
            **({"stratum": self.stratum} if self.controlled else {}),
        }


@dataclasses.dataclass(frozen=True)
class FeatureReport:
    """Everything the check found for one sensitive feature (or intersection)."""

    feature: str
    groups: tuple[GroupRow, ...]
    disparities: tuple[DisparityRow, ...]
    problems: tuple[str, ...]

    @property
    def judged(self) -> bool:
        return any(row.value is not None for row in self.disparities)

    @property
    def failures(self) -> list[str]:
        return [
            f"{self.feature}: {row.to_dict()['text']}"
            for row in self.disparities
            if row.passed is False
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "judged": self.judged,
            "groups": [g.to_dict() for g in self.groups],
            "too_small": [g.group for g in self.groups if not g.judged],
            "disparities": [d.to_dict() for d in self.disparities],
            "group_intervals": [g.interval_row() for g in self.groups],
            "problems": list(self.problems),
        }


def group_rows(
    names: Sequence[str],
    cells: np.ndarray,
    judged: np.ndarray,
    extra: Mapping[str, Sequence[float]],
    confidence: float,
) -> tuple[GroupRow, ...]:
    """A row per group from its cells ``(groups, 4)``."""
    z = z_value(confidence)
    rows = []
    for i, name in enumerate(names):
        intervals: dict[str, tuple[float, float] | None] = {}
        for rate in FIGURE_RATES:
            x, n = counts(cells[i], rate)
            low, high = wilson(x, n, z)
            intervals[rate] = (float(low), float(high)) if n > 0 else None
        rows.append(
            GroupRow(
                group=name,
                count=int(cells[i].sum()),
                judged=bool(judged[i]),
                rates={rate: rate_value(cells[i], rate) for rate in RATES},
                extra={metric: float(values[i]) for metric, values in extra.items()},
                intervals=intervals,
            )
        )
    return tuple(rows)


@dataclasses.dataclass(frozen=True)
class Strata:
    """Each group's cells within each stratum of the control features, ``(S, groups, 4)``."""

    names: tuple[str, ...]
    groups: tuple[str, ...]
    cells: np.ndarray
    judged: np.ndarray  # (S, groups): at least min_group_size rows in that stratum
    controlled: bool


def extra_metrics(
    metrics: Mapping[str, Callable[..., float]],
    yt: np.ndarray,
    yp: np.ndarray,
    codes: np.ndarray,
    k: int,
) -> dict[str, list[float]]:
    """User metrics ``fn(y_true, y_pred)`` per group, on the 0/1 labels."""
    return {
        name: [float(fn(yt[codes == g], yp[codes == g])) for g in range(k)]
        for name, fn in metrics.items()
    }
