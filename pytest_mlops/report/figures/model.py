"""Figures of the ``model`` family (and of prediction drift), drawn from the compact data
in each check's details. Every reader is defensive: details that lack the data, or hold
``None``/``"inf"`` where a number belongs, give no figure rather than an exception."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.report.figures import hbars, mapping, new_figure, number, numbers, plain

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PASS, FAIL, NEUTRAL, OTHER = "#2e7d32", "#c62828", "#1565c0", "#ef6c00"
MAX_BARS = 40


def label_text(value: Any) -> str:
    """A class label as people write it: ``0``/``1``, not ``0.0``/``1.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _metric_bars(rows: Any, label: str = "metric") -> Figure | None:
    if not isinstance(rows, list):
        return None
    rows = [r for r in rows if isinstance(r, Mapping) and number(r.get("value")) is not None]
    if not rows:
        return None
    rows = rows[:MAX_BARS]
    fig = new_figure(5.8, 0.6 + 0.32 * len(rows))
    ax = fig.add_subplot()
    colours = [
        PASS if r.get("passed") else FAIL if r.get("passed") is False else NEUTRAL for r in rows
    ]
    hbars(ax, [str(r.get(label)) for r in rows], [number(r["value"]) or 0.0 for r in rows], colours)
    for i, row in enumerate(rows):
        low, high = number(row.get("ci_low")), number(row.get("ci_high"))
        if low is not None and high is not None:
            ax.plot([low, high], [i, i], color="black", linewidth=1.2)
        for key, style in (("min", "--"), ("max", ":")):
            bound = number(row.get(key))
            if bound is not None:
                ax.plot([bound, bound], [i - 0.4, i + 0.4], style, color="black")
    ax.set_xlabel("value; lines: interval; dashed: minimum; dotted: maximum")
    return fig


def _curve(points: Any, xlabel: str, ylabel: str, diagonal: bool) -> Figure | None:
    if not isinstance(points, Mapping):
        return None
    x, y = numbers(points.get("x")), numbers(points.get("y"))
    if x is None or y is None or len(x) != len(y):
        return None
    fig = new_figure(3.4, 3.2)
    ax = fig.add_subplot()
    ax.plot(x, y, color=NEUTRAL)
    if diagonal:
        ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


def _matrix(data: Any) -> tuple[list[str], list[list[float]]] | None:
    if not isinstance(data, Mapping) or not isinstance(data.get("labels"), list):
        return None
    labels = [label_text(v) for v in data["labels"]]
    rows = data.get("matrix")
    if not isinstance(rows, list) or len(rows) != len(labels) or not labels:
        return None
    matrix = [numbers(row) for row in rows]
    if any(row is None or len(row) != len(labels) for row in matrix):
        return None
    return labels, matrix  # type: ignore[return-value]


def _confusion(data: Any) -> Figure | None:
    parsed = _matrix(data)
    if parsed is None or len(parsed[0]) > 20:
        return None
    labels, matrix = parsed
    fig = new_figure(1.6 + 0.5 * len(labels), 1.4 + 0.5 * len(labels))
    ax = fig.add_subplot()
    ax.imshow(matrix, cmap="Blues")
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            colour = "white" if value > peak / 2 else "black"
            ax.text(j, i, f"{value:g}", ha="center", va="center", color=colour)
    shown = [plain(v, 12) for v in labels]
    ax.set_xticks(range(len(labels)), shown)
    ax.set_yticks(range(len(labels)), shown)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return fig


def _class_balance(data: Any) -> Figure | None:
    """True and predicted class counts: the confusion matrix's row and column sums."""
    parsed = _matrix(data)
    if parsed is None or len(parsed[0]) > MAX_BARS:
        return None
    labels, matrix = parsed
    actual = [sum(row) for row in matrix]
    predicted = [sum(col) for col in zip(*matrix, strict=True)]
    fig = new_figure(4.6, 0.8 + 0.45 * len(labels))
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    ax.barh([p - 0.2 for p in positions], actual, height=0.4, color=NEUTRAL, label="true")
    ax.barh([p + 0.2 for p in positions], predicted, height=0.4, color=OTHER, label="predicted")
    ax.set_yticks(positions, [plain(v, 20) for v in labels])
    ax.invert_yaxis()
    ax.set_xlabel("rows")
    ax.legend(fontsize=7)
    return fig


def _reliability(curve: Any) -> Figure | None:
    if not isinstance(curve, list):
        return None
    points: list[tuple[float, float]] = []
    for c in curve:
        x, y = number(mapping(c).get("mean_predicted")), number(mapping(c).get("observed_rate"))
        if x is not None and y is not None:
            points.append((x, y))
    if not points:
        return None
    fig = new_figure(3.4, 3.2)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=NEUTRAL)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed positive rate")
    return fig


def _challenger(details: Mapping[str, Any]) -> Figure | None:
    """Both models' values on the metric's scale, then the difference with its interval
    against the non-inferiority margin."""
    champion, challenger = number(details.get("champion")), number(details.get("challenger"))
    diff, margin = number(details.get("difference")), number(details.get("margin"))
    low, high = number(details.get("ci_low")), number(details.get("ci_high"))
    if champion is None or challenger is None:
        return None
    metric = plain(details.get("metric", "metric"))
    fig = new_figure(5.0, 2.6)
    top, bottom = fig.subplots(2, 1, height_ratios=[1.3, 1])
    passed = diff is not None and margin is not None and diff >= -margin
    top.plot([champion], [0], "o", color=NEUTRAL, label=f"champion {champion:.4g}")
    top.plot(
        [challenger], [1], "o", color=PASS if passed else FAIL, label=f"challenger {challenger:.4g}"
    )
    if margin is not None:
        top.axvline(champion - margin, color=FAIL, linestyle="--", linewidth=1)
    top.set_yticks([0, 1], ["champion", "challenger"])
    top.set_ylim(-0.6, 1.6)
    top.invert_yaxis()
    top.margins(x=0.25)
    top.set_xlabel(f"{metric}; dashed: champion - margin")
    if diff is not None:
        if low is not None and high is not None:
            bottom.plot([low, high], [0, 0], color="black", linewidth=2)
        bottom.plot([diff], [0], "o", color=PASS if passed else FAIL)
        if margin is not None:
            bottom.axvline(-margin, color=FAIL, linestyle="--", linewidth=1)
        bottom.axvline(0, color="grey", linestyle=":", linewidth=1)
        bottom.set_xlabel(f"challenger - champion; dashed: -margin {margin if margin else ''}")
    bottom.set_yticks([])
    return fig


def _overfitting(details: Mapping[str, Any], thresholds: Mapping[str, Any]) -> Figure | None:
    train, test = number(details.get("train")), number(details.get("test"))
    if train is None or test is None:
        return None
    fig = new_figure(4.6, 1.5)
    ax = fig.add_subplot()
    gap_bound = thresholds.get("gap") if isinstance(thresholds, Mapping) else None
    limit = number(gap_bound.get("max")) if isinstance(gap_bound, Mapping) else None
    ok = limit is None or abs(train - test) <= limit
    hbars(ax, ["train", "test"], [train, test], [NEUTRAL, PASS if ok else FAIL])
    if limit is not None:
        ax.axvline(train - limit, color=FAIL, linestyle="--", linewidth=1)
    ax.set_xlabel(f"{plain(details.get('metric', 'metric'))}; dashed: train - allowed gap")
    return fig


def _latency(metrics: Mapping[str, Any], thresholds: Mapping[str, Any]) -> Figure | None:
    from pytest_mlops.checks.latency import TIMINGS

    keys = [k for k in TIMINGS if number(metrics.get(k)) is not None]
    if not keys:
        return None
    fig = new_figure(4.8, 0.7 + 0.3 * len(keys))
    ax = fig.add_subplot()
    values = [number(metrics[k]) or 0.0 for k in keys]
    colours = [NEUTRAL if k.startswith("row") else OTHER for k in keys]
    hbars(ax, [k.replace("_ms", "").replace("_", " ") for k in keys], values, colours)
    for i, key in enumerate(keys):
        bound = thresholds.get(key) if isinstance(thresholds, Mapping) else None
        limit = number(bound.get("max")) if isinstance(bound, Mapping) else None
        if limit is not None:
            ax.plot([limit, limit], [i - 0.4, i + 0.4], "--", color=FAIL)
    ax.set_xlabel("milliseconds; dashed: allowed maximum")
    return fig


def _distribution(ax: Axes, row: Mapping[str, Any]) -> bool:
    hist, bars = row.get("histogram"), row.get("bars")
    if isinstance(hist, Mapping):
        edges = numbers(hist.get("edges"))
        ref, cur = numbers(hist.get("reference")), numbers(hist.get("current"))
        if edges and ref and cur and len(ref) == len(cur) == len(edges) - 1:
            ax.stairs(ref, edges, label="reference", color=NEUTRAL, linewidth=1.5)
            ax.stairs(cur, edges, label="current", color=FAIL, linewidth=1.5)
            ax.set_ylabel("share of rows")
            return True
    if isinstance(bars, Mapping) and isinstance(bars.get("categories"), list):
        names = [str(c) for c in bars["categories"]][:MAX_BARS]
        ref, cur = numbers(bars.get("reference")), numbers(bars.get("current"))
        if ref and cur and len(ref) >= len(names) and len(cur) >= len(names) and names:
            positions = list(range(len(names)))
            ax.bar(
                [p - 0.2 for p in positions],
                ref[: len(names)],
                width=0.4,
                label="reference",
                color=NEUTRAL,
            )
            ax.bar(
                [p + 0.2 for p in positions],
                cur[: len(names)],
                width=0.4,
                label="current",
                color=FAIL,
            )
            ax.set_xticks(
                positions, [plain(n, 14) for n in names], rotation=45, ha="right", fontsize=7
            )
            ax.set_ylabel("share of rows")
            return True
    return False


def prediction_drift(check: Mapping[str, Any]) -> list[tuple[str, Figure]]:
    """Reference vs current distribution of the predictions (or labels), drifted or not."""
    out: list[tuple[str, Figure]] = []
    columns = mapping(check.get("details")).get("columns")
    for row in columns if isinstance(columns, list) else []:
        if not isinstance(row, Mapping) or len(out) >= 4:
            continue
        fig = new_figure(4.6, 2.6)
        if _distribution(fig.add_subplot(), row):
            fig.axes[0].legend(fontsize=7)
            out.append((f"{row.get('column')}: reference vs current", fig))
    return out


def _metrics_figures(details: Mapping[str, Any]) -> list[tuple[str, Figure | None]]:
    current = mapping(details.get("current"))
    curves = details.get("curves") or current.get("curves") or {}
    matrix = details.get("confusion_matrix") or current.get("confusion_matrix")
    curves = curves if isinstance(curves, Mapping) else {}
    return [
        (
            "Metrics with intervals and thresholds",
            _metric_bars(details.get("rows") or current.get("rows")),
        ),
        ("ROC curve", _curve(curves.get("roc"), "false positive rate", "true positive rate", True)),
        ("Precision-recall curve", _curve(curves.get("pr"), "recall", "precision", False)),
        ("Confusion matrix", _confusion(matrix)),
        ("Class balance: true vs predicted", _class_balance(matrix)),
    ]


def figures(check: Mapping[str, Any]) -> list[tuple[str, Figure]]:
    details = mapping(check.get("details"))
    metrics = mapping(check.get("metrics"))
    thresholds = mapping(check.get("thresholds"))
    name = check.get("name")
    drawn: list[tuple[str, Figure | None]] = []
    if name in ("metrics", "baseline_comparison"):
        drawn = _metrics_figures(details)
    elif name == "slice_metrics":
        weakest = details.get("weakest")
        metric = (
            weakest[0].get("metric")
            if isinstance(weakest, list) and weakest and isinstance(weakest[0], Mapping)
            else None
        )
        rows = [
            r
            for r in details.get("rows") or []
            if isinstance(r, Mapping) and r.get("metric") == metric
        ]
        drawn = [(f"{metric} per slice", _metric_bars(rows, label="slice"))]
    elif name == "calibration":
        drawn = [("Reliability curve", _reliability(details.get("reliability")))]
    elif name == "champion_challenger":
        drawn = [("Champion and challenger", _challenger(details))]
    elif name == "overfitting":
        drawn = [("Train vs test", _overfitting(details, thresholds))]
    elif name == "latency":
        drawn = [("Latency percentiles", _latency(metrics, thresholds))]
    return [(title, fig) for title, fig in drawn if fig is not None]
