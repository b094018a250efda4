"""The cell-wise KS and Wasserstein of large samples equal SciPy's on ties, offsets, tails."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from pytest_mlops.checks import _drift_stats as st

RNG = np.random.default_rng(7)
N = 30_000  # above KS_EXACT_MAX_N, so the cells (not ks_2samp) compute the statistic


@pytest.mark.parametrize(
    "make",
    [
        lambda n, shift: RNG.normal(shift, 1, n),
        lambda n, shift: RNG.integers(0, 5 + int(shift * 10), n).astype(float),
        lambda n, shift: np.round(RNG.normal(shift, 1, n), 2),
        lambda n, shift: RNG.normal(1e6 + shift, 1, n),
        lambda n, shift: RNG.standard_cauchy(n) * (1 + shift),
    ],
    ids=["continuous", "few-values", "rounded", "offset", "heavy-tails"],
)
@pytest.mark.parametrize("shift", [0.0, 0.3])
@pytest.mark.parametrize("sizes", [(N, N), (N, int(N * 1.7) + 3)])
def test_cells_equal_scipy(make, shift: float, sizes: tuple[int, int]) -> None:
    a, b = np.sort(make(sizes[0], 0.0)), np.sort(make(sizes[1], shift))
    statistic, _, wasserstein = st.ks_and_wasserstein(a, b)
    assert statistic == pytest.approx(stats.ks_2samp(a, b).statistic, abs=1e-12)
    assert wasserstein == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-9)
