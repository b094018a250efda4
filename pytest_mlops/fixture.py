"""The object the ``mlops`` fixture gives a test.

Its ``check_*`` methods are derived from the check registry
(:mod:`pytest_mlops.core.registry`): one per registered check, with the pure function's
signature (less the arguments the fixture fills in) and a keyword-only ``severity``. A check
registered after this module was imported (a user's own, or a plugin's) is reachable the
same way, through :meth:`Mlops.__getattr__`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from pytest_mlops._fixture.drift import DriftMethods
from pytest_mlops.core import registry
from pytest_mlops.results import CheckResult


class Mlops(
    DriftMethods,
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

    def run(self, method: str, *args: Any, severity: str | None = None, **kwargs: Any) -> Any:
        """Run the registered check named ``method`` (``mlops.run("check_x", ...)`` is
        ``mlops.check_x(...)``)."""
        __tracebackhide__ = True
        spec = registry.get(method)
        if spec is None:
            from pytest_mlops.core.inputs import unknown_argument

            known = [s.method for s in registry.specs()]
            raise unknown_argument("mlops.run", method, known)
        return self._run_spec(spec, args, kwargs, severity)

    def __getattr__(self, name: str) -> Any:
        spec = registry.get(name) if not name.startswith("_") else None
        if spec is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return functools.partial(self.run, name)


def fixture_method(spec: registry.CheckSpec) -> Callable[..., CheckResult]:
    """The ``mlops`` method that runs ``spec``: same signature and docs as the pure check."""

    def method(self: Mlops, *args: Any, severity: str | None = None, **kwargs: Any) -> CheckResult:
        __tracebackhide__ = True
        return self._run_spec(spec, args, kwargs, severity)

    method.__name__ = method.__qualname__ = spec.method
    method.__doc__ = spec.function.__doc__
    method.__signature__ = spec.signature()  # type: ignore[attr-defined]
    return method


def _derive_methods() -> None:
    """One method per registered check, except where a family still hand-writes it."""
    for spec in registry.specs():
        if not hasattr(Mlops, spec.method):
            setattr(Mlops, spec.method, fixture_method(spec))


_derive_methods()
