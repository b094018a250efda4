"""``report.html``: one self-contained page rendered from the payload with autoescaping.

The page is read by someone who wants to know, in seconds, why the gate failed: failing
and erroring checks come first (those that block the gate before the rest), then
warnings, then skipped checks and passes folded into a count. Each check keeps the anchor
:func:`~pytest_mlops.report.anchors.check_anchor` gives it, so the Decision list, the job
summary and the annotations land on it. Details are shown by the check's view (from the
registry, else ``views/<category>_<name>.html.j2``, else ``views/<category>.html.j2``,
else the generic view): tables and figures, never raw JSON.

Nothing a check can hold stops the page: values are made renderable first (NaN, inf,
huge integers, non-string keys, deep nesting), a view that fails falls back to the
generic one, and a figure that fails becomes a note.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pytest_mlops.report.anchors import check_anchor
from pytest_mlops.report.html_values import bound_text, fmt, renderable, sparkline

_TEMPLATES = Path(__file__).parent / "templates"
#: The page's one script (filters, and opening a folded check a link points at); the
#: Content-Security-Policy allows exactly this script by its hash.
_SCRIPT: Final = (_TEMPLATES / "report.js").read_text(encoding="utf-8")
_STATUS_ORDER: Final = {"fail": 0, "error": 0, "warn": 1, "skipped": 2, "pass": 3}
GROUPS: Final = (
    ("problems", "Failed and errored", True),
    ("warnings", "Warnings", True),
    ("skipped", "Skipped", False),
    ("passed", "Passed", False),
)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _group(status: Any) -> str:
    rank = _STATUS_ORDER.get(str(status), 0)
    return GROUPS[rank][0]


def ordered_checks(checks: list[dict[str, Any]], blocking: Any) -> list[dict[str, Any]]:
    """Failing and erroring checks first (gate-blocking ones before the rest), then
    warnings, skipped, passes; by id within each."""
    blocked = set(blocking) if isinstance(blocking, list) else set()
    return sorted(
        checks,
        key=lambda c: (
            _STATUS_ORDER.get(str(c.get("status")), 0),
            c.get("id") not in blocked,
            str(c.get("id")),
        ),
    )


def _counts(checks: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """severity -> status -> count."""
    out: dict[str, dict[str, int]] = {}
    for check in checks:
        by_status = out.setdefault(str(check.get("severity")), {})
        by_status[str(check.get("status"))] = by_status.get(str(check.get("status")), 0) + 1
    return out


def decision(report: Mapping[str, Any], checks: list[dict[str, Any]]) -> dict[str, Any]:
    """What the Decision section says: reasons not tied to a check (an incomplete run),
    the blocking checks, the warnings, and counts per severity in words."""
    gate = _mapping(report.get("gate"))
    blocking = _list(gate.get("blocking_checks"))
    by_id = {c.get("id"): c for c in checks}
    blockers = [by_id[i] for i in blocking if i in by_id]
    ids = [str(c.get("id")) for c in blockers]
    reasons = _list(gate.get("reasons"))
    other = [str(r) for r in reasons if not any(str(r).startswith(i) for i in ids)]
    if gate.get("decision") == "pass" and checks:
        other = []  # the pass reason is restated per severity below
    phrases = []
    for severity, by_status in sorted(_counts(checks).items()):
        total = sum(by_status.values())
        parts = [f"{n} {_WORDS.get(s, s)}" for s, n in sorted(by_status.items())]
        phrases.append(f"{total} {severity} check{'s' if total != 1 else ''}: {', '.join(parts)}")
    warned = [
        c for c in checks if c.get("status") in ("warn", "fail", "error") and c not in blockers
    ]
    return {"other": other, "blocking": blockers, "warnings": warned, "phrases": phrases}


_WORDS: Final = {
    "pass": "passed",
    "fail": "failed",
    "error": "errored",
    "warn": "warned",
    "skipped": "skipped",
}


def _environment() -> Any:
    import jinja2

    from pytest_mlops.report.figures import figures_for

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["bound"] = bound_text
    env.filters["sparkline"] = sparkline
    env.filters["label"] = lambda v: fmt(v, integral_floats=True)
    env.globals["figures_for"] = figures_for
    env.globals["anchor"] = lambda check_id: check_anchor(str(check_id))
    env.tests["number"] = _is_number
    return env


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool): safe for arithmetic in a template."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _view_names(check: Mapping[str, Any]) -> list[str]:
    from pytest_mlops.core import registry

    category, name = str(check.get("category")), str(check.get("name"))
    declared = registry.views().get((category, name))
    names = [f"views/{declared}"] if declared else []
    return [
        *names,
        f"views/{category}_{name}.html.j2",
        f"views/{category}.html.j2",
        "views/_details.html.j2",
    ]


def _render_view(env: Any, check: dict[str, Any]) -> Any:
    import jinja2
    import markupsafe

    try:
        view = env.select_template(_view_names(check))
        return markupsafe.Markup(view.render(check=check))
    except Exception as exc:  # a view that cannot show these details falls back
        note = markupsafe.Markup('<p class="muted">{}</p>').format(
            f"(the {check.get('category')} view could not show these details: "
            f"{type(exc).__name__}: {exc})"
        )
    try:
        generic = env.get_template("views/_details.html.j2")
        return note + markupsafe.Markup(generic.render(check=check))
    except (jinja2.TemplateError, Exception) as exc:
        return note + markupsafe.Markup('<p class="muted">{}</p>').format(
            f"the details could not be shown ({exc}); they are in report.json"
        )


def script_hash() -> str:
    """The CSP source that allows the page's script and nothing else."""
    digest = hashlib.sha256(_SCRIPT.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_html(payload: Mapping[str, Any]) -> str:
    """Render the report page; every user-supplied string is escaped by jinja2.

    Should the page itself fail (a defect, not a value: values are made renderable
    first), a plain page with the gate and the error is written instead, so the end of
    the session never becomes a traceback.
    """
    try:
        return _render(payload)
    except Exception as exc:
        return _plain_page(payload, exc)


def _plain_page(payload: Mapping[str, Any], exc: Exception) -> str:
    import html

    gate = _mapping(renderable(_mapping(dict(payload)).get("gate")))
    reasons = "".join(f"<li>{html.escape(str(r))}</li>" for r in _list(gate.get("reasons")))
    decision = html.escape(str(gate.get("decision", "unknown")))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        f"<title>mlops gate: {decision}</title></head><body><h1>mlops gate: {decision}</h1>"
        f"<ul>{reasons}</ul><p>The full report could not be drawn "
        f"({html.escape(type(exc).__name__)}: {html.escape(str(exc))}); report.json has "
        "every check.</p></body></html>\n"
    )


def _render(payload: Mapping[str, Any]) -> str:
    import markupsafe

    report = renderable(payload)
    if not isinstance(report, dict):
        report = {}
    checks = [c for c in _list(report.get("checks")) if isinstance(c, dict)]
    for check in checks:
        for key in ("metrics", "thresholds", "details"):
            if not isinstance(check.get(key), dict):
                check[key] = {} if check.get(key) is None else {"value": check.get(key)}
    env = _environment()
    gate = _mapping(report.get("gate"))
    shown = ordered_checks(checks, gate.get("blocking_checks"))
    groups = [
        {
            "key": key,
            "title": title,
            "open": is_open,
            "checks": [c for c in shown if _group(c.get("status")) == key],
        }
        for key, title, is_open in GROUPS
    ]
    for check in checks:
        check["view_html"] = _render_view(env, check)
    return str(
        env.get_template("report.html.j2").render(
            report=report,
            gate=gate,
            groups=groups,
            checks=shown,
            decision=decision(report, shown),
            script=markupsafe.Markup(_SCRIPT),
            script_hash=markupsafe.Markup(script_hash()),
            categories=sorted({str(c.get("category")) for c in checks}),
        )
    )
