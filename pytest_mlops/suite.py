"""The standard suite: real test items added by ``--mlops`` when conftest.py declares data.

A project declares, in its ``conftest.py``::

    @pytest.fixture(scope="session")
    def mlops_dataset():
        return MlopsDataset(train=train_df, test=test_df, label="target",
                            categorical=["region"], sensitive=["sex"])

    @pytest.fixture(scope="session")
    def mlops_model(mlops_dataset):
        return make_pipeline  # a factory (enables the determinism check) or a fitted model

and ``pytest --mlops`` collects the functions below as items of that conftest
(``conftest.py::test_mlops_data_integrity_train`` ...): selectable with ``-k`` and ``-m``,
shown by ``--collect-only``, distributed by xdist like any test.
"""

from __future__ import annotations

from typing import Any

import pytest


class SuiteModule(pytest.Module):
    """The suite's functions, collected as items of the conftest that declares the data."""

    def _getobj(self) -> Any:
        import pytest_mlops._suite_tests as suite

        return suite


def declares_dataset(path: Any) -> bool:
    """Whether a conftest.py defines an ``mlops_dataset`` fixture (read as text, not run)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return "def mlops_dataset" in text
