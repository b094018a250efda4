"""pytest-html integration: each test row carries its checks; the summary shows the gate."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_mlops.gate import Gate


def checks_table(checks: Iterable[Mapping[str, Any]]) -> str:
    """An escaped HTML table of a test's checks."""
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(c['status'])}</td><td>{html.escape(c['severity'])}</td>"
        f"<td>{html.escape(c['category'])}/{html.escape(c['name'])}</td>"
        f"<td>{html.escape(c['message'])}</td>"
        "</tr>"
        for c in checks
    )
    return (
        '<table class="mlops-checks"><tr><th>status</th><th>severity</th><th>check</th>'
        f"<th>result</th></tr>{rows}</table>"
    )


def add_extras(report: Any, checks: list[Mapping[str, Any]]) -> None:
    """Append the checks to the report's pytest-html extras."""
    if not checks:
        return
    from pytest_html import extras

    current = list(getattr(report, "extras", []))
    current.append(extras.html(checks_table(checks)))
    report.extras = current


def gate_banner(gate: Gate) -> str:
    """A line for the top of the pytest-html report."""
    colour = "#2e7d32" if gate.passed else "#c62828"
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in gate.reasons[:10])
    return (
        f'<div style="border-left:6px solid {colour};padding:4px 10px">'
        f"<b>mlops gate: {html.escape(gate.decision.upper())}</b> "
        f"(fail-on {html.escape(gate.fail_on)})"
        f"<ul>{reasons}</ul></div>"
    )
