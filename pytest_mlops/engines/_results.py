"""What an engine's query returns, read into Python: one column's summary, the (small)
collected result of a query, and its values as Python ints, floats and text.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import narwhals as nw


@dataclass(frozen=True)
class ColumnSummary:
    """What one aggregation pass found in a column.

    ``nulls`` counts missing values and ``nan`` floating-point NaN apart from them (engines
    that cannot tell them apart count both as nulls); ``n_distinct`` counts distinct values
    other than null and NaN (``None`` for kinds the engine cannot compare). ``min``,
    ``max``, ``mean`` and ``std`` (population, ``ddof=0``) are over the values that are
    neither, for numeric, boolean (as 0/1) and datetime columns (int nanoseconds since the
    epoch; ``min``/``max`` exact ints); ``None`` otherwise or when no value is left.
    """

    name: str
    kind: str
    n: int
    nulls: int
    nan: int
    n_distinct: int | None
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def collect(frame: nw.LazyFrame[Any]) -> nw.DataFrame[Any]:
    """The (small) result of a query. polars' default engine reads every column a query
    aggregates into memory first (4 GB for drift's counts at 50M rows); its streaming
    engine reads in batches, so polars queries run there."""
    native = frame.to_native()
    if type(native).__module__.startswith("polars"):
        import narwhals as nw

        return nw.from_native(native.collect(engine="streaming"))
    return frame.collect()


def _one_row(frame: nw.LazyFrame[Any]) -> dict[str, Any]:
    collected = collect(frame)
    # column by column: a pandas-backed row would upcast every value to one dtype
    return {column: collected[column].item(0) for column in collected.columns}


def _integer(value: Any) -> int:
    return 0 if value is None else int(value)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = float(value)
    return None if math.isnan(number) else number


def _as_text(value: Any) -> str:
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    if hasattr(value, "isoformat") and not isinstance(value, str):
        import pandas as pd

        return str(pd.Timestamp(value))  # one spelling whichever engine returned it
    return str(value)
