"""The learned range of a numeric or datetime column: the training range widened by a
margin fitted to each tail (:func:`tail_margin`).

The margin reads only the ``n`` finite values' count and their ``k + 1`` most extreme
values on each side (``k = ceil(sqrt(n))``, :func:`tail_size`), so an engine can learn the
same range from two bounded queries (:func:`bounds_from_tails`) as pandas does from the
whole sorted column (:func:`numeric_bounds`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: How many tail scales a learned range reaches beyond the training extremes.
DEFAULT_RANGE_MARGIN: Final = 6.0
#: The margin never exceeds this multiple of the training range (so 3x the range fails).
MAX_MARGIN_SHARE: Final = 2.0


def tail_size(n: int) -> int:
    """How many extreme values a tail is fitted to: ``ceil(sqrt(n))`` (at most ``n - 1``)."""
    return min(max(1, math.ceil(math.sqrt(n))), n - 1)


def margin_from_tails(
    lowest: Sequence[float] | np.ndarray,
    highest: Sequence[float] | np.ndarray,
    range_margin: float,
) -> tuple[float, float]:
    """:func:`tail_margin` from the ``k + 1`` lowest and ``k + 1`` highest values (each
    ascending), ``k = tail_size(n)``: all the fit reads of ``n`` sorted values."""
    import numpy as np

    bottom, top = np.asarray(lowest, dtype="float64"), np.asarray(highest, dtype="float64")
    k = len(bottom) - 1
    low, high = float(bottom[0]), float(top[-1])
    # The tail scale of each side: the mean excess of the k most extreme values over the next.
    pad_low = range_margin * float(np.mean(bottom[k] - bottom[:k]))
    pad_high = range_margin * float(np.mean(top[1:] - top[0]))
    if low >= 0 and top[0] > 0:  # a non-negative measurement: a power law too
        logs = np.log(top)
        log_scale = float(np.mean(logs[1:] - logs[0]))
        pad_high = max(pad_high, high * math.expm1(min(range_margin * log_scale, 700.0)))
    if low > 0:  # so is the lower one: a power law towards zero
        logs = np.log(bottom)
        log_scale = float(np.mean(logs[-1] - logs[:-1]))
        pad_low = max(pad_low, -low * math.expm1(-range_margin * log_scale))
    cap = (high - low) * MAX_MARGIN_SHARE
    return min(pad_low, cap), min(pad_high, cap)


def tail_margin(ordered: np.ndarray, range_margin: float) -> tuple[float, float]:
    """How far below the lowest and above the highest of the sorted training values a
    new value may plausibly fall.

    Each side's tail is fitted from its ``k = ceil(sqrt(n))`` most extreme values, twice:
    as an exponential tail (scale: their mean excess over the next value) and, for a
    column that never goes below zero, as a power-law tail (the same on the logarithms,
    which suits skewed measurements such as areas or counts). Under either, a new value
    exceeds the maximum by more than ``range_margin`` scales with probability about
    ``exp(-range_margin) / (n + 1)``. The wider fit is kept, at most ``MAX_MARGIN_SHARE``
    times the training range. Scales, hence margins, grow as the sample shrinks.
    """
    n = len(ordered)
    if n < 2:
        return 0.0, 0.0
    k = tail_size(n)
    return margin_from_tails(ordered[: k + 1], ordered[n - k - 1 :], range_margin)


def bounds_from_tails(
    n: int,
    lowest: Sequence[float] | np.ndarray,
    highest: Sequence[float] | np.ndarray,
    open_sides: tuple[bool, bool],
    range_margin: float,
    range_slack: float | None,
) -> tuple[float | None, float | None]:
    """The learned ``(min, max)`` from ``n`` finite values' ``tail_size(n) + 1`` lowest and
    highest (ascending); a side in ``open_sides`` (it held an infinity) stays open."""
    if n == 0:
        return None, None
    low, high = float(lowest[0]), float(highest[-1])
    if range_slack is not None:
        pad_low = pad_high = (high - low) * range_slack
    elif n < 2:
        pad_low = pad_high = 0.0
    else:
        pad_low, pad_high = margin_from_tails(lowest, highest, range_margin)
    return (
        None if open_sides[0] else low - pad_low,
        None if open_sides[1] else high + pad_high,
    )


def numeric_bounds(
    values: np.ndarray, range_margin: float, range_slack: float | None
) -> tuple[float | None, float | None]:
    """The learned ``(min, max)`` of finite values; a side that held an infinity stays open."""
    import numpy as np

    finite = np.sort(values[np.isfinite(values)])
    n = len(finite)
    k = tail_size(n) if n >= 2 else 0
    return bounds_from_tails(
        n,
        finite[: k + 1],
        finite[n - k - 1 :],
        (bool(np.isneginf(values).any()), bool(np.isposinf(values).any())),
        range_margin,
        range_slack,
    )


def stamp(value: float | None, unit: str, tz: object) -> str | None:
    """A learned datetime bound (``value`` ticks of ``unit`` since 1970 UTC) as ISO text,
    in the column's time zone (``None``: naive)."""
    import pandas as pd

    if value is None:
        return None
    moment = pd.Timestamp(int(value), unit=unit, tz="UTC")
    return (moment.tz_convert(tz) if tz is not None else moment.tz_localize(None)).isoformat()


def date_bounds(
    series: pd.Series, range_margin: float, range_slack: float | None
) -> tuple[str | None, str | None]:
    import pandas as pd

    utc = pd.to_datetime(series.dropna(), utc=True)
    unit = utc.dt.unit  # pandas 3 keeps us/ms/s resolutions: count in that unit
    ticks = utc.astype("int64").to_numpy().astype("float64")
    low, high = numeric_bounds(ticks, range_margin, range_slack)
    tz = getattr(series.dtype, "tz", None)
    return stamp(low, unit, tz), stamp(high, unit, tz)
