"""The error and warning hierarchy of pytest-mlops.

- :class:`MlopsInputError` (a ``ValueError``): a check was called with input it cannot
  use (an unknown metric name, an empty frame, a missing column). The message names the
  argument or column and the problem.
- :class:`MlopsCheckFailed` (an ``AssertionError``): a blocking check failed inside a test.
- :class:`PytestMlopsWarning` (a ``UserWarning``): a check of severity ``warn`` failed.
- :class:`BaselineError` (a ``ValueError``): the baseline file cannot be read or is malformed.
"""

from __future__ import annotations


class PytestMlopsError(Exception):
    """Base class of every exception raised by pytest-mlops."""


class MlopsInputError(PytestMlopsError, ValueError):
    """A check got input it cannot use; the message names the argument and the problem."""


class MlopsTypeError(PytestMlopsError, TypeError):
    """A check got an argument of the wrong type; the message names it."""


class MlopsCheckFailed(PytestMlopsError, AssertionError):
    """A check of severity ``block`` failed inside a test."""


class BaselineError(PytestMlopsError, ValueError):
    """The baseline file cannot be read, or an entry in it has the wrong shape."""


class PytestMlopsWarning(UserWarning):
    """A check of severity ``warn`` failed; the run goes on and the reports show it."""
