"""Values as the HTML report shows them: numbers, bounds, sparklines, and a renderable copy
of whatever a check's details hold.

A check's details are user data: NaN and infinities, integers too long for ``str``,
non-string keys, bytes, objects, cycles and deep nesting all reach the writer. The copy
:func:`renderable` makes is plain JSON-like data the templates can always show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import markupsafe

MAX_DEPTH: Final = 12
MAX_ITEMS: Final = 5000
MAX_TEXT: Final = 20_000


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # beyond Python's int-to-str digit limit
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"{'-' if value < 0 else ''}an integer of about {digits} digits"


def renderable(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` made of dicts with string keys, lists, str, int, float, bool and
    ``None``: anything else becomes its (bounded) text."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**300 else _int_text(value)
    if isinstance(value, str):
        text = value.replace("\x00", "\ufffd")
        return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
    if depth >= MAX_DEPTH:
        return "…"
    if isinstance(value, Mapping):
        items = list(value.items())[:MAX_ITEMS]
        return {renderable_key(k): renderable(v, depth + 1) for k, v in items}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)[:MAX_ITEMS]
        return [renderable(v, depth + 1) for v in items]
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return renderable(text, depth)


def renderable_key(key: Any) -> str:
    """A mapping key as text (``1``, ``None``, ``(0, 1)`` and ``1.0`` are all keys)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return _int_text(key)
    shown = renderable(key if isinstance(key, str) else str(key), MAX_DEPTH)
    return shown if isinstance(shown, str) else str(shown)


def fmt(value: Any, integral_floats: bool = False) -> str:
    """A value for a table cell: floats to 4 significant digits, ``None`` as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if integral_floats and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.4g}"
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v, integral_floats) for v in value[:50]) + (
            f" … ({len(value)} in all)" if len(value) > 50 else ""
        )
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {fmt(v, integral_floats)}" for k, v in list(value.items())[:20])
    return str(value)


_BOUND_WORDS: Final = {
    "min": "≥ {}",
    "max": "≤ {}",
    "max_drop": "drop ≤ {}",
    "max_rise": "rise ≤ {}",
    "min_ratio": "ratio ≥ {}",
    "max_ratio": "ratio ≤ {}",
}


def bound_text(threshold: Any) -> str:
    """A threshold in words: ``{"min": 0.8}`` is ``≥ 0.8``, ``{"max_drop": 0.01}`` is
    ``drop ≤ 0.01``; other values as they are."""
    if isinstance(threshold, Mapping):
        parts = []
        for key, value in threshold.items():
            template = _BOUND_WORDS.get(str(key))
            shown = fmt(value)
            parts.append(template.format(shown) if template else f"{key} {shown}")
        return ", ".join(parts)
    return fmt(threshold)


def _finite(values: Any) -> list[float] | None:
    if not isinstance(values, list) or not values:
        return None
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        number = float(value) if abs(value) < 1e300 else math.inf
        if not math.isfinite(number) or number < 0:
            return None
        out.append(number)
    return out


def _distribution(row: Mapping[str, Any]) -> tuple[list[float], list[float]] | None:
    for key in ("histogram", "bars"):
        data = row.get(key)
        if isinstance(data, Mapping):
            ref, cur = _finite(data.get("reference")), _finite(data.get("current"))
            if ref and cur and len(ref) == len(cur) and len(ref) <= 200:
                return ref, cur
    return None


def sparkline(row: Any, width: int = 96, height: int = 22) -> markupsafe.Markup:
    """A tiny inline SVG of a drift row's reference (blue) and current (red) distribution,
    from its ``histogram`` (or ``bars``) counts; empty when the row has none."""
    parsed = _distribution(row) if isinstance(row, Mapping) else None
    if parsed is None:
        return markupsafe.Markup("")
    reference, current = parsed
    peak = max(max(reference), max(current)) or 1.0
    step = width / len(reference)

    def path(values: list[float]) -> str:
        points = []
        for i, value in enumerate(values):
            y = height - 1 - (height - 2) * value / peak
            points.append(f"{i * step:.1f},{y:.1f} {(i + 1) * step:.1f},{y:.1f}")
        return " ".join(points)

    return markupsafe.Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-label="reference (blue) and current (red) distribution">'
        f'<polyline fill="none" stroke="#1565c0" stroke-width="1.2" points="{path(reference)}"/>'
        f'<polyline fill="none" stroke="#c62828" stroke-width="1.2" points="{path(current)}"/>'
        "</svg>"
    )
