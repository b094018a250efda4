"""Fairness gates on fairlearn: group metrics, disparities, intersections, intervals.

Per-group metrics come from fairlearn's ``MetricFrame``. Disparities are computed
between the groups that can be judged: a group smaller than ``min_group_size`` is
reported as too small and left out, and a rate that is undefined for a group (a group
with no actual positives has no true positive rate) is reported as undefined and left out
of that disparity, where fairlearn would count it as 0.

Defaults and where they come from:

- ``min_demographic_parity_ratio=0.8``: the four-fifths rule (US EEOC Uniform Guidelines,
  29 CFR 1607.4(D)); Aequitas' default band is 0.8-1.25 of the reference group. fairlearn
  ships no default and warns that the rule is a legal heuristic of US employment law, so
  the value is a starting point to revisit for your domain, not a verdict.
- ``max_equalized_odds_difference=0.1``: a common convention (no library ships it).
- ``min_group_size=30``: below it a rate's 95% interval is wider than about ±0.18.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks._inputs import check_mapping, choice, same_length, to_1d
from pytest_mlops.errors import MlopsInputError, MlopsTypeError
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

RATES: Final = ("selection_rate", "tpr", "fpr", "accuracy", "precision", "recall")
#: Which cell of the confusion matrix a rate needs to be defined (its denominator).
_DENOMINATOR: Final = {
    "selection_rate": "n",
    "tpr": "positives",
    "recall": "positives",
    "fpr": "negatives",
    "accuracy": "n",
    "precision": "predicted_positives",
}
DEFAULT_MIN_GROUP_SIZE: Final = 30
INTERSECTION_SEPARATOR: Final = " & "


@dataclasses.dataclass(frozen=True)
class _Gate:
    name: str
    kind: str  # "min" or "max"
    bound: float


#: The error for a ``pos_label`` that names none of the labels (it would make every
#: rate 0 and every disparity 0: a maximally unfair model would pass).
MSG_POS_LABEL_UNSEEN: Final = (
    "pos_label {pos_label!r} ({kind}) matches none of the labels in y_true/y_pred, which "
    "are {labels}; every rate would be 0 and every disparity 0, so the check would pass "
    "whatever the model does. {fix}"
)


def _pos_label_fix(pos_label: Any, labels: Sequence[Any]) -> str:
    """The next step for an unseen ``pos_label``: usually text labels read from a CSV."""
    as_text = [label for label in labels if str(label) == str(pos_label)]
    if as_text:
        return (
            f"The labels look like the same value as {type(as_text[0]).__name__}: pass "
            f"pos_label={as_text[0]!r}, or convert the labels (e.g. .astype(int)) so their "
            "type matches"
        )
    return "Pass pos_label= as one of the labels listed"


def _positive_class(truth: np.ndarray, pred: np.ndarray, pos_label: Any) -> Any:
    """The positive label, checked against the labels seen in ``y_true`` and ``y_pred``."""
    import numpy as np

    seen = [
        v for v in np.unique(np.concatenate([truth, pred]).astype(object)).tolist() if v is not None
    ]
    if pos_label is None:
        return None
    if not any(bool(v == pos_label) for v in seen):  # 1 == 1.0 == True, 1 != '1'
        raise MlopsInputError(
            MSG_POS_LABEL_UNSEEN.format(
                pos_label=pos_label,
                kind=type(pos_label).__name__,
                labels=", ".join(repr(v) for v in seen[:10]),
                fix=_pos_label_fix(pos_label, seen),
            )
        )
    return pos_label


def _binary(name: str, values: np.ndarray, pos_label: Any) -> np.ndarray:
    """0/1 integers from labels or predictions; ``pos_label`` names the positive class."""
    import numpy as np

    present = [v for v in np.unique(values.astype(object)).tolist() if v is not None]
    if pos_label is not None:
        if len(present) > 2:
            raise MlopsInputError(
                f"{name} must be binary for fairness rates; it has {len(present)} values: "
                f"{present[:10]!r}"
            )
        return np.asarray(values.astype(object) == pos_label, dtype=int)
    if not set(present) <= {0, 1}:
        if len(present) > 2:
            raise MlopsInputError(
                f"{name} must be binary (0/1) for fairness rates; it has {len(present)} values: "
                f"{present[:10]!r}. Threshold scores into classes, or pass pos_label= to "
                "compare one class against the rest"
            )
        raise MlopsInputError(
            f"{name} has labels {present!r}, not 0/1: pass pos_label= to say which is positive"
        )
    return values.astype(int)


def _sensitive_frame(name: str, values: Any, n: int) -> pd.DataFrame:
    """Sensitive or control features as a DataFrame of strings, one column per feature."""
    import pandas as pd

    if isinstance(values, pd.DataFrame):
        frame = values.copy()
    elif isinstance(values, pd.Series):
        frame = values.to_frame(name=str(values.name) if values.name is not None else name)
    elif isinstance(values, Mapping):
        frame = pd.DataFrame({str(k): list(v) for k, v in values.items()})
    else:
        array = to_1d(name, values)
        frame = pd.DataFrame({name: array})
    if frame.shape[1] == 0:
        raise MlopsInputError(f"{name} has no columns")
    if len(frame) != n:
        raise MlopsInputError(
            f"inputs must have the same length; y_true has {n}, {name} has {len(frame)}"
        )
    if frame.columns.duplicated().any():
        raise MlopsInputError(f"{name} has duplicate column names: {list(frame.columns)!r}")
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        missing = int(frame[column].isna().sum())
        if missing:
            raise MlopsInputError(
                f"{name} column {column!r} has {missing} missing value(s); fill them with an "
                "explicit group such as 'unknown' so they are judged rather than dropped"
            )
        frame[column] = frame[column].astype(str)
    return frame.reset_index(drop=True)


def _cells(yt: np.ndarray, yp: np.ndarray) -> np.ndarray:
    """Counts of (tn, fp, fn, tp)."""
    import numpy as np

    return np.bincount(yt * 2 + yp, minlength=4)


def _rates(cells: np.ndarray) -> dict[str, np.ndarray]:
    """Rates from cell counts ``(..., 4)``; ``nan`` where the denominator is 0."""
    import numpy as np

    tn, fp, fn, tp = (cells[..., i].astype(float) for i in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        n = tn + fp + fn + tp
        pos, neg, pred = tp + fn, tn + fp, tp + fp
        return {
            "selection_rate": np.where(n > 0, pred / n, np.nan),
            "tpr": np.where(pos > 0, tp / pos, np.nan),
            "recall": np.where(pos > 0, tp / pos, np.nan),
            "fpr": np.where(neg > 0, fp / neg, np.nan),
            "accuracy": np.where(n > 0, (tp + tn) / n, np.nan),
            "precision": np.where(pred > 0, tp / pred, np.nan),
        }


def _spread(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max-minus-min and min-over-max across the last axis, ignoring nan."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"), _quiet():
        high, low = np.nanmax(values, axis=-1), np.nanmin(values, axis=-1)
        ratio = np.where(high > 0, low / high, np.where(high == 0, 1.0, np.nan))
    return high - low, ratio


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence NumPy's all-nan RuntimeWarnings inside a block (they are handled as nan)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _disparities(rates: Mapping[str, np.ndarray], gap_metrics: Sequence[str]) -> dict[str, Any]:
    """Every disparity from per-group rates ``(..., groups)``."""
    import numpy as np

    dp_diff, dp_ratio = _spread(rates["selection_rate"])
    tpr_diff, tpr_ratio = _spread(rates["tpr"])
    fpr_diff, fpr_ratio = _spread(rates["fpr"])
    out = {
        "demographic_parity_difference": dp_diff,
        "demographic_parity_ratio": dp_ratio,
        "equalized_odds_difference": np.fmax(tpr_diff, fpr_diff),
        "equalized_odds_ratio": np.fmin(tpr_ratio, fpr_ratio),
        "equal_opportunity_difference": tpr_diff,
    }
    for metric in gap_metrics:
        out[f"max_gap[{metric}]"] = _spread(rates[metric])[0]
    return out


#: Which rates each disparity reads (to report which groups it had to leave out).
_READS: Final = {
    "demographic_parity_difference": ("selection_rate",),
    "demographic_parity_ratio": ("selection_rate",),
    "equalized_odds_difference": ("tpr", "fpr"),
    "equalized_odds_ratio": ("tpr", "fpr"),
    "equal_opportunity_difference": ("tpr",),
}


def _group_table(
    yt: np.ndarray,
    yp: np.ndarray,
    labels: pd.Series,
    extra: Mapping[str, Callable[..., float]],
) -> pd.DataFrame:
    """Per-group metrics from fairlearn's MetricFrame, plus the confusion-matrix cells."""
    import numpy as np
    from fairlearn.metrics import MetricFrame, count, false_positive_rate, selection_rate
    from sklearn.metrics import accuracy_score

    def cell(i: int) -> Callable[[Any, Any], float]:
        return lambda t, p: float(np.sum(np.asarray(t) * 2 + np.asarray(p) == i))

    metrics: dict[str, Callable[..., float]] = {
        "count": count,
        "selection_rate": selection_rate,
        "accuracy": accuracy_score,
        "fpr": false_positive_rate,
        "_tn": cell(0),
        "_fp": cell(1),
        "_fn": cell(2),
        "_tp": cell(3),
        **extra,
    }
    frame = MetricFrame(metrics=metrics, y_true=yt, y_pred=yp, sensitive_features=labels)
    table = frame.by_group.copy()
    cells = table[["_tn", "_fp", "_fn", "_tp"]].to_numpy(dtype=int)
    for name, values in _rates(cells).items():
        table[name] = values  # undefined rates are nan here, never 0
    table["positives"] = cells[:, 2] + cells[:, 3]
    table["negatives"] = cells[:, 0] + cells[:, 1]
    table["predicted_positives"] = cells[:, 1] + cells[:, 3]
    return table


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
    n_resamples: int = 1000,
    confidence: float = 0.95,
    gate_on: str = "point",
    random_state: int = 0,
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
        ``{metric: bound}`` on the largest between-group gap of a rate (``selection_rate``,
        ``tpr``, ``fpr``, ``accuracy``, ``precision``, ``recall``).
    min_group_size : int, default 30
        Groups with fewer rows are reported but neither pass nor fail the gate.
    n_resamples : int, default 1000
        Bootstrap resamples for the intervals (rows resampled within each group); 0 turns
        intervals off.
    confidence : float, default 0.95
        Interval coverage.
    gate_on : {"point", "interval"}, default "point"
        With ``"interval"`` a bound holds only if the whole interval is within it.
    random_state : int, default 0
        Seed of the bootstrap.
    """
    import numpy as np
    import pandas as pd

    choice("gate_on", gate_on, ("point", "interval"))
    if (
        isinstance(min_group_size, bool)
        or not isinstance(min_group_size, int)
        or min_group_size < 1
    ):
        raise MlopsInputError(
            f"min_group_size must be a positive whole number; got {min_group_size!r}"
        )
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 0:
        raise MlopsInputError(f"n_resamples must be a whole number >= 0; got {n_resamples!r}")
    if not 0 < confidence < 1:
        raise MlopsInputError(f"confidence must be between 0 and 1; got {confidence!r}")
    extra = dict(check_mapping("metrics", metrics or {}))
    for name, fn in extra.items():
        if not callable(fn):
            raise MlopsTypeError(f"metrics[{name!r}] must be a callable fn(y_true, y_pred)")
    gaps = dict(check_mapping("max_gap", max_gap or {}))
    for metric in gaps:
        choice(f"max_gap key {metric!r}", metric, RATES)

    truth = to_1d("y_true", y_true)
    pred = to_1d("y_pred", y_pred)
    assert truth is not None and pred is not None
    n = same_length(y_true=truth, y_pred=pred)
    if n == 0:
        raise MlopsInputError("y_true is empty: there is nothing to judge")
    for arg, values in (("y_true", truth), ("y_pred", pred)):
        if pd.isna(pd.Series(values)).any():
            raise MlopsInputError(f"{arg} has missing values; drop those rows first")
    pos_label = _positive_class(truth, pred, pos_label)
    yt, yp = _binary("y_true", truth, pos_label), _binary("y_pred", pred, pos_label)
    sensitive = _sensitive_frame("sensitive_features", sensitive_features, n)
    control = (
        _sensitive_frame("control_features", control_features, n)
        if control_features is not None
        else None
    )

    gates = [
        _Gate(name, kind, float(bound))
        for name, kind, bound in (
            ("demographic_parity_ratio", "min", min_demographic_parity_ratio),
            ("demographic_parity_difference", "max", max_demographic_parity_difference),
            ("equalized_odds_difference", "max", max_equalized_odds_difference),
            ("equalized_odds_ratio", "min", min_equalized_odds_ratio),
            ("equal_opportunity_difference", "max", max_equal_opportunity_difference),
            *((f"max_gap[{m}]", "max", b) for m, b in gaps.items()),
        )
        if bound is not None
    ]

    features: dict[str, pd.Series] = {c: sensitive[c] for c in sensitive.columns}
    if intersectional and sensitive.shape[1] > 1:
        combined = sensitive.apply(lambda row: INTERSECTION_SEPARATOR.join(row), axis=1)
        features[INTERSECTION_SEPARATOR.join(sensitive.columns)] = combined
    for feature, labels in features.items():
        if labels.nunique() < 2:
            raise MlopsInputError(
                f"sensitive feature {feature!r} has a single group ({labels.iloc[0]!r}); "
                "fairness compares at least two groups"
            )

    rng = np.random.default_rng(random_state)
    overall = {k: float(v) for k, v in _rates(_cells(yt, yp)).items()}
    reports = []
    metric_values: dict[str, Any] = {}
    failures: list[str] = []
    judged_any = False
    strata = (
        control.apply(lambda row: INTERSECTION_SEPARATOR.join(row), axis=1)
        if control is not None
        else pd.Series(["all"] * n)
    )
    for feature, labels in features.items():
        report = _judge_feature(
            feature,
            yt,
            yp,
            labels,
            strata,
            control is not None,
            extra,
            gates,
            gaps,
            min_group_size,
            n_resamples,
            confidence,
            gate_on,
            rng,
        )
        reports.append(report)
        judged_any = judged_any or report["judged"]
        for row in report["disparities"]:
            metric_values[f"{feature}.{row['disparity']}"] = row["value"]
            if row["passed"] is False:
                failures.append(f"{feature}: {row['text']}")

    thresholds = {g.name: {g.kind: g.bound} for g in gates}
    details: dict[str, Any] = {
        "n": n,
        "overall": overall,
        "min_group_size": min_group_size,
        "gate_on": gate_on,
        "confidence": confidence,
        "n_resamples": n_resamples,
        "features": reports,
    }
    common: dict[str, Any] = {
        "name": "fairness",
        "category": "fairness",
        "metrics": metric_values,
        "thresholds": thresholds,
        "details": details,
    }
    if failures:
        return CheckResult(
            status="fail",
            reason="disparity_detected",
            message=(
                f"{'; '.join(failures)}. Look at the per-group table in the report, check the "
                "training data of the disadvantaged group, or, if the bound is wrong for your "
                "domain, change it in the test"
            ),
            **common,
        )
    if not judged_any:
        return CheckResult(
            status="skipped",
            reason="insufficient_data",
            message=(
                f"no sensitive feature has two groups of at least {min_group_size} rows, so "
                "fairness cannot be judged; collect more data or lower min_group_size"
            ),
            **common,
        )
    judged = ", ".join(r["feature"] for r in reports if r["judged"])
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"every disparity bound holds for {judged} (n={n})",
        **common,
    )


def _judge_feature(
    feature: str,
    yt: np.ndarray,
    yp: np.ndarray,
    labels: pd.Series,
    strata: pd.Series,
    controlled: bool,
    extra: Mapping[str, Callable[..., float]],
    gates: Sequence[_Gate],
    gaps: Mapping[str, float],
    min_group_size: int,
    n_resamples: int,
    confidence: float,
    gate_on: str,
    rng: np.random.Generator,
) -> dict[str, Any]:
    import numpy as np

    table = _group_table(yt, yp, labels, extra)
    groups = [str(g) for g in table.index]
    sizes = table["count"].to_numpy(dtype=int)
    large = sizes >= min_group_size
    small = [g for g, ok in zip(groups, large, strict=True) if not ok]
    group_rows = []
    for i, group in enumerate(groups):
        row: dict[str, Any] = {"group": group, "count": int(sizes[i]), "judged": bool(large[i])}
        for rate in RATES:
            value = table[rate].iloc[i]
            row[rate] = None if np.isnan(value) else float(value)
        for name in extra:
            row[name] = float(table[name].iloc[i])
        group_rows.append(row)

    # Disparities within each stratum (one stratum without control features); the worst counts.
    worst: dict[str, float] = {}
    worst_stratum: dict[str, str] = {}
    boot: dict[str, np.ndarray] = {}
    excluded: dict[str, set[str]] = {}
    gap_metrics = list(gaps)
    for stratum in sorted(strata.unique()):
        in_stratum = (strata == stratum).to_numpy()
        stratum_labels = labels[in_stratum]
        judged_groups = [
            g for g, ok in zip(groups, large, strict=True) if ok and (stratum_labels == g).sum() > 0
        ]
        if len(judged_groups) < 2:
            continue
        cells = np.stack(
            [
                _cells(
                    yt[in_stratum][(stratum_labels == g).to_numpy()],
                    yp[in_stratum][(stratum_labels == g).to_numpy()],
                )
                for g in judged_groups
            ]
        )
        rates = _rates(cells)
        for disparity, reads in {**_READS, **{f"max_gap[{m}]": (m,) for m in gap_metrics}}.items():
            for rate in reads:
                for g, v in zip(judged_groups, rates[rate], strict=True):
                    if np.isnan(v):
                        excluded.setdefault(disparity, set()).add(g)
        point = _disparities(rates, gap_metrics)
        resampled = (
            _disparities(_rates(_resample(cells, n_resamples, rng)), gap_metrics)
            if n_resamples
            else {}
        )
        for disparity, value in point.items():
            value = float(value)
            if math.isnan(value):
                continue
            worse = disparity not in worst or (
                value < worst[disparity]
                if disparity.endswith("ratio")
                else value > worst[disparity]
            )
            if worse:
                worst[disparity] = value
                worst_stratum[disparity] = stratum
                if n_resamples:
                    boot[disparity] = resampled[disparity]

    alpha = 1 - confidence
    rows = []
    for disparity in [*_READS, *(f"max_gap[{m}]" for m in gap_metrics)]:
        value = worst.get(disparity)
        low = high = None
        if disparity in boot:
            finite = boot[disparity][~np.isnan(boot[disparity])]
            if finite.size:
                low = float(np.quantile(finite, alpha / 2))
                high = float(np.quantile(finite, 1 - alpha / 2))
        gate = next((g for g in gates if g.name == disparity), None)
        passed = None
        text = ""
        if gate is not None and value is not None:
            judged_value = value
            if gate_on == "interval" and low is not None and high is not None:
                judged_value = low if gate.kind == "min" else high
            passed = (
                judged_value >= gate.bound if gate.kind == "min" else judged_value <= gate.bound
            )
            interval = f" ({confidence:.0%} CI {low:.3g}-{high:.3g})" if low is not None else ""
            sign = ">=" if gate.kind == "min" else "<="
            text = f"{disparity} = {value:.3g}{interval}, must be {sign} {gate.bound:g}"
            if controlled:
                text += f" (worst stratum {worst_stratum[disparity]!r})"
        notes = []
        if disparity in excluded:
            notes.append(f"left out where undefined: {', '.join(sorted(excluded[disparity]))}")
        rows.append(
            {
                "disparity": disparity,
                "value": value,
                "ci_low": low,
                "ci_high": high,
                **({gate.kind: gate.bound} if gate else {}),
                "passed": passed,
                "note": "; ".join(notes),
                "text": text,
                **({"stratum": worst_stratum.get(disparity)} if controlled else {}),
            }
        )
    return {
        "feature": feature,
        "judged": bool(worst),
        "groups": group_rows,
        "too_small": small,
        "disparities": rows,
        "group_intervals": _group_intervals(table, large, n_resamples, confidence, rng),
    }


def _resample(cells: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap rows within each group: a multinomial draw of its four cell counts.

    Resampling ``n_g`` rows with replacement from a group is exactly a multinomial draw of
    ``n_g`` over its confusion-matrix cells, so no row-level index matrix is needed.
    """
    import numpy as np

    totals = cells.sum(axis=1)
    probabilities = cells / np.maximum(totals, 1)[:, None]
    draws = np.stack(
        [
            rng.multinomial(int(t), p, size=n_resamples)
            for t, p in zip(totals, probabilities, strict=True)
        ],
        axis=1,
    )  # (resamples, groups, 4)
    return draws


def _group_intervals(
    table: pd.DataFrame,
    large: np.ndarray,
    n_resamples: int,
    confidence: float,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """Per-group intervals of selection rate and true positive rate, for the figures."""
    import numpy as np

    if not n_resamples:
        return []
    cells = table[["_tn", "_fp", "_fn", "_tp"]].to_numpy(dtype=int)
    rates = _rates(_resample(cells, n_resamples, rng))
    alpha = 1 - confidence
    out = []
    with _quiet():
        for i, group in enumerate(table.index):
            row: dict[str, Any] = {"group": str(group), "judged": bool(large[i])}
            for rate in ("selection_rate", "tpr"):
                values = rates[rate][:, i]
                finite = values[~np.isnan(values)]
                row[rate] = (
                    [
                        float(np.quantile(finite, alpha / 2)),
                        float(np.quantile(finite, 1 - alpha / 2)),
                    ]
                    if finite.size
                    else None
                )
            out.append(row)
    return out


def check_proxies(
    features: Any,
    sensitive_features: Any,
    *,
    threshold: float = 0.8,
) -> CheckResult:
    """Flag features that predict a sensitive attribute (possible proxies for it).

    For every feature and every sensitive feature, the score is the ROC AUC of the feature
    as a predictor of each group against the rest (one-vs-rest; categorical features are
    scored by the group's share within their category), folded so that 0.5 means no
    information and 1.0 a perfect proxy; the best group counts. A model can discriminate
    through a proxy without ever seeing the sensitive attribute. Features with a score at
    or above ``threshold`` (default 0.8, the conventional "good discrimination" level of
    ROC AUC) are listed; the check warns rather than fails, because a proxy is a reason to
    look, not proof of harm.
    """
    import numpy as np
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    if not isinstance(features, pd.DataFrame):
        raise MlopsTypeError(f"features must be a pandas DataFrame; got {type(features).__name__}")
    if not 0.5 <= threshold <= 1:
        raise MlopsInputError(f"threshold must be between 0.5 and 1; got {threshold!r}")
    sensitive = _sensitive_frame("sensitive_features", sensitive_features, len(features))
    rows: list[dict[str, Any]] = []
    for attribute in sensitive.columns:
        labels = sensitive[attribute].to_numpy()
        groups = np.unique(labels)
        if len(groups) < 2:
            continue
        for column in features.columns:
            values = features[column]
            if column == attribute:
                continue
            numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
                values
            )
            score_source: pd.Series[Any] = values.astype(float) if numeric else values.astype(str)
            known = ~score_source.isna().to_numpy() if numeric else np.ones(len(values), bool)
            best, best_group = 0.5, None
            for group in groups if len(groups) > 2 else groups[1:]:
                target = (labels == group).astype(int)[known]
                if target.min() == target.max():
                    continue
                if numeric:
                    score = score_source.to_numpy()[known]
                else:
                    share = (
                        pd.Series(target).groupby(score_source.to_numpy()[known]).transform("mean")
                    )
                    score = share.to_numpy()
                auc = float(roc_auc_score(target, score))
                folded = max(auc, 1 - auc)
                if folded > best:
                    best, best_group = folded, group
            rows.append(
                {
                    "feature": str(column),
                    "sensitive_feature": attribute,
                    "auc": best,
                    "group": None if best_group is None else str(best_group),
                    "proxy": best >= threshold,
                }
            )
    rows.sort(key=lambda r: -float(r["auc"]))
    proxies = [r for r in rows if r["proxy"]]
    common: dict[str, Any] = {
        "name": "proxy_features",
        "category": "fairness",
        "metrics": {f"{r['feature']}->{r['sensitive_feature']}": r["auc"] for r in rows[:20]},
        "thresholds": {"auc": {"max": threshold}},
        "details": {"features": rows, "threshold": threshold},
    }
    if proxies:
        listed = ", ".join(
            f"{r['feature']} (AUC {r['auc']:.2f} for {r['sensitive_feature']})" for r in proxies[:5]
        )
        return CheckResult(
            status="fail",
            severity="warn",
            reason="disparity_detected",
            message=(
                f"{len(proxies)} feature(s) predict a sensitive attribute: {listed}; the model "
                "can discriminate through them — check per-group outcomes and whether they "
                "belong in the model"
            ),
            **common,
        )
    return CheckResult(
        status="pass",
        severity="warn",
        reason="ok",
        message=f"no feature predicts a sensitive attribute with AUC >= {threshold:g}",
        **common,
    )
