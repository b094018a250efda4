"""Drift between reference (training) data and current (test or live) data.

A column counts as drifted only when two things hold: its distribution test is
significant after correcting for the number of columns tested, **and** the effect size
clears a floor. A p-value alone calls a 0.01-standard-deviation shift significant at a
million rows; an effect size alone fires on most no-drift samples of 100 rows. Below
``min_samples`` rows (on either side) a column is not judged.

The check fails when any judged column drifted (``max_drifted_share=0``, the default), or
when the optional domain classifier tells the two sets apart. With both guards (the
correction bounds the chance of any false alarm at ``alpha``; the floor ignores trivial
effects) failing on one column is safe; ``max_drifted_share`` tolerates a share.

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

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _drift_columns as dc
from pytest_mlops.checks import _drift_engine as de
from pytest_mlops.checks import _drift_grid as dg
from pytest_mlops.checks import _drift_memory as dm
from pytest_mlops.checks import _drift_profile as dp
from pytest_mlops.checks import _drift_verdict as dv
from pytest_mlops.checks._drift_columns import (
    ALL_METHODS,
    BINS,
    CATEGORICAL_METHODS,
    DEFAULT_FLOORS,
    EFFECT_OF,
    NUMERIC_METHODS,
)
from pytest_mlops.checks._drift_profile import PROFILE_METHODS, PROFILE_VERSION
from pytest_mlops.core.inputs import (
    PROBABILITY,
    SEED,
    Boolean,
    Constraint,
    InstanceOf,
    Interval,
    MappingOf,
    Options,
    SequenceOf,
    Text,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    from pytest_mlops._fixture.base import MlopsBase
    from pytest_mlops.results import CheckResult

__all__ = [
    "ALL_METHODS",
    "BINS",
    "CATEGORICAL_METHODS",
    "DEFAULT_FLOORS",
    "EFFECT_OF",
    "NUMERIC_METHODS",
    "PROFILE_METHODS",
    "PROFILE_VERSION",
    "build_profile",
    "check_drift",
]

MSG_DEPRECATED_SHARE: Final = (
    "check_drift: drift_share= is deprecated; use max_drifted_share= (the largest share of "
    "judged columns that may drift; the default 0 fails on any drifted column). "
    "drift_share={value!r} still fails when at least that share drifted"
)
ENGINE_NOTE: Final = (
    "compared on an engine: each side reduced to counts on the reference's percentile grid "
    "where the data lives (no rows collected); KS and Wasserstein carry error bounds"
)
MSG_DOMAIN_ON_ENGINE: Final = (
    "domain_classifier=True needs both sides in memory; data on an engine is "
    "compared column by column on a grid (drop domain_classifier, or pass samples)"
)
COLUMN_NAME: Final = InstanceOf(str, int, label="a column name")
#: Options shared by every drift check, declared once.
COMMON_OPTIONS: Final[dict[str, list[Constraint | None]]] = {
    "method": [Options(*ALL_METHODS), MappingOf(COLUMN_NAME, [Options(*ALL_METHODS)])],
    "alpha": [PROBABILITY],
    "effect_floor": [
        Interval(float, 0, None),
        MappingOf(Options(*DEFAULT_FLOORS), [Interval(float, 0, None)]),
        None,
    ],
    "min_samples": [Interval(int, 2, None)],
}


@validate_params(
    {
        "columns": [SequenceOf(COLUMN_NAME), None],
        "categorical": [SequenceOf(COLUMN_NAME), None],
        "bins": [Interval(int, 2, 1000)],
        "max_categories": [Interval(int, 1, None)],
        "grid": [Boolean()],
    }
)
def build_profile(
    reference: Any,
    *,
    columns: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    bins: int = BINS,
    max_categories: int = 200,
    grid: bool = True,
) -> dict[str, Any]:
    """A compact summary of reference data to compare new data against later.

    Per numeric column: reference-quantile bin edges and counts, mean, standard deviation,
    minimum, maximum and missing count; per categorical column: the counts of its most
    frequent ``max_categories`` values (the rest pooled as ``"__other__"``) and missing
    count. Numeric columns also keep a fine ``grid`` (the reference's percentiles and the
    counts in them), on which KS and Wasserstein are judged (``grid=False`` leaves it out:
    such a profile is compared by chi-squared on its bins). Kilobytes, not data: it is
    stored in the baseline file by ``mlops.store_profile(name, reference)`` with
    ``--mlops-update-baseline``. ``reference`` may be data on an engine (a Parquet path or
    glob, DuckDB, polars lazy, Dask, Spark): it is profiled there, without collecting it.
    """
    cats = {str(c) for c in categorical or ()}
    if de.uses_engine(reference, None):
        source = de.open_reference(reference)
        chosen = de.chosen(source.columns, source.columns, columns)
        return dg.source_profile(source, chosen, cats, bins, max_categories)
    frame = dm.frame("reference", reference)
    chosen = dm.columns_of(frame, frame, columns)
    return dp.build_profile(frame, chosen, cats, bins, max_categories, grid)


def _share_rule(max_drifted_share: float, drift_share: float | None) -> tuple[float, bool]:
    """The limit on the drifted share and whether reaching it fails (the deprecated rule)."""
    if drift_share is None:
        return max_drifted_share, False
    if max_drifted_share != 0.0:
        raise MlopsInputError(
            "check_drift: give max_drifted_share or the deprecated drift_share, not both; "
            f"got max_drifted_share={max_drifted_share!r}, drift_share={drift_share!r}"
        )
    warnings.warn(MSG_DEPRECATED_SHARE.format(value=drift_share), FutureWarning, stacklevel=4)
    return drift_share, True


@validate_params(
    {
        **COMMON_OPTIONS,
        "columns": [SequenceOf(COLUMN_NAME), None],
        "categorical": [SequenceOf(COLUMN_NAME), None],
        "correction": [Options("bonferroni", "bh", "none")],
        "max_drifted_share": [Interval(float, 0, 1)],
        "drift_share": [Interval(float, 0, 1, closed="right"), None],
        "domain_classifier": [Boolean()],
        "domain_auc_threshold": [Interval(float, 0.5, 1, closed="neither")],
        "max_domain_rows": [Interval(int, 30, None)],
        "random_state": [SEED],
        "name": [Text()],
    }
)
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
    min_samples: int = 10,
    max_drifted_share: float = 0.0,
    drift_share: float | None = None,
    domain_classifier: bool = False,
    domain_auc_threshold: float = 0.625,
    max_domain_rows: int = 10_000,
    random_state: int = 0,
    name: str = "drift",
) -> CheckResult:
    """Compare current data with reference data (or a stored profile), column by column.

    Parameters
    ----------
    reference : DataFrame, Series, ndarray, profile dict, or data on an engine
        The data the model learned from, or a profile from :func:`build_profile`. Data on an
        engine (Parquet path or glob, DuckDB, polars lazy, Dask, Spark) is profiled in place.
    current : DataFrame, Series, ndarray, or data on an engine
        The data to compare (a test set, or live data). When either side is on an engine,
        both are compared on the reference's percentile grid (module ``_drift_grid``).
    columns : list of str, optional
        Columns to compare; by default every column present in both. Datetime columns are
        only compared when listed here (time moves on, so they always shift).
    categorical : list of str, optional
        Columns to treat as categorical although numeric (codes, small integers); non-numeric,
        boolean and ``category`` columns are categorical anyway.
    method : str or dict, default "auto"
        The effect size (and for ``"anderson"`` the test), per the table in the module
        docstring; a dict sets it per column.
    alpha : float, default 0.05
        Significance level of the per-column tests after correction.
    correction : {"bonferroni", "bh", "none"}, default "bonferroni"
        Multiple-testing correction across the judged columns (Bonferroni bounds the chance
        of any false alarm; Benjamini-Hochberg the share of false alarms).
    effect_floor : float or dict, optional
        Override the effect-size floors (one number, or per effect name).
    min_samples : int, default 10
        Fewest non-missing values on each side to judge a column (Deepchecks' default).
    max_drifted_share : float, default 0
        Largest share of judged columns that may drift without failing (0: fail on any).
    drift_share : float, optional
        Deprecated (use ``max_drifted_share``): fail when at least this share drifted.
    domain_classifier, domain_auc_threshold, max_domain_rows : bool, float, int
        Also train a classifier to tell reference rows from current rows (default False): its
        3-fold cross-validated ROC AUC, on at most ``max_domain_rows`` (10 000) rows per side,
        at or above ``domain_auc_threshold`` (0.625, Deepchecks' 0.25 drift score 2·AUC−1)
        fails the check even if no single column drifted.
    random_state : int, default 0
        Seed of the domain classifier (its row sample, folds and model).
    name : str, default "drift"
        The result's name.

    Returns
    -------
    CheckResult
        ``fail`` naming the drifted columns first; ``error`` when no column could be judged.
    """
    floors = _floors(effect_floor)
    limit, reaching_fails = _share_rule(max_drifted_share, drift_share)
    on_engine = _on_engine(reference, current, domain_classifier)
    request = de.Request(columns, {str(c) for c in categorical or ()}, method, min_samples)
    found = (de.compare if on_engine else dm.compare)(reference, current, request)
    dv.judge_rows(found.rows, floors, alpha, correction)
    details = _details(found, reference, on_engine, alpha, correction, min_samples, limit)
    domain = None
    if domain_classifier and found.frames is not None:
        domain = _domain(found, request, max_domain_rows, random_state)
        details["domain_classifier"] = domain or {"note": "no column varies: not run"}
    return dv.verdict(
        name, found.rows, details, domain, domain_auc_threshold, limit, reaching_fails, alpha
    )


def _on_engine(reference: Any, current: Any, domain_classifier: bool) -> bool:
    """Whether a side is on an engine (where the domain classifier cannot run)."""
    on_engine = de.uses_engine(reference, current)
    if domain_classifier and on_engine:
        raise MlopsInputError(MSG_DOMAIN_ON_ENGINE)
    return on_engine


def _details(
    found: de.Compared,
    reference: Any,
    on_engine: bool,
    alpha: float,
    correction: str,
    min_samples: int,
    limit: float,
) -> dict[str, Any]:
    """The result's details: both sides' sizes, the settings, and the rows (judged)."""
    rows = found.rows
    available, cur_columns = set(found.reference_columns), set(found.current_columns)
    details: dict[str, Any] = {
        "n_reference": found.n_reference,
        "n_current": found.n_current,
        "from_profile": dp.is_profile(reference),
        "alpha": alpha,
        "correction": correction,
        "min_samples": min_samples,
        "max_drifted_share": limit,
        "columns": rows,
        "not_judged": [r["column"] for r in rows if not r["judged"]],
        "columns_only_in_reference": sorted(available - cur_columns),
        "columns_only_in_current": sorted(cur_columns - available),
    }
    if on_engine:
        details["engines"] = found.engines
        details["note"] = ENGINE_NOTE
    return details


def _floors(effect_floor: float | Mapping[str, float] | None) -> dict[str, float]:
    floors = dict(DEFAULT_FLOORS)
    if isinstance(effect_floor, Mapping):
        floors.update({key: float(value) for key, value in effect_floor.items()})
    elif effect_floor is not None:
        floors = {k: float(effect_floor) for k in floors}
    return floors


def _domain(
    found: de.Compared, request: de.Request, max_rows: int, random_state: int
) -> dict[str, Any] | None:
    """The domain classifier on the compared columns (datetimes only when listed)."""
    from pytest_mlops.checks._drift_domain import domain_classifier

    assert found.frames is not None
    ref, cur = found.frames
    listed, cats = request.columns is not None, request.categorical
    compared = [r["column"] for r in found.rows if r["kind"] != "datetime" or listed]
    kinds = [dc.kind_of(ref[c], cats, c) for c in compared]
    return domain_classifier(ref[compared], cur[compared], kinds, max_rows, random_state)


def _prepare_reference(mlops: MlopsBase, arguments: dict[str, Any]) -> dict[str, Any] | CheckResult:
    from pytest_mlops._fixture.drift import stored_reference

    return stored_reference(mlops, arguments)


register(
    CheckSpec(
        name="drift",
        category="drift",
        function=check_drift,
        data=("reference", "current"),
        seeded=True,
        prepare=_prepare_reference,
        view="drift_drift.html.j2",
        scorecard=("Monitor 2",),
    )
)
