"""Figures of the ``model`` family."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.report.figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _metric_bars(check: Mapping[str, Any]) -> Figure | None:
    rows = [
        r
        for r in check["details"].get("rows", [])
        if isinstance(r.get("value"), (int, float)) and ("min" in r or "max" in r)
    ]
    if not rows:
        return None
    fig = new_figure(5.5, 0.5 + 0.45 * len(rows))
    ax = fig.add_subplot()
    names = [r["metric"] for r in rows]
    colours = ["#2e7d32" if r.get("passed") else "#c62828" for r in rows]
    ax.barh(names, [r["value"] for r in rows], color=colours)
    for i, row in enumerate(rows):
        for key, style in (("min", "--"), ("max", ":")):
            if key in row:
                ax.plot([row[key], row[key]], [i - 0.4, i + 0.4], style, color="black")
    ax.invert_yaxis()
    ax.set_xlabel("value (dashed: minimum, dotted: maximum)")
    return fig


def figures(check: Mapping[str, Any]) -> list[tuple[str, Figure]]:
    out: list[tuple[str, Figure]] = []
    if check["name"] == "metrics":
        bars = _metric_bars(check)
        if bars is not None:
            out.append(("Metrics against thresholds", bars))
    return out
