"""The ``mlops gate`` section of pytest's terminal summary."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pytest_mlops.gate import Gate, blocks_gate
from pytest_mlops.results import CheckResult

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe(text: str) -> str:
    """One printable line: CR, LF and other control characters shown as escapes.

    A message holds user strings (column names, parametrize ids); printed raw, a newline
    followed by ``::error ...`` or ``::stop-commands::`` would become a GitHub workflow
    command, and an escape sequence would repaint the terminal.
    """
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


def summary_lines(
    gate: Gate,
    checks: Iterable[CheckResult],
    written: Iterable[Path],
    baseline_note: str | None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(line, markup)``: the decision, then one line per failed or warned check."""
    checks = sorted(checks, key=lambda c: c.id)
    counts: dict[str, int] = {}
    for check in checks:
        counts[check.status] = counts.get(check.status, 0) + 1
    counted = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no checks"
    colour = {"green": True, "bold": True} if gate.passed else {"red": True, "bold": True}
    yield (f"gate: {gate.decision.upper()} (fail-on={gate.fail_on}; {counted})", colour)
    if gate.incomplete is not None:
        yield (safe(f"incomplete run: {gate.incomplete}"), {"red": True, "bold": True})
    for check in checks:
        if not check.failed:
            continue
        markup = {"red": True} if blocks_gate(check, gate.fail_on) else {"yellow": True}
        label = f"{check.status.upper()} [{check.severity}]"
        yield (safe(f"{label} {check.id or check.name}: {check.message}"), markup)
    files = list(written)
    if files:
        yield (safe(f"reports: {', '.join(str(p) for p in files)}"), {})
    if baseline_note:
        yield (safe(f"baseline: {baseline_note}"), {})
