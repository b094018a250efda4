"""Sections other plugins add to the report, through ``pytest_mlops_report_sections``.

Each implementation returns a list of ``{"title": str, "markdown": str}``. The job
summary shows the text as Markdown under its title; ``report.html`` shows it as escaped,
preformatted text (never as HTML, so a plugin cannot inject markup or script into a
report a reviewer opens).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from pluggy import PluginManager

#: The HTML template that shows a plugin's section as escaped text.
TEXT_TEMPLATE: Final = "plugin_section.html.j2"
#: The usage error for a section that is not a ``{"title": str, "markdown": str}``.
MSG_BAD_SECTION: Final = (
    "pytest_mlops_report_sections in {plugin}: each section must be a mapping with a "
    "'title' and a 'markdown' string; got {value!r}"
)


def _plugin_name(manager: PluginManager, plugin: object) -> str:
    name = manager.get_name(plugin)
    return name or type(plugin).__name__


def collect_sections(manager: PluginManager, payload: Mapping[str, Any]) -> list[dict[str, str]]:
    """Call every implementation of the hook with the payload, in plugin order, and check
    what each returned."""
    hook = manager.hook.pytest_mlops_report_sections
    sections: list[dict[str, str]] = []
    for impl in reversed(hook.get_hookimpls()):  # pluggy lists the last registered first
        returned = impl.function(report=payload)
        if returned is None:
            continue
        plugin = _plugin_name(manager, impl.plugin)
        if isinstance(returned, (str, bytes, Mapping)) or not hasattr(returned, "__iter__"):
            raise pytest.UsageError(MSG_BAD_SECTION.format(plugin=plugin, value=returned))
        for section in returned:
            if not (
                isinstance(section, Mapping)
                and isinstance(section.get("title"), str)
                and isinstance(section.get("markdown"), str)
            ):
                raise pytest.UsageError(MSG_BAD_SECTION.format(plugin=plugin, value=section))
            sections.append({"title": section["title"], "markdown": section["markdown"]})
    return sections


def add_sections(payload: dict[str, Any], sections: list[dict[str, str]]) -> None:
    """Append the plugins' sections to the summary's and the HTML report's lists."""
    for section in sections:
        payload["summary_sections"].append(dict(section))
        payload["html_sections"].append(
            {"title": section["title"], "template": TEXT_TEMPLATE, "text": section["markdown"]}
        )
