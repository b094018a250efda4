"""Figures of the ``drift`` family: reference vs current for each drifted column.

Labels come from user data (column and category names), so they are drawn as plain text
(``parse_math=False``): a name such as ``$x_$`` must not reach matplotlib's mathtext.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.report.figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_FIGURES = 12
#: Beyond this magnitude the x axis shows bin numbers: matplotlib's transforms overflow
#: on spans near the float limit (1.8e308).
MAX_PLOTTED = 1e300


def _shares(counts: list[float]) -> list[float]:
    total = float(sum(counts))
    return [c / total if total else 0.0 for c in counts]


def _histogram(row: Mapping[str, Any]) -> Figure:
    hist = row["histogram"]
    edges = [float(e) for e in hist["edges"]]
    fig = new_figure(4.6, 2.6)
    ax = fig.add_subplot()
    plottable = all(math.isfinite(e) and abs(e) < MAX_PLOTTED for e in edges)
    x = edges if plottable else list(range(len(edges)))
    ax.stairs(_shares(hist["reference"]), x, label="reference", color="#1565c0", linewidth=1.5)
    ax.stairs(_shares(hist["current"]), x, label="current", color="#c62828", linewidth=1.5)
    if not plottable:
        ax.set_xticks([x[0], x[-1]], [f"{edges[0]:.3g}", f"{edges[-1]:.3g}"])
        ax.set_xlabel("bins (values too large to draw to scale)")
    ax.set_ylabel("share of rows")
    ax.legend(fontsize=7)
    return fig


def _bars(row: Mapping[str, Any]) -> Figure:
    bars = row["bars"]
    fig = new_figure(4.6, 0.8 + 0.28 * len(bars["categories"]))
    ax = fig.add_subplot()
    positions = range(len(bars["categories"]))
    ax.barh(
        [p - 0.2 for p in positions],
        bars["reference"],
        height=0.4,
        label="reference",
        color="#1565c0",
    )
    ax.barh(
        [p + 0.2 for p in positions], bars["current"], height=0.4, label="current", color="#c62828"
    )
    labels = [str(c)[:30] for c in bars["categories"]]
    ax.set_yticks(list(positions), labels, parse_math=False)
    ax.invert_yaxis()
    ax.set_xlabel("share of rows")
    ax.legend(fontsize=7)
    return fig


def figures(check: Mapping[str, Any]) -> list[tuple[str, Figure]]:
    out: list[tuple[str, Figure]] = []
    for row in check["details"].get("columns", []):
        if not row.get("drifted") or len(out) >= MAX_FIGURES:
            continue
        title = (
            f"{row['column']}: {row['effect']} {row['effect_size']:.3g}"
            if row.get("effect_size") is not None
            else str(row["column"])
        )
        if "edges" in row.get("histogram", {}):
            out.append((title, _histogram(row)))
        elif "bars" in row:
            out.append((title, _bars(row)))
    return out
