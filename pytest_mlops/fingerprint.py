"""Stable content fingerprints of the data a check saw.

The same data gives the same fingerprint in every process and run (no Python ``hash``
randomisation): pandas objects are hashed with ``pandas.util.hash_pandas_object`` (a
fixed key), NumPy arrays by dtype, shape and bytes; column names and dtypes are part of
the fingerprint, so a renamed or re-typed column changes it. Data named by a path (a
Parquet or CSV file, a folder or a glob, read on an engine) is fingerprinted without
reading it: each file's name and size, and a Parquet file's footer (its schema, row
counts and per-column statistics), else its modification time.
"""

from __future__ import annotations

import glob
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

#: Files hashed by name and footer in one fingerprint, at most (a glob may match more).
MAX_FILES = 10_000


def describe(value: Any) -> dict[str, Any] | None:
    """Fingerprint and shape of a DataFrame, Series or array; ``None`` for anything else.

    Lists and tuples of numbers are fingerprinted as arrays. Objects that are not data
    (models, callables, scalars) are not fingerprinted.
    """
    if isinstance(value, (str, os.PathLike)):
        return _files(os.fspath(value))
    if "pandas" in sys.modules:
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            return {
                "fingerprint": _frame_digest(value),
                "kind": "DataFrame",
                "shape": [int(value.shape[0]), int(value.shape[1])],
                "columns": [str(c) for c in value.columns][:50],
            }
        if isinstance(value, pd.Series):
            return {
                "fingerprint": _frame_digest(value.to_frame(name=str(value.name))),
                "kind": "Series",
                "shape": [int(value.shape[0])],
                "columns": [str(value.name)],
            }
    if "numpy" in sys.modules or isinstance(value, (list, tuple)):
        import numpy as np

        if isinstance(value, (list, tuple)):
            try:
                value = np.asarray(value)
            except (ValueError, TypeError):
                return None
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                payload = repr(value.tolist()).encode()
            else:
                payload = np.ascontiguousarray(value).tobytes()
            digest = hashlib.sha256()
            digest.update(f"ndarray|{value.dtype.str}|{value.shape}|".encode())
            digest.update(payload)
            return {
                "fingerprint": "sha256:" + digest.hexdigest()[:32],
                "kind": "ndarray",
                "shape": [int(n) for n in value.shape],
                "columns": [],
            }
    return None


def _frame_digest(frame: Any) -> str:
    import pandas as pd

    digest = hashlib.sha256()
    digest.update(b"DataFrame|")
    for name, dtype in frame.dtypes.items():
        digest.update(f"{name!r}:{dtype}|".encode())
    digest.update(f"rows={len(frame)}|".encode())
    try:
        hashed = pd.util.hash_pandas_object(frame, index=True)
        digest.update(hashed.to_numpy().tobytes())
    except (TypeError, ValueError):
        # Unhashable cells (lists, dicts): fall back to their text, column by column.
        for column in frame.columns:
            digest.update(frame[column].astype(str).str.cat(sep="\x1f").encode())
        digest.update(repr(list(frame.index)).encode())
    return "sha256:" + digest.hexdigest()[:32]


def _files(text: str) -> dict[str, Any] | None:
    """The fingerprint of the files a path, folder or glob names (``None`` when it names
    none: then it is not data, e.g. the name of a stored profile)."""
    if any(mark in text for mark in "*?["):
        paths = [Path(p) for p in sorted(glob.glob(text, recursive=True))]
    elif Path(text).is_dir():
        paths = sorted(p for p in Path(text).rglob("*") if p.is_file())
    else:
        paths = [Path(text)] if Path(text).is_file() else []
    paths = [p for p in paths if p.is_file()][:MAX_FILES]
    if not paths:
        return None
    digest = hashlib.sha256(b"files|")
    for path in paths:
        size = path.stat().st_size
        digest.update(f"{path.name}|{size}|".encode())
        digest.update(_footer(path, size))
    return {
        "fingerprint": "sha256:" + digest.hexdigest()[:32],
        "kind": "files",
        "shape": [len(paths)],
        "columns": [],
    }


def _footer(path: Path, size: int) -> bytes:
    """A Parquet file's footer (its metadata), else its modification time as text."""
    with path.open("rb") as handle:
        if size >= 12:
            handle.seek(size - 8)
            tail = handle.read(8)
            length = int.from_bytes(tail[:4], "little")
            if tail[4:] == b"PAR1" and 0 < length <= size - 12:
                handle.seek(size - 8 - length)
                return handle.read(length)
    return str(path.stat().st_mtime_ns).encode()
