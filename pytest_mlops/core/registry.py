"""One declaration per check: the registry the ``mlops`` fixture, the README's option
tables and the ML Test Score map are derived from.

A family module declares each of its checks once, beside the pure function::

    register(
        CheckSpec(
            name="calibration",
            category="model",
            function=check_calibration,
            data=("y_true", "y_score"),
            scorecard=(),
        )
    )

and ``mlops.check_calibration(...)`` exists from then on: it validates the arguments
(unknown keywords are an :class:`~pytest_mlops.errors.MlopsTypeError` suggesting the
closest name), runs the check, records the result with its datasets' fingerprints, and
fails or warns the test by severity. A user's own check is registered the same way (see
:func:`register`, or the ``pytest_mlops_register_checks`` hook) and gets the same
recording, gating and report row.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.results import CATEGORIES, CheckResult

if TYPE_CHECKING:
    from pytest_mlops._fixture.base import MlopsBase

#: Arguments every fixture method takes in addition to the pure function's.
FIXTURE_ONLY: Final = ("severity",)
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

Prepare = Callable[["MlopsBase", dict[str, Any]], "dict[str, Any] | CheckResult"]
After = Callable[["MlopsBase", CheckResult], None]


@dataclasses.dataclass(frozen=True)
class CheckSpec:
    """The declaration of one check.

    Parameters
    ----------
    name : str
        The result's name (``CheckResult.name``), e.g. ``"calibration"``.
    category : str
        Its family: ``data``, ``pipeline``, ``model``, ``fairness``, ``drift`` or ``custom``.
    function : callable
        The pure check: data and options in, :class:`CheckResult` out; no pytest.
    method : str
        The ``mlops`` fixture method's name; by default the function's name.
    data : tuple of str
        Arguments whose values are data sets: the report records their fingerprints.
    seeded : bool
        ``random_state`` defaults to the run's ``--mlops-seed`` when not given.
    injected : tuple of str
        Arguments of the pure function that the fixture fills in (in ``prepare``), not
        the user: the fixture method does not take them.
    prepare : callable, optional
        ``prepare(mlops, arguments)`` runs before the check, in the fixture only (reading
        the baseline, filling ``injected`` arguments). It returns the arguments to call
        the function with, or a finished :class:`CheckResult` (e.g. a missing baseline
        entry, which fails closed).
    after : callable, optional
        ``after(mlops, result)`` sees the bound result before a failure raises (to propose
        baseline entries even from a failing run).
    severity : callable, optional
        ``severity(result)`` gives the default severity from the result when neither the
        call nor the marker sets one (the dependency check warns unless a rule blocks).
    view, figure : str, optional
        The report's view template (under ``report/templates/views``) and figure function
        (``"module:function"``) for this check's results.
    scorecard : tuple of str
        The ML Test Score tests (``"Model 5"``) a passing result of this check serves.
    also_scores : tuple of (str, tuple of str)
        Results this check returns under another name, each with the ML Test Score tests
        it serves: ``(("slice_metrics", ("Model 6",)),)`` for ``check_metrics(slices=)``.
    """

    name: str
    category: str
    function: Callable[..., CheckResult]
    method: str = ""
    data: tuple[str, ...] = ()
    seeded: bool = False
    injected: tuple[str, ...] = ()
    prepare: Prepare | None = None
    after: After | None = None
    severity: Callable[[CheckResult], str] | None = None
    view: str | None = None
    figure: str | None = None
    scorecard: tuple[str, ...] = ()
    also_scores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        if not self.method:
            object.__setattr__(self, "method", self.function.__name__)
        if not _IDENTIFIER.match(self.method):
            raise ValueError(f"check method name must be a lower-case identifier: {self.method!r}")
        if self.category not in CATEGORIES:
            raise ValueError(
                f"check {self.method!r}: category must be one of {', '.join(CATEGORIES)}; "
                f"got {self.category!r}"
            )
        if not callable(self.function):
            raise TypeError(f"check {self.method!r}: function must be callable")
        parameters = inspect.signature(self.function).parameters
        for argument in (*self.data, *self.injected):
            if argument not in parameters:
                raise ValueError(
                    f"check {self.method!r}: {self.function.__name__} has no argument {argument!r}"
                )
        if self.seeded and "random_state" not in parameters:
            raise ValueError(f"check {self.method!r}: seeded=True needs a random_state argument")

    @property
    def summary(self) -> str:
        """The first line of the pure function's docstring."""
        doc = inspect.getdoc(self.function) or ""
        return doc.splitlines()[0] if doc else ""

    def signature(self) -> inspect.Signature:
        """The fixture method's signature: the pure function's, less the injected
        arguments, plus the keyword-only ``severity``."""
        base = inspect.signature(self.function)
        kept = [p for name, p in base.parameters.items() if name not in self.injected]
        if "severity" not in base.parameters:
            severity = inspect.Parameter(
                "severity", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="str | None"
            )
            var_kw = [p for p in kept if p.kind is inspect.Parameter.VAR_KEYWORD]
            kept = [p for p in kept if p.kind is not inspect.Parameter.VAR_KEYWORD]
            kept = [*kept, severity, *var_kw]
        return base.replace(parameters=kept)


_REGISTRY: dict[str, CheckSpec] = {}


def register(spec: CheckSpec, *, replace: bool = False) -> CheckSpec:
    """Add ``spec`` to the registry; ``mlops.<spec.method>`` exists from then on.

    Registering a second check under a taken method name is an error unless
    ``replace=True`` (a plugin that deliberately overrides a built-in check).
    """
    taken = _REGISTRY.get(spec.method)
    if taken is not None and taken != spec and not replace:
        raise ValueError(
            f"a check named {spec.method!r} is already registered "
            f"({taken.function.__module__}.{taken.function.__name__}); pass replace=True "
            "to override it"
        )
    _REGISTRY[spec.method] = spec
    return spec


def unregister(method: str) -> None:
    """Remove a check (for tests and plugins that register checks temporarily)."""
    _REGISTRY.pop(method, None)


def get(method: str) -> CheckSpec | None:
    """The spec whose fixture method is ``method``, or ``None``."""
    _load_builtins()
    return _REGISTRY.get(method)


def specs() -> Iterator[CheckSpec]:
    """Every registered check, built-in ones first, in registration order."""
    _load_builtins()
    return iter(list(_REGISTRY.values()))


def scorecard_map() -> dict[str, tuple[str, ...]]:
    """Check result name -> the ML Test Score tests it serves, from the registry."""
    out: dict[str, tuple[str, ...]] = {}
    for spec in specs():
        for name, tests in ((spec.name, spec.scorecard), *spec.also_scores):
            if tests:
                out[name] = tuple(dict.fromkeys((*out.get(name, ()), *tests)))
    return out


def views() -> Mapping[tuple[str, str], str]:
    """``(category, name)`` -> view template, for the checks that declare one."""
    return {(s.category, s.name): s.view for s in specs() if s.view}


def figures() -> Mapping[tuple[str, str], str]:
    """``(category, name)`` -> ``"module:function"`` of the figure, where declared."""
    return {(s.category, s.name): s.figure for s in specs() if s.figure}


def _load_builtins() -> None:
    """Import the family modules, which register the built-in checks (cheap: they load
    no heavy library at import)."""
    import pytest_mlops.checks  # noqa: F401
