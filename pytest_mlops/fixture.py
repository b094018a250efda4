"""The object the ``mlops`` fixture gives a test: one mixin of methods per check family."""

from __future__ import annotations

from pytest_mlops._fixture.data import DataMethods
from pytest_mlops._fixture.drift import DriftMethods
from pytest_mlops._fixture.fairness import FairnessMethods
from pytest_mlops._fixture.model import ModelMethods
from pytest_mlops._fixture.pipeline import PipelineMethods
from pytest_mlops._fixture.production import ProductionMethods


class Mlops(
    DataMethods,
    PipelineMethods,
    ModelMethods,
    FairnessMethods,
    DriftMethods,
    ProductionMethods,
):
    """Run ML checks inside a test and record them for the gate and the reports.

    Every ``check_*`` method returns a :class:`~pytest_mlops.results.CheckResult`. A
    failed check of severity ``block`` raises :class:`~pytest_mlops.errors.MlopsCheckFailed`
    (an ``AssertionError``); one of severity ``warn`` emits a
    :class:`~pytest_mlops.errors.PytestMlopsWarning` and the test goes on. Severity comes
    from the ``severity=`` argument, else the test's ``mlops_*`` marker, else ``block``.

    Attributes
    ----------
    seed : int
        The run's ``--mlops-seed``.
    rng : numpy.random.Generator
        A generator seeded with ``seed``.
    baseline : Baseline
        The baseline file of the run.
    """
