"""Figures of the ``model`` family, drawn from the compact data in each check's details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.report.figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PASS, FAIL, NEUTRAL = "#2e7d32", "#c62828", "#1565c0"


def _metric_bars(rows: list[Mapping[str, Any]], label: str = "metric") -> Figure | None:
    rows = [r for r in rows if isinstance(r.get("value"), (int, float))]
    if not rows:
        return None
    fig = new_figure(5.8, 0.6 + 0.32 * len(rows))
    ax = fig.add_subplot()
    names = [str(r[label]) for r in rows]
    colours = [
        PASS if r.get("passed") else FAIL if r.get("passed") is False else NEUTRAL for r in rows
    ]
    ax.barh(names, [r["value"] for r in rows], color=colours)
    for i, row in enumerate(rows):
        if row.get("ci_low") is not None and row.get("ci_high") is not None:
            ax.plot([row["ci_low"], row["ci_high"]], [i, i], color="black", linewidth=1.2)
        for key, style in (("min", "--"), ("max", ":")):
            if key in row:
                ax.plot([row[key], row[key]], [i - 0.4, i + 0.4], style, color="black")
    ax.invert_yaxis()
    ax.set_xlabel("value; lines: interval; dashed: minimum; dotted: maximum")
    return fig


def _curve(points: Mapping[str, list[float]], xlabel: str, ylabel: str, diagonal: bool) -> Figure:
    fig = new_figure(3.4, 3.2)
    ax = fig.add_subplot()
    ax.plot(points["x"], points["y"], color=NEUTRAL)
    if diagonal:
        ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


def _confusion(data: Mapping[str, Any]) -> Figure:
    labels = [str(v) for v in data["labels"]]
    matrix = data["matrix"]
    fig = new_figure(1.6 + 0.5 * len(labels), 1.4 + 0.5 * len(labels))
    ax = fig.add_subplot()
    ax.imshow(matrix, cmap="Blues")
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(
                j,
                i,
                str(value),
                ha="center",
                va="center",
                color="white" if value > peak / 2 else "black",
            )
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return fig


def _reliability(curve: list[Mapping[str, Any]]) -> Figure:
    fig = new_figure(3.4, 3.2)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.plot(
        [c["mean_predicted"] for c in curve],
        [c["observed_rate"] for c in curve],
        marker="o",
        color=NEUTRAL,
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed positive rate")
    return fig


def _challenger(details: Mapping[str, Any]) -> Figure:
    fig = new_figure(5.0, 1.4)
    ax = fig.add_subplot()
    low, high, diff = details["ci_low"], details["ci_high"], details["difference"]
    ax.plot([low, high], [0, 0], color="black", linewidth=2)
    ax.plot([diff], [0], "o", color=PASS if details["p_value"] < details["alpha"] else FAIL)
    ax.axvline(-details["margin"], color=FAIL, linestyle="--", linewidth=1)
    ax.axvline(0, color="grey", linestyle=":", linewidth=1)
    ax.set_yticks([])
    ax.set_xlabel(f"challenger - champion ({details['metric']}); dashed: -margin")
    return fig


def figures(check: Mapping[str, Any]) -> list[tuple[str, Figure]]:
    details = check["details"]
    out: list[tuple[str, Figure]] = []
    if check["name"] in ("metrics", "baseline_comparison"):
        bars = _metric_bars(details.get("rows") or details.get("current", {}).get("rows", []))
        if bars is not None:
            out.append(("Metrics with intervals and thresholds", bars))
        curves = details.get("curves") or details.get("current", {}).get("curves")
        if curves:
            out.append(
                (
                    "ROC curve",
                    _curve(curves["roc"], "false positive rate", "true positive rate", True),
                )
            )
            out.append(
                ("Precision-recall curve", _curve(curves["pr"], "recall", "precision", False))
            )
        matrix = details.get("confusion_matrix") or details.get("current", {}).get(
            "confusion_matrix"
        )
        if matrix:
            out.append(("Confusion matrix", _confusion(matrix)))
    elif check["name"] == "slice_metrics":
        metric = details["weakest"][0]["metric"] if details.get("weakest") else None
        rows = [r for r in details.get("rows", []) if r["metric"] == metric]
        bars = _metric_bars(rows[:40], label="slice")
        if bars is not None:
            out.append((f"{metric} per slice", bars))
    elif check["name"] == "calibration" and details.get("reliability"):
        out.append(("Reliability curve", _reliability(details["reliability"])))
    elif check["name"] == "champion_challenger" and "ci_low" in details:
        out.append(("Challenger minus champion, with interval", _challenger(details)))
    return out
