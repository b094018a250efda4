"""pytest-html integration: each test row carries its checks; the summary shows the gate.

Everything pytest-mlops adds to pytest-html's page is escaped here. pytest-html itself
(4.2.0 and earlier; pytest-dev/pytest-html#1024, open) writes the test id into its
results table unescaped, and its page inserts that cell with ``innerHTML``, so a
parametrize id such as ``<img src=x onerror=alert(1)>`` would run as script:
:func:`escape_test_id` rewrites that cell as text before pytest-html stores it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_mlops.gate import Gate


def _text(value: Any) -> str:
    return html.escape(str(value), quote=True)


def checks_table(checks: Iterable[Mapping[str, Any]]) -> str:
    """An escaped HTML table of a test's checks."""
    rows = "".join(
        "<tr>"
        f"<td>{_text(c.get('status'))}</td><td>{_text(c.get('severity'))}</td>"
        f"<td>{_text(c.get('category'))}/{_text(c.get('name'))}</td>"
        f"<td>{_text(c.get('message'))}</td>"
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


def escape_test_id(report: Any, cells: list[Any]) -> None:
    """Replace pytest-html's unescaped test-id cell with an escaped one.

    Only the cell exactly as pytest-html builds it is replaced, so a pytest-html that
    escapes it already (or another plugin's own cell) is left alone.
    """
    test_id = str(getattr(report, "nodeid", ""))
    when = getattr(report, "when", "call")
    if when != "call":
        test_id += f"::{when}"
    raw = f'<td class="col-testId">{test_id}</td>'
    safe = f'<td class="col-testId">{html.escape(test_id, quote=True)}</td>'
    if raw == safe:
        return
    for index, cell in enumerate(cells):
        if cell == raw:
            cells[index] = safe


def gate_banner(gate: Gate) -> str:
    """A line for the top of the pytest-html report."""
    colour = "#2e7d32" if gate.passed else "#c62828"
    reasons = "".join(f"<li>{_text(r)}</li>" for r in gate.reasons[:10])
    return (
        f'<div style="border-left:6px solid {colour};padding:4px 10px">'
        f"<b>mlops gate: {_text(gate.decision.upper())}</b> "
        f"(fail-on {_text(gate.fail_on)})"
        f"<ul>{reasons}</ul></div>"
    )
