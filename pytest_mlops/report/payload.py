"""Build the ``report.json`` payload: the one source every other report renders from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from pytest_mlops.gate import Gate
from pytest_mlops.results import STATUSES, CheckResult, jsonable

REPORT_SCHEMA_VERSION: Final = "1.0"


def _datasets(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One entry per distinct fingerprint, listing every check argument that used it."""
    merged: dict[str, dict[str, Any]] = {}
    for entry in entries:
        key = entry["fingerprint"]
        target = merged.setdefault(
            key,
            {
                "fingerprint": key,
                "kind": entry["kind"],
                "shape": entry["shape"],
                "columns": entry["columns"],
                "used_by": [],
            },
        )
        target["used_by"].append({"check": entry["check"], "argument": entry["argument"]})
    for value in merged.values():
        value["used_by"].sort(key=lambda u: (u["check"], u["argument"]))
    return [merged[k] for k in sorted(merged)]


def _unknown_run() -> dict[str, Any]:
    """The ``run`` object of a payload built outside a pytest session (tests, scripts)."""
    import uuid

    return {
        "id": uuid.uuid4().hex,
        "complete": True,
        "why": None,
        "detail": "built outside a pytest run",
        "exit_status": 0,
        "tests_collected": 0,
        "tests_run": 0,
    }


def build_payload(
    *,
    checks: Iterable[CheckResult],
    gate: Gate,
    records: Iterable[Mapping[str, Any]],
    datasets: Iterable[Mapping[str, Any]],
    environment: Mapping[str, Any],
    seed: int,
    created: datetime,
    baseline: Mapping[str, Any],
    locations: Mapping[str, tuple[str, int]] | None = None,  # check id or node id
    manual: Sequence[str] = (),
    run: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the report payload; checks are sorted by id so xdist and serial runs match."""
    ordered = sorted(checks, key=lambda c: c.id)
    summary: dict[str, int] = {status: 0 for status in STATUSES}
    for check in ordered:
        summary[check.status] += 1
    summary["total"] = len(ordered)
    by_category: dict[str, dict[str, int]] = {}
    for check in ordered:
        counts = by_category.setdefault(check.category, {s: 0 for s in STATUSES})
        counts[check.status] += 1
    located = locations or {}
    check_dicts = []
    for check in ordered:
        item = check.to_dict()
        where = located.get(check.id) or located.get(check.nodeid)
        item["location"] = {"file": where[0], "line": where[1]} if where else None
        check_dicts.append(item)
    from pytest_mlops import scorecard

    card = scorecard.scorecard(check_dicts, gate_passed=gate.passed, manual=manual)
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "created": created.isoformat(timespec="seconds"),
        "tool": {
            "name": "pytest-mlops",
            "version": environment.get("packages", {}).get("pytest-mlops", "unknown"),
        },
        "run": dict(run) if run is not None else _unknown_run(),
        "gate": gate.to_dict(),
        "summary": summary,
        "summary_by_category": dict(sorted(by_category.items())),
        "checks": check_dicts,
        "records": jsonable(sorted(records, key=lambda r: (r["nodeid"], r["name"]))),
        "environment": jsonable(environment),
        "datasets": _datasets(datasets),
        "seed": seed,
        "baseline": jsonable(baseline),
        "scorecard": card,
        "summary_sections": [{"title": "ML Test Score", "markdown": scorecard.markdown(card)}],
        "html_sections": [{"title": "ML Test Score", "template": "scorecard.html.j2"}],
    }
