"""Figures for the HTML report, drawn from a check's JSON details when the report is written.

A family adds figures by defining ``figures(check) -> list[tuple[str, Figure]]`` in a
module of this package named after its category (``model.py``, ``drift.py`` ...). Figures
are drawn with matplotlib's object API (no pyplot, no global state) and embedded as
inline SVG with text drawn as paths, so no font or request leaves the page.
"""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_XML_DECL = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def new_figure(width: float = 5.0, height: float = 3.2) -> Figure:
    """A matplotlib figure not tied to pyplot."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def to_svg(figure: Figure) -> str:
    """Inline SVG of ``figure``: text as paths, no metadata date, no XML prolog."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "pytest-mlops"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = _XML_DECL.sub("", buffer.getvalue())
    return _COMMENT.sub("", text).strip()


def figures_for(check: Mapping[str, Any]) -> list[dict[str, str]]:
    """``[{"title": ..., "svg": ...}]`` for a check, from its family's figure module."""
    try:
        module = importlib.import_module(f"pytest_mlops.report.figures.{check['category']}")
    except ModuleNotFoundError:
        return []
    render = getattr(module, "figures", None)
    if render is None:
        return []
    return [{"title": title, "svg": to_svg(fig)} for title, fig in render(check)]
