"""GitHub Actions output: the job summary and ``::error`` workflow commands."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from pytest_mlops.gate import Gate, blocks_gate
from pytest_mlops.report.anchors import check_anchor
from pytest_mlops.results import CheckResult

#: GitHub shows at most 10 error and 10 warning annotations per step.
MAX_ANNOTATIONS: Final = 10
#: The artifact name the shipped workflow uploads the report folder as.
DEFAULT_ARTIFACT: Final = "mlops-report"


def escape_data(text: str) -> str:
    """Escape a workflow-command message: ``%``, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value: also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def artifact_name(environ: Mapping[str, str] = os.environ) -> str:
    """``$MLOPS_ARTIFACT_NAME``, else ``mlops-report``."""
    return environ.get("MLOPS_ARTIFACT_NAME") or DEFAULT_ARTIFACT


def run_url(environ: Mapping[str, str] = os.environ) -> str | None:
    """The workflow run's page (its artifacts are listed there), when running in Actions."""
    parts = [environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if not all(parts):
        return None
    server, repository, run_id = parts
    return f"{server}/{repository}/actions/runs/{run_id}"


def _command(kind: str, check: CheckResult, where: tuple[str, int] | None, artifact: str) -> str:
    props = []
    if where is not None:
        props += [f"file={escape_property(where[0])}", f"line={where[1]}"]
    props.append(f"title={escape_property(f'mlops {check.category}/{check.name}')}")
    anchor = check_anchor(check.id or check.name)
    message = (
        f"{check.id or check.name}: {check.message} "
        f"(details: report.html#{anchor} in the {artifact} artifact)"
    )
    return f"::{kind} {','.join(props)}::{escape_data(message)}"


def workflow_commands(
    checks: Iterable[CheckResult],
    gate: Gate,
    locations: Mapping[str, tuple[str, int]],
    artifact: str | None = None,
) -> list[str]:
    """``::error`` lines for gate-failing checks and ``::warning`` lines for warnings.

    ``locations`` maps a check id (or, failing that, its test's node id) to a file
    relative to the repository root and a line. At most :data:`MAX_ANNOTATIONS` of each
    kind: errored checks first, then failed ones; past the limit the last line counts
    the rest.
    """
    checks = list(checks)
    artifact = artifact or artifact_name()
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
        for c in shown:
            where = locations.get(c.id) or locations.get(c.nodeid)
            lines.append(_command(kind, c, where, artifact))
        if rest:
            lines.append(
                f"::{kind} title=mlops gate::{rest} more checks "
                f"{'failed the gate' if kind == 'error' else 'warned'}; see the job summary "
                "or report.html"
            )
    if gate.incomplete is not None:
        why = escape_data(f"incomplete run: {gate.incomplete}")
        lines.append(f"::error title=mlops gate::{why}")
    return lines


def step_summary(payload: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> str:
    """The job summary: ``summary.md`` with a link to the run's artifact."""
    from pytest_mlops.report.markdown import render_markdown

    name = artifact_name(environ)
    url = run_url(environ)
    artifact = (
        f"`report.html` in the [`{name}` artifact]({url}#artifacts) (download, unzip, open; "
        "each check's `#check-…` anchor is named above)"
        if url
        else None
    )
    return render_markdown(
        payload, report_url=environ.get("MLOPS_REPORT_URL") or None, artifact=artifact
    )


def append_step_summary(payload: Mapping[str, Any], path: str | Path) -> None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` (``OSError`` if it cannot)."""
    text = step_summary(payload)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text + "\n")
