"""The ML Test Score of a run (Breck, Cai, Nielsen, Salib, Sculley: "The ML Test Score:
A Rubric for ML Production Readiness and Technical Debt Reduction", IEEE BigData 2017).

28 tests in four sections. A test scores 1 point when it is automated and passed in this
run, 0.5 when the team declares it done by hand (``manual = ["Model 1", ...]`` in
``[tool.pytest-mlops]``), 0 otherwise. A section's score is the sum of its tests; the
final score is the lowest section score, read against the paper's bands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

SECTIONS: Final = ("Data", "Model", "Infra", "Monitor")

#: (id, title, what a suite can automate it with, or what a team does by hand)
RUBRIC: Final[tuple[tuple[str, str, str], ...]] = (
    ("Data 1", "Feature expectations are captured in a schema", "check_schema"),
    ("Data 2", "All features are beneficial", "check_feature_importance"),
    (
        "Data 3",
        "No feature's cost is too much",
        "manual: review each feature's latency, memory and upkeep cost when it is added",
    ),
    (
        "Data 4",
        "Features adhere to meta-level requirements",
        "manual: review features against policy (no PII, approved sources) at code review",
    ),
    (
        "Data 5",
        "The data pipeline has appropriate privacy controls",
        "manual: access control, retention and anonymisation reviews of the data pipeline",
    ),
    (
        "Data 6",
        "New features can be added quickly",
        "manual: time how long a feature takes from idea to training; keep it to days",
    ),
    ("Data 7", "All input feature code is tested", "check_transformer"),
    (
        "Model 1",
        "Model specs are reviewed and submitted",
        "manual: model code and configuration go through code review and version control",
    ),
    (
        "Model 2",
        "Offline proxy metrics correlate with actual online impact metrics",
        "manual: run small A/B tests to relate offline metrics to online impact",
    ),
    (
        "Model 3",
        "All hyperparameters have been tuned",
        "manual: record the hyperparameter search (grid, random or Bayesian) with the model",
    ),
    ("Model 4", "The impact of model staleness is known", "check_staleness"),
    ("Model 5", "A simpler model is not better", "check_beats_dummy"),
    (
        "Model 6",
        "Model quality is sufficient on all important data slices",
        "check_metrics(slices=...)",
    ),
    ("Model 7", "The model has been tested for considerations of inclusion", "check_fairness"),
    ("Infra 1", "Training is reproducible", "check_deterministic"),
    (
        "Infra 2",
        "Model specification code is unit tested",
        "check_transformer, check_invariance, check_directional, check_robustness, "
        "check_serialization",
    ),
    (
        "Infra 3",
        "The full ML pipeline is integration tested",
        "a run with passing data, pipeline and model checks (the example suite end to end)",
    ),
    (
        "Infra 4",
        "Model quality is validated before attempting to serve it",
        "the gate itself, with a passing quality check against thresholds or the champion",
    ),
    (
        "Infra 5",
        "The model allows debugging by observing the step-by-step computation",
        "manual: a tool to trace one example through features and model",
    ),
    (
        "Infra 6",
        "Models are tested via a canary process before they enter production",
        "manual: serve the new model to a small share of traffic first",
    ),
    (
        "Infra 7",
        "Models can be quickly and safely rolled back to a previous serving version",
        "manual: keep the previous model deployable and practise the rollback",
    ),
    ("Monitor 1", "Dependency changes result in notification", "check_dependencies"),
    (
        "Monitor 2",
        "Data invariants hold in training and serving inputs",
        "check_drift, check_schema on live data",
    ),
    ("Monitor 3", "Training and serving features compute the same values", "check_skew"),
    ("Monitor 4", "Models are not too stale", "check_staleness"),
    ("Monitor 5", "The model is numerically stable", "check_numerical_stability"),
    (
        "Monitor 6",
        "The model has not experienced regressions in training speed, serving "
        "latency, throughput, or RAM usage",
        "check_latency",
    ),
    (
        "Monitor 7",
        "The model has not experienced a regression in prediction quality on served data",
        "check_against_baseline, compare_models, check_prediction_drift",
    ),
)
RUBRIC_IDS: Final = tuple(r[0] for r in RUBRIC)

#: The paper's reading of the final score (its Table V).
BANDS: Final = (
    (0.0, "More of a research project than a productionized system."),
    (
        1.0,
        "Not totally untested, but it is worth considering the possibility of serious "
        "holes in reliability.",
    ),
    (
        2.0,
        "There's been first pass at basic productionization, but additional investment "
        "may be needed.",
    ),
    (
        3.0,
        "Reasonably tested, but it's possible that more of those tests and procedures "
        "may be automated.",
    ),
    (
        5.0,
        "Strong levels of automated testing and monitoring, appropriate for "
        "mission-critical systems.",
    ),
    (float("inf"), "Exceptional levels of automated testing and monitoring."),
)


def check_map() -> dict[str, tuple[str, ...]]:
    """Check result name -> the rubric tests it serves: the ``scorecard=`` (and
    ``also_scores=``) declarations of the registered checks, a user's own included."""
    from pytest_mlops.core.registry import scorecard_map

    return scorecard_map()


def _why(rid: str, how: str, passed: int, broken: int, gate_passed: bool, manual: bool) -> str:
    """One sentence a reader of the scorecard needs: why this test earned its points."""
    if broken:
        return f"{broken} covering check(s) failed, warned or errored"
    if rid == "Infra 3":
        return (
            "passing data, pipeline and model checks and a passing gate"
            if passed or gate_passed
            else "needs passing data, pipeline and model checks and a passing gate"
        )
    if rid == "Infra 4" and passed and not gate_passed:
        return "the gate failed, so the model was not validated before serving"
    if passed:
        return f"{passed} passing check(s) cover it"
    if manual:
        return "declared done by hand in [tool.pytest-mlops] manual"
    if how.startswith("manual"):
        return "needs people, not a test: " + how.removeprefix("manual: ")
    return f"no check in this run covers it (add {how})"


def band(score: float) -> str:
    """The paper's interpretation of a final score: 0; (0, 1]; (1, 2]; (2, 3]; (3, 5]; > 5."""
    for upper, text in BANDS:
        if score <= upper:
            return text
    return BANDS[-1][1]


def scorecard(
    checks: Iterable[Mapping[str, Any]],
    *,
    gate_passed: bool,
    manual: Sequence[str] = (),
) -> dict[str, Any]:
    """Score a run: per rubric test the checks that covered it and the points earned."""
    covering: dict[str, list[Mapping[str, Any]]] = {rid: [] for rid in RUBRIC_IDS}
    categories_passed: set[str] = set()
    mapping = check_map()
    for check in checks:
        for rid in mapping.get(str(check["name"]), ()):
            covering[rid].append(check)
        if check["status"] == "pass":
            categories_passed.add(str(check["category"]))
    tests: list[dict[str, Any]] = []
    for rid, title, how in RUBRIC:
        found = covering[rid]
        passed = [c for c in found if c["status"] == "pass"]
        broken = [c for c in found if c["status"] in ("fail", "warn", "error")]
        automated = bool(passed) and not broken
        if rid == "Infra 3":
            automated = {"data", "pipeline", "model"} <= categories_passed and gate_passed
        elif rid == "Infra 4":
            automated = automated and gate_passed
        points = 1.0 if automated else 0.5 if rid in manual else 0.0
        tests.append(
            {
                "id": rid,
                "section": rid.split()[0],
                "title": title,
                "how": how,
                "checks": [str(c["id"]) for c in found],
                "passed": len(passed),
                "failed": len(broken),
                "automatable": not how.startswith("manual"),
                "status": "automated" if automated else "manual" if rid in manual else "missing",
                "points": points,
                "why": _why(rid, how, len(passed), len(broken), gate_passed, rid in manual),
            }
        )
    sections = {s: sum(t["points"] for t in tests if t["section"] == s) for s in SECTIONS}
    final = min(sections.values())
    return {
        "tests": tests,
        "sections": sections,
        "final": final,
        "band": band(final),
        "manual": list(manual),
    }


def markdown(card: Mapping[str, Any]) -> str:
    """The scorecard as a Markdown section for ``summary.md``."""
    lines = [
        f"**Final score {card['final']:g}** (lowest section): {card['band']}",
        "",
        "| Section | Points |",
        "|---|---|",
        *[f"| {s} | {p:g} / 7 |" for s, p in card["sections"].items()],
        "",
        "<details><summary>All 28 rubric tests</summary>",
        "",
        "| Test | Points | Why |",
        "|---|---|---|",
    ]
    for test in card["tests"]:
        lines.append(f"| {test['id']}: {test['title']} | {test['points']:g} | {test['why']} |")
    lines += ["", "</details>"]
    return "\n".join(lines)


def terminal_line(card: Mapping[str, Any]) -> str:
    sections = ", ".join(f"{s} {p:g}" for s, p in card["sections"].items())
    return f"ML Test Score: {card['final']:g} ({sections}) - {card['band']}"
