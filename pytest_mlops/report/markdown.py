"""``summary.md``: GitHub-flavoured Markdown, gate decision first, then the checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

#: GitHub rejects a step summary over 1 MiB; stay far below it.
MAX_SUMMARY_BYTES: Final = 200_000
_STATUS_ORDER: Final = {"error": 0, "fail": 1, "warn": 2, "skipped": 3, "pass": 4}
_ICON: Final = {"pass": "✅", "fail": "❌", "warn": "⚠️", "error": "💥", "skipped": "⏭️"}


def cell(text: Any, limit: int = 300) -> str:
    """Text safe for one Markdown table cell: HTML escaped, pipes and newlines neutralised."""
    value = str(text)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _header(payload: Mapping[str, Any]) -> list[str]:
    gate = payload["gate"]
    summary = payload["summary"]
    git = payload["environment"].get("git", {})
    commit = (git.get("commit") or "unknown")[:12]
    dirty = " (uncommitted changes)" if git.get("dirty") else ""
    counts = ", ".join(f"{summary[s]} {s}" for s in _STATUS_ORDER if summary.get(s))
    passed = gate["decision"] == "pass"
    lines = [
        f"## {'✅' if passed else '❌'} mlops gate: {'PASS' if passed else 'FAIL'}",
        "",
        f"**{summary['total']} checks** ({counts or 'none'}) · fail-on `{gate['fail_on']}` · "
        f"seed `{payload['seed']}` · commit `{commit}`{dirty}",
        "",
    ]
    if not passed:
        lines.append("### Why the gate failed")
        lines.append("")
        shown = gate["reasons"][:20]
        lines.extend(f"- {cell(reason, 500)}" for reason in shown)
        if len(gate["reasons"]) > len(shown):
            lines.append(f"- … and {len(gate['reasons']) - len(shown)} more (see report.json)")
        lines.append("")
    return lines


def _extra_sections(payload: Mapping[str, Any]) -> list[str]:
    """Sections other modules add to the summary (the ML Test Score and the like)."""
    lines: list[str] = []
    for section in payload.get("summary_sections", []):
        lines.extend([f"### {cell(section['title'])}", "", *section["markdown"].splitlines(), ""])
    return lines


def render_markdown(payload: Mapping[str, Any], max_bytes: int = MAX_SUMMARY_BYTES) -> str:
    """Render the summary, truncating the table with a pointer to the full report."""
    lines = _header(payload)
    lines.extend(_extra_sections(payload))
    checks = sorted(
        payload["checks"], key=lambda c: (_STATUS_ORDER[c["status"]], c["category"], c["id"])
    )
    lines += [
        "### Checks",
        "",
        "| | Status | Severity | Category | Check | Result |",
        "|---|---|---|---|---|---|",
    ]
    footer = [
        "",
        "Full report: `report.html` and `report.json` in the mlops report folder "
        "(the `mlops-report` artifact in CI).",
        "",
    ]
    size = len("\n".join(lines + footer).encode())
    for index, check in enumerate(checks):
        row = (
            f"| {_ICON[check['status']]} | {check['status']} | {check['severity']} | "
            f"{cell(check['category'])} | `{cell(check['id'] or check['name'], 200)}` | "
            f"{cell(check['message'])} |"
        )
        if size + len(row.encode()) + 200 > max_bytes:
            lines.append(
                f"| | … | | | | {len(checks) - index} more checks are not shown here to stay "
                "within GitHub's step-summary limit; see report.html |"
            )
            break
        lines.append(row)
        size += len(row.encode()) + 1
    if not checks:
        lines.append("| | | | | | no ML check ran |")
    return "\n".join(lines + footer)
