"""Drift between reference (training) data and current (test or live) data.

A column counts as drifted only when two things hold: its distribution test is
significant after correcting for the number of columns tested, **and** the effect size
clears a floor. A p-value alone calls a 0.01-standard-deviation shift significant at a
million rows; an effect size alone fires on most no-drift samples of 100 rows. Below
``min_samples`` rows (on either side) a column is not judged.

Per column, by kind and ``method``:

============  ==================  ===========================================  =====
kind          method              test (p-value) / effect size                 floor
============  ==================  ===========================================  =====
numeric       ``auto``            KS / Wasserstein ÷ reference std              0.1
numeric       ``ks``              KS / KS statistic                             0.1
numeric       ``wasserstein``     KS / Wasserstein ÷ reference std              0.1
numeric       ``psi``             KS / PSI on reference deciles                 0.1
numeric       ``jensenshannon``   KS / Jensen-Shannon distance on deciles       0.1
numeric       ``anderson``        Anderson-Darling k-sample / Wasserstein ÷ std 0.1
categorical   ``auto``            chi-squared / Jensen-Shannon distance         0.1
categorical   ``chisquare``       chi-squared / Cramér's V                      0.1
categorical   ``psi``             chi-squared / PSI                             0.1
categorical   ``jensenshannon``   chi-squared / Jensen-Shannon distance         0.1
categorical   ``tv``              chi-squared / total variation distance        0.1
============  ==================  ===========================================  =====

The floors follow Evidently's large-sample thresholds (normed Wasserstein 0.1,
Jensen-Shannon 0.1, PSI 0.1 for "some change" and 0.25 for "major change"); 0.1 for the
KS statistic, total variation and Cramér's V is a small effect by the same yardstick.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _drift_stats as st
from pytest_mlops.checks._inputs import choice
from pytest_mlops.errors import MlopsInputError, MlopsTypeError
from pytest_mlops.results import CheckResult

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

NUMERIC_METHODS: Final = ("auto", "ks", "wasserstein", "psi", "jensenshannon", "anderson")
CATEGORICAL_METHODS: Final = ("auto", "chisquare", "psi", "jensenshannon", "tv")
PROFILE_METHODS: Final = ("auto", "psi", "jensenshannon", "tv", "chisquare")
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
#: Absolute change in the missing rate that counts as drift (when also significant).
MISSING_RATE_FLOOR: Final = 0.05
PROFILE_VERSION: Final = 1


def _frame(name: str, data: Any) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, pd.Series):
        frame = data.to_frame(name=str(data.name) if data.name is not None else "value")
    elif isinstance(data, np.ndarray):
        array = data.reshape(-1, 1) if data.ndim == 1 else data
        if array.ndim != 2:
            raise MlopsInputError(f"{name} must be 1-d or 2-d; got shape {data.shape}")
        frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
    else:
        raise MlopsTypeError(
            f"{name} must be a pandas DataFrame or Series or a NumPy array; "
            f"got {type(data).__name__}"
        )
    if frame.columns.duplicated().any():
        dupes = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise MlopsInputError(f"{name} has duplicate column names: {dupes}")
    if len(frame) == 0:
        raise MlopsInputError(f"{name} is empty (0 rows)")
    return frame


def _kind(series: pd.Series, categorical: set[str], name: str) -> str:
    import pandas as pd

    dtype = series.dtype
    if name in categorical:
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return "categorical"
    return "numeric"


def _numeric(series: pd.Series, *, sort: bool = True) -> np.ndarray:
    """Finite values, sorted unless asked not to (datetimes as seconds since the epoch)."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = series.dropna()
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        array = values.astype("datetime64[ns]").to_numpy().astype("int64") / 1e9
    else:
        array = series.to_numpy(dtype=float, na_value=np.nan)
    array = array[np.isfinite(array)]
    return np.sort(array) if sort else array


def _category_counts(series: pd.Series) -> dict[str, int]:
    counts = series.dropna().astype(str).value_counts(sort=False)
    return {str(k): int(v) for k, v in counts.items()}


def _method_for(column: str, kind: str, method: str | Mapping[str, str]) -> str:
    chosen = method.get(column, "auto") if isinstance(method, Mapping) else method
    allowed = NUMERIC_METHODS if kind in ("numeric", "datetime") else CATEGORICAL_METHODS
    if chosen not in allowed:
        raise MlopsInputError(
            f"method {chosen!r} does not apply to {kind} column {column!r}; choose one of "
            f"{', '.join(allowed)}"
        )
    return chosen


def build_profile(
    reference: Any,
    *,
    columns: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    bins: int = BINS,
    max_categories: int = 200,
) -> dict[str, Any]:
    """A compact summary of reference data to compare new data against later.

    Per numeric column: reference-quantile bin edges and counts, mean, standard deviation,
    missing rate; per categorical column: the counts of its most frequent
    ``max_categories`` values (the rest pooled as ``"__other__"``) and missing rate.
    Kilobytes, not data: it is stored in the baseline file by
    ``mlops.store_profile(name, reference)`` with ``--mlops-update-baseline``.
    """
    frame = _frame("reference", reference)
    chosen = _columns(frame, frame, columns)
    cats = set(categorical or ())
    profile: dict[str, Any] = {"version": PROFILE_VERSION, "n": len(frame), "columns": {}}
    for column in chosen:
        series = frame[column]
        kind = _kind(series, cats, column)
        entry: dict[str, Any] = {"kind": kind, "missing": int(series.isna().sum())}
        if kind in ("numeric", "datetime"):
            values = _numeric(series)
            edges = st.quantile_edges(values, bins) if len(values) else values[:0]
            entry.update(
                edges=edges.tolist(),
                counts=st.bin_counts(values, edges).tolist(),
                mean=float(values.mean()) if len(values) else None,
                std=float(values.std()) if len(values) else None,
            )
        else:
            counts = _category_counts(series)
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            kept = dict(ranked[:max_categories])
            other = sum(v for _, v in ranked[max_categories:])
            if other:
                kept["__other__"] = other
            entry["counts"] = kept
        profile["columns"][str(column)] = entry
    return profile


def _columns(
    reference: pd.DataFrame, current: pd.DataFrame, columns: Sequence[str] | None
) -> list[str]:
    if columns is None:
        return [c for c in reference.columns if c in current.columns]
    if isinstance(columns, str):
        raise MlopsTypeError("columns must be a list of column names, not a single string")
    for column in columns:
        for name, frame in (("reference", reference), ("current", current)):
            if column not in frame.columns:
                raise MlopsInputError(
                    f"column {column!r} is not in {name}; it has {list(frame.columns)[:20]}"
                )
    return list(columns)


def check_drift(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    method: str | Mapping[str, str] = "auto",
    alpha: float = 0.05,
    correction: str = "bonferroni",
    effect_floor: float | Mapping[str, float] | None = None,
    min_samples: int = 50,
    drift_share: float = 0.5,
    domain_classifier: bool = False,
    domain_auc_threshold: float = 0.625,
    max_domain_rows: int = 10_000,
    random_state: int = 0,
    name: str = "drift",
) -> CheckResult:
    """Compare current data with reference data (or a stored profile), column by column.

    Parameters
    ----------
    reference : DataFrame, Series, ndarray or profile dict
        The data the model learned from, or a profile from :func:`build_profile`.
    current : DataFrame, Series or ndarray
        The data to compare (a test set, or live data).
    columns : list of str, optional
        Columns to compare; by default every column present in both. Datetime columns
        are only compared when listed here (time moves on, so they always shift).
    categorical : list of str, optional
        Columns to treat as categorical although numeric (codes, small integers).
        Non-numeric, boolean and ``category`` columns are categorical anyway.
    method : str or dict, default "auto"
        The effect size (and for ``"anderson"`` the test), per the table in the module
        docstring; a dict sets it per column.
    alpha : float, default 0.05
        Significance level of the per-column tests after correction.
    correction : {"bonferroni", "bh", "none"}, default "bonferroni"
        Multiple-testing correction across the judged columns (Bonferroni controls the
        chance of any false alarm; Benjamini-Hochberg the share of false alarms).
    effect_floor : float or dict, optional
        Override the effect-size floors (one number, or per effect name).
    min_samples : int, default 50
        Fewest non-missing values on each side for a column to be judged.
    drift_share : float, default 0.5
        The dataset has drifted when at least this share of judged columns drifted
        (Evidently's ``DataDriftPreset`` default).
    domain_classifier : bool, default False
        Also train a classifier to tell reference rows from current rows (3-fold
        cross-validated ROC AUC on at most ``max_domain_rows`` rows per side); AUC at or
        above ``domain_auc_threshold`` (0.625, Deepchecks' 0.25 drift score, 2·AUC−1)
        means the dataset drifted even if no single column did.
    """

    choice("correction", correction, ("bonferroni", "bh", "none"))
    if not 0 < alpha < 1:
        raise MlopsInputError(f"alpha must be between 0 and 1; got {alpha!r}")
    if not 0 < drift_share <= 1:
        raise MlopsInputError(f"drift_share must be in (0, 1]; got {drift_share!r}")
    if isinstance(min_samples, bool) or not isinstance(min_samples, int) or min_samples < 2:
        raise MlopsInputError(f"min_samples must be a whole number >= 2; got {min_samples!r}")
    floors = dict(DEFAULT_FLOORS)
    if isinstance(effect_floor, Mapping):
        for key, value in effect_floor.items():
            choice("effect_floor key", key, tuple(DEFAULT_FLOORS))
            floors[key] = float(value)
    elif effect_floor is not None:
        floors = {k: float(effect_floor) for k in floors}
    if isinstance(method, str):
        choice("method", method, tuple(dict.fromkeys([*NUMERIC_METHODS, *CATEGORICAL_METHODS])))

    from_profile = (
        isinstance(reference, Mapping) and "columns" in reference and "version" in reference
    )
    cur = _frame("current", current)
    cats = set(categorical or ())
    rows: list[dict[str, Any]] = []
    if from_profile:
        profile: Mapping[str, Any] = reference
        assert isinstance(reference, Mapping)
        available = list(profile["columns"])
        wanted = (
            list(columns) if columns is not None else [c for c in available if c in cur.columns]
        )
        for column in wanted:
            if column not in profile["columns"]:
                raise MlopsInputError(
                    f"column {column!r} is not in the stored profile; it has {available[:20]}"
                )
            if column not in cur.columns:
                raise MlopsInputError(f"column {column!r} is not in current")
            entry = profile["columns"][column]
            if entry["kind"] == "datetime" and columns is None:
                rows.append(
                    _skip(
                        column,
                        "datetime",
                        cur[column][:0],
                        cur[column],
                        "datetime columns are only compared when listed in columns=",
                    )
                )
                continue
            rows.append(_profile_row(column, entry, cur[column], method, min_samples))
        n_ref = int(profile["n"])
        missing_columns = sorted(set(available) - set(cur.columns))
        extra_columns: list[str] = sorted(set(map(str, cur.columns)) - set(available))
    else:
        ref = _frame("reference", reference)
        wanted = _columns(ref, cur, columns)
        for column in wanted:
            kind = _kind(ref[column], cats, column)
            if kind == "datetime" and columns is None:
                rows.append(
                    _skip(
                        column,
                        kind,
                        ref[column],
                        cur[column],
                        "datetime columns are only compared when listed in columns=",
                    )
                )
                continue
            rows.append(_column_row(column, kind, ref[column], cur[column], method, min_samples))
        n_ref = len(ref)
        missing_columns = sorted(str(c) for c in set(ref.columns) - set(cur.columns))
        extra_columns = sorted(str(c) for c in set(cur.columns) - set(ref.columns))
    if not rows:
        raise MlopsInputError("reference and current share no column to compare")

    judged = [r for r in rows if r["judged"]]
    adjusted = st.adjust([r["p_value"] for r in judged], correction)
    missing_adjusted = st.adjust([r["missing_p_value"] for r in rows], correction)
    for row, p in zip(judged, adjusted, strict=True):
        row["p_adjusted"] = p
        floor = floors[row["effect"]]
        row["effect_floor"] = floor
        row["significant"] = p < alpha
        row["distribution_drift"] = bool(p < alpha and row["effect_size"] >= floor)
    for row, p in zip(rows, missing_adjusted, strict=True):
        change = abs(row["missing_rate_current"] - row["missing_rate_reference"])
        row["missing_shift"] = bool(p < alpha and change >= MISSING_RATE_FLOOR)
        row["drifted"] = bool(row.get("distribution_drift") or row["missing_shift"])
    rows.sort(key=lambda r: (not r["drifted"], -(r["effect_size"] or 0.0), r["column"]))

    drifted = [r["column"] for r in rows if r["drifted"]]
    considered = [r for r in rows if r["judged"] or r["missing_shift"]]
    share = len(drifted) / len(considered) if considered else 0.0
    details: dict[str, Any] = {
        "n_reference": n_ref,
        "n_current": len(cur),
        "from_profile": from_profile,
        "alpha": alpha,
        "correction": correction,
        "min_samples": min_samples,
        "drift_share_threshold": drift_share,
        "columns": rows,
        "not_judged": [r["column"] for r in rows if not r["judged"]],
        "columns_only_in_reference": missing_columns,
        "columns_only_in_current": extra_columns,
    }
    metrics: dict[str, Any] = {"drifted_share": share, "drifted_columns": len(drifted)}
    thresholds: dict[str, Any] = {"drifted_share": {"max": drift_share}, "alpha": alpha}
    domain_drift = False
    if domain_classifier and not from_profile:
        compared = [r["column"] for r in rows if r["kind"] != "datetime" or columns is not None]
        domain = _domain_classifier(
            ref[compared], cur[compared], cats, max_domain_rows, random_state
        )
        details["domain_classifier"] = domain
        metrics["domain_auc"] = domain["auc"]
        thresholds["domain_auc"] = {"max": domain_auc_threshold}
        domain_drift = domain["auc"] >= domain_auc_threshold
    dataset_drift = bool(considered) and share >= drift_share
    details["dataset_drift"] = dataset_drift or domain_drift
    common: dict[str, Any] = {
        "name": name,
        "category": "drift",
        "metrics": metrics,
        "thresholds": thresholds,
        "details": details,
    }
    listed = ", ".join(
        f"{r['column']} ({r['effect']} {r['effect_size']:.3g})"
        if r.get("distribution_drift")
        else (
            f"{r['column']} (missing rate {r['missing_rate_reference']:.1%} -> "
            f"{r['missing_rate_current']:.1%})"
        )
        for r in rows
        if r["drifted"]
    )
    if not considered:
        return CheckResult(
            status="skipped",
            reason="insufficient_data",
            message=(
                f"no column has {min_samples} values on both sides, so drift cannot be "
                "judged; compare larger samples or lower min_samples"
            ),
            **common,
        )
    if dataset_drift or domain_drift:
        why = []
        if dataset_drift:
            why.append(
                f"{len(drifted)} of {len(considered)} columns drifted "
                f"({share:.0%} >= {drift_share:.0%}): {listed}"
            )
        if domain_drift:
            top = ", ".join(f["feature"] for f in details["domain_classifier"]["top_features"][:3])
            why.append(
                f"a classifier tells current from reference rows with ROC AUC "
                f"{metrics['domain_auc']:.3f} >= {domain_auc_threshold:g} (most separating: {top})"
            )
        return CheckResult(
            status="fail",
            reason="drift_detected",
            message="; ".join(why) + ". Check the data pipeline for the drifted columns, or "
            "retrain on recent data if the shift is real",
            **common,
        )
    message = (
        f"{len(drifted)} of {len(considered)} columns drifted ({share:.0%} < {drift_share:.0%})"
        + (f": {listed}" if drifted else "")
    )
    return CheckResult(status="pass", reason="ok", message=message, **common)


def _base_row(
    column: str, kind: str, missing_ref: int, n_ref: int, missing_cur: int, n_cur: int
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


def _skip(column: str, kind: str, ref: pd.Series, cur: pd.Series, why: str) -> dict[str, Any]:
    row = _base_row(column, kind, int(ref.isna().sum()), len(ref), int(cur.isna().sum()), len(cur))
    return _not_judged(row, why)


def _not_judged(row: dict[str, Any], why: str) -> dict[str, Any]:
    """Mark a column row as not judged, saying why."""
    row.update(
        judged=False,
        method=None,
        test=None,
        statistic=None,
        p_value=None,
        effect=None,
        effect_size=None,
        note=why,
    )
    return row


def _column_row(
    column: str,
    kind: str,
    ref: pd.Series,
    cur: pd.Series,
    method: str | Mapping[str, str],
    min_samples: int,
) -> dict[str, Any]:
    import numpy as np

    chosen = _method_for(column, kind, method)
    row = _base_row(column, kind, int(ref.isna().sum()), len(ref), int(cur.isna().sum()), len(cur))
    if kind in ("numeric", "datetime"):
        a, b = _numeric(ref), _numeric(cur)
        row["n_reference"], row["n_current"] = len(a), len(b)
        if min(len(a), len(b)) < min_samples:
            return {
                **_skip(column, kind, ref, cur, _too_few(len(a), len(b), min_samples)),
                **{k: row[k] for k in ("n_reference", "n_current")},
            }
        effect = EFFECT_OF[("numeric", chosen)]
        ks_stat, ks_p, wasserstein = st.ks_and_wasserstein(a, b)
        edges = st.quantile_edges(a, BINS)
        ref_counts, cur_counts = st.bin_counts(a, edges), st.bin_counts(b, edges)
        spread = float(np.std(a))
        constant = spread == 0
        if chosen == "anderson":
            statistic, p_value = st.anderson(a, b)
            test = "anderson_darling"
        else:
            statistic, p_value, test = ks_stat, ks_p, "kolmogorov_smirnov"
        if constant:
            # A constant reference: the effect is the share of current values that differ.
            size = float(np.mean(b != a[0]))
            note = "the reference is constant; effect = share of current values that differ"
        else:
            size = {
                "wasserstein": wasserstein / spread,
                "ks_statistic": ks_stat,
                "psi": st.psi(ref_counts, cur_counts),
                "jensenshannon": st.jensen_shannon(ref_counts, cur_counts),
            }[effect]
            note = ""
        row.update(
            judged=True,
            method=chosen,
            test=test,
            statistic=statistic,
            p_value=p_value,
            effect=effect,
            effect_size=float(size),
            note=note,
            histogram=_histogram(a, b),
        )
        return row
    ref_counts_map, cur_counts_map = _category_counts(ref), _category_counts(cur)
    n_a, n_b = sum(ref_counts_map.values()), sum(cur_counts_map.values())
    if min(n_a, n_b) < min_samples:
        return _skip(column, kind, ref, cur, _too_few(n_a, n_b, min_samples))
    return _categorical_row(row, chosen, ref_counts_map, cur_counts_map)


def _categorical_row(
    row: dict[str, Any],
    chosen: str,
    ref_counts_map: Mapping[str, int],
    cur_counts_map: Mapping[str, int],
) -> dict[str, Any]:
    import numpy as np

    categories = sorted(set(ref_counts_map) | set(cur_counts_map))
    a = np.array([ref_counts_map.get(c, 0) for c in categories])
    b = np.array([cur_counts_map.get(c, 0) for c in categories])
    statistic, p_value, cramers_v = st.chi_squared(a, b)
    effect = EFFECT_OF[("categorical", chosen)]
    size = {
        "cramers_v": cramers_v,
        "psi": st.psi(a, b),
        "jensenshannon": st.jensen_shannon(a, b),
        "tv": st.total_variation(a, b),
    }[effect]
    new = [c for c in categories if ref_counts_map.get(c, 0) == 0 and c != "__other__"]
    shares_a, shares_b = st.shares(a), st.shares(b)
    top = np.argsort(-(shares_a + shares_b))[:15]
    row.update(
        judged=True,
        method=chosen,
        test="chi_squared",
        statistic=statistic,
        p_value=p_value,
        effect=effect,
        effect_size=float(size),
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
    )
    return row


def _profile_row(
    column: str,
    entry: Mapping[str, Any],
    cur: pd.Series,
    method: str | Mapping[str, str],
    min_samples: int,
) -> dict[str, Any]:
    import numpy as np

    kind = entry["kind"]
    n_ref_total = int(
        sum(entry["counts"].values())
        if isinstance(entry["counts"], Mapping)
        else sum(entry["counts"])
    ) + int(entry["missing"])
    missing_cur = int(cur.isna().sum())
    row = _base_row(column, kind, int(entry["missing"]), n_ref_total, missing_cur, len(cur))
    chosen = method.get(column, "auto") if isinstance(method, Mapping) else method
    if chosen not in PROFILE_METHODS:
        raise MlopsInputError(
            f"method {chosen!r} needs the reference data; against a stored profile use one of "
            f"{', '.join(PROFILE_METHODS)}"
        )
    if kind in ("numeric", "datetime"):
        b = _numeric(cur, sort=False)  # binning against stored edges needs no sort
        ref_counts = np.asarray(entry["counts"])
        n_a = int(ref_counts.sum())
        if min(n_a, len(b)) < min_samples:
            return _not_judged(row, _too_few(n_a, len(b), min_samples))
        edges = np.asarray(entry["edges"], dtype=float)
        cur_counts = np.bincount(np.searchsorted(edges, b, side="right"), minlength=len(edges) + 1)
        effect = {
            "auto": "jensenshannon",
            "jensenshannon": "jensenshannon",
            "psi": "psi",
            "tv": "tv",
            "chisquare": "cramers_v",
        }[chosen]
        statistic, p_value, cramers_v = st.chi_squared(ref_counts, cur_counts)
        size = {
            "jensenshannon": st.jensen_shannon(ref_counts, cur_counts),
            "psi": st.psi(ref_counts, cur_counts),
            "tv": st.total_variation(ref_counts, cur_counts),
            "cramers_v": cramers_v,
        }[effect]
        row.update(
            judged=True,
            method=chosen,
            test="chi_squared (binned)",
            statistic=statistic,
            p_value=p_value,
            effect=effect,
            effect_size=float(size),
            note="compared on the profile's reference-quantile bins",
            bars={
                "categories": _bin_labels([float(e) for e in entry["edges"]]),
                "reference": st.shares(ref_counts).tolist(),
                "current": st.shares(cur_counts).tolist(),
            },
        )
        return row
    cur_counts_map = _category_counts(cur)
    known = set(entry["counts"])
    if "__other__" in known:
        pooled: dict[str, int] = {}
        for category, count in _category_counts(cur).items():
            key = category if category in known else "__other__"
            pooled[key] = pooled.get(key, 0) + count
        cur_counts_map = pooled
    n_a, n_b = sum(entry["counts"].values()), sum(cur_counts_map.values())
    if min(n_a, n_b) < min_samples:
        return _not_judged(row, _too_few(n_a, n_b, min_samples))
    return _categorical_row(
        row, "auto" if chosen == "auto" else chosen, entry["counts"], cur_counts_map
    )


def _bin_labels(edges: list[float]) -> list[str]:
    """Names of the bins ``(-inf, e0), [e0, e1), ..., [ek, inf)``."""
    if not edges:
        return ["all"]
    inner = [f"{low:.4g} to {high:.4g}" for low, high in itertools.pairwise(edges)]
    return [f"< {edges[0]:.4g}", *inner, f">= {edges[-1]:.4g}"]


def _too_few(n_a: int, n_b: int, min_samples: int) -> str:
    return (
        f"too few values to judge ({n_a} reference, {n_b} current; at least {min_samples} "
        "each are needed)"
    )


def _histogram(a: np.ndarray, b: np.ndarray, bins: int = 30) -> dict[str, Any]:
    """A compact histogram of both sides for the report (1st-99th percentile range)."""
    import numpy as np

    low = float(min(a[int(0.01 * (len(a) - 1))], b[int(0.01 * (len(b) - 1))]))
    high = float(max(a[int(0.99 * (len(a) - 1))], b[int(0.99 * (len(b) - 1))]))
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, bins + 1)
    return {
        "edges": edges.tolist(),
        "reference": st.shares(st.bin_counts(a, edges[1:-1])).tolist(),
        "current": st.shares(st.bin_counts(b, edges[1:-1])).tolist(),
    }


def _domain_classifier(
    ref: pd.DataFrame, cur: pd.DataFrame, cats: set[str], max_rows: int, random_state: int
) -> dict[str, Any]:
    """Cross-validated ROC AUC of a classifier telling current rows from reference rows."""
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rng = np.random.default_rng(random_state)
    take_ref = rng.permutation(len(ref))[:max_rows]
    take_cur = rng.permutation(len(cur))[:max_rows]
    both = pd.concat([ref.iloc[take_ref], cur.iloc[take_cur]], ignore_index=True)
    target = np.r_[np.zeros(len(take_ref), int), np.ones(len(take_cur), int)]
    encoded = pd.DataFrame(index=both.index)
    categorical_mask = []
    for column in both.columns:
        kind = _kind(both[column], cats, column)
        if kind == "numeric":
            encoded[str(column)] = both[column].astype(float)
            categorical_mask.append(False)
        elif kind == "datetime":
            encoded[str(column)] = both[column].astype("int64").astype(float)
            categorical_mask.append(False)
        else:
            codes = both[column].astype(str).astype("category").cat.codes.astype(float)
            encoded[str(column)] = codes.where(both[column].notna(), np.nan)
            categorical_mask.append(True)
    model = HistGradientBoostingClassifier(
        max_iter=50,
        max_depth=3,
        categorical_features=np.array(categorical_mask),
        random_state=random_state,
    )
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=random_state)
    scores = cross_val_predict(model, encoded, target, cv=folds, method="predict_proba")[:, 1]
    auc = float(roc_auc_score(target, scores))
    separating = []
    for column in encoded.columns:
        values = encoded[column].to_numpy()
        known = ~np.isnan(values)
        if known.sum() < 2 or len(np.unique(target[known])) < 2:
            continue
        single = float(roc_auc_score(target[known], values[known]))
        separating.append({"feature": column, "auc": max(single, 1 - single)})
    separating.sort(key=lambda r: -float(r["auc"]))
    return {
        "auc": auc,
        "rows_per_side": [len(take_ref), len(take_cur)],
        "model": "HistGradientBoostingClassifier(max_iter=50, max_depth=3), 3-fold CV",
        "top_features": separating[:10],
    }


def check_prediction_drift(reference: Any, current: Any, **options: Any) -> CheckResult:
    """Drift of model outputs (scores, or predicted classes as categories)."""
    return check_drift(
        _single("reference", reference, "prediction"),
        _single("current", current, "prediction"),
        drift_share=options.pop("drift_share", 0.5),
        name="prediction_drift",
        **options,
    )


def check_label_drift(reference: Any, current: Any, **options: Any) -> CheckResult:
    """Drift of the label distribution (always compared as categories)."""
    return check_drift(
        _single("reference", reference, "label"),
        _single("current", current, "label"),
        categorical=["label"],
        name="label_drift",
        **options,
    )


def _single(name: str, values: Any, column: str) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise MlopsInputError(f"{name} must be one column; got {values.shape[1]}")
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        return pd.DataFrame({column: values.to_numpy()})
    array = np.asarray(values)
    if array.ndim != 1:
        raise MlopsInputError(f"{name} must be 1-d; got shape {array.shape}")
    return pd.DataFrame({column: array})
