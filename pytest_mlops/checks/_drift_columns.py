"""One row per column of a drift check: its kind, test, effect size and histogram.

Every row says whether the column was judged and, when not, why (too few values, constant
on both sides, datetime not asked for). The verdict across rows is in
:mod:`pytest_mlops.checks.drift`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _drift_stats as st
from pytest_mlops.errors import MlopsInputError

#: A column compared as numbers (from the reference's dtype) whose values are not all numbers.
MSG_NOT_NUMBERS: Final = (
    "column {column!r} is compared as numbers (its reference dtype is numeric) but holds "
    "values that are not numbers ({why}); give the reference and current data the same dtype"
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

NUMERIC_METHODS: Final = ("auto", "ks", "wasserstein", "psi", "jensenshannon", "anderson")
CATEGORICAL_METHODS: Final = ("auto", "chisquare", "psi", "jensenshannon", "tv")
ALL_METHODS: Final = tuple(dict.fromkeys([*NUMERIC_METHODS, *CATEGORICAL_METHODS]))
EFFECT_OF: Final = {
    ("numeric", "auto"): "wasserstein",
    ("numeric", "ks"): "ks_statistic",
    ("numeric", "wasserstein"): "wasserstein",
    ("numeric", "psi"): "psi",
    ("numeric", "jensenshannon"): "jensenshannon",
    ("numeric", "anderson"): "wasserstein",
    ("categorical", "auto"): "jensenshannon",
    ("categorical", "chisquare"): "cramers_v",
    ("categorical", "psi"): "psi",
    ("categorical", "jensenshannon"): "jensenshannon",
    ("categorical", "tv"): "tv",
}
DEFAULT_FLOORS: Final = {
    "wasserstein": 0.1,
    "ks_statistic": 0.1,
    "psi": 0.1,
    "jensenshannon": 0.1,
    "tv": 0.1,
    "cramers_v": 0.1,
}
#: Reference-quantile bins for PSI, Jensen-Shannon on numbers, and stored profiles.
BINS: Final = 10
#: Bins of the per-column histogram kept in the details for the report's sparklines.
HISTOGRAM_BINS: Final = 20
#: Categories kept in a categorical column's bars and histogram (the largest first).
SHOWN_CATEGORIES: Final = 15
#: Above this magnitude values are rescaled before distances are computed, so that
#: differences and squares of values near the float limit (1.8e308) do not overflow.
RESCALE_ABOVE: Final = 1e150
MSG_CONSTANT: Final = "constant on both sides ({value}): nothing to compare"
#: What a judged row says of its verdict (a column not judged has them all None).
VERDICT_FIELDS: Final = ("method", "test", "statistic", "p_value", "effect", "effect_size")


def kind_of(series: pd.Series, categorical: set[Any], name: Any) -> str:
    """``numeric``, ``categorical`` or ``datetime``."""
    import pandas as pd

    dtype = series.dtype
    if name in categorical:
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return "categorical"
    return "numeric"


def numeric_values(series: pd.Series, *, sort: bool = True) -> np.ndarray:
    """Finite values, sorted unless asked not to (datetimes as seconds since the epoch)."""
    return numbers_and_missing(series, sort=sort)[0]


def numbers_and_missing(series: pd.Series, *, sort: bool = True) -> tuple[np.ndarray, int]:
    """The finite values (sorted unless asked not to) and the count of missing ones.

    A NumPy float or integer column is read in place: one pass finds what is not finite,
    and the sort makes the only copy.
    """
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiu":
        array = series.to_numpy(dtype=float)  # no copy of a float64 column
        finite = np.isfinite(array)
        if finite.all():
            return (np.sort(array) if sort else array), 0
        missing = int(np.count_nonzero(np.isnan(array)))
        values = array[finite]
        if sort:
            values.sort()
        return values, missing
    missing = int(series.isna().sum())
    if pd.api.types.is_datetime64_any_dtype(dtype):
        dated = series.dropna()
        if getattr(dated.dt, "tz", None) is not None:
            dated = dated.dt.tz_convert("UTC").dt.tz_localize(None)
        array = dated.astype("datetime64[ns]").to_numpy().astype("int64") / 1e9
    else:
        try:
            array = series.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise MlopsInputError(MSG_NOT_NUMBERS.format(column=series.name, why=exc)) from None
    array = array[np.isfinite(array)]
    return (np.sort(array) if sort else array), missing


def category_counts(series: pd.Series) -> dict[str, int]:
    """Counts per category, keyed by the category's text; missing values left out."""
    return counts_and_missing(series)[0]


def counts_and_missing(series: pd.Series) -> tuple[dict[str, int], int]:
    """Counts per category, keyed by the category's text, and the count of missing values.

    A ``category`` column is counted from its integer codes in one ``bincount`` (code -1,
    missing, lands in the first bin), so only its categories, not its rows, become text.
    """
    import numpy as np
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = series.cat.categories
        codes = series.cat.codes.to_numpy()
        counts = np.bincount(codes + 1, minlength=len(categories) + 1)
        missing = int(counts[0])
        pairs: Iterable[tuple[Any, int]] = zip(categories, counts[1:].tolist(), strict=True)
    else:
        missing = int(series.isna().sum())
        pairs = series.value_counts(sort=False, dropna=True).items()
    out: dict[str, int] = {}
    for key, count in pairs:
        if count:
            text = str(key)
            out[text] = out.get(text, 0) + int(count)
    return out, missing


def method_for(column: Any, kind: str, method: str | Mapping[Any, str]) -> str:
    chosen = method.get(column, "auto") if isinstance(method, Mapping) else method
    allowed = NUMERIC_METHODS if kind in ("numeric", "datetime") else CATEGORICAL_METHODS
    if chosen not in allowed:
        raise MlopsInputError(
            f"method {chosen!r} does not apply to {kind} column {column!r}; choose one of "
            f"{', '.join(allowed)}"
        )
    return chosen


def base_row(
    column: Any, kind: str, missing_ref: int, n_ref: int, missing_cur: int, n_cur: int
) -> dict[str, Any]:
    return {
        "column": str(column),
        "kind": kind,
        "n_reference": n_ref - missing_ref,
        "n_current": n_cur - missing_cur,
        "missing_rate_reference": missing_ref / n_ref if n_ref else 0.0,
        "missing_rate_current": missing_cur / n_cur if n_cur else 0.0,
        "missing_p_value": st.two_proportion_p(missing_ref, n_ref, missing_cur, n_cur),
    }


def skip(column: Any, kind: str, ref: pd.Series, cur: pd.Series, why: str) -> dict[str, Any]:
    row = base_row(column, kind, int(ref.isna().sum()), len(ref), int(cur.isna().sum()), len(cur))
    return not_judged(row, why)


def not_judged(row: dict[str, Any], why: str) -> dict[str, Any]:
    """Mark a column row as not judged, saying why."""
    row.update(judged=False, **dict.fromkeys(VERDICT_FIELDS), note=why)
    return row


def judged_row(
    row: dict[str, Any],
    method: str,
    test: str,
    statistic: Any,
    p_value: Any,
    effect: str,
    size: Any,
    **extra: Any,
) -> dict[str, Any]:
    """Mark a column row as judged: its method, test, statistic, p-value and effect size,
    then ``extra`` (the note and plots), in that order."""
    row.update(
        judged=True,
        method=method,
        test=test,
        statistic=statistic,
        p_value=p_value,
        effect=effect,
        effect_size=float(size),
        **extra,
    )
    return row


def too_few(n_a: int, n_b: int, min_samples: int) -> str:
    return (
        f"too few values to judge ({n_a} reference, {n_b} current; at least {min_samples} "
        "each are needed)"
    )


def column_row(
    column: Any,
    kind: str,
    ref: pd.Series,
    cur: pd.Series,
    method: str | Mapping[Any, str],
    min_samples: int,
) -> dict[str, Any]:
    """The row of one column compared on the raw reference data."""
    chosen = method_for(column, kind, method)
    if kind in ("numeric", "datetime"):
        (a, missing_a), (b, missing_b) = numbers_and_missing(ref), numbers_and_missing(cur)
        row = base_row(column, kind, missing_a, len(ref), missing_b, len(cur))
        row["n_reference"], row["n_current"] = len(a), len(b)
        if min(len(a), len(b)) < min_samples:
            return not_judged(row, too_few(len(a), len(b), min_samples))
        if a[0] == a[-1] == b[0] == b[-1]:
            return not_judged(row, MSG_CONSTANT.format(value=f"{a[0]:.6g}"))
        return _numeric_row(row, chosen, a, b)
    (ref_counts, missing_a), (cur_counts, missing_b) = (
        counts_and_missing(ref),
        counts_and_missing(cur),
    )
    row = base_row(column, kind, missing_a, len(ref), missing_b, len(cur))
    n_a, n_b = sum(ref_counts.values()), sum(cur_counts.values())
    if min(n_a, n_b) < min_samples:
        return not_judged(row, too_few(n_a, n_b, min_samples))
    if len(ref_counts) == 1 and ref_counts.keys() == cur_counts.keys():
        return not_judged(row, MSG_CONSTANT.format(value=repr(next(iter(ref_counts)))[:40]))
    return categorical_row(row, chosen, ref_counts, cur_counts)


def _numeric_row(row: dict[str, Any], chosen: str, a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    import numpy as np

    effect = EFFECT_OF[("numeric", chosen)]
    largest = max(abs(a[0]), abs(a[-1]), abs(b[0]), abs(b[-1]))
    # Every statistic below is unchanged by a common scale; rescaling keeps huge values finite.
    scale = largest if largest > RESCALE_ABOVE else 1.0
    sa, sb = (a / scale, b / scale) if scale != 1.0 else (a, b)
    ks_stat, ks_p, wasserstein = st.ks_and_wasserstein(sa, sb)
    if chosen == "anderson":
        statistic, p_value = st.anderson(sa, sb)
        test = "anderson_darling"
    else:
        statistic, p_value, test = ks_stat, ks_p, "kolmogorov_smirnov"
    spread = float(np.std(sa))
    if spread == 0:
        # A constant reference: the effect is the share of current values that differ.
        size = float(np.mean(b != a[0]))
        note = "the reference is constant; effect = share of current values that differ"
    else:
        edges = st.quantile_edges(sa, BINS)
        ref_counts, cur_counts = st.bin_counts(sa, edges), st.bin_counts(sb, edges)
        size = {
            "wasserstein": lambda: wasserstein / spread,
            "ks_statistic": lambda: ks_stat,
            "psi": lambda: st.psi(ref_counts, cur_counts),
            "jensenshannon": lambda: st.jensen_shannon(ref_counts, cur_counts),
        }[effect]()
        note = ""
    return judged_row(
        row, chosen, test, statistic, p_value, effect, size, note=note, histogram=histogram(a, b)
    )


def categorical_row(
    row: dict[str, Any],
    chosen: str,
    ref_counts_map: Mapping[str, int],
    cur_counts_map: Mapping[str, int],
) -> dict[str, Any]:
    """Fill ``row`` with the chi-squared test and effect size of two category counts."""
    import numpy as np

    categories = sorted(set(ref_counts_map) | set(cur_counts_map))
    a = np.array([ref_counts_map.get(c, 0) for c in categories])
    b = np.array([cur_counts_map.get(c, 0) for c in categories])
    statistic, p_value, cramers_v = st.chi_squared(a, b)
    effect = EFFECT_OF[("categorical", chosen)]
    size = {
        "cramers_v": lambda: cramers_v,
        "psi": lambda: st.psi(a, b),
        "jensenshannon": lambda: st.jensen_shannon(a, b),
        "tv": lambda: st.total_variation(a, b),
    }[effect]()
    new = [c for c in categories if ref_counts_map.get(c, 0) == 0 and c != "__other__"]
    shares_a, shares_b = st.shares(a), st.shares(b)
    top = np.argsort(-(shares_a + shares_b), kind="stable")[:SHOWN_CATEGORIES]
    return judged_row(
        row,
        chosen,
        "chi_squared",
        statistic,
        p_value,
        effect,
        size,
        new_categories=new[:20],
        new_category_count=len(new),
        note=f"{len(new)} categor{'y' if len(new) == 1 else 'ies'} not seen in the reference"
        if new
        else "",
        bars={
            "categories": [categories[i] for i in top],
            "reference": [float(shares_a[i]) for i in top],
            "current": [float(shares_b[i]) for i in top],
        },
        histogram={
            "categories": [categories[i] for i in top],
            "reference": [int(a[i]) for i in top],
            "current": [int(b[i]) for i in top],
        },
    )


def histogram(a: np.ndarray, b: np.ndarray, bins: int = HISTOGRAM_BINS) -> dict[str, Any]:
    """Counts of both sorted sides on one grid over the 1st-99th percentile range; the
    outer bins also hold the values beyond it, so each side's counts sum to its rows."""
    import numpy as np

    low = float(min(a[int(0.01 * (len(a) - 1))], b[int(0.01 * (len(b) - 1))]))
    high = float(max(a[int(0.99 * (len(a) - 1))], b[int(0.99 * (len(b) - 1))]))
    if not high > low:  # one value fills the range: widen it a little, staying finite
        pad = abs(low) * 1e-6 or 1e-6
        low, high = max(low - pad, -sys.float_info.max), min(high + pad, sys.float_info.max)
    steps = np.linspace(0.0, 1.0, bins + 1)
    # a convex combination never overflows, unlike low + (high - low) * step near 1.8e308
    edges = low * (1 - steps) + high * steps
    edges[0], edges[-1] = low, high
    inner = edges[1:-1]
    return {
        "edges": edges.tolist(),
        "reference": st.bin_counts(a, inner).tolist(),
        "current": st.bin_counts(b, inner).tolist(),
    }
