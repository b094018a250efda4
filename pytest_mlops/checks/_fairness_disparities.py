"""Judging one sensitive feature: its disparities within each stratum, and why a
disparity cannot be judged (an undefined rate of a judged group, too few groups)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from pytest_mlops.checks._fairness_intervals import Pairs, difference_interval, ratio_interval
from pytest_mlops.checks._fairness_table import (
    LACKS,
    Disparity,
    DisparityRow,
    FeatureReport,
    Strata,
    counts,
    extra_metrics,
    group_rows,
)
from pytest_mlops.core.verdict import Bound, GateOn, judge

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclasses.dataclass
class _Components:
    """The groups one disparity compares, gathered over strata and rates."""

    x: list[np.ndarray] = dataclasses.field(default_factory=list)
    n: list[np.ndarray] = dataclasses.field(default_factory=list)
    values: list[tuple[float, str]] = dataclasses.field(default_factory=list)
    left_out: dict[str, set[str]] = dataclasses.field(default_factory=dict)

    def pairs(self) -> Pairs:
        import numpy as np

        first, second, offset = [], [], 0
        for x in self.x:
            i, j = np.triu_indices(len(x), 1)
            first.append(i + offset)
            second.append(j + offset)
            offset += len(x)
        return Pairs(
            x=np.concatenate(self.x),
            n=np.concatenate(self.n),
            first=np.concatenate(first),
            second=np.concatenate(second),
        )


def _gather(disparity: Disparity, strata: Strata) -> _Components:
    """Per stratum and rate: the judged groups whose rate is defined, and the extreme."""
    import numpy as np

    found = _Components()
    for s, stratum in enumerate(strata.names):
        judged = np.flatnonzero(strata.judged[s])
        if judged.size < 2:
            continue
        for rate in disparity.rates:
            x, n = counts(strata.cells[s, judged], rate)
            defined = n > 0
            for g in judged[~defined]:
                found.left_out.setdefault(rate, set()).add(strata.groups[g])
            if defined.sum() < 2:
                continue
            p = x[defined] / n[defined]
            if disparity.kind == "difference":
                value = float(p.max() - p.min())
            else:
                value = float(p.min() / p.max()) if p.max() > 0 else 1.0
            found.x.append(x[defined])
            found.n.append(n[defined])
            found.values.append((value, stratum))
    return found


def evaluate(
    feature: str,
    disparity: Disparity,
    strata: Strata,
    bound: Bound | None,
    gate_on: GateOn,
    confidence: float,
) -> tuple[DisparityRow, list[str]]:
    """One disparity of one feature, judged against ``bound``; and the reasons it could
    not be judged (an undefined rate of a judged group, when the disparity is gated)."""
    found = _gather(disparity, strata)
    left_out = {rate: sorted(groups) for rate, groups in found.left_out.items()}
    problems = []
    if bound is not None:
        problems = [
            f"{feature}: {rate} is undefined for {', '.join(map(repr, groups))} (no "
            f"{LACKS[rate]}), so {disparity.name} cannot be judged"
            for rate, groups in left_out.items()
        ]
    note = "; ".join(
        f"left out where undefined ({rate}): {', '.join(groups)}"
        for rate, groups in left_out.items()
    )
    value: float | None = None
    stratum: str | None = None
    interval: tuple[float, float] | None = None
    if found.values:
        pick = max if disparity.kind == "difference" else min
        value, stratum = pick(found.values, key=lambda item: item[0])
        interval = (difference_interval if disparity.kind == "difference" else ratio_interval)(
            found.pairs(), confidence
        )
    elif bound is not None and not problems:
        problems.append(f"{feature}: {disparity.name} has no two judged groups to compare")
    judgement = None
    if bound is not None and not problems and value is not None:
        judgement = judge(bound, value, interval=interval, gate_on=gate_on, confidence=confidence)
    row = DisparityRow(
        disparity=disparity.name,
        value=value,
        interval=interval,
        bound=bound,
        judgement=judgement,
        note=note,
        stratum=stratum,
        controlled=strata.controlled,
    )
    return row, problems


def judge_feature(
    feature: str,
    labels: pd.Series,
    yt: np.ndarray,
    yp: np.ndarray,
    strata_of_rows: tuple[np.ndarray, tuple[str, ...], bool],
    metrics: Mapping[str, Callable[..., float]],
    disparities: Sequence[Disparity],
    bounds: Mapping[str, Bound],
    min_group_size: int,
    gate_on: GateOn,
    confidence: float,
) -> FeatureReport:
    """Every disparity of one feature, from its groups' confusion-matrix counts."""
    import numpy as np

    strata_codes, strata_names, controlled = strata_of_rows
    names, codes = np.unique(labels.to_numpy(str), return_inverse=True)
    k, s = len(names), len(strata_names)
    cells = np.bincount(codes * 4 + yt * 2 + yp, minlength=4 * k).reshape(k, 4)
    rows = group_rows(
        [str(g) for g in names],
        cells,
        cells.sum(axis=1) >= min_group_size,
        extra_metrics(metrics, yt, yp, codes, k),
        confidence,
    )
    by_stratum = np.bincount(
        (strata_codes * k + codes) * 4 + yt * 2 + yp, minlength=4 * k * s
    ).reshape(s, k, 4)
    strata = Strata(
        names=strata_names,
        groups=tuple(str(g) for g in names),
        cells=by_stratum,
        judged=by_stratum.sum(axis=-1) >= min_group_size,
        controlled=controlled,
    )
    problems = _feature_problems(feature, strata, cells, min_group_size)
    if problems:
        return FeatureReport(feature, rows, (), tuple(problems))
    judged = []
    for disparity in disparities:
        row, found = evaluate(
            feature, disparity, strata, bounds.get(disparity.name), gate_on, confidence
        )
        judged.append(row)
        problems.extend(found)
    return FeatureReport(feature, rows, tuple(judged), tuple(problems))


def _feature_problems(
    feature: str, strata: Strata, cells: np.ndarray, min_group_size: int
) -> list[str]:
    """Why no disparity of this feature can be computed (empty when some can)."""
    if len(strata.groups) < 2:
        return [
            f"sensitive feature {feature!r} has a single group ({strata.groups[0]!r}); "
            "fairness compares at least two groups: pass the column that holds the groups"
        ]
    if (strata.judged.sum(axis=1) >= 2).any():
        return []
    sizes = ", ".join(
        f"{g!r}: {int(c)}" for g, c in zip(strata.groups, cells.sum(axis=1), strict=True)
    )
    where = " within one stratum of control_features" if strata.controlled else ""
    return [
        f"sensitive feature {feature!r}: fewer than two groups have at least "
        f"{min_group_size} rows{where} ({sizes}), so no disparity can be computed"
    ]
