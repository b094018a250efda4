"""The verdict of a drift check: which columns drifted, and whether that fails it.

Per-column p-values are corrected across the judged columns first; a column drifted when
its corrected p-value is below ``alpha`` and its effect clears the floor, or when its
missing rate moved significantly by at least :data:`MISSING_RATE_FLOOR`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _drift_stats as st
from pytest_mlops.core.verdict import cannot_decide, conclude

if TYPE_CHECKING:
    from pytest_mlops.results import CheckResult

#: Absolute change in the missing rate that counts as drift (when also significant).
MISSING_RATE_FLOOR: Final = 0.05
#: Drifted columns named in the message (all are in the details).
LISTED_COLUMNS: Final = 10
NEXT_STEP: Final = (
    "check the data pipeline for the drifted columns, or retrain on recent data if the "
    "shift is real"
)
MSG_NOTHING_JUDGED: Final = (
    "no column could be judged ({why}); compare larger samples, lower min_samples, or "
    "list the columns to compare in columns="
)


def judge_rows(
    rows: list[dict[str, Any]], floors: Mapping[str, float], alpha: float, correction: str
) -> None:
    """Correct the p-values across columns, then mark each row drifted or not."""
    judged = [r for r in rows if r["judged"]]
    adjusted = st.adjust([r["p_value"] for r in judged], correction)
    missing_adjusted = st.adjust([r["missing_p_value"] for r in rows], correction)
    for row, p in zip(judged, adjusted, strict=True):
        row["p_adjusted"] = p
        row["effect_floor"] = floor = floors[row["effect"]]
        row["significant"] = p < alpha
        row["distribution_drift"] = bool(p < alpha and row["effect_size"] >= floor)
    for row, p in zip(rows, missing_adjusted, strict=True):
        change = abs(row["missing_rate_current"] - row["missing_rate_reference"])
        row["missing_shift"] = bool(p < alpha and change >= MISSING_RATE_FLOOR)
        row["drifted"] = bool(row.get("distribution_drift") or row["missing_shift"])
    rows.sort(key=lambda r: (not r["drifted"], -(r["effect_size"] or 0.0), r["column"]))


def listed(rows: list[dict[str, Any]]) -> str:
    """``x (wasserstein 0.21), c (missing rate 1.0% -> 30.0%)``, at most ten named."""
    named = [
        f"{r['column']} ({r['effect']} {r['effect_size']:.3g})"
        if r.get("distribution_drift")
        else (
            f"{r['column']} (missing rate {r['missing_rate_reference']:.1%} -> "
            f"{r['missing_rate_current']:.1%})"
        )
        for r in rows
        if r["drifted"]
    ]
    more = len(named) - LISTED_COLUMNS
    return ", ".join(named[:LISTED_COLUMNS]) + (f" and {more} more" if more > 0 else "")


def verdict(
    name: str,
    rows: list[dict[str, Any]],
    details: dict[str, Any],
    domain: Mapping[str, Any] | None,
    auc_threshold: float,
    limit: float,
    reaching_fails: bool,
    alpha: float,
) -> CheckResult:
    """The check's result from its judged rows and the domain classifier's AUC (if run):
    it fails when too large a share of columns drifted or the classifier separates the
    sides; it cannot decide when nothing was judged."""
    drifted = [r for r in rows if r["drifted"]]
    considered = [r for r in rows if r["judged"] or r["missing_shift"]]
    share = len(drifted) / len(considered) if considered else 0.0
    metrics: dict[str, Any] = {
        "drifted_share": share,
        "drifted_columns": len(drifted),
        "judged_columns": len(considered),
    }
    thresholds: dict[str, Any] = {"drifted_share": {"max": limit}, "alpha": alpha}
    if reaching_fails:
        thresholds["drifted_share"] = {"below": limit}
    failures = _share_failures(rows, len(considered), share, limit, reaching_fails)
    domain_drift = _add_domain(domain, auc_threshold, metrics, thresholds, failures)
    details["dataset_drift"] = bool(failures)
    common: dict[str, Any] = {
        "name": name,
        "category": "drift",
        "metrics": metrics,
        "thresholds": thresholds,
    }
    if not considered and not domain_drift:
        reasons = sorted({str(r["note"]).split(" (")[0] for r in rows})
        return cannot_decide(
            why=MSG_NOTHING_JUDGED.format(why="; ".join(reasons)),
            reason="insufficient_data",
            details=details,
            **common,
        )
    return conclude(
        failures=failures,
        passed=_passed(rows, len(considered), share, limit),
        next_step=NEXT_STEP,
        reason="drift_detected",
        details=details,
        **common,
    )


def _share_failures(
    rows: list[dict[str, Any]], considered: int, share: float, limit: float, reaching_fails: bool
) -> list[str]:
    """The failure for too large a share of drifted columns, if it is."""
    drifted = sum(1 for r in rows if r["drifted"])
    too_many = share >= limit if reaching_fails else share > limit
    if not (drifted and too_many):
        return []
    allowed = f"at least {limit:.0%}" if reaching_fails else f"more than {limit:.0%}"
    return [
        f"drifted columns: {listed(rows)} ({drifted} of {considered} judged "
        f"columns, {share:.0%}: {allowed})"
    ]


def _add_domain(
    domain: Mapping[str, Any] | None,
    auc_threshold: float,
    metrics: dict[str, Any],
    thresholds: dict[str, Any],
    failures: list[str],
) -> bool:
    """Add the domain classifier's AUC (when it ran) to ``metrics`` and ``thresholds``, and
    its failure to ``failures`` when it tells the sides apart; whether it does."""
    if domain is None:
        return False
    metrics["domain_auc"] = domain["auc"]
    thresholds["domain_auc"] = {"max": auc_threshold}
    if not domain["auc"] >= auc_threshold:
        return False
    top = ", ".join(f["feature"] for f in domain["top_features"][:3])
    failures.append(
        f"a classifier tells current from reference rows with ROC AUC "
        f"{domain['auc']:.3f} >= {auc_threshold:g} (most separating: {top})"
    )
    return True


def _passed(rows: list[dict[str, Any]], considered: int, share: float, limit: float) -> str:
    """The message of a check that passed: the drifted columns within the limit, or none."""
    drifted = sum(1 for r in rows if r["drifted"])
    if drifted:
        return (
            f"drifted columns: {listed(rows)} ({drifted} of {considered} judged "
            f"columns, {share:.0%}, within max_drifted_share {limit:.0%})"
        )
    passed = f"no column drifted ({considered} judged"
    return passed + (f", {len(rows) - considered} not judged)" if len(rows) > considered else ")")
