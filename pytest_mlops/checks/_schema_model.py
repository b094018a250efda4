"""The schema as data: :class:`ColumnSchema`, :class:`Schema`, and their reviewable JSON.

The JSON file is meant to be edited by hand, so every value read from it is checked:
an error names the file, the column, the key, what was found and how to fix it, never a
bare ``KeyError`` or ``TypeError`` from inside the check.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from pytest_mlops._io import write_atomic
from pytest_mlops.checks._frames import KINDS
from pytest_mlops.core.constraints import (
    Boolean,
    Constraint,
    InstanceOf,
    Interval,
    Options,
    SequenceOf,
    Text,
)
from pytest_mlops.core.params import validate
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

SCHEMA_VERSION: Final = 1
#: What to do about a schema that cannot be read, appended to every such error.
MSG_FIX: Final = (
    "fix it by hand (the README's 'Learned schemas' lists every key), or learn the schema "
    "again with --mlops-update-baseline"
)
_NUMBER: Final = Interval(float, None, None)
_SHARE: Final = Interval(float, 0, 1)
_BOUND: Final[list[Constraint | None]] = [_NUMBER, Text(), None]
#: What each key of a column may hold.
COLUMN_KEYS: Final[dict[str, list[Constraint | None]]] = {
    "name": [InstanceOf(str)],
    "kind": [Options(*KINDS)],
    "nullable": [Boolean()],
    "max_null_fraction": [_SHARE],
    "min": _BOUND,
    "max": _BOUND,
    "categories": [SequenceOf(InstanceOf(str)), None],
    "unique": [Boolean()],
    "observed_null_fraction": [_SHARE, None],
}
#: What each top-level key may hold.
SCHEMA_KEYS: Final[dict[str, list[Constraint | None]]] = {
    "schema_version": [Options(SCHEMA_VERSION)],
    "ordered": [Boolean()],
    "strict": [Boolean()],
    "min_rows": [Interval(int, 0, None)],
    "max_rows": [Interval(int, 0, None), None],
    "columns": [SequenceOf(InstanceOf(dict, label="an object {...}"))],
}


def _checked(source: str, argument: str, value: Any, allowed: list[Constraint | None]) -> None:
    """Validate one value, the error naming where it was read from and the fix."""
    try:
        validate(source, argument, value, allowed)
    except (MlopsInputError, MlopsTypeError) as exc:
        raise type(exc)(f"{exc}; {MSG_FIX}") from None


def _unknown(source: str, keys: Sequence[str], known: Sequence[str]) -> None:
    import difflib

    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise MlopsInputError(
                f"{source}: unknown key {key!r}{hint}; valid keys: {', '.join(known)}; {MSG_FIX}"
            )


@dataclasses.dataclass
class ColumnSchema:
    """What one column may hold. Every field can be edited by hand in the JSON file."""

    name: str
    kind: str
    nullable: bool = True
    max_null_fraction: float = 1.0
    min: float | str | None = None
    max: float | str | None = None
    categories: list[str] | None = None
    unique: bool = False
    observed_null_fraction: float | None = None

    def __post_init__(self) -> None:
        self.validate(f"column {self.name!r}")

    def validate(self, source: str) -> None:
        """Raise naming ``source`` and the key when a field holds what it may not."""
        for key, allowed in COLUMN_KEYS.items():
            _checked(source, key, getattr(self, key), allowed)
        for key in ("min", "max"):
            value = getattr(self, key)
            if isinstance(value, str) and self.kind != "datetime":
                raise MlopsTypeError(
                    f"{source}: {key} of a {self.kind} column must be a number; got {value!r}; "
                    f"{MSG_FIX}"
                )
            if self.kind == "datetime" and value is not None:
                _timestamp(source, key, value)
        if self.min is not None and self.max is not None and _order(self.min) > _order(self.max):
            raise MlopsInputError(
                f"{source}: min ({self.min!r}) is above max ({self.max!r}); {MSG_FIX}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _timestamp(source: str, key: str, value: Any) -> Any:
    import pandas as pd

    try:
        if not isinstance(value, str):  # a number would be read as nanoseconds since 1970
            raise TypeError(value)
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise (MlopsInputError if isinstance(value, str) else MlopsTypeError)(
            f"{source}: {key} of a datetime column must be an ISO date such as "
            f"'2025-01-31T00:00:00+00:00'; got {value!r}; {MSG_FIX}"
        ) from None


def _order(value: float | str) -> Any:
    import pandas as pd

    if isinstance(value, str):
        stamp = pd.Timestamp(value)
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return float(value)


@dataclasses.dataclass
class Schema:
    """The columns (in order) and a row-count range; see :func:`infer_schema`."""

    columns: list[ColumnSchema]
    ordered: bool = True
    strict: bool = True
    min_rows: int = 1
    max_rows: int | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise MlopsInputError(f"schema has duplicate columns: {repeated}")
        if self.max_rows is not None and self.max_rows < self.min_rows:
            raise MlopsInputError(
                f"schema: max_rows ({self.max_rows}) is below min_rows ({self.min_rows})"
            )

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise MlopsInputError(f"schema has no column {name!r}; it has {self.names}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "ordered": self.ordered,
            "strict": self.strict,
            "min_rows": self.min_rows,
            "max_rows": self.max_rows,
            "columns": [c.to_dict() for c in self.columns],
        }

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "schema") -> Schema:
        """A schema from its dict form, every key checked (``source`` names where the dict
        came from in errors: a file, a baseline entry)."""
        if not isinstance(data, Mapping):
            raise MlopsTypeError(
                f"{source}: must be an object with 'schema_version' and 'columns'; got "
                f"{type(data).__name__}; {MSG_FIX}"
            )
        _unknown(source, list(data), list(SCHEMA_KEYS))
        for key in ("schema_version", "columns"):
            if key not in data:
                raise MlopsInputError(f"{source}: the key {key!r} is missing; {MSG_FIX}")
        for key, allowed in SCHEMA_KEYS.items():
            if key in data:
                _checked(source, key, data[key], allowed)
        columns = [_column(source, i, entry) for i, entry in enumerate(data["columns"])]
        try:
            return cls(
                columns=columns,
                ordered=data.get("ordered", True),
                strict=data.get("strict", True),
                min_rows=data.get("min_rows", 1),
                max_rows=data.get("max_rows"),
            )
        except MlopsInputError as exc:
            raise MlopsInputError(f"{source}: {exc}; {MSG_FIX}") from None

    def to_json(self) -> str:
        """Readable JSON: fixed key order, one column per block."""
        head = {k: v for k, v in self.to_dict().items() if k != "columns"}
        lines = ["{"]
        for key, value in head.items():
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
        lines.append('  "columns": [')
        blocks = [json.dumps(c.to_dict(), indent=4, allow_nan=False) for c in self.columns]
        lines.append(",\n".join("    " + b.replace("\n", "\n    ") for b in blocks))
        lines.append("  ]")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def save(self, path: str | Path) -> Path:
        return write_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: str | Path) -> Schema:
        """Read a schema file; a missing, truncated or hand-broken file is an error that
        names the file, the line (for JSON syntax) or the key, and the fix."""
        source = f"schema file {path}"
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MlopsInputError(f"{source} cannot be read: {exc}") from None
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise MlopsInputError(
                f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                f"{exc.colno}; {MSG_FIX}"
            ) from None
        except ValueError as exc:
            raise MlopsInputError(f"{source}: {exc}; {MSG_FIX}") from None
        return cls.from_dict(data, source=source)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (write a finite number, or null)")


def _column(source: str, position: int, entry: Mapping[str, Any]) -> ColumnSchema:
    name = entry.get("name")
    where = f"{source}, column {position} ({name!r})" if name is not None else (
        f"{source}, column {position}"
    )  # fmt: skip
    _unknown(where, list(entry), list(COLUMN_KEYS))
    for key in ("name", "kind"):
        if key not in entry:
            raise MlopsInputError(f"{where}: the key {key!r} is missing; {MSG_FIX}")
    for key, value in entry.items():
        _checked(where, key, value, COLUMN_KEYS[key])
    values = {k: float(v) if isinstance(v, int) and k in ("min", "max") else v
              for k, v in entry.items()}  # fmt: skip
    if any(isinstance(v, float) and not math.isfinite(v) for v in values.values()):
        raise MlopsInputError(f"{where}: bounds must be finite numbers or null; {MSG_FIX}")
    column = ColumnSchema.__new__(ColumnSchema)
    for field in dataclasses.fields(ColumnSchema):
        default = field.default if field.default is not dataclasses.MISSING else None
        setattr(column, field.name, values.get(field.name, default))
    column.validate(where)
    return column
