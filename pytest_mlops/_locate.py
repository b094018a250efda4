"""Where a check was called: the file and line an annotation or report row points at.

A check's location is the line of the ``mlops.check_*`` call in the test file (not the
test's decorator), found from the stack when the fixture records the result. Checks of
the zero-code suite run inside pytest-mlops; they point at the ``mlops_dataset``
definition in the user's ``conftest.py``, the code the user owns. Paths in reports and
annotations are relative to the repository root (``$GITHUB_WORKSPACE``, else git's top
level, else pytest's rootdir), which is what GitHub needs to attach an annotation.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import sys
from pathlib import Path
from typing import Any

from pytest_mlops._fixture.base import TestRecord
from pytest_mlops.environment import git
from pytest_mlops.results import CheckResult


def _call_line(test_file: str) -> int | None:
    """The line in ``test_file`` of the innermost frame that is in it."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == test_file:
            return frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


class _Sites(list):  # type: ignore[type-arg]
    """The record's check list; remembers each check's call site as it is appended."""

    def __init__(self, record: LocatingRecord) -> None:
        super().__init__()
        self._record = record

    def append(self, check: CheckResult) -> None:
        super().append(check)
        record = self._record
        line = _call_line(record.test_file) if record.fallback is None else None
        if line is not None:
            record.sites[check.id] = (record.test_file, line)
        elif record.fallback is not None:
            record.sites[check.id] = record.fallback


@dataclasses.dataclass
class LocatingRecord(TestRecord):
    """A :class:`TestRecord` that also sends each check's call site with the test report."""

    test_file: str = ""
    fallback: tuple[str, int] | None = None
    sites: dict[str, tuple[str, int]] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        self.checks = _Sites(self)

    def drain(self) -> dict[str, Any] | None:
        payload = super().drain()
        if payload is not None:
            payload["call_sites"] = {k: list(v) for k, v in self.sites.items()}
        self.sites.clear()
        return payload


def record_for(item: Any) -> LocatingRecord:
    """A record for ``item``; zero-code suite items point at the user's conftest.py."""
    path = str(item.path)
    module = getattr(getattr(item, "obj", None), "__module__", "")
    if module == "pytest_mlops._suite_tests":
        return LocatingRecord(test_file=path, fallback=(path, _definition_line(path)))
    return LocatingRecord(test_file=path)


def _definition_line(conftest: str) -> int:
    try:
        text = Path(conftest).read_text(encoding="utf-8")
    except OSError:
        return 1
    found = re.search(r"^\s*def mlops_dataset\b", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def repository_root(rootdir: str | Path) -> Path:
    """``$GITHUB_WORKSPACE``, else the git top level of ``rootdir``, else ``rootdir``."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        return Path(workspace).resolve()
    return _git_top(str(rootdir))


@functools.lru_cache(maxsize=8)
def _git_top(rootdir: str) -> Path:
    top = git(rootdir, "rev-parse", "--show-toplevel")
    return Path(top).resolve() if top else Path(rootdir).resolve()


def relative(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes (absolute when outside it)."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()
