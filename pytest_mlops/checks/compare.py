"""Model against model: the champion's baseline, a challenger, a dummy, itself on train data.

Names follow one convention: a metric's *change* is measured in its better direction, so a
positive change is an improvement whether higher or lower is better, and a *drop* is a
negative change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._inputs import check_mapping, choice, same_length, to_1d, to_2d_scores
from pytest_mlops.checks.metrics import (
    _compute,
    check_metrics,
    describe_value,
    resolve_metrics,
)
from pytest_mlops.core.verdict import cannot_decide
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    import numpy as np

#: Deepchecks SimpleModelComparison's default condition: gain >= 0.1, where gain is the
#: share of the distance from the dummy's score to a perfect score that the model covers.
DEFAULT_MIN_GAIN: Final = 0.1
#: Deepchecks TrainTestPerformance's default: test may be at most 10% worse than train.
DEFAULT_MAX_RELATIVE_GAP: Final = 0.1


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


def _numbers(name: str, spec: Mapping[str, Any] | None) -> dict[str, float]:
    spec = dict(check_mapping(name, spec or {}))
    out = {}
    for metric, value in spec.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise MlopsInputError(f"{name}[{metric!r}] must be a number; got {value!r}")
        if value < 0:
            raise MlopsInputError(f"{name}[{metric!r}] must be >= 0; got {value!r}")
        out[metric] = float(value)
    return out


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
    first_run: bool = False,
    how_to_create: str = "",
    **metric_options: Any,
) -> CheckResult:
    """Compare this run's metrics with the champion's stored in the baseline.

    ``max_drop={"roc_auc": 0.01}``: at most 0.01 worse than the champion.
    ``max_relative_drop={"f1": 0.02}``: at most 2% of ``|champion|`` worse.
    ``min_improvement`` / ``min_relative_improvement``: must be better by at least that
    (MLflow's ``min_absolute_change`` / ``min_relative_change``). ``thresholds``: absolute
    bounds as in :func:`check_metrics` (MLflow's ``threshold``). Direction
    (``greater_is_better``) comes from the metric. A missing baseline entry or metric
    fails closed, except on a ``first_run`` (``--mlops-update-baseline`` with no champion
    yet), which is skipped so the run can record the first champion.
    """
    rules = {
        "max_drop": _numbers("max_drop", max_drop),
        "max_relative_drop": _numbers("max_relative_drop", max_relative_drop),
        "min_improvement": _numbers("min_improvement", min_improvement),
        "min_relative_improvement": _numbers("min_relative_improvement", min_relative_improvement),
    }
    compared = list(dict.fromkeys(m for rule in rules.values() for m in rule))
    if not compared and not thresholds:
        raise MlopsInputError(
            "name at least one metric in max_drop=, max_relative_drop=, min_improvement=, "
            "min_relative_improvement= or thresholds="
        )
    current = check_metrics(
        y_true,
        y_pred,
        y_score,
        thresholds=thresholds,
        metrics=metrics,
        report=compared,
        pos_label=pos_label,
        **metric_options,
    )
    resolved = resolve_metrics(list(dict.fromkeys([*compared, *(thresholds or {})])), metrics)
    details: dict[str, Any] = {"baseline_name": name, "current": current.details, "rows": []}
    common: dict[str, Any] = {
        "name": "baseline_comparison",
        "category": "model",
        "metrics": dict(current.metrics),
        "details": details,
    }
    thresholds_out: dict[str, Any] = dict(current.thresholds)
    for rule, spec in rules.items():
        for metric, value in spec.items():
            thresholds_out.setdefault(metric, {})[rule] = value
    common["thresholds"] = thresholds_out
    if current.status == "error":
        return CheckResult(
            status="error", reason="not_computable", message=current.message, **common
        )
    if baseline is None:
        if first_run:
            return CheckResult(
                status="skipped",
                reason="missing_baseline",
                message=(
                    f"no champion {name!r} yet: this run's metrics are recorded as the "
                    "first baseline (nothing to compare against)"
                ),
                **common,
            )
        return CheckResult(
            status="fail", reason="missing_baseline", message=how_to_create, **common
        )
    champion = baseline.get("metrics", baseline)
    failures: list[str] = [] if current.status == "pass" else [current.message.split(" (n=")[0]]
    missing: list[str] = []
    for metric in compared:
        observed = current.metrics.get(metric)
        stored = champion.get(metric)
        if observed is None:
            failures.append(f"{metric} could not be computed for this model")
            continue
        value = float(observed)
        if stored is None:
            missing.append(metric)
            continue
        higher = resolved[metric].greater_is_better
        delta = change(value, float(stored), higher)
        relative = relative_change(value, float(stored), higher)
        row = {
            "metric": metric,
            "value": value,
            "champion": float(stored),
            "change": delta,
            "relative_change": relative,
            "passed": True,
        }
        checks = (
            (
                "max_drop",
                delta >= -rules["max_drop"].get(metric, math.inf),
                f"{metric} dropped {-delta:.4g} below the champion's {float(stored):.4g} "
                f"(at most {rules['max_drop'].get(metric, 0):g} allowed)",
            ),
            (
                "max_relative_drop",
                relative >= -rules["max_relative_drop"].get(metric, math.inf),
                f"{metric} dropped {-relative:.2%} below the champion's {float(stored):.4g} "
                f"(at most {rules['max_relative_drop'].get(metric, 0):.2%} allowed)",
            ),
            (
                "min_improvement",
                delta >= rules["min_improvement"].get(metric, -math.inf),
                f"{metric} improved {delta:.4g} on the champion's {float(stored):.4g} "
                f"(at least {rules['min_improvement'].get(metric, 0):g} required)",
            ),
            (
                "min_relative_improvement",
                relative >= rules["min_relative_improvement"].get(metric, -math.inf),
                f"{metric} improved {relative:.2%} on the champion's {float(stored):.4g} "
                f"(at least {rules['min_relative_improvement'].get(metric, 0):.2%} required)",
            ),
        )
        for rule, ok, text in checks:
            if metric in rules[rule] and not ok:
                row["passed"] = False
                failures.append(text)
        details["rows"].append(row)
    if missing:
        if first_run:
            details["not_in_baseline"] = missing
        else:
            failures.append(
                f"the champion {name!r} has no stored {', '.join(missing)}; {how_to_create}"
            )
    if failures:
        reason = "missing_metric" if missing and len(failures) == 1 else "regression_detected"
        return CheckResult(
            status="fail",
            reason=reason,
            message="; ".join(failures) + ". Keep the champion, or improve the candidate",
            **common,
        )
    summary = ", ".join(
        f"{r['metric']} {r['value']:.4g} vs champion {r['champion']:.4g} ({r['change']:+.4g})"
        for r in details["rows"]
    )
    return CheckResult(status="pass", reason="ok", message=summary or current.message, **common)


def _delong_components(
    truth01: np.ndarray, score: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """AUC and DeLong's structural components (placement values) for positives and negatives."""
    import numpy as np
    from scipy.stats import rankdata

    pos, neg = score[truth01 == 1], score[truth01 == 0]
    m, n = len(pos), len(neg)
    all_ranks = rankdata(np.r_[pos, neg])
    pos_ranks, neg_ranks = rankdata(pos), rankdata(neg)
    v10 = (all_ranks[:m] - pos_ranks) / n  # share of negatives below each positive
    v01 = 1 - (all_ranks[m:] - neg_ranks) / m  # share of positives above each negative
    auc = float(v10.mean())
    return auc, v10, v01


def delong(
    truth01: np.ndarray, score_a: np.ndarray, score_b: np.ndarray
) -> tuple[float, float, float]:
    """Paired DeLong test: AUC of a, AUC of b, and the standard error of AUC(b) - AUC(a)."""
    import numpy as np

    auc_a, v10_a, v01_a = _delong_components(truth01, score_a)
    auc_b, v10_b, v01_b = _delong_components(truth01, score_b)
    s10 = np.cov(np.vstack([v10_a, v10_b]))
    s01 = np.cov(np.vstack([v01_a, v01_b]))
    m, n = len(v10_a), len(v01_a)
    variance = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (
        s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]
    ) / n
    return auc_a, auc_b, float(math.sqrt(max(variance, 0.0)))


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


def compare_models(
    y_true: Any,
    *,
    champion: Any,
    challenger: Any,
    metric: str = "accuracy",
    margin: float = 0.0,
    alpha: float = 0.05,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    pos_label: Any = None,
    random_state: int = 0,
) -> CheckResult:
    """Paired non-inferiority test of a challenger against the champion on the same rows.

    ``champion`` and ``challenger`` are predicted labels (for label metrics) or scores
    (for ``roc_auc``, ``log_loss`` ...). The difference is measured in the better
    direction (positive = challenger better). H0: the challenger is worse by ``margin``
    or more; the check passes when the one-sided p-value is below ``alpha`` (equivalently,
    the lower end of the ``1 - 2*alpha`` interval is above ``-margin``).

    Methods: ROC AUC — DeLong's paired test; accuracy — the paired difference of
    proportions with McNemar's test of equality reported; anything else — a paired
    bootstrap of the difference (the same resampled rows for both models).
    """
    import numpy as np
    from scipy import stats

    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or margin < 0:
        raise MlopsInputError(f"margin must be a number >= 0; got {margin!r}")
    if not 0 < alpha < 0.5:
        raise MlopsInputError(f"alpha must be between 0 and 0.5; got {alpha!r}")
    (resolved,) = resolve_metrics([metric], None).values()
    truth = to_1d("y_true", y_true)
    assert truth is not None
    a: np.ndarray | None
    b: np.ndarray | None
    if resolved.needs == "score":
        a, b = to_2d_scores("champion", champion), to_2d_scores("challenger", challenger)
    else:
        a, b = to_1d("champion", champion), to_1d("challenger", challenger)
    assert a is not None and b is not None
    n = same_length(y_true=truth, champion=a, challenger=b)
    if n == 0:
        raise MlopsInputError("y_true is empty")
    higher = resolved.greater_is_better
    details: dict[str, Any] = {"n": n, "metric": metric, "margin": margin, "alpha": alpha}
    labels = np.unique(truth)
    if pos_label is not None and pos_label not in set(labels.tolist()):
        raise MlopsInputError(
            f"pos_label {pos_label!r} is not one of the labels in y_true: {labels.tolist()!r}"
        )
    binary_score = resolved.needs == "score" and len(labels) == 2 and a.ndim == 1 and b.ndim == 1
    if metric == "roc_auc" and binary_score:
        positive = pos_label if pos_label is not None else labels[-1]
        truth01 = (truth == positive).astype(int)
        value_a, value_b, se = delong(truth01, a.astype(float), b.astype(float))
        if not se > 0:
            return cannot_decide(
                name="champion_challenger",
                category="model",
                why=(
                    f"DeLong's standard error of the ROC AUC difference is 0 (champion "
                    f"{value_a:.4g}, challenger {value_b:.4g}): the scores separate the "
                    "classes perfectly or not at all, so the difference has no spread to "
                    "test; evaluate on more (or harder) rows"
                ),
                metrics={f"champion_{metric}": value_a, f"challenger_{metric}": value_b},
                details={**details, "method": "DeLong paired test", "standard_error": se},
            )
        diff = value_b - value_a
        method = "DeLong paired test"
        z = (diff + margin) / se if se > 0 else math.inf
        p_value = float(stats.norm.sf(z))
        z_two = float(stats.norm.ppf(1 - alpha))
        low, high = diff - z_two * se, diff + z_two * se
        details["standard_error"] = se
        details["p_equal"] = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else 1.0
    elif metric == "accuracy":
        right_a, right_b = a == truth, b == truth
        discordant_b, discordant_c, p_equal, test = mcnemar(right_a, right_b)
        value_a, value_b = float(right_a.mean()), float(right_b.mean())
        diff = value_b - value_a
        se = (
            math.sqrt(max(discordant_b + discordant_c - (discordant_c - discordant_b) ** 2 / n, 0))
            / n
        )
        method = f"paired difference of proportions (McNemar {test} for equality)"
        z = (diff + margin) / se if se > 0 else (math.inf if diff + margin > 0 else -math.inf)
        p_value = float(stats.norm.sf(z))
        z_two = float(stats.norm.ppf(1 - alpha))
        low, high = diff - z_two * se, diff + z_two * se
        details.update(
            champion_only_right=discordant_b, challenger_only_right=discordant_c, p_equal=p_equal
        )
    else:
        method = "paired bootstrap"
        value_a = _compute(
            metric,
            resolved,
            truth,
            None if resolved.needs == "score" else a,
            a if resolved.needs == "score" else None,
            pos_label=pos_label,
            labels=labels,
            sample_weight=None,
        )
        value_b = _compute(
            metric,
            resolved,
            truth,
            None if resolved.needs == "score" else b,
            b if resolved.needs == "score" else None,
            pos_label=pos_label,
            labels=labels,
            sample_weight=None,
        )
        diff = change(value_b, value_a, higher)
        rng = np.random.default_rng(random_state)
        diffs = np.full(n_resamples, np.nan)
        for i in range(n_resamples):
            rows = rng.integers(0, n, n)
            try:
                ra = _compute(
                    metric,
                    resolved,
                    truth[rows],
                    None if resolved.needs == "score" else a[rows],
                    a[rows] if resolved.needs == "score" else None,
                    pos_label=pos_label,
                    labels=labels,
                    sample_weight=None,
                )
                rb = _compute(
                    metric,
                    resolved,
                    truth[rows],
                    None if resolved.needs == "score" else b[rows],
                    b[rows] if resolved.needs == "score" else None,
                    pos_label=pos_label,
                    labels=labels,
                    sample_weight=None,
                )
            except (ValueError, ZeroDivisionError):
                continue
            diffs[i] = change(rb, ra, higher)
        finite = diffs[np.isfinite(diffs)]
        low, high = (float(v) for v in np.quantile(finite, [alpha, 1 - alpha]))
        p_value = float((np.sum(finite <= -margin) + 1) / (len(finite) + 1))
    passed = p_value < alpha
    details.update(
        method=method,
        champion=value_a,
        challenger=value_b,
        difference=diff,
        ci_low=low,
        ci_high=high,
        ci_level=1 - 2 * alpha,
        p_value=p_value,
    )
    common: dict[str, Any] = {
        "name": "champion_challenger",
        "category": "model",
        "metrics": {
            f"champion_{metric}": value_a,
            f"challenger_{metric}": value_b,
            "difference": diff,
            "p_value": p_value,
        },
        "thresholds": {"difference": {"min": -margin}, "p_value": {"max": alpha}},
        "details": details,
    }
    text = (
        f"challenger {describe_value(metric, value_b, None, confidence)} vs champion "
        f"{value_a:.4g}: difference {diff:+.4g} ({1 - 2 * alpha:.0%} CI {low:+.4g} to "
        f"{high:+.4g}), non-inferiority p = {p_value:.3g} ({method}, margin {margin:g})"
    )
    if passed:
        return CheckResult(status="pass", reason="ok", message=text, **common)
    return CheckResult(
        status="fail",
        reason="regression_detected",
        message=(
            text + f"; the challenger is not shown to be within {margin:g} of the champion. "
            "Keep the champion, or evaluate on more data"
        ),
        **common,
    )


def check_overfitting(
    y_train: Any,
    y_test: Any,
    *,
    train_pred: Any = None,
    test_pred: Any = None,
    train_score: Any = None,
    test_score: Any = None,
    metric: str = "accuracy",
    max_gap: float | None = None,
    max_relative_gap: float | None = DEFAULT_MAX_RELATIVE_GAP,
    pos_label: Any = None,
) -> CheckResult:
    """Train-versus-test gap of one metric (in its better direction) within bounds.

    Default ``max_relative_gap=0.1``: the test score may be at most 10% worse than the
    train score, Deepchecks' ``TrainTestPerformance`` default condition.
    """
    train = check_metrics(
        y_train, train_pred, train_score, report=[metric], pos_label=pos_label, n_resamples=0
    )
    test = check_metrics(
        y_test, test_pred, test_score, report=[metric], pos_label=pos_label, n_resamples=0
    )
    (resolved,) = resolve_metrics([metric], None).values()
    common: dict[str, Any] = {
        "name": "overfitting",
        "category": "model",
        "thresholds": {"gap": {"max": max_gap}, "relative_gap": {"max": max_relative_gap}},
    }
    if metric not in train.metrics or metric not in test.metrics:
        return CheckResult(
            status="error",
            reason="not_computable",
            message=f"{metric} could not be computed on train or test data",
            details={"train": train.details, "test": test.details},
            **common,
        )
    a, b = float(train.metrics[metric]), float(test.metrics[metric])
    gap = change(a, b, resolved.greater_is_better)  # positive: train better than test
    relative = gap / abs(a) if a != 0 else gap
    common["metrics"] = {
        f"train_{metric}": a,
        f"test_{metric}": b,
        "gap": gap,
        "relative_gap": relative,
    }
    common["details"] = {
        "metric": metric,
        "train": a,
        "test": b,
        "gap": gap,
        "relative_gap": relative,
    }
    problems = []
    if max_gap is not None and gap > max_gap:
        problems.append(f"gap {gap:.4g} > {max_gap:g}")
    if max_relative_gap is not None and relative > max_relative_gap:
        problems.append(f"relative gap {relative:.1%} > {max_relative_gap:.0%}")
    text = f"{metric}: train {a:.4g}, test {b:.4g}"
    if problems:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message=f"{text}: {', '.join(problems)}; the model overfits — "
            "regularise it or get more training data",
            **common,
        )
    return CheckResult(status="pass", reason="ok", message=f"{text} (gap {gap:+.4g})", **common)


def check_beats_dummy(
    y_train: Any,
    y_test: Any,
    y_pred: Any = None,
    y_score: Any = None,
    *,
    metric: str | None = None,
    min_gain: float = DEFAULT_MIN_GAIN,
    strategy: str | None = None,
    pos_label: Any = None,
) -> CheckResult:
    """The model must beat scikit-learn's Dummy estimator fitted on the training labels.

    ``gain = (model - dummy) / (perfect - dummy)`` (Deepchecks' SimpleModelComparison),
    with ``perfect`` 1 for bounded higher-is-better metrics and 0 for errors; the check
    passes when ``gain >= min_gain`` (default 0.1). The dummy is ``DummyClassifier`` with
    ``strategy="prior"`` (predicts the majority class, scores the class shares) for
    classification, ``DummyRegressor(strategy="mean")`` for regression.
    """
    import numpy as np
    from sklearn.dummy import DummyClassifier, DummyRegressor

    train = to_1d("y_train", y_train)
    test = to_1d("y_test", y_test)
    assert train is not None and test is not None
    regression = train.dtype.kind == "f" and not np.all(np.mod(train[np.isfinite(train)], 1) == 0)
    chosen = metric or (
        "rmse" if regression else ("roc_auc" if y_score is not None else "accuracy")
    )
    (resolved,) = resolve_metrics([chosen], None).values()
    if regression:
        dummy: Any = DummyRegressor(strategy=strategy or "mean")
    else:
        dummy = DummyClassifier(strategy=strategy or "prior")
    dummy.fit(np.zeros((len(train), 1)), train)
    features = np.zeros((len(test), 1))
    if resolved.needs == "score":
        dummy_result = check_metrics(
            test,
            y_score=dummy.predict_proba(features),
            report=[chosen],
            pos_label=pos_label,
            n_resamples=0,
        )
    else:
        dummy_result = check_metrics(
            test,
            y_pred=dummy.predict(features),
            report=[chosen],
            pos_label=pos_label,
            n_resamples=0,
        )
    model_result = check_metrics(
        test, y_pred, y_score, report=[chosen], pos_label=pos_label, n_resamples=0
    )
    if chosen not in model_result.metrics:
        raise MlopsInputError(
            f"{chosen} could not be computed for the model: {model_result.message}"
        )
    model_value = float(model_result.metrics[chosen])
    dummy_value = float(dummy_result.metrics.get(chosen, math.nan))
    if math.isnan(dummy_value):
        # ROC AUC of a constant score is 0.5 by definition; scikit-learn computes it too.
        dummy_value = 0.5 if chosen == "roc_auc" else math.nan
    perfect = 1.0 if resolved.greater_is_better else 0.0
    room = change(perfect, dummy_value, resolved.greater_is_better)
    gain = change(model_value, dummy_value, resolved.greater_is_better) / room if room > 0 else 0.0
    common: dict[str, Any] = {
        "name": "beats_dummy",
        "category": "model",
        "metrics": {chosen: model_value, f"dummy_{chosen}": dummy_value, "gain": gain},
        "thresholds": {"gain": {"min": min_gain}},
        "details": {
            "metric": chosen,
            "dummy": type(dummy).__name__,
            "strategy": dummy.strategy,
            "perfect": perfect,
        },
    }
    text = (
        f"{chosen} {model_value:.4g} vs {type(dummy).__name__}({dummy.strategy}) "
        f"{dummy_value:.4g}: gain {gain:.2f}"
    )
    if gain >= min_gain:
        return CheckResult(status="pass", reason="ok", message=f"{text} >= {min_gain:g}", **common)
    return CheckResult(
        status="fail",
        reason="threshold_not_met",
        message=f"{text} < {min_gain:g}; the model barely beats a trivial "
        "baseline — check the features and the labels",
        **common,
    )


def check_calibration(
    y_true: Any,
    y_score: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    max_ece: float | None = 0.1,
    max_brier: float | None = None,
    pos_label: Any = None,
) -> CheckResult:
    """Expected calibration error and Brier score of binary probabilities, with bounds.

    ``ECE = sum over bins of (rows in bin / n) * |observed positive rate - mean predicted
    probability|``, with ``n_bins`` equal-width (``strategy="uniform"``) or equal-count
    (``"quantile"``) bins, as scikit-learn's ``calibration_curve`` bins them. Default
    ``max_ece=0.1``: a common rule of thumb, not a standard; set it for your use.
    """
    import numpy as np
    from sklearn.metrics import brier_score_loss

    choice("strategy", strategy, ("uniform", "quantile"))
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 2:
        raise MlopsInputError(f"n_bins must be a whole number >= 2; got {n_bins!r}")
    truth = to_1d("y_true", y_true)
    score = to_2d_scores("y_score", y_score)
    assert truth is not None
    if score.ndim == 2:
        if score.shape[1] != 2:
            raise MlopsInputError(
                "check_calibration needs binary probabilities (one column, or two)"
            )
        score = score[:, 1]
    same_length(y_true=truth, y_score=score)
    if np.any(np.isnan(score)) or np.any((score < 0) | (score > 1)):
        raise MlopsInputError(
            "y_score must be probabilities between 0 and 1 without missing values"
        )
    labels = np.unique(truth)
    if len(labels) > 2:
        raise MlopsInputError(f"check_calibration needs binary labels; got {len(labels)} classes")
    positive = pos_label if pos_label is not None else labels[-1]
    y01 = (truth == positive).astype(float)
    if strategy == "quantile":
        edges = np.quantile(score, np.linspace(0, 1, n_bins + 1))
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.searchsorted(edges[1:-1], score, side="right"), 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    observed = np.bincount(index, weights=y01, minlength=n_bins)
    predicted = np.bincount(index, weights=score, minlength=n_bins)
    used = counts > 0
    ece = float(np.sum(np.abs(observed[used] - predicted[used])) / len(score))
    brier = float(brier_score_loss(y01, score))
    curve = [
        {
            "bin": int(i),
            "n": int(counts[i]),
            "mean_predicted": float(predicted[i] / counts[i]),
            "observed_rate": float(observed[i] / counts[i]),
        }
        for i in np.flatnonzero(used)
    ]
    problems = []
    if max_ece is not None and ece > max_ece:
        problems.append(f"expected calibration error {ece:.4g} > {max_ece:g}")
    if max_brier is not None and brier > max_brier:
        problems.append(f"Brier score {brier:.4g} > {max_brier:g}")
    common: dict[str, Any] = {
        "name": "calibration",
        "category": "model",
        "metrics": {"ece": ece, "brier": brier},
        "thresholds": {
            k: {"max": v} for k, v in (("ece", max_ece), ("brier", max_brier)) if v is not None
        },
        "details": {"n": len(score), "n_bins": n_bins, "strategy": strategy, "reliability": curve},
    }
    if problems:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message="; ".join(problems) + "; recalibrate the model (e.g. "
            "CalibratedClassifierCV) before trusting its probabilities",
            **common,
        )
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"ECE {ece:.4g}, Brier {brier:.4g} (n={len(score)})",
        **common,
    )
