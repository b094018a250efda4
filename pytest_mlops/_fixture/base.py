"""What every ``mlops`` fixture method shares: run a pure check, record it, judge it.

A family module (``model.py``, ``data.py`` ...) defines a mixin of thin methods, each of
which imports its pure check inside the method body and hands it to :meth:`MlopsBase._run`.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops.baseline import Baseline, BaselineUpdate
from pytest_mlops.errors import (
    MlopsCheckFailed,
    MlopsInputError,
    MlopsTypeError,
    PytestMlopsWarning,
)
from pytest_mlops.fingerprint import describe
from pytest_mlops.results import SEVERITIES, CheckResult, Severity

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.core.registry import CheckSpec


@dataclasses.dataclass
class TestRecord:
    """Everything the ``mlops`` fixture collected in one test (sent with its report)."""

    checks: list[CheckResult] = dataclasses.field(default_factory=list)
    records: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    datasets: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    baseline_updates: list[BaselineUpdate] = dataclasses.field(default_factory=list)

    def drain(self) -> dict[str, Any] | None:
        """Return the collected data as JSON-ready lists and forget it (``None`` if empty)."""
        if not (self.checks or self.records or self.datasets or self.baseline_updates):
            return None
        payload = {
            "checks": [c.to_dict() for c in self.checks],
            "records": list(self.records),
            "datasets": list(self.datasets),
            "baseline_updates": [u.to_dict() for u in self.baseline_updates],
        }
        self.checks.clear()
        self.records.clear()
        self.datasets.clear()
        self.baseline_updates.clear()
        return payload


def _flat_arguments(bound: Any) -> dict[str, Any]:
    """Named arguments of a bound call, with ``**kwargs`` merged in."""
    import inspect

    out: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        kind = bound.signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            raise MlopsTypeError(f"checks take no *{name}; pass arguments by name")
        else:
            out[name] = value
    return out


class MlopsBase:
    """Shared state and the check runner behind the ``mlops`` fixture."""

    def __init__(
        self,
        *,
        nodeid: str,
        sink: TestRecord,
        seed: int,
        default_severity: Severity = "block",
        baseline_loader: Callable[[], Baseline],
        update_baseline: bool = False,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        self.nodeid = nodeid
        self.seed = seed
        self.default_severity: Severity = default_severity
        self.update_baseline = update_baseline
        self.settings: Mapping[str, Any] = settings or {}
        self._sink = sink
        self._baseline_loader = baseline_loader
        self._baseline: Baseline | None = None
        self._rng: np.random.Generator | None = None
        self._name_counts: dict[str, int] = {}

    # -- shared state --------------------------------------------------------------
    @property
    def rng(self) -> np.random.Generator:
        """A NumPy ``Generator`` seeded with ``--mlops-seed`` (the same in every run)."""
        if self._rng is None:
            import numpy as np

            self._rng = np.random.default_rng(self.seed)
        return self._rng

    @property
    def baseline(self) -> Baseline:
        """The baseline file of this run (read once, lazily)."""
        if self._baseline is None:
            self._baseline = self._baseline_loader()
        return self._baseline

    @property
    def results(self) -> list[CheckResult]:
        """The checks recorded so far in this test."""
        return list(self._sink.checks)

    def propose_baseline(self, section: str, name: str, value: Any) -> None:
        """Ask for ``value`` to be stored as ``section/name`` when the baseline is updated."""
        self._sink.baseline_updates.append(BaselineUpdate(section, name, value, self.nodeid))

    def propose_metrics(self, section: str, name: str, result: CheckResult) -> None:
        """Propose a result's numeric metrics as ``section/name`` of the baseline."""
        numbers = {
            k: v
            for k, v in result.metrics.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        self.propose_baseline(section, name, numbers)

    # -- recording numbers ---------------------------------------------------------
    def record(self, name: str, value: float) -> None:
        """Track a number in the report and, with ``--mlops-update-baseline``, the baseline.

        Parameters
        ----------
        name : str
            A name unique within the run, e.g. ``"train_seconds"``.
        value : float
            A finite real number.
        """
        if not isinstance(name, str) or not name:
            raise MlopsTypeError(f"record name must be a non-empty string; got {name!r}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise MlopsTypeError(f"record {name!r}: value must be a real number; got {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise MlopsInputError(f"record {name!r}: value must be finite; got {number}")
        previous = self.baseline.get("records", name) if self.baseline.exists else None
        self._sink.records.append(
            {"name": name, "value": number, "nodeid": self.nodeid, "baseline": previous}
        )
        self.propose_baseline("records", name, number)

    # -- running checks ------------------------------------------------------------
    def _severity(self, severity: str | None) -> Severity:
        chosen = self.default_severity if severity is None else severity
        if chosen not in SEVERITIES:
            raise MlopsInputError(
                f"severity must be one of {', '.join(repr(s) for s in SEVERITIES)}; got {chosen!r}"
            )
        return chosen

    def _bind(self, result: CheckResult, severity: Severity) -> CheckResult:
        count = self._name_counts.get(result.name, 0) + 1
        self._name_counts[result.name] = count
        suffix = f"[{count}]" if count > 1 else ""
        return dataclasses.replace(
            result.with_severity(severity),
            id=f"{self.nodeid}::{result.name}{suffix}",
            nodeid=self.nodeid,
        )

    def _fingerprint(self, data: Mapping[str, Any], check_id: str) -> None:
        for argument, value in data.items():
            described = describe(value)
            if described is not None:
                self._sink.datasets.append({**described, "argument": argument, "check": check_id})

    def _run(
        self,
        check: Callable[..., CheckResult],
        *args: Any,
        name: str,
        category: str,
        severity: str | None = None,
        data: Mapping[str, Any] | None = None,
        before_judging: Callable[[CheckResult], None] | None = None,
        **kwargs: Any,
    ) -> CheckResult:
        """Run ``check(*args, **kwargs)``, record its result and fail or warn the test.

        ``before_judging`` sees the result before a failure raises (to propose baseline
        entries even from a failing run, which ``--mlops-force-update-baseline`` writes).
        """
        __tracebackhide__ = True
        judged_at = self._severity(severity)
        try:
            result = check(*args, **kwargs)
        except (MlopsInputError, MlopsTypeError) as exc:
            errored = self._bind(
                CheckResult(
                    name=name,
                    category=category,
                    status="error",
                    message=f"{name} could not be computed: {exc}",
                    reason="invalid_input",
                ),
                judged_at,
            )
            self._sink.checks.append(errored)
            self._fingerprint(data or {}, errored.id)
            raise
        bound = self._bind(result, judged_at)
        self._sink.checks.append(bound)
        self._fingerprint(data or {}, bound.id)
        if before_judging is not None:
            before_judging(bound)
        self._judge(bound)
        return bound

    def _run_spec(
        self,
        spec: CheckSpec,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        severity: str | None,
    ) -> CheckResult:
        """Run the registered check ``spec`` as the fixture does for every check.

        The call is bound to the fixture method's signature first (an unknown keyword is
        an :class:`MlopsTypeError` naming the closest argument); the run's seed fills
        ``random_state`` of seeded checks; ``spec.prepare`` may read the baseline or
        finish the check itself. An exception from inside the check is recorded as a
        result with status ``error`` before it propagates, so the gate fails closed.
        """
        __tracebackhide__ = True
        from pytest_mlops.core.inputs import bind_arguments

        judged_at = self._severity(severity) if severity is not None else None
        try:
            bound = bind_arguments(f"mlops.{spec.method}", spec.signature(), args, kwargs)
            arguments = _flat_arguments(bound)
            arguments.pop("severity", None)
            if spec.seeded and "random_state" not in kwargs:
                arguments["random_state"] = self.seed
            data = {k: arguments.get(k) for k in spec.data}
            prepared = spec.prepare(self, arguments) if spec.prepare else arguments
            result = prepared if isinstance(prepared, CheckResult) else spec.function(**prepared)
        except Exception as exc:  # recorded, then re-raised: pytest's outcomes pass through
            self._record_error(spec, exc, judged_at or self._severity(None), locals())
            raise
        if judged_at is None:
            judged_at = self._severity(spec.severity(result) if spec.severity else None)
        bound_result = self._bind(result, judged_at)
        self._sink.checks.append(bound_result)
        self._fingerprint(data, bound_result.id)
        if spec.after is not None:
            spec.after(self, bound_result)
        self._judge(bound_result)
        return bound_result

    def _record_error(
        self, spec: CheckSpec, exc: Exception, severity: Severity, scope: Mapping[str, Any]
    ) -> None:
        if isinstance(exc, (MlopsInputError, MlopsTypeError)):
            message, reason = f"{spec.name} could not be computed: {exc}", "invalid_input"
        else:
            message = (
                f"{spec.name} raised {type(exc).__name__}: {exc} (an error inside the check "
                "or a callable it was given; the traceback is in the test's output)"
            )
            reason = "not_computable"
        errored = self._bind(
            CheckResult(
                name=spec.name,
                category=spec.category,
                status="error",
                message=message,
                reason=reason,
            ),
            severity,
        )
        self._sink.checks.append(errored)
        data = scope.get("data")
        self._fingerprint(data if isinstance(data, Mapping) else {}, errored.id)

    def _judge(self, result: CheckResult) -> None:
        __tracebackhide__ = True
        if not result.failed:
            return
        text = f"{result.category}/{result.name}: {result.message}"
        if result.severity == "block":
            raise MlopsCheckFailed(text)
        warnings.warn(PytestMlopsWarning(text), stacklevel=4)
