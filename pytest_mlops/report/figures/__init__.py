"""Figures for the HTML report, drawn from a check's JSON details when the report is written.

A check's figures come from the ``figure="module:function"`` its registry entry declares,
else from ``figures(check) -> list[tuple[str, Figure]]`` in the module of this package
named after its category (``model.py``, ``drift.py`` ...). Figures are drawn with
matplotlib's object API (no pyplot, no global state) and embedded as inline SVG with text
drawn as paths, so no font or request leaves the page.

Labels that come from the user's data go through :func:`plain`: matplotlib reads
``$...$`` as mathtext, and a column named ``$$`` or ``$x_$`` would otherwise stop the
figure. A figure that still cannot be drawn is replaced by a note; it never stops the
report.
"""

from __future__ import annotations

import importlib
import io
import math
import re
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_XML_DECL = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
#: Coordinates past five significant digits only add bytes.
_LONG_DECIMAL = re.compile(r"\d+\.\d{3,}")
_BETWEEN_TAGS = re.compile(r">\s+<")

#: Figures for checks whose family module does not draw them (used when the registry
#: declares none).
_BUILTIN = {
    ("drift", "prediction_drift"): "pytest_mlops.report.figures.model:prediction_drift",
    ("drift", "label_drift"): "pytest_mlops.report.figures.model:prediction_drift",
}

Drawer = Callable[[Mapping[str, Any]], "list[tuple[str, Figure]]"]


def plain(text: Any, limit: int = 40) -> str:
    """``text`` as a matplotlib label shown literally: ``$`` escaped, at most ``limit``
    characters."""
    shown = str(text)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return shown.replace("$", r"\$")


def hbars(
    ax: Axes, names: list[str], values: list[float], colours: str | list[str], limit: int = 40
) -> None:
    """Horizontal bars by position (repeated names stay separate bars), first on top;
    names shown literally, at most ``limit`` characters."""
    positions = list(range(len(names)))
    ax.barh(positions, values, color=colours)
    ax.set_yticks(positions, [plain(n, limit) for n in names])
    ax.invert_yaxis()


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one (details are user data)."""
    return value if isinstance(value, Mapping) else {}


def number(value: Any) -> float | None:
    """``value`` as a finite float, or ``None`` (JSON details hold ``None``, ``"inf"``, huge
    ints and strings where a number is expected)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        out = float(value)
    except OverflowError:
        return None
    return out if math.isfinite(out) and abs(out) < 1e300 else None


def numbers(values: Any) -> list[float] | None:
    """A list of finite floats, or ``None`` when ``values`` is not one."""
    if not isinstance(values, list) or not values:
        return None
    out = [number(v) for v in values]
    return None if any(v is None for v in out) else out  # type: ignore[return-value]


def new_figure(width: float = 5.0, height: float = 3.2) -> Figure:
    """A matplotlib figure not tied to pyplot."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, min(height, 12.0)), layout="constrained")


def to_svg(figure: Figure) -> str:
    """Inline SVG of ``figure``: text as paths, no metadata date, no XML prolog.

    When drawing fails on a label matplotlib reads as mathtext, every text of the figure
    is drawn literally instead.
    """
    import matplotlib
    from matplotlib.text import Text

    def draw() -> str:
        buffer = io.StringIO()
        with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "pytest-mlops"}):
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()

    try:
        text = draw()
    except ValueError:
        for artist in figure.findobj(Text):
            artist.set_parse_math(False)
        text = draw()
    text = _COMMENT.sub("", _XML_DECL.sub("", text))
    text = _LONG_DECIMAL.sub(lambda m: f"{float(m.group()):.5g}", text)
    return _BETWEEN_TAGS.sub("><", text).strip()


def _drawer(check: Mapping[str, Any]) -> Drawer | None:
    from pytest_mlops.core import registry

    key = (str(check.get("category")), str(check.get("name")))
    target = registry.figures().get(key) or _BUILTIN.get(key)
    if target:
        module_name, _, function = target.partition(":")
        return getattr(importlib.import_module(module_name), function)
    try:
        module = importlib.import_module(f"pytest_mlops.report.figures.{key[0]}")
    except ModuleNotFoundError:
        return None
    return getattr(module, "figures", None)


def figures_for(check: Mapping[str, Any]) -> list[dict[str, str]]:
    """``[{"title": ..., "svg": ...}]`` for a check; a figure that cannot be drawn becomes
    ``{"title": ..., "error": why}`` rather than stopping the report.

    Numeric warnings of extreme values (overflow near 1e308) are not the user's concern
    while the report is written, so they are silenced here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _draw_all(check)


def _draw_all(check: Mapping[str, Any]) -> list[dict[str, str]]:
    try:
        draw = _drawer(check)
        drawn = draw(check) if draw is not None else []
    except Exception as exc:  # a figure is never worth losing the report over
        return [{"title": "Figures", "error": f"could not be drawn ({type(exc).__name__}: {exc})"}]
    out = []
    for title, fig in drawn:
        try:
            out.append({"title": str(title), "svg": to_svg(fig)})
        except Exception as exc:
            out.append({"title": str(title), "error": f"could not be drawn ({exc})"})
    return out
