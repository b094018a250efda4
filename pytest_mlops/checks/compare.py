"""Champion against challenger on the same rows: a paired non-inferiority test.

Names follow one convention: a metric's *change* is measured in its better direction, so a
positive change is an improvement whether higher or lower is better, and a *drop* is a
negative change.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _intervals as iv
from pytest_mlops.checks._evaluation import Rows
from pytest_mlops.checks._intervals import PairedTest, delong_paired
from pytest_mlops.checks._measures import BUILTIN_METRICS, builtin, positive_scores
from pytest_mlops.core.inputs import (
    NON_NEGATIVE,
    SEED,
    Interval,
    Options,
    same_length,
    to_1d,
    to_scores,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import cannot_decide, conclude, describe_value
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.checks._evaluation import Evaluation
    from pytest_mlops.results import CheckResult

__all__ = ["change", "compare_models", "delong", "mcnemar", "relative_change"]

#: Kept under its old name: the paired DeLong test.
delong = delong_paired
#: The next step of a challenger not shown to be non-inferior.
NEXT_STEP: Final = "Keep the champion, or evaluate on more data"


def change(value: float, baseline: float, greater_is_better: bool) -> float:
    """Improvement of ``value`` over ``baseline`` in the metric's better direction."""
    return value - baseline if greater_is_better else baseline - value


def relative_change(value: float, baseline: float, greater_is_better: bool) -> float:
    """Improvement relative to ``|baseline|``; from a zero baseline, the absolute change.

    Dividing by the absolute value keeps the sign meaning "better" for negative baselines
    (an R² of -0.5 or a negative log-likelihood), where MLflow's signed division flips it.
    """
    delta = change(value, baseline, greater_is_better)
    return delta / abs(baseline) if baseline != 0 else delta


def mcnemar(
    champion_right: np.ndarray, challenger_right: np.ndarray
) -> tuple[int, int, float, str]:
    """Discordant counts and McNemar's two-sided p-value for equal accuracy.

    Exact (binomial) when fewer than 25 pairs disagree, chi-squared with continuity
    correction otherwise (the usual rule of thumb).
    """
    import numpy as np
    from scipy import stats

    b = int(np.sum(champion_right & ~challenger_right))
    c = int(np.sum(~champion_right & challenger_right))
    if b + c == 0:
        return b, c, 1.0, "no discordant pairs"
    if b + c < 25:
        return b, c, float(stats.binomtest(min(b, c), b + c, 0.5).pvalue), "exact binomial"
    statistic = (abs(b - c) - 1) ** 2 / (b + c)
    return b, c, float(stats.chi2.sf(statistic, 1)), "chi-squared with continuity correction"


def _read(
    metric: str, y_true: Any, champion: Any, challenger: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three arrays, coerced, of one length and without missing values."""
    from pytest_mlops.core.inputs import nan_positions

    truth = to_1d("y_true", y_true)
    assert truth is not None
    a: np.ndarray | None
    b: np.ndarray | None
    if builtin(metric).needs == "score":
        a, b = to_scores("champion", champion), to_scores("challenger", challenger)
    else:
        a, b = to_1d("champion", champion), to_1d("challenger", challenger)
    assert a is not None and b is not None
    n = same_length(y_true=truth, champion=a, challenger=b)
    if n == 0:
        raise MlopsInputError("y_true is empty: there is nothing to compare the models on")
    for name, values in (("y_true", truth), ("champion", a), ("challenger", b)):
        if values.ndim == 1 and nan_positions(values).any():
            raise MlopsInputError(
                f"{name} has {int(nan_positions(values).sum())} missing value(s); drop or "
                "impute them first"
            )
    if a.shape != b.shape:
        raise MlopsInputError(
            f"champion and challenger have different shapes: {a.shape} and {b.shape}"
        )
    return truth, a, b


def _evaluation(
    metric: str, truth: np.ndarray, a: np.ndarray, b: np.ndarray, pos_label: Any, seed: int
) -> Evaluation:
    """The metric layer for ``metric`` on these rows (labels of all three arrays)."""
    import numpy as np

    from pytest_mlops.checks._measurement import evaluation_for

    resolved = {metric: builtin(metric)}
    if resolved[metric].needs == "score":
        evaluation = evaluation_for(resolved, truth, None, a, pos_label, 1, 0.95, seed, "champion")
        if evaluation.classification:
            from pytest_mlops.checks._measures import check_score_shape

            check_score_shape(b, evaluation.labels, "challenger")
        return evaluation
    both = np.concatenate([a, b])
    return evaluation_for(
        resolved, np.concatenate([truth, truth]), both, None, pos_label, 1, 0.95, seed
    )


def _paired_test(
    evaluation: Evaluation,
    metric: str,
    truth: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    options: dict[str, Any],
) -> tuple[str, PairedTest, dict[str, Any]]:
    """The method, the test and its extra details for ``metric``."""
    import numpy as np

    margin, alpha = options["margin"], options["alpha"]
    scores = builtin(metric).needs == "score"
    if metric == "roc_auc" and evaluation.binary and (a.ndim == 1 or a.shape[1] == 2):
        truth01 = (truth == evaluation.target).astype(int)
        auc_a, auc_b, se = delong_paired(
            truth01, positive_scores(a, 2).astype(float), positive_scores(b, 2).astype(float)
        )
        return "DeLong paired test", iv.z_test(auc_b - auc_a, se, margin, alpha), {}
    if metric == "accuracy":
        right_a, right_b = a == truth, b == truth
        only_a, only_b, p_equal, test = mcnemar(right_a, right_b)
        tested = iv.paired_proportions(only_a, only_b, len(truth), margin, alpha)
        extra = {"champion_only_right": only_a, "challenger_only_right": only_b, "p_equal": p_equal}
        return f"Tango's score test (McNemar {test} for equality)", tested, extra
    rng = np.random.default_rng(options["random_state"])
    rows_a = Rows(truth, score=a) if scores else Rows(truth, pred=a)
    rows_b = Rows(truth, score=b) if scores else Rows(truth, pred=b)
    loss_a, loss_b = evaluation.losses(metric, rows_a), evaluation.losses(metric, rows_b)
    if loss_a is not None and loss_b is not None:
        tested = iv.paired_mean(loss_a - loss_b, margin, alpha, options["n_resamples"], rng)
        return "paired bootstrap-t of the per-row loss difference", tested, {}
    higher = builtin(metric).greater_is_better
    statistic_a = evaluation.resampled(metric, rows_a)
    statistic_b = evaluation.resampled(metric, rows_b)
    from pytest_mlops.checks import _bootstrap as bs

    strata = truth if evaluation.classification else None
    parts = []
    for weights in bs.weight_chunks(len(truth), options["n_resamples"], rng, strata):
        difference = statistic_b(weights) - statistic_a(weights)
        parts.append(difference if higher else -difference)
    diffs = np.concatenate(parts)
    diffs = diffs[np.isfinite(diffs)]
    value_a, value_b = evaluation.compute(metric, rows_a), evaluation.compute(metric, rows_b)
    diff = change(value_b, value_a, higher)
    if diffs.size == 0 or float(np.ptp(diffs)) == 0:
        return "paired bootstrap", PairedTest(diff, diff, diff, math.nan, 0.0), {}
    low, high = (float(v) for v in np.quantile(diffs, [alpha, 1 - alpha]))
    p_value = float((np.sum(diffs <= -margin) + 1) / (diffs.size + 1))
    return "paired bootstrap", PairedTest(diff, low, high, p_value, float(np.std(diffs))), {}


def _no_spread(method: str, metric: str, value_a: float, value_b: float, tested: PairedTest) -> str:
    """Why a paired test whose standard error is 0 cannot decide."""
    return (
        f"{method}: the standard error is 0 (champion {metric} {value_a:.4g}, challenger "
        f"{value_b:.4g}, difference {tested.difference:+.4g}): the models' differences "
        "have no spread on these rows, so nothing can be inferred; evaluate on more "
        "(or harder) rows"
    )


def _summary(
    metric: str,
    value_a: float,
    value_b: float,
    tested: PairedTest,
    method: str,
    margin: float,
    alpha: float,
) -> str:
    """The values, the difference with its interval and the test's p-value, in a line."""
    return (
        f"challenger {describe_value(metric, value_b)} vs champion {value_a:.4g}: difference "
        f"{tested.difference:+.4g} ({1 - 2 * alpha:.0%} CI {tested.low:+.4g} to "
        f"{tested.high:+.4g}), non-inferiority p = {tested.p_value:.3g} ({method}, margin "
        f"{margin:g})"
    )


@validate_params(
    {
        "metric": [Options(*BUILTIN_METRICS)],
        "margin": [NON_NEGATIVE],
        "alpha": [Interval(float, 0, 0.5, closed="neither")],
        "n_resamples": [Interval(int, 1, None)],
        "random_state": [SEED],
    }
)
def compare_models(
    y_true: Any,
    *,
    champion: Any,
    challenger: Any,
    metric: str = "accuracy",
    margin: float = 0.0,
    alpha: float = 0.05,
    n_resamples: int = 2000,
    pos_label: Any = None,
    random_state: int = 0,
) -> CheckResult:
    """Paired non-inferiority test of a challenger against the champion on the same rows.

    ``champion`` and ``challenger`` are predicted labels (for label metrics) or scores
    (for ``roc_auc``, ``log_loss`` ...). The difference is measured in the better
    direction (positive = challenger better). H0: the challenger is worse by ``margin``
    or more; the check passes when the one-sided p-value is below ``alpha`` (equivalently,
    the lower end of the ``1 - 2*alpha`` interval is above ``-margin``).

    Methods: ROC AUC (binary) — DeLong's paired test; accuracy — Tango's score test for
    paired proportions (McNemar's test of equality reported too); log loss, Brier, MAE,
    MSE — a paired bootstrap-t of the mean per-row loss difference; anything else — a
    paired percentile bootstrap (the same resampled rows for both models). A test whose
    standard error is 0 cannot decide and is an error, never a pass.
    """
    truth, a, b = _read(metric, y_true, champion, challenger)
    evaluation = _evaluation(metric, truth, a, b, pos_label, random_state)
    scores = builtin(metric).needs == "score"
    common: dict[str, Any] = {"name": "champion_challenger", "category": "model"}
    details: dict[str, Any] = {"n": len(truth), "metric": metric, "margin": margin, "alpha": alpha}
    try:
        value_a, value_b = (
            evaluation.compute(metric, Rows(truth, score=x) if scores else Rows(truth, pred=x))
            for x in (a, b)
        )
    except ValueError as exc:
        why = f"{metric} could not be computed: {str(exc).splitlines()[0]}"
        return cannot_decide(why=why, details=details, **common)
    values = {f"champion_{metric}": value_a, f"challenger_{metric}": value_b}
    options = {
        "margin": margin,
        "alpha": alpha,
        "n_resamples": n_resamples,
        "random_state": random_state,
    }
    method, tested, extra = _paired_test(evaluation, metric, truth, a, b, options)
    details.update(extra, method=method, champion=value_a, challenger=value_b)
    if not tested.standard_error > 0 or math.isnan(tested.p_value):
        return cannot_decide(
            why=_no_spread(method, metric, value_a, value_b, tested),
            metrics=values,
            details={**details, "standard_error": 0.0},
            **common,
        )
    details.update(
        difference=tested.difference,
        ci_low=tested.low,
        ci_high=tested.high,
        ci_level=1 - 2 * alpha,
        p_value=tested.p_value,
        standard_error=tested.standard_error,
    )
    text = _summary(metric, value_a, value_b, tested, method, margin, alpha)
    failures = []
    if not tested.p_value < alpha:
        failures.append(
            f"{text}; the challenger is not shown to be within {margin:g} of the champion"
        )
    return conclude(
        failures=failures,
        passed=text,
        next_step=NEXT_STEP,
        reason="regression_detected",
        metrics={**values, "difference": tested.difference, "p_value": tested.p_value},
        thresholds={"difference": {"min": -margin}, "p_value": {"max": alpha}},
        details=details,
        **common,
    )


register(
    CheckSpec(
        name="champion_challenger",
        category="model",
        function=compare_models,
        data=("y_true", "champion", "challenger"),
        seeded=True,
        scorecard=("Monitor 7", "Model 5", "Infra 4"),
    )
)
