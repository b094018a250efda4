"""Atomic file writes: a reader never sees a half-written report or baseline."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


def _umask() -> int:
    """The process's umask (read by setting it and putting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """An existing file keeps its permissions; a new one gets what the umask allows.

    ``mkstemp`` creates its file 0600, which would make a committed 0644 baseline or a
    report meant for a web server unreadable to others after the rename.
    """
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _stage(target: Path, text: str) -> str:
    """Write ``text`` to a temporary file beside ``target``; return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), _mode_for(target))
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    (target,) = write_set([(Path(path), text)])
    return target


def write_set(files: Iterable[tuple[Path, str]]) -> list[Path]:
    """Write several files so that a reader never sees a half-written one.

    Every file is staged first; only when all are on disk are they renamed into place,
    in the order given, back to back. Put the file readers check first (``report.json``)
    last: when it is new, so are the others.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for target, text in files:
            staged.append((_stage(target, text), target))
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return [target for _, target in staged]
