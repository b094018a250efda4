"""Figures of the ``data`` family: missing values, class balance and feature importance,
drawn only where a check's details hold the numbers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.report.figures import hbars, mapping, new_figure, number, plain
from pytest_mlops.report.figures.model import FAIL, MAX_BARS, NEUTRAL, PASS, label_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []


def _missing_values(details: Mapping[str, Any]) -> Figure | None:
    """Share of missing values per column, the columns with the most first."""
    shares: list[tuple[str, float]] = []
    for row in _rows(details.get("columns")):
        share = number(row.get("null_fraction"))
        if share:
            shares.append((str(row.get("column")), share))
    rows = sorted(shares, key=lambda item: -item[1])[:MAX_BARS]
    if not rows:
        return None
    fig = new_figure(5.0, 0.7 + 0.28 * len(rows))
    ax = fig.add_subplot()
    hbars(ax, [c for c, _ in rows], [f for _, f in rows], FAIL)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of rows missing")
    return fig


def _class_counts(details: Mapping[str, Any]) -> list[tuple[str, float]]:
    """``class_counts`` as ``{label: count}`` or ``[{"label": .., "count": ..}]``."""
    counts = details.get("class_counts")
    if isinstance(counts, Mapping):
        pairs = [(label_text(k), number(v)) for k, v in counts.items()]
    else:
        pairs = [(label_text(r.get("label")), number(r.get("count"))) for r in _rows(counts)]
    return [(k, v) for k, v in pairs if v is not None][:MAX_BARS]


def _class_balance(details: Mapping[str, Any]) -> Figure | None:
    pairs = _class_counts(details)
    if not pairs:
        return None
    fig = new_figure(4.6, 0.7 + 0.3 * len(pairs))
    ax = fig.add_subplot()
    hbars(ax, [k for k, _ in pairs], [v for _, v in pairs], NEUTRAL, limit=20)
    ax.set_xlabel(f"rows per class of {plain(details.get('label', 'the label'))}")
    return fig


def _feature_importance(details: Mapping[str, Any]) -> Figure | None:
    """Permutation importance with its spread; green: the feature helps."""
    rows = [r for r in _rows(details.get("features")) if number(r.get("importance")) is not None]
    if not rows:
        return None
    rows = rows[:25]
    fig = new_figure(5.4, 0.7 + 0.26 * len(rows))
    ax = fig.add_subplot()
    positions = list(range(len(rows)))
    spread = [number(r.get("std")) or 0.0 for r in rows]
    ax.barh(
        positions,
        [number(r["importance"]) or 0.0 for r in rows],
        xerr=spread,
        color=[PASS if r.get("beneficial") else "#b0bec5" for r in rows],
        error_kw={"linewidth": 0.8},
    )
    ax.set_yticks(positions, [plain(r.get("feature")) for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(f"drop in {plain(details.get('scoring', 'score'))} when shuffled (grey: no help)")
    return fig


def figures(check: Mapping[str, Any]) -> list[tuple[str, Figure]]:
    details = mapping(check.get("details"))
    drawn: list[tuple[str, Figure | None]] = []
    if check.get("name") == "feature_importance":
        drawn.append(("Feature importance (top 25)", _feature_importance(details)))
    else:
        drawn.append(("Missing values per column", _missing_values(details)))
        drawn.append(("Class balance", _class_balance(details)))
    return [(title, fig) for title, fig in drawn if fig is not None]
