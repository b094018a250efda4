"""Declared option constraints, in the style of scikit-learn's ``_param_validation``.

The constraint types live here; :mod:`pytest_mlops.core.params` applies them to a call.

A check declares, once, what each of its options may be::

    @validate_params(
        {
            "alpha": [Interval(float, 0, 1, closed="neither")],
            "method": [Options("ks", "psi")],
            "columns": [SequenceOf(InstanceOf(str)), None],
        }
    )
    def check_drift(reference, current, *, alpha=0.05, method="ks", columns=None): ...

Every declared argument is validated before the check does any work. A value of the
wrong type raises :class:`~pytest_mlops.errors.MlopsTypeError`; a value of the right type
outside what is allowed raises :class:`~pytest_mlops.errors.MlopsInputError`. Both name the
check, the argument, the value received and what is allowed::

    check_drift: alpha must be a float in (0, 1); got '0.05' (str)

Strings are never read as numbers: ``"0.05"`` is a type error, not ``0.05``.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from pytest_mlops.errors import MlopsInputError, MlopsTypeError

ArgumentError = MlopsInputError | MlopsTypeError
Closed = Literal["both", "left", "right", "neither"]

#: ``MlopsTypeError``/``MlopsInputError`` text for a rejected option.
MSG_OPTION: Final = "{owner}: {argument} must be {allowed}; got {value}"


def shown(value: Any) -> str:
    """``'0.05' (str)``: the value and its type, short enough for one message line."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def is_real(value: Any) -> bool:
    """A real number that is not a bool (NumPy numbers count; strings never do)."""
    return (
        isinstance(value, numbers.Real) and not isinstance(value, bool) and not _is_np_bool(value)
    )


def is_integral(value: Any) -> bool:
    """An integer that is not a bool (NumPy integers count)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_np_bool(value: Any) -> bool:
    return type(value).__name__ == "bool" and type(value).__module__ == "numpy"


class Constraint:
    """One thing an argument may be. Subclasses say whether a value has the right type
    (:meth:`fits_type`) and whether it is allowed (:meth:`accepts`)."""

    def fits_type(self, value: Any) -> bool:
        return self.accepts(value)

    def accepts(self, value: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def problem(self, owner: str, argument: str, value: Any) -> ArgumentError | None:
        """A more precise complaint than "must be ..." (used by containers)."""
        return None


class Interval(Constraint):
    """A number between ``left`` and ``right`` (``None`` for no limit).

    ``kind`` is ``int`` (integers only) or ``float`` (any real number). NaN is never
    inside an interval; infinities are only inside an unbounded one.
    """

    def __init__(
        self,
        kind: type[int] | type[float],
        left: float | None,
        right: float | None,
        *,
        closed: Closed = "both",
    ) -> None:
        self.kind = kind
        self.left = left
        self.right = right
        self.closed = closed

    def fits_type(self, value: Any) -> bool:
        return is_integral(value) if self.kind is int else is_real(value)

    def accepts(self, value: Any) -> bool:
        if not self.fits_type(value):
            return False
        number = float(value)
        if math.isnan(number):
            return False
        if self.left is not None:
            low_ok = number >= self.left if self.closed in ("both", "left") else number > self.left
            if not low_ok:
                return False
        elif number == -math.inf:
            return False
        if self.right is not None:
            closed_right = self.closed in ("both", "right")
            return number <= self.right if closed_right else number < self.right
        return number != math.inf

    def describe(self) -> str:
        noun = "an int" if self.kind is int else "a float"
        if self.left is None and self.right is None:
            return "a finite number" if self.kind is float else "an int"
        if self.right is None:
            op = ">=" if self.closed in ("both", "left") else ">"
            return f"{noun} {op} {self.left:g}"
        if self.left is None:
            op = "<=" if self.closed in ("both", "right") else "<"
            return f"{noun} {op} {self.right:g}"
        lb = "[" if self.closed in ("both", "left") else "("
        rb = "]" if self.closed in ("both", "right") else ")"
        return f"{noun} in {lb}{self.left:g}, {self.right:g}{rb}"


class Options(Constraint):
    """One of a fixed set of values (strings are compared exactly)."""

    def __init__(self, *values: Any) -> None:
        self.values = values

    def fits_type(self, value: Any) -> bool:
        return any(type(value) is type(v) for v in self.values)

    def accepts(self, value: Any) -> bool:
        return any(type(value) is type(v) and value == v for v in self.values)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)

    def problem(self, owner: str, argument: str, value: Any) -> ArgumentError | None:
        if not isinstance(value, str):
            return None
        texts = [v for v in self.values if isinstance(v, str)]
        close = difflib.get_close_matches(value, texts, n=1)
        if not close:
            return None
        return MlopsInputError(
            MSG_OPTION.format(
                owner=owner,
                argument=argument,
                allowed=f"{self.describe()} (did you mean {close[0]!r}?)",
                value=shown(value),
            )
        )


class InstanceOf(Constraint):
    """An instance of one of ``types``; a type may be named ``"module.Name"`` so that the
    declaration imports nothing (it matches only when that module is already loaded)."""

    def __init__(self, *types: type | str, label: str | None = None) -> None:
        self.types = types
        self.label = label

    def _resolved(self) -> tuple[type, ...]:
        import sys

        out: list[type] = []
        for t in self.types:
            if isinstance(t, str):
                module, _, name = t.rpartition(".")
                loaded = sys.modules.get(module)
                found = getattr(loaded, name, None) if loaded is not None else None
                if isinstance(found, type):
                    out.append(found)
            else:
                out.append(t)
        return tuple(out)

    def accepts(self, value: Any) -> bool:
        if bool in self.types and _is_np_bool(value):
            return True
        if isinstance(value, bool) and bool not in self.types:
            return False
        return isinstance(value, self._resolved())

    def describe(self) -> str:
        if self.label:
            return self.label
        names = [t if isinstance(t, str) else t.__name__ for t in self.types]
        return "a " + " or ".join(names)


class Boolean(InstanceOf):
    """``True`` or ``False`` (NumPy booleans count)."""

    def __init__(self) -> None:
        super().__init__(bool, label="a bool (True or False)")


class Text(Constraint):
    """A non-empty string."""

    def fits_type(self, value: Any) -> bool:
        return isinstance(value, str)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and bool(value)

    def describe(self) -> str:
        return "a non-empty string"


class IsCallable(Constraint):
    """Anything callable."""

    def accepts(self, value: Any) -> bool:
        return callable(value)

    def describe(self) -> str:
        return "a callable"


def first_failure(
    owner: str, argument: str, value: Any, constraints: Sequence[Constraint | None]
) -> ArgumentError | None:
    """The error for ``value``, or ``None`` when one of the constraints accepts it."""
    if value is None and None in constraints:
        return None
    real = [c for c in constraints if c is not None]
    if any(c.accepts(value) for c in real):
        return None
    for c in real:
        error = c.problem(owner, argument, value)
        if error is not None:
            return error
    allowed = " or ".join(c.describe() for c in real)
    if None in constraints:
        allowed += " or None"
    text = MSG_OPTION.format(owner=owner, argument=argument, allowed=allowed, value=shown(value))
    if any(c.fits_type(value) for c in real):
        return MlopsInputError(text)
    return MlopsTypeError(text)


class SequenceOf(Constraint):
    """A list or tuple (never a string) whose items each satisfy ``item``."""

    def __init__(self, *item: Constraint | None, min_length: int = 0) -> None:
        self.item = item
        self.min_length = min_length

    def fits_type(self, value: Any) -> bool:
        return isinstance(value, (list, tuple))

    def accepts(self, value: Any) -> bool:
        return self.problem("", "", value) is None and self.fits_type(value)

    def describe(self) -> str:
        inner = " or ".join("None" if c is None else c.describe() for c in self.item)
        least = f", at least {self.min_length} of them" if self.min_length else ""
        return f"a list (each item {inner}{least})"

    def problem(self, owner: str, argument: str, value: Any) -> ArgumentError | None:
        if not self.fits_type(value):
            return None
        if len(value) < self.min_length:
            return MlopsInputError(
                MSG_OPTION.format(
                    owner=owner, argument=argument, allowed=self.describe(), value=shown(value)
                )
            )
        for i, item in enumerate(value):
            error = first_failure(owner, f"{argument}[{i}]", item, self.item)
            if error is not None:
                return error
        return None


class MappingOf(Constraint):
    """A dict whose keys satisfy ``keys`` and whose values satisfy ``values``."""

    def __init__(
        self, keys: Constraint, values: Sequence[Constraint | None], *, label: str = ""
    ) -> None:
        self.keys = keys
        self.values = values
        self.label = label

    def fits_type(self, value: Any) -> bool:
        return isinstance(value, Mapping)

    def accepts(self, value: Any) -> bool:
        return self.fits_type(value) and self.problem("", "", value) is None

    def describe(self) -> str:
        if self.label:
            return self.label
        inner = " or ".join("None" if c is None else c.describe() for c in self.values)
        return f"a dict of {self.keys.describe()} -> {inner}"

    def problem(self, owner: str, argument: str, value: Any) -> ArgumentError | None:
        if not self.fits_type(value):
            return None
        for key, item in value.items():
            error = first_failure(owner, f"the keys of {argument}", key, [self.keys])
            if error is not None:
                return error
            error = first_failure(owner, f"{argument}[{key!r}]", item, self.values)
            if error is not None:
                return error
        return None


#: Common declarations, shared so that every check words them the same way.
PROBABILITY: Final = Interval(float, 0, 1, closed="neither")
CONFIDENCE: Final = Interval(float, 0, 1, closed="neither")
N_RESAMPLES: Final = Interval(int, 0, None)
SEED: Final = Interval(int, 0, 2**32 - 1)
NON_NEGATIVE: Final = Interval(float, 0, None)
POSITIVE_INT: Final = Interval(int, 1, None)
SEVERITY: Final = Options("block", "warn")
