"""Figures of the ``drift`` family: reference vs current for each drifted column."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.report.figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_FIGURES = 12


def _histogram(row: Mapping[str, Any]) -> Figure:
    hist = row["histogram"]
    edges = hist["edges"]
    fig = new_figure(4.6, 2.6)
    ax = fig.add_subplot()
    ax.stairs(hist["reference"], edges, label="reference", color="#1565c0", linewidth=1.5)
    ax.stairs(hist["current"], edges, label="current", color="#c62828", linewidth=1.5)
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
    ax.set_yticks(list(positions), [str(c)[:30] for c in bars["categories"]])
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
        if "histogram" in row:
            out.append((title, _histogram(row)))
        elif "bars" in row:
            out.append((title, _bars(row)))
    return out
