"""Metrics per data slice (Model 6 of the ML Test Score: quality on important slices)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.core.verdict import GateOn, conclude, describe_value, skipped
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from pytest_mlops.checks._evaluation import Evaluation
    from pytest_mlops.core.verdict import Bound
    from pytest_mlops.results import CheckResult

Arrays = tuple["np.ndarray", "np.ndarray | None", "np.ndarray | None", "np.ndarray | None"]


def _slice_frame(slices: Any, n: int) -> pd.DataFrame:
    import pandas as pd

    if isinstance(slices, pd.Series):
        slices = slices.to_frame(name=str(slices.name) if slices.name is not None else "slice")
    if not isinstance(slices, pd.DataFrame):
        raise MlopsTypeError(
            f"slices must be a pandas DataFrame (one column per slicing attribute); "
            f"got {type(slices).__name__}"
        )
    if len(slices) != n:
        raise MlopsInputError(f"slices has {len(slices)} rows; y_true has {n}")
    if slices.shape[1] == 0:
        raise MlopsInputError("slices has no columns")
    frame = slices.reset_index(drop=True).copy()
    frame.columns = [str(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        raise MlopsInputError(f"slices has duplicate column names: {list(frame.columns)!r}")
    for column in frame.columns:
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), "(missing)").astype(str)
    return frame


def _masks(frame: pd.DataFrame, combinations: bool) -> Iterator[tuple[str, np.ndarray]]:
    """Every slice's label and row mask: each column's values, then their combinations."""
    groupings: list[tuple[str, ...]] = [(c,) for c in frame.columns]
    if combinations and frame.shape[1] > 1:
        for size in range(2, frame.shape[1] + 1):
            groupings.extend(itertools.combinations(frame.columns, size))
    for columns in groupings:
        keys = (
            frame[list(columns)].agg(" & ".join, axis=1) if len(columns) > 1 else frame[columns[0]]
        )
        for value in sorted(keys.unique()):
            yield f"{' & '.join(columns)} = {value}", (keys == value).to_numpy()


def _weakest(
    rows: list[dict[str, Any]], key_metric: str | None, evaluation: Evaluation
) -> list[dict[str, Any]]:
    """The five slices with the worst value of ``key_metric``."""
    if key_metric is None:
        return []
    ranked = [r for r in rows if r["metric"] == key_metric and r["value"] is not None]
    higher = evaluation.resolved[key_metric].greater_is_better
    ranked.sort(key=lambda r: r["value"] if higher else -r["value"])
    return [
        {
            "slice": r["slice"],
            "n": r["n"],
            "metric": key_metric,
            "value": r["value"],
            "text": describe_value(
                key_metric,
                r["value"],
                (r["ci_low"], r["ci_high"]) if r["ci_low"] is not None else None,
                evaluation.confidence,
            ),
        }
        for r in ranked[:5]
    ]


def slice_metrics(
    evaluation: Evaluation,
    names: Sequence[str],
    bounds: Mapping[str, Bound],
    arrays: Arrays,
    slices: Any,
    *,
    min_slice_size: int,
    combinations: bool,
    gate_on: GateOn,
) -> CheckResult:
    """Every metric per slice, thresholds per slice, the weakest slices, small slices noted."""
    from pytest_mlops.checks._evaluation import Rows, judge_rows

    truth, pred, score, weight = arrays
    frame = _slice_frame(slices, len(truth))
    rows: list[dict[str, Any]] = []
    too_small: list[dict[str, Any]] = []
    failed: list[str] = []
    for label, mask in _masks(frame, combinations):
        size = int(mask.sum())
        if size < min_slice_size:
            too_small.append({"slice": label, "n": size})
            continue
        values, intervals, errors = evaluation.run(
            names,
            Rows(
                truth[mask],
                None if pred is None else pred[mask],
                None if score is None else score[mask],
                None if weight is None else weight[mask],
            ),
        )
        judged_rows, judged = judge_rows(names, evaluation, bounds, values, intervals, gate_on)
        for row in judged_rows:
            row.update(slice=label, n=size, error=errors.get(row["metric"]))
            rows.append(row)
        failed.extend(f"[{label}] {j.failure}" for j in judged if not j.passed)
        failed.extend(
            f"[{label}] {metric} could not be computed: {why}"
            for metric, why in errors.items()
            if metric in bounds
        )
    weakest = _weakest(rows, next(iter(bounds), names[0] if names else None), evaluation)
    judged_slices = len({r["slice"] for r in rows})
    common: dict[str, Any] = {
        "name": "slice_metrics",
        "category": "model",
        "metrics": {f"{r['slice']}: {r['metric']}": r["value"] for r in rows},
        "thresholds": {k: b.to_dict() for k, b in bounds.items()},
        "details": {
            "n": len(truth),
            "confidence": evaluation.confidence,
            "gate_on": gate_on,
            "min_slice_size": min_slice_size,
            "rows": rows,
            "weakest": weakest,
            "too_small": too_small,
        },
    }
    note = (
        f"; {len(too_small)} slice(s) below {min_slice_size} rows not judged" if too_small else ""
    )
    if not failed and not judged_slices:
        why = f"no slice has {min_slice_size} rows, so none can be judged{note}"
        return skipped(why=why, **common)
    weakest_text = f"; weakest: {weakest[0]['slice']} ({weakest[0]['text']})" if weakest else ""
    shown = [*failed[:5], *([f"and {len(failed) - 5} more"] if len(failed) > 5 else [])]
    return conclude(
        failures=[f"{len(failed)} slice threshold(s) missed: {'; '.join(shown)}{note}"]
        if failed
        else [],
        passed=f"{judged_slices} slices meet every threshold{weakest_text}{note}",
        next_step="look at the weakest slices in the report; collect data or fix the model there",
        **common,
    )
