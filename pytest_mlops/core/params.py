"""Applying declared constraints to a call: bind, reject unknown names, validate.

:func:`validate_params` is the decorator every check uses; the fixture binds through
:func:`bind_arguments` so that a typo such as ``alpah=`` names the closest argument.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

from pytest_mlops.core.constraints import Constraint, first_failure
from pytest_mlops.errors import MlopsTypeError

F = TypeVar("F", bound=Callable[..., Any])

#: ``MlopsTypeError`` text for a keyword argument the check does not take.
MSG_UNKNOWN_OPTION: Final = "{owner}: unknown argument {argument!r}{hint}; it takes {known}"
#: Attribute under which :func:`validate_params` stores a function's constraints.
CONSTRAINTS_ATTRIBUTE: Final = "__mlops_constraints__"


def validate(
    owner: str, argument: str, value: Any, constraints: Sequence[Constraint | None]
) -> None:
    """Raise the error that names ``argument`` when ``value`` fits none of ``constraints``."""
    __tracebackhide__ = True
    error = first_failure(owner, argument, value, constraints)
    if error is not None:
        raise error


def unknown_argument(owner: str, argument: str, known: Sequence[str]) -> MlopsTypeError:
    """The error for a keyword argument a check does not take, suggesting the closest."""
    close = difflib.get_close_matches(argument, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listed = ", ".join(known) if known else "no keyword arguments"
    return MlopsTypeError(
        MSG_UNKNOWN_OPTION.format(owner=owner, argument=argument, hint=hint, known=listed)
    )


def bind_arguments(
    owner: str, signature: inspect.Signature, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> inspect.BoundArguments:
    """Bind a call to ``signature``, turning Python's ``TypeError`` into one that names the
    argument (and suggests the closest name for a typo such as ``alpah=``)."""
    __tracebackhide__ = True
    takes_var_keyword = any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
    )
    if not takes_var_keyword:
        names = [
            n
            for n, p in signature.parameters.items()
            if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        ]
        for key in kwargs:
            if key not in signature.parameters:
                raise unknown_argument(owner, key, names)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise MlopsTypeError(f"{owner}: {exc}") from None
    bound.apply_defaults()
    return bound


def validate_params(
    constraints: Mapping[str, Sequence[Constraint | None]],
) -> Callable[[F], F]:
    """Declare the constraints of a check's arguments; validate them before every call.

    The declared names must be parameters of the function (checked when it is decorated).
    The constraints stay readable as ``function.__mlops_constraints__`` (the registry and
    the README's option tables use them).
    """

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        missing = [name for name in constraints if name not in signature.parameters]
        if missing:
            raise TypeError(f"{function.__name__} has no parameter(s) {missing} to constrain")
        owner = function.__name__

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            bound = bind_arguments(owner, signature, args, kwargs)
            for name, allowed in constraints.items():
                validate(owner, name, bound.arguments.get(name), allowed)
            return function(*bound.args, **bound.kwargs)

        setattr(wrapper, CONSTRAINTS_ATTRIBUTE, dict(constraints))
        return wrapper  # type: ignore[return-value]

    return decorate


def constraints_of(function: Callable[..., Any]) -> dict[str, Sequence[Constraint | None]]:
    """The constraints :func:`validate_params` declared for ``function`` (empty if none)."""
    found = getattr(function, CONSTRAINTS_ATTRIBUTE, None)
    return dict(found) if isinstance(found, Mapping) else {}
