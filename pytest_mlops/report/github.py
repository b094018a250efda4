"""GitHub Actions output: the job summary and ``::error`` workflow commands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from pytest_mlops.gate import Gate, blocks_gate
from pytest_mlops.results import CheckResult

#: GitHub shows at most 10 error and 10 warning annotations per step.
MAX_ANNOTATIONS: Final = 10


def escape_data(text: str) -> str:
    """Escape a workflow-command message: ``%``, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value: also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, check: CheckResult, where: tuple[str, int] | None) -> str:
    props = []
    if where is not None:
        props += [f"file={escape_property(where[0])}", f"line={where[1]}"]
    props.append(f"title={escape_property(f'mlops {check.category}/{check.name}')}")
    message = f"{check.id or check.name}: {check.message}"
    return f"::{kind} {','.join(props)}::{escape_data(message)}"


def workflow_commands(
    checks: Iterable[CheckResult], gate: Gate, locations: Mapping[str, tuple[str, int]]
) -> list[str]:
    """``::error`` lines for gate-failing checks and ``::warning`` lines for warnings.

    At most :data:`MAX_ANNOTATIONS` of each: errored checks first, then failed ones;
    past the limit the last line counts the rest.
    """
    checks = list(checks)
    order = {"error": 0, "fail": 1, "warn": 2}
    blocking = sorted(
        (c for c in checks if blocks_gate(c, gate.fail_on)),
        key=lambda c: (order.get(c.status, 3), c.id),
    )
    warned = sorted(
        (c for c in checks if c.failed and not blocks_gate(c, gate.fail_on)), key=lambda c: c.id
    )
    lines: list[str] = []
    for kind, group in (("error", blocking), ("warning", warned)):
        if len(group) <= MAX_ANNOTATIONS:
            shown, rest = group, 0
        else:
            shown, rest = group[: MAX_ANNOTATIONS - 1], len(group) - (MAX_ANNOTATIONS - 1)
        lines.extend(_command(kind, c, locations.get(c.nodeid)) for c in shown)
        if rest:
            lines.append(
                f"::{kind} title=mlops gate::{rest} more checks "
                f"{'failed the gate' if kind == 'error' else 'warned'}; see the job summary "
                "or report.html"
            )
    return lines


def append_step_summary(
    payload: Mapping[str, Any], path: str | Path, report_dir: str | Path
) -> None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY``."""
    from pytest_mlops.report.markdown import render_markdown

    text = render_markdown(payload)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text + "\n")
