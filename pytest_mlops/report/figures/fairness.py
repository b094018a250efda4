"""Figures of the ``fairness`` family: per-group rates with intervals and the gate's band."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.report.figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_RATES = (("selection_rate", "selection rate"), ("tpr", "true positive rate"))


def _plain(text: str) -> str:
    """``text`` as matplotlib shows it literally: a ``$`` would start mathtext, and a
    group named ``$x_$`` would crash the report."""
    return text.replace("$", r"\$")


def _band(check: Mapping[str, Any], rate: str, top: float) -> tuple[float, float] | None:
    """The range a group's rate may take under the gate, relative to the best group."""
    thresholds = check["thresholds"]
    if rate == "selection_rate" and "demographic_parity_ratio" in thresholds:
        return top * thresholds["demographic_parity_ratio"]["min"], top
    if rate == "tpr" and "equalized_odds_difference" in thresholds:
        return top - thresholds["equalized_odds_difference"]["max"], top
    return None


def _feature_figure(check: Mapping[str, Any], feature: Mapping[str, Any]) -> Figure:
    fig = new_figure(7.0, 0.8 + 0.35 * max(len(feature["groups"]), 2))
    intervals = {row["group"]: row for row in feature.get("group_intervals", [])}
    overall = check["details"]["overall"]
    for position, (rate, label) in enumerate(_RATES):
        ax = fig.add_subplot(1, 2, position + 1)
        # Every group on its own row in both panels (an undefined rate draws no bar), by
        # position rather than by name, so the panels line up and names stay literal.
        groups = list(feature["groups"])
        positions = list(range(len(groups)))
        values = [math.nan if g.get(rate) is None else g[rate] for g in groups]
        colours = ["#1565c0" if g["judged"] else "#b0bec5" for g in groups]
        ax.barh(positions, values, color=colours)
        names = [_plain(str(g["group"])) for g in groups] if position == 0 else []
        ax.set_yticks(positions, labels=names if names else [""] * len(positions))
        for i, group in enumerate(groups):
            ci = intervals.get(group["group"], {}).get(rate)
            if ci:
                ax.plot(ci, [i, i], color="black", linewidth=1.2)
        judged = [g[rate] for g in groups if g["judged"] and g.get(rate) is not None]
        if judged:
            band = _band(check, rate, max(judged))
            if band is not None:
                ax.axvspan(max(band[0], 0.0), band[1], color="#2e7d32", alpha=0.12)
        if overall.get(rate) is not None:
            ax.axvline(overall[rate], color="#c62828", linestyle="--", linewidth=1)
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.set_xlabel(label)
    fig.suptitle(
        "bars: groups (grey: too small to judge); lines: intervals; dashed: overall; "
        "shaded: allowed by the gate",
        fontsize=7,
    )
    return fig


def figures(check: Mapping[str, Any]) -> list[tuple[str, Figure]]:
    if check["name"] != "fairness":
        return []
    return [
        (f"Groups of {feature['feature']}", _feature_figure(check, feature))
        for feature in check["details"].get("features", [])
    ]
