"""A profile's grid on a lattice: above :data:`~pytest_mlops.engines._source.GRID_SAMPLE_ROWS`
rows, a numeric column on DuckDB or polars is counted in one group-by of uniform cells
(:mod:`pytest_mlops.engines._cells`) spanning its sampled 0.01% to 99.99% quantiles, and
the grid's edges are the cell boundaries where the exact cumulative counts cross each grid
level. The same pass gives the column's nulls, NaN, range, mean and standard deviation, so
the reference is read once for them, where a summary, a binned count and the quantiles'
sample read it three times. The current side is counted on the same cells
(:func:`binned`), on its engine or in memory, with the same arithmetic, so both sides' bins
are the same sets of values.

A column whose values crowd into a cell (more than :data:`MAX_CELL_SHARE` of them in a
cell that holds two different values) cannot be cut finely enough this way; it keeps a
grid on its sampled quantiles (:func:`lattice_entry` returns None).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.checks import _binned as bn
from pytest_mlops.checks._drift_grid import _finite
from pytest_mlops.engines._cells import Lattice

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.engines._cells import CellCounts

#: The largest share of a column's values a cell holding two different values may have:
#: the grid's levels are 1% apart, and an edge on a cell boundary can miss its level by
#: at most one cell, so every bin stays within 1.5% where the quantile grid has 1%.
MAX_CELL_SHARE: Final = 0.005


def lattice_for(quantiles: Sequence[float]) -> Lattice | None:
    """The lattice spanning a column's sampled grid quantiles (None for a constant sample)."""
    finite = [float(q) for q in quantiles if q is not None and math.isfinite(q)]
    return Lattice.spanning(min(finite), max(finite)) if finite else None


def lattice_entry(
    counted: CellCounts, lattice: Lattice, levels: Sequence[float], deciles: Sequence[float]
) -> dict[str, Any] | None:
    """A numeric column's profile fields from its cell counts, or None when its values
    crowd into a cell (see :data:`MAX_CELL_SHARE`) or it has no value."""
    import numpy as np

    total = counted.valid
    if total == 0:
        return None
    crowded = (counted.counts > MAX_CELL_SHARE * total) & (counted.low < counted.high)
    if crowded.any():
        return None
    cumulative = np.cumsum(counted.counts)[: lattice.cells + 1]  # values below cell b + 1

    def boundaries(at: Sequence[float]) -> list[int]:
        targets = np.asarray(at, dtype=float) * total
        found = np.searchsorted(cumulative, targets, side="left")
        return sorted({min(int(b), lattice.cells) for b in found})

    cells = boundaries(levels)
    edges = [lattice.boundary(b) for b in cells]
    if any(b <= a for a, b in itertools.pairwise(edges)):
        return None  # cells narrower than the floats can tell apart there
    decile_edges = [lattice.boundary(b) for b in boundaries(deciles)]
    grid_counts = binned(counted.counts, cells)
    mean, std = counted.moments()
    low, high = counted.extremes()
    return {
        "missing": counted.nulls + counted.nan,
        "edges": decile_edges,
        "counts": bn.merge_bins(edges, grid_counts, decile_edges).tolist(),
        "mean": mean,
        "std": std,
        "min": _finite(low),
        "max": _finite(high),
        "grid": {
            "edges": edges,
            "counts": [int(c) for c in grid_counts],
            "lattice": {**lattice.to_dict(), "boundaries": cells},
        },
    }


def binned(slot_counts: np.ndarray, cells: Sequence[int]) -> np.ndarray:
    """Counts per slot (:meth:`Lattice.slots`) merged into the bins cut at the starts of
    ``cells``: below the first, between consecutive ones, from the last on."""
    import numpy as np

    cumulative = np.concatenate([[0], np.cumsum(slot_counts)])
    below = cumulative[np.asarray(cells, dtype=np.int64) + 1]
    return np.diff(np.concatenate([[0], below, [cumulative[-1]]])).astype(np.int64)


def lattice_of(entry: Mapping[str, Any]) -> tuple[Lattice, list[int]] | None:
    """A profile entry's lattice and the cells its grid is cut at, or None."""
    grid = entry.get("grid")
    found = grid.get("lattice") if isinstance(grid, Mapping) else None
    if not isinstance(found, Mapping):
        return None
    lattice = Lattice(float(found["origin"]), float(found["scale"]), int(found["cells"]))
    return lattice, [int(b) for b in found["boundaries"]]
