"""``report.html``: one self-contained page rendered from the payload with autoescaping."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_TEMPLATES = Path(__file__).parent / "templates"


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _kind(value: Any) -> str:
    """How the generic view shows a detail: a table of rows, a key-value table or JSON."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "rows"
    if isinstance(value, dict) and all(not isinstance(v, (dict, list)) for v in value.values()):
        return "mapping"
    if (
        isinstance(value, list)
        and len(value) <= 50
        and all(not isinstance(v, (dict, list)) for v in value)
    ):
        return "inline"
    if isinstance(value, (dict, list)):
        return "json"
    return "scalar"


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def render_html(payload: Mapping[str, Any]) -> str:
    """Render the report page; every user-supplied string is escaped by jinja2."""
    import jinja2
    import markupsafe

    from pytest_mlops.report.figures import figures_for

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = _fmt
    env.filters["kind"] = _kind
    env.filters["columns"] = _columns
    env.filters["pretty"] = lambda v: json.dumps(v, indent=2, sort_keys=True)
    env.globals["figures_for"] = figures_for
    generic = env.get_template("views/_details.html.j2")
    views = {}
    for check in payload["checks"]:
        view = env.select_template(
            [f"views/{check['category']}_{check['name']}.html.j2", "views/_details.html.j2"]
        )
        try:
            views[check["id"]] = markupsafe.Markup(view.render(check=check))
        except jinja2.TemplateError as exc:
            # A family view that cannot show this check's details falls back to the
            # generic one rather than losing the whole report.
            note = markupsafe.Markup('<p class="muted">{}</p>').format(
                f"(the {check['category']} view could not render these details: {exc})"
            )
            views[check["id"]] = note + markupsafe.Markup(generic.render(check=check))
    return env.get_template("report.html.j2").render(report=payload, views=views)
