"""Fairness gates: group rates, the disparities between groups, intersections, intervals.

Disparities are computed between the groups that can be judged: a group smaller than
``min_group_size`` is reported as too small and left out. A gated disparity that cannot
be computed (a judged group with no actual positives has no true positive rate; a
feature with a single group; no two groups large enough) makes the check ``error``
with the reason: it never passes. The numbers equal fairlearn's (the tests compare them
with ``MetricFrame`` and fairlearn's disparity functions), except that a rate undefined
for a group is never counted as 0.

Defaults and where they come from:

- ``min_demographic_parity_ratio=0.8``: the four-fifths rule of the US EEOC Uniform
  Guidelines on Employee Selection Procedures (29 CFR 1607.4(D)). It is not a fairlearn
  default: fairlearn's disparity functions take no threshold, and its user guide calls
  applying the rule outside US federal employment law "an indefensible example of
  epistemic trespassing". Treat 0.8 as a starting point to revisit for your domain.
- ``max_equalized_odds_difference=0.1``: a common convention (no library ships it).
- ``min_group_size=30``: below it a rate's 95% interval is wider than about ±0.18.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, cast

from pytest_mlops.checks._fairness_disparities import judge_feature
from pytest_mlops.checks._fairness_inputs import binary_labels, group_frame
from pytest_mlops.checks._fairness_proxies import DEFAULT_PROXY_THRESHOLD, check_proxies
from pytest_mlops.checks._fairness_table import (
    DISPARITIES,
    RATES,
    Disparity,
    FeatureReport,
    gap,
    rate_value,
)
from pytest_mlops.core.inputs import (
    CONFIDENCE,
    POSITIVE_INT,
    Boolean,
    InstanceOf,
    Interval,
    IsCallable,
    MappingOf,
    Options,
    Text,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import Bound, GateOn, cannot_decide, conclude

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from pytest_mlops._fixture.base import MlopsBase
    from pytest_mlops.results import CheckResult

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "INTERSECTION_SEPARATOR",
    "RATES",
    "check_fairness",
    "check_proxies",
]

DEFAULT_MIN_GROUP_SIZE: Final = 30
INTERSECTION_SEPARATOR: Final = " & "
#: How the intervals are computed (shown in the report).
INTERVAL_METHOD: Final = "Wilson (rates), Newcombe (differences), MOVER-R (ratios)"
#: The next step of a failed check.
NEXT_STEP_FAILED: Final = (
    "look at the per-group table in the report, check the training data of the "
    "disadvantaged group, or, if the bound is wrong for your domain, change it in the test"
)
#: The next step of a check that cannot decide.
NEXT_STEP_UNDECIDED: Final = (
    "collect data with enough rows (and positives and negatives) in every group, lower "
    "min_group_size, or set the bound that needs the missing rate to None to report it "
    "without gating"
)
_SHARE: Final = [Interval(float, 0, 1), None]


@validate_params(
    {
        "intersectional": [Boolean()],
        "pos_label": [InstanceOf(str, bool, numbers.Real, label="a label (str or number)"), None],
        "metrics": [MappingOf(Text(), [IsCallable()]), None],
        "min_demographic_parity_ratio": _SHARE,
        "max_demographic_parity_difference": _SHARE,
        "max_equalized_odds_difference": _SHARE,
        "min_equalized_odds_ratio": _SHARE,
        "max_equal_opportunity_difference": _SHARE,
        "max_gap": [MappingOf(Options(*RATES), [Interval(float, 0, 1)]), None],
        "min_group_size": [POSITIVE_INT],
        "confidence": [CONFIDENCE],
        "gate_on": [Options("point", "interval")],
        "proxy_threshold": [Interval(float, 0.5, 1)],
    }
)
def check_fairness(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    control_features: Any = None,
    intersectional: bool = False,
    pos_label: Any = None,
    metrics: Mapping[str, Callable[..., float]] | None = None,
    min_demographic_parity_ratio: float | None = 0.8,
    max_demographic_parity_difference: float | None = None,
    max_equalized_odds_difference: float | None = 0.1,
    min_equalized_odds_ratio: float | None = None,
    max_equal_opportunity_difference: float | None = None,
    max_gap: Mapping[str, float] | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    confidence: float = 0.95,
    gate_on: str = "point",
    features: Any = None,
    proxy_threshold: float = DEFAULT_PROXY_THRESHOLD,
) -> CheckResult:
    """Hold a binary classifier's group disparities to bounds.

    Parameters
    ----------
    y_true, y_pred : array-like
        Binary labels and predictions (0/1, or any two values with ``pos_label``).
    sensitive_features : array-like, Series, DataFrame or dict
        One or more sensitive features; each is judged on its own.
    control_features : optional
        Strata (fairlearn's ``control_features``): disparities are computed within each
        stratum and the worst stratum is reported.
    intersectional : bool, default False
        Also judge every combination of the sensitive features (``"sex & age"``).
    pos_label : str or number, optional
        The positive class; required unless the labels are 0/1. It must be one of the
        labels (``1`` does not match the text ``"1"``).
    metrics : dict, optional
        Extra scikit-learn style metrics ``fn(y_true, y_pred)`` reported per group.
    min_demographic_parity_ratio : float or None, default 0.8
        Lowest selection rate over highest (the four-fifths rule).
    max_equalized_odds_difference : float or None, default 0.1
        Largest gap in true or false positive rate between groups.
    max_demographic_parity_difference, min_equalized_odds_ratio,
    max_equal_opportunity_difference : float or None, default None
        Further bounds; ``None`` reports the disparity without gating it.
    max_gap : dict, optional
        ``{rate: bound}`` on the largest between-group gap of a rate (``selection_rate``,
        ``tpr``, ``fpr``, ``accuracy``, ``precision``, ``recall``).
    min_group_size : int, default 30
        Groups with fewer rows (within a stratum, with ``control_features``) are reported
        but neither pass nor fail the gate.
    confidence : float, default 0.95
        Coverage of the analytic intervals (Wilson, Newcombe, MOVER-R).
    gate_on : {"point", "interval"}, default "point"
        With ``"interval"`` a bound holds only if the whole interval is within it.
    features : DataFrame, optional
        The model's inputs: features that predict a sensitive attribute are reported
        (see :func:`check_proxies`; in the ``mlops`` fixture as their own check of
        severity ``warn``, here in ``details["proxies"]``). They never change this verdict.
    proxy_threshold : float, default 0.8
        ``check_proxies``' threshold.

    Returns
    -------
    CheckResult
        ``fail`` naming each disparity out of bounds; ``error`` when a gated disparity
        cannot be computed, saying why.

    Examples
    --------
    >>> groups = ["a", "a", "b", "b"] * 20
    >>> check_fairness([0, 1] * 40, [0, 1] * 40, sensitive_features=groups).status
    'pass'
    """
    yt, yp = binary_labels(y_true, y_pred, pos_label)
    n = len(yt)
    sensitive = group_frame("sensitive_features", sensitive_features, n)
    control = (
        None if control_features is None else group_frame("control_features", control_features, n)
    )
    bounds = _bounds(
        min_demographic_parity_ratio,
        max_demographic_parity_difference,
        max_equalized_odds_difference,
        min_equalized_odds_ratio,
        max_equal_opportunity_difference,
        max_gap or {},
    )
    reports = _judge_all(
        _features(sensitive, intersectional),
        (yt, yp),
        control,
        metrics or {},
        (*DISPARITIES, *(gap(rate) for rate in (max_gap or {}))),
        bounds,
        (min_group_size, cast(GateOn, gate_on), confidence),
    )
    details: dict[str, Any] = {
        "n": n,
        "overall": _overall(yt, yp),
        "min_group_size": min_group_size,
        "gate_on": gate_on,
        "confidence": confidence,
        "interval_method": INTERVAL_METHOD,
        "features": reports,
    }
    if features is not None:
        details["proxies"] = check_proxies(
            features, sensitive_features, threshold=proxy_threshold
        ).to_dict()
    return _conclude(reports, bounds, n, details)


def _bounds(
    min_dp_ratio: float | None,
    max_dp_difference: float | None,
    max_eo_difference: float | None,
    min_eo_ratio: float | None,
    max_eop_difference: float | None,
    max_gap: Mapping[str, float],
) -> dict[str, Bound]:
    """The bounds that are set, by disparity name."""
    declared: list[tuple[str, str, float | None]] = [
        ("demographic_parity_ratio", "min", min_dp_ratio),
        ("demographic_parity_difference", "max", max_dp_difference),
        ("equalized_odds_difference", "max", max_eo_difference),
        ("equalized_odds_ratio", "min", min_eo_ratio),
        ("equal_opportunity_difference", "max", max_eop_difference),
        *((gap(rate).name, "max", limit) for rate, limit in max_gap.items()),
    ]
    return {
        name: Bound.at_least(name, limit) if kind == "min" else Bound.at_most(name, limit)
        for name, kind, limit in declared
        if limit is not None
    }


def _judge_all(
    features: Mapping[str, pd.Series],
    labels: tuple[np.ndarray, np.ndarray],
    control: pd.DataFrame | None,
    metrics: Mapping[str, Callable[..., float]],
    disparities: Sequence[Disparity],
    bounds: Mapping[str, Bound],
    settings: tuple[int, GateOn, float],
) -> list[FeatureReport]:
    """Each feature's report: its disparities within every stratum, judged."""
    yt, yp = labels
    strata_codes, strata_names = _strata(control, len(yt))
    return [
        judge_feature(
            feature,
            groups,
            yt,
            yp,
            (strata_codes, strata_names, control is not None),
            metrics,
            disparities,
            bounds,
            *settings,
        )
        for feature, groups in features.items()
    ]


def _features(sensitive: pd.DataFrame, intersectional: bool) -> dict[str, pd.Series]:
    """Each sensitive feature, and their intersection when asked for."""
    features: dict[str, pd.Series] = {c: sensitive[c] for c in sensitive.columns}
    if intersectional and sensitive.shape[1] > 1:
        combined = sensitive.apply(lambda row: INTERSECTION_SEPARATOR.join(row), axis=1)
        features[INTERSECTION_SEPARATOR.join(sensitive.columns)] = combined
    return features


def _strata(control: pd.DataFrame | None, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each row's stratum (an index into the sorted stratum names)."""
    import numpy as np

    if control is None:
        return np.zeros(n, dtype=int), ("all",)
    joined = control.apply(lambda row: INTERSECTION_SEPARATOR.join(row), axis=1).to_numpy(str)
    names, codes = np.unique(joined, return_inverse=True)
    return codes, tuple(str(s) for s in names)


def _overall(yt: np.ndarray, yp: np.ndarray) -> dict[str, float | None]:
    import numpy as np

    cells = np.bincount(yt * 2 + yp, minlength=4)
    return {rate: rate_value(cells, rate) for rate in RATES}


def _conclude(
    reports: Sequence[FeatureReport],
    bounds: Mapping[str, Bound],
    n: int,
    details: Mapping[str, Any],
) -> CheckResult:
    """The verdict: fail on a disparity out of bounds, error when one cannot be judged."""
    failures = [text for report in reports for text in report.failures]
    problems = [text for report in reports for text in report.problems]
    common: dict[str, Any] = {
        "name": "fairness",
        "category": "fairness",
        "metrics": {
            f"{report.feature}.{row.disparity}": row.value
            for report in reports
            for row in report.disparities
        },
        "thresholds": {name: bound.to_dict() for name, bound in bounds.items()},
        "details": details,
    }
    if problems and not failures:
        return cannot_decide(
            why=f"{'; '.join(problems)} (n={n}); {NEXT_STEP_UNDECIDED}",
            reason="insufficient_data",
            **common,
        )
    judged = ", ".join(report.feature for report in reports)
    passed = (
        f"every disparity bound holds for {judged} (n={n})"
        if bounds
        else f"no disparity bound is set; disparities of {judged} are reported only (n={n})"
    )
    return conclude(
        failures=[*failures, *(f"and cannot decide: {text}" for text in problems)],
        passed=passed,
        next_step=NEXT_STEP_FAILED,
        n=n,
        reason="disparity_detected",
        **common,
    )


def _proxies_first(mlops: MlopsBase, arguments: dict[str, Any]) -> dict[str, Any]:
    """In the fixture, ``features=`` runs :func:`check_proxies` first as its own check
    (severity ``warn``), so the report shows it beside the fairness verdict."""
    from pytest_mlops.core import registry

    features = arguments.get("features")
    spec = registry.get("check_proxies")
    if features is not None and spec is not None:
        mlops._run_spec(
            spec,
            (features, arguments["sensitive_features"]),
            {"threshold": arguments["proxy_threshold"]},
            "warn",
        )
    return {**arguments, "features": None}


register(
    CheckSpec(
        name="fairness",
        category="fairness",
        function=check_fairness,
        data=("y_true", "y_pred", "sensitive_features"),
        prepare=_proxies_first,
        view="fairness_fairness.html.j2",
        figure="pytest_mlops.report.figures.fairness:figures",
        scorecard=("Model 7",),
    )
)
register(
    CheckSpec(
        name="proxy_features",
        category="fairness",
        function=check_proxies,
        data=("features",),
        severity=lambda result: "warn",
        view="fairness_proxy_features.html.j2",
    )
)
