"""Calls into the user's code (models, factories, feature functions) from inside a check.

A model whose ``predict`` raises, or a feature function with a bug, is not a verdict on
the check's question: the check cannot decide. :func:`call` marks such an exception, and
:func:`user_errors` turns it into a result with status ``error`` that names the callable
and the exception (the gate fails closed), instead of a traceback from deep inside the
check.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from pytest_mlops.core.verdict import cannot_decide
from pytest_mlops.results import CheckResult

F = TypeVar("F", bound=Callable[..., CheckResult])


class CallableRaised(Exception):
    """The user's ``what`` raised ``error`` while a check was calling it."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__(f"{what} raised {type(error).__name__}: {error}")
        self.what = what
        self.error = error


def call(what: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``; an exception it raises becomes :class:`CallableRaised`
    naming ``what`` (``"predict"``, ``"make_model()"``, ``"online(raw)"``)."""
    try:
        return function(*args, **kwargs)
    except Exception as exc:  # the user's code: any exception means "cannot decide"
        raise CallableRaised(what, exc) from exc


def _where(error: BaseException) -> str:
    """``file.py:12 in predict``: the innermost frame of the user's exception."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f"{last.filename}:{last.lineno} in {last.name}"


def user_errors(name: str, category: str) -> Callable[[F], F]:
    """Decorate a check so that :class:`CallableRaised` ends it with status ``error``."""

    def decorate(check: F) -> F:
        @functools.wraps(check)
        def wrapper(*args: Any, **kwargs: Any) -> CheckResult:
            __tracebackhide__ = True
            try:
                return check(*args, **kwargs)
            except CallableRaised as raised:
                kind = type(raised.error).__name__
                return cannot_decide(
                    name=name,
                    category=category,
                    why=f"{raised.what} raised {kind}: {raised.error}; fix the code it "
                    "runs (the check did not get to judge anything)",
                    details={
                        "callable": raised.what,
                        "exception": kind,
                        "exception_message": str(raised.error)[:500],
                        "where": _where(raised.error),
                    },
                )

        return wrapper  # type: ignore[return-value]

    return decorate
