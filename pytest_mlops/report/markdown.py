"""``summary.md``: GitHub-flavoured Markdown, gate decision first, then what needs a look.

It is laid out for GitHub's job-summary column (about 1,012 px): checks that fail the
gate and warnings are lists (a list wraps; a wide table is cut off), each with a link to
its anchor in ``report.html``; passing and skipped checks are counted, not listed.

Every string a user controls (check ids hold parametrize ids, messages hold column
names) is neutralised: no raw HTML, no live link or image, no broken code span.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from pytest_mlops.report.anchors import check_anchor

#: GitHub rejects a step summary over 1 MiB; stay far below it.
MAX_SUMMARY_BYTES: Final = 200_000
_STATUS_ORDER: Final = {"error": 0, "fail": 1, "warn": 2, "skipped": 3, "pass": 4}
_ICON: Final = {"pass": "✅", "fail": "❌", "warn": "⚠️", "error": "💥", "skipped": "⏭️"}
#: Marks a summary so a later CI step can find (and update) the comment that holds it.
MARKER: Final = "<!-- pytest-mlops summary -->"
_PUNCTUATION = re.compile(r"([\\`*_\[\]()!#~|{}+=^$-])")
_AUTOLINK = re.compile(r"(?i)(https?|ftp)(?=://)|(?<![\w.])(www)(?=\.)|(@)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def text(value: Any, limit: int = 300) -> str:
    """Inline text that renders as itself: no HTML, link, image, emphasis or table break.

    HTML is escaped, Markdown punctuation backslash-escaped, and a zero-width space
    breaks what GitHub would otherwise turn into a link by itself (``https://``,
    ``www.``, ``a@b``). Newlines and other control characters become one space.
    """
    value = _CONTROL.sub(" ", str(value))
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _PUNCTUATION.sub(r"\\\1", value)
    return _AUTOLINK.sub(lambda m: m.group(0) + "\u200b", value)


#: The old name, kept for callers of the first release.
cell = text


def code(value: Any, limit: int = 200) -> str:
    """A code span that holds ``value`` whatever backticks or pipes it contains."""
    value = _CONTROL.sub(" ", str(value))
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = value.replace("|", "\\|")  # GitHub splits table cells on | even in code
    runs = [len(r) for r in re.findall(r"`+", value)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if value.startswith(("`", " ")) or value.endswith(("`", " ")) else ""
    return f"{fence}{pad}{value}{pad}{fence}"


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
    run = payload.get("run") or {}
    if run and not run.get("complete", True):
        lines += [f"> **Incomplete run:** {text(run.get('detail', ''), 500)}", ""]
    return lines


def _item(check: Mapping[str, Any], report_url: str | None) -> str:
    anchor = check_anchor(check["id"] or check["name"])
    link = f"[details]({report_url}#{anchor})" if report_url else f"`report.html#{anchor}`"
    return (
        f"- {_ICON[check['status']]} **{check['status']}** {code(check['id'] or check['name'])} "
        f"({text(check['category'], 40)}, {check['severity']}): {text(check['message'])} {link}"
    )


def _extra_sections(payload: Mapping[str, Any]) -> list[str]:
    """Sections other modules add to the summary (the ML Test Score and the like)."""
    lines: list[str] = []
    for section in payload.get("summary_sections", []):
        lines.extend([f"### {text(section['title'])}", "", *section["markdown"].splitlines(), ""])
    return lines


def render_markdown(
    payload: Mapping[str, Any],
    max_bytes: int = MAX_SUMMARY_BYTES,
    *,
    report_url: str | None = "report.html",
    artifact: str | None = None,
) -> str:
    """Render the summary; lists end with a pointer to the full report past ``max_bytes``.

    ``report_url`` is where ``report.html`` is reachable from where the summary is read
    (its check anchors are appended; ``None``: name the anchors as text); ``artifact`` a
    Markdown link to the CI artifact.
    """
    blocking = set(payload["gate"].get("blocking_checks", []))
    order = sorted(
        payload["checks"], key=lambda c: (_STATUS_ORDER[c["status"]], c["category"], c["id"])
    )
    failing = [c for c in order if c["id"] in blocking]
    warned = [c for c in order if c["status"] in ("fail", "error", "warn") and c not in failing]
    where = artifact or "`report.html` in the mlops report folder"
    run_line = f"<!-- pytest-mlops run: {_run_id(payload)} -->"
    footer = ["", f"Full report: {where}.", "", MARKER, run_line]
    lines = _header(payload)
    extra = _extra_sections(payload)
    size = len("\n".join(lines + extra + footer).encode()) + 200
    for title, group in (("Failing the gate", failing), ("Warnings", warned)):
        if not group:
            continue
        lines += [f"### {title} ({len(group)})", ""]
        size += len(lines[-2].encode()) + 2
        for index, check in enumerate(group):
            row = _item(check, report_url)
            if size + len(row.encode()) + 200 > max_bytes:
                lines.append(
                    f"- … {len(group) - index} more checks are not shown here to stay within "
                    "GitHub's step-summary limit; see report.html"
                )
                size += len(lines[-1].encode()) + 1
                break
            lines.append(row)
            size += len(row.encode()) + 1
        lines.append("")
    quiet = {s: payload["summary"].get(s, 0) for s in ("pass", "skipped")}
    if payload["checks"]:
        lines += [f"{_ICON['pass']} {quiet['pass']} checks passed, {quiet['skipped']} skipped.", ""]
    else:
        lines += ["No ML check ran.", ""]
    lines.extend(extra)
    return "\n".join(lines + footer)


def _run_id(payload: Mapping[str, Any]) -> str:
    run = payload.get("run") or {}
    return re.sub(r"[^0-9a-zA-Z]", "", str(run.get("id", "")))
