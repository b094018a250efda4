"""Metrics and their intervals on any subset of rows: the engine behind ``check_metrics``,
its slices and ``compare_models``.

Which interval each metric gets (see :mod:`pytest_mlops.checks._intervals`):

- accuracy, precision, recall without weights: Wilson;
- binary ROC AUC without weights: DeLong on the logit scale;
- log loss, Brier (binary), MAE, MSE: the studentized bootstrap of the mean per-row loss,
  and RMSE the square root of MSE's;
- everything else: the percentile bootstrap, stratified by class, through the vectorised
  resample statistics of :mod:`pytest_mlops.checks._bootstrap` (a loop only for user
  metrics).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.checks import _bootstrap as bs
from pytest_mlops.checks import _intervals as iv
from pytest_mlops.checks._measures import (
    MEAN_LOSSES,
    Metric,
    compute,
    is_builtin,
    positive_scores,
    row_losses,
)
from pytest_mlops.core.verdict import Judgement, judge
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.core.verdict import Bound

Interval = tuple[float, float]
Resampled = Callable[["np.ndarray"], "np.ndarray"]


@dataclasses.dataclass(frozen=True, eq=False)  # arrays: compared by identity
class Rows:
    """The rows a metric is computed on: the labels (or values), the predictions and the
    scores given, and per-row weights."""

    truth: np.ndarray
    pred: np.ndarray | None = None
    score: np.ndarray | None = None
    weight: np.ndarray | None = None


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """How to compute the metrics and their intervals on any subset of rows."""

    resolved: Mapping[str, Metric]
    labels: np.ndarray
    positive: Any
    n_resamples: int
    confidence: float
    random_state: int

    @property
    def classification(self) -> bool:
        return len(self.labels) > 0

    @property
    def binary(self) -> bool:
        return len(self.labels) == 2

    @property
    def target(self) -> Any:
        """The positive class of a binary problem (the larger label by default)."""
        if self.positive is not None:
            return self.positive
        return self.labels[-1] if self.binary else None

    def compute(self, name: str, rows: Rows) -> float:
        """One metric on the given rows (raises ``ValueError`` when it is undefined)."""
        return compute(
            name,
            self.resolved[name],
            rows.truth,
            rows.pred,
            rows.score,
            pos_label=self.positive,
            labels=self.labels,
            sample_weight=rows.weight,
        )

    def run(
        self, names: Sequence[str], rows: Rows
    ) -> tuple[dict[str, float], dict[str, Interval], dict[str, str]]:
        """Values, intervals and, for metrics that could not be computed, why."""
        values: dict[str, float] = {}
        errors: dict[str, str] = {}
        for name in names:
            try:
                values[name] = self.compute(name, rows)
            except MlopsInputError:
                raise
            except (ValueError, TypeError, ZeroDivisionError) as exc:
                errors[name] = str(exc).splitlines()[0]
        intervals = self.intervals(list(values), rows) if self.n_resamples else {}
        return values, intervals, errors

    def _builtin(self, name: str) -> bool:
        return is_builtin(name, self.resolved[name])

    def analytic(self, names: Sequence[str], rows: Rows) -> dict[str, Interval]:
        """Intervals that need no resampling: Wilson and DeLong."""
        import numpy as np

        truth, pred, score, weight = rows.truth, rows.pred, rows.score, rows.weight

        out: dict[str, Interval] = {}
        wanted = [n for n in names if self._builtin(n)]
        if weight is None and pred is not None and self.classification:
            if "accuracy" in wanted:
                out["accuracy"] = iv.wilson(
                    float(np.sum(truth == pred)), len(truth), self.confidence
                )
            if self.binary:
                hit = float(np.sum((truth == self.target) & (pred == self.target)))
                trials = {"precision": pred == self.target, "recall": truth == self.target}
                for name in ("precision", "recall"):
                    if name in wanted:
                        out[name] = iv.wilson(hit, float(trials[name].sum()), self.confidence)
        if weight is None and score is not None and self.binary and "roc_auc" in wanted:
            truth01 = (truth == self.target).astype(int)
            if 0 < truth01.sum() < len(truth01):
                scores = positive_scores(score, 2).astype(float)
                out["roc_auc"] = iv.auc_interval(truth01, scores, self.confidence)
        return out

    def intervals(self, names: Sequence[str], rows: Rows) -> dict[str, Interval]:
        """The interval of every computed metric (see the module's docstring)."""
        import numpy as np

        truth, pred, weight = rows.truth, rows.pred, rows.weight

        rng = np.random.default_rng(self.random_state)
        out = self.analytic(names, rows)
        for name in [n for n in names if n not in out and self._builtin(n)]:
            losses = self.losses("mse" if name == "rmse" else name, rows)
            if losses is None:
                continue
            boot = iv.studentized_mean(losses, weight, self.n_resamples, rng)
            low, high = boot.interval(self.confidence)
            out[name] = (
                (math.sqrt(max(low, 0.0)), math.sqrt(high)) if name == "rmse" else (low, high)
            )
        counted = [n for n in names if n not in out and n in bs.COUNT_METRICS and self._builtin(n)]
        if counted and self.binary and weight is None and pred is not None:
            y01, pred01 = (truth == self.target).astype(int), (pred == self.target).astype(int)
            drawn = bs.binomial_counts(counted, y01, pred01, self.n_resamples, rng)
            out.update({k: bs.percentile_interval(v, self.confidence) for k, v in drawn.items()})
        remaining = [n for n in names if n not in out]
        if not remaining:
            return out
        resampled = {n: self.resampled(n, rows) for n in remaining}
        collected: dict[str, list[np.ndarray]] = {n: [] for n in remaining}
        strata = truth if self.classification else None
        for weights in bs.weight_chunks(len(truth), self.n_resamples, rng, strata):
            if weight is not None:
                weights = weights * weight[None, :]
            for name, statistic in resampled.items():
                collected[name].append(statistic(weights))
        for name, parts in collected.items():
            out[name] = bs.percentile_interval(np.concatenate(parts), self.confidence)
        return out

    def losses(self, name: str, rows: Rows) -> np.ndarray | None:
        """Per-row losses of a built-in mean loss (unweighted), or ``None`` for other
        metrics."""
        if name not in MEAN_LOSSES:
            return None
        return row_losses(
            name, rows.truth, rows.pred, rows.score, labels=self.labels, positive=self.positive
        )

    def resampled(self, name: str, rows: Rows) -> Resampled:
        """A function from a matrix of resample weights ``(b, n)`` to the metric's ``b``
        values: vectorised for the built-in metrics, a loop for user metrics."""
        if self._builtin(name):
            vectorised = bs.statistic(
                name, rows.truth, rows.pred, rows.score, labels=self.labels, positive=self.target
            )
            if vectorised is not None:
                return vectorised

        def loop(weights: np.ndarray) -> np.ndarray:
            return self._loop(name, weights, rows)

        return loop

    def _loop(self, name: str, weights: np.ndarray, rows: Rows) -> np.ndarray:
        """Metric values per resample, by calling the metric (user metrics); ``weights``
        already carry the rows' own weights."""
        import numpy as np

        truth, pred, score = rows.truth, rows.pred, rows.score
        values = np.full(len(weights), np.nan)
        for i, row in enumerate(weights):
            whole = bool(np.all(row == np.round(row)))
            rows_drawn = np.repeat(np.arange(len(truth)), row.astype(int)) if whole else None
            try:
                if rows_drawn is not None:
                    values[i] = self.compute(
                        name,
                        Rows(
                            truth[rows_drawn],
                            None if pred is None else pred[rows_drawn],
                            None if score is None else score[rows_drawn],
                        ),
                    )
                else:
                    values[i] = self.compute(name, Rows(truth, pred, score, row))
            except (ValueError, TypeError, ZeroDivisionError):
                continue
        return values


def judge_rows(
    names: Sequence[str],
    evaluation: Evaluation,
    bounds: Mapping[str, Bound],
    values: Mapping[str, float],
    intervals: Mapping[str, tuple[float, float]],
    gate_on: str,
) -> tuple[list[dict[str, Any]], list[Judgement]]:
    """Report rows for every metric and the judgements of the bounded ones."""
    rows = []
    judged = []
    for name in names:
        bound = bounds.get(name)
        interval = intervals.get(name)
        row: dict[str, Any] = {
            "metric": name,
            "value": values.get(name),
            "ci_low": interval[0] if interval else None,
            "ci_high": interval[1] if interval else None,
            "direction": "higher" if evaluation.resolved[name].greater_is_better else "lower",
            "passed": None,
        }
        if bound is not None and name in values:
            judgement = judge(
                bound,
                values[name],
                interval=interval,
                gate_on=gate_on,  # type: ignore[arg-type]
                confidence=evaluation.confidence,
            )
            judged.append(judgement)
            row.update(bound.to_dict(), passed=judgement.passed)
        rows.append(row)
    return rows, judged
