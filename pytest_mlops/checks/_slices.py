"""Metrics per data slice (Model 6 of the ML Test Score: quality on important slices)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops.errors import MlopsInputError, MlopsTypeError
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.checks.metrics import Bounds, _Evaluation


def _slice_frame(slices: Any, n: int) -> Any:
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
    for column in frame.columns:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "(missing)")
        frame[column] = frame[column].astype(str)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def slice_metrics(
    evaluation: _Evaluation,
    names: Sequence[str],
    bounds: Mapping[str, Bounds],
    truth: np.ndarray,
    pred: np.ndarray | None,
    score: np.ndarray | None,
    weight: np.ndarray | None,
    slices: Any,
    *,
    min_slice_size: int,
    combinations: bool,
    gate_on: str,
) -> CheckResult:
    """Every metric per slice, thresholds per slice, the weakest slices, small slices noted."""

    from pytest_mlops.checks.metrics import describe_value, judge

    if (
        isinstance(min_slice_size, bool)
        or not isinstance(min_slice_size, int)
        or min_slice_size < 1
    ):
        raise MlopsInputError(
            f"min_slice_size must be a positive whole number; got {min_slice_size!r}"
        )
    frame = _slice_frame(slices, len(truth))
    groupings: list[tuple[str, ...]] = [(c,) for c in frame.columns]
    if combinations and frame.shape[1] > 1:
        for size in range(2, frame.shape[1] + 1):
            groupings.extend(itertools.combinations(frame.columns, size))
    rows: list[dict[str, Any]] = []
    too_small: list[dict[str, Any]] = []
    failed: list[str] = []
    for columns in groupings:
        keys = (
            frame[list(columns)].agg(" & ".join, axis=1) if len(columns) > 1 else frame[columns[0]]
        )
        for value in sorted(keys.unique()):
            mask = (keys == value).to_numpy()
            label = f"{' & '.join(columns)} = {value}"
            size = int(mask.sum())
            if size < min_slice_size:
                too_small.append({"slice": label, "n": size})
                continue
            values, intervals, errors = evaluation.run(
                names,
                truth[mask],
                None if pred is None else pred[mask],
                None if score is None else score[mask],
                None if weight is None else weight[mask],
            )
            judged, slice_failed = judge(
                names,
                evaluation.resolved,
                bounds,
                values,
                intervals,
                gate_on,
                evaluation.confidence,
            )
            for row in judged:
                row.update(slice=label, n=size, error=errors.get(row["metric"]))
                rows.append(row)
            failed.extend(f"[{label}] {text}" for text in slice_failed)
            failed.extend(
                f"[{label}] {metric} could not be computed: {why}"
                for metric, why in errors.items()
                if metric in bounds
            )
    key_metric = next(iter(bounds), names[0] if names else None)
    weakest: list[dict[str, Any]] = []
    if key_metric is not None:
        ranked = [r for r in rows if r["metric"] == key_metric and r["value"] is not None]
        higher = evaluation.resolved[key_metric].greater_is_better
        ranked.sort(key=lambda r: r["value"] if higher else -r["value"])
        weakest = [
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
    judged_slices = len({r["slice"] for r in rows})
    details: dict[str, Any] = {
        "n": len(truth),
        "confidence": evaluation.confidence,
        "gate_on": gate_on,
        "min_slice_size": min_slice_size,
        "rows": rows,
        "weakest": weakest,
        "too_small": too_small,
    }
    metrics_out = {f"{r['slice']}: {r['metric']}": r["value"] for r in rows}
    common: dict[str, Any] = {
        "name": "slice_metrics",
        "category": "model",
        "metrics": metrics_out,
        "thresholds": {k: b.to_dict() for k, b in bounds.items()},
        "details": details,
    }
    note = (
        f"; {len(too_small)} slice(s) below {min_slice_size} rows not judged" if too_small else ""
    )
    if failed:
        return CheckResult(
            status="fail",
            reason="threshold_not_met",
            message=(
                f"{len(failed)} slice threshold(s) missed: {'; '.join(failed[:5])}{note}. "
                "Look at the weakest slices in the report; collect data or fix the model there"
            ),
            **common,
        )
    if not judged_slices:
        return CheckResult(
            status="skipped",
            reason="insufficient_data",
            message=f"no slice has {min_slice_size} rows, so none can be judged{note}",
            **common,
        )
    weakest_text = f"; weakest: {weakest[0]['slice']} ({weakest[0]['text']})" if weakest else ""
    return CheckResult(
        status="pass",
        reason="ok",
        message=f"{judged_slices} slices meet every threshold{weakest_text}{note}",
        **common,
    )
