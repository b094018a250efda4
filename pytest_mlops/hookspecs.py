"""Hooks other plugins (and a project's ``conftest.py``) may implement to extend
pytest-mlops. They are added to pytest's plugin manager when the plugin loads, whether or
not ``--mlops`` is given, so a plugin that implements them always loads cleanly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pytest_mlops.core.registry import CheckSpec

hookspec = pluggy.HookspecMarker("pytest")


@hookspec  # type: ignore[untyped-decorator,unused-ignore]
def pytest_mlops_register_checks(register: Callable[[CheckSpec], CheckSpec]) -> None:
    """Register extra checks: call ``register(CheckSpec(...))`` for each.

    Called once per run with ``--mlops``, before collection. Each registered check becomes
    a method of the ``mlops`` fixture, recorded, gated and reported like a built-in one.

    Parameters
    ----------
    register : callable
        :func:`pytest_mlops.core.registry.register`.
    """


@hookspec  # type: ignore[untyped-decorator,unused-ignore]
def pytest_mlops_report_sections(report: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """Extra sections for ``report.html`` and ``summary.md``.

    Called once on the controller with the finished ``report.json`` payload. Return a
    list of ``{"title": str, "markdown": str}`` mappings (or ``None``); the text is
    escaped, never rendered as HTML. All implementations' sections are shown, in plugin
    order.
    """
