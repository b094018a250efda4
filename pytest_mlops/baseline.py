"""The baseline file: what the current champion looked like.

``mlops-baseline.json`` is committed to the repository. It holds named entries in
sections (``metrics`` of the champion model, learned ``schemas``, drift ``profiles``,
``records``, the ``environment`` ...). Checks read it during a run; they never write it.
A check that wants an entry stored proposes a :class:`BaselineUpdate`; the controller
applies the proposals of the whole run at its end when ``--mlops-update-baseline`` is
given and the gate passed (or ``--mlops-force-update-baseline`` is given).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

from pytest_mlops._io import write_atomic
from pytest_mlops.errors import BaselineError
from pytest_mlops.results import jsonable

BASELINE_SCHEMA_VERSION: Final = 1
_FIX: Final = (
    "Fix that, restore the committed version (git checkout -- {path}), or delete the file "
    "and re-create it with `pytest --mlops --mlops-update-baseline` on the champion"
)
#: Sections whose entries are numbers, and sections whose entries map names to numbers.
_NUMBER_SECTIONS: Final = ("records",)
_NUMBERS_SECTIONS: Final = ("metrics", "latency")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_entries(path: Path, entries: Mapping[str, Any]) -> None:
    """Reject entries of the wrong shape at start-up, not inside each test that reads them."""
    for section, named in entries.items():
        if not isinstance(named, dict):
            raise BaselineError(
                f"baseline file {path}: entries.{section} must be an object of named entries; "
                f"got {type(named).__name__}. {_FIX.format(path=path)}"
            )
        for name, value in named.items():
            where = f"baseline file {path}: entries.{section}.{name}"
            if section in _NUMBER_SECTIONS and not _is_number(value):
                raise BaselineError(
                    f"{where} must be a number; got {value!r}. {_FIX.format(path=path)}"
                )
            if section in _NUMBER_SECTIONS:
                continue
            if not isinstance(value, dict):
                raise BaselineError(
                    f"{where} must be an object; got {type(value).__name__}. "
                    f"{_FIX.format(path=path)}"
                )
            if section in _NUMBERS_SECTIONS:
                bad = {k: v for k, v in value.items() if v is not None and not _is_number(v)}
                if bad:
                    key, got = next(iter(bad.items()))
                    raise BaselineError(
                        f"{where}.{key} must be a number; got {got!r}. {_FIX.format(path=path)}"
                    )


@dataclasses.dataclass(frozen=True)
class BaselineUpdate:
    """A proposal, made during a run, to store ``value`` as ``section/name``."""

    section: str
    name: str
    value: Any
    nodeid: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "name": self.name,
            "value": jsonable(self.value),
            "nodeid": self.nodeid,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BaselineUpdate:
        return cls(data["section"], data["name"], data["value"], data.get("nodeid", ""))


class Baseline:
    """Read access to a baseline file; a missing file is an empty baseline."""

    def __init__(self, path: str | Path, data: Mapping[str, Any] | None = None) -> None:
        self.path = Path(path)
        self.exists = data is not None
        self._data: dict[str, Any] = dict(data) if data is not None else {}

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        """Load ``path``; raise :class:`BaselineError` naming the file when it is malformed."""
        path = Path(path)
        if not path.exists():
            return cls(path, None)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise BaselineError(
                f"baseline file {path} cannot be read: it is not valid JSON at line "
                f"{exc.lineno}, column {exc.colno} ({exc.msg}); it may be truncated or hold a "
                f"merge conflict. {_FIX.format(path=path)}"
            ) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise BaselineError(
                f"baseline file {path} cannot be read: {exc}. {_FIX.format(path=path)}"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("entries", {}), dict):
            raise BaselineError(
                f"baseline file {path} is not a pytest-mlops baseline (expected a JSON object "
                "with an 'entries' object); re-create it with --mlops-update-baseline"
            )
        version = data.get("schema_version")
        if version != BASELINE_SCHEMA_VERSION:
            raise BaselineError(
                f"baseline file {path} has schema_version {version!r}; this pytest-mlops "
                f"reads version {BASELINE_SCHEMA_VERSION}. Re-create it with "
                "--mlops-update-baseline"
            )
        _check_entries(path, data.get("entries", {}))
        return cls(path, data)

    @property
    def data(self) -> dict[str, Any]:
        return self._data

    def section(self, section: str) -> dict[str, Any]:
        """All entries of ``section`` (empty when there are none)."""
        entries = self._data.get("entries", {}).get(section, {})
        if not isinstance(entries, dict):
            raise BaselineError(f"baseline file {self.path}: section {section!r} is not an object")
        return entries

    def get(self, section: str, name: str) -> Any | None:
        """The entry ``section/name``, or ``None`` when it is not stored."""
        return self.section(section).get(name)

    def how_to_create(self, section: str, name: str) -> str:
        """A sentence telling the user how to get ``section/name`` stored."""
        where = f"baseline file {self.path}" if self.exists else f"{self.path} (it does not exist)"
        return (
            f"no {section} entry {name!r} in {where}; run the suite once with "
            "`pytest --mlops --mlops-update-baseline` on the champion to record it"
        )

    def updated(
        self,
        updates: Iterable[BaselineUpdate],
        *,
        environment: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Return the baseline's data with ``updates`` applied (later ones win)."""
        entries: dict[str, dict[str, Any]] = {
            k: dict(v) for k, v in self._data.get("entries", {}).items()
        }
        for update in updates:
            entries.setdefault(update.section, {})[update.name] = jsonable(update.value)
        stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
        data: dict[str, Any] = {
            "schema_version": BASELINE_SCHEMA_VERSION,
            "updated": stamp,
            "environment": jsonable(environment or self._data.get("environment", {})),
            "entries": {k: dict(sorted(v.items())) for k, v in sorted(entries.items())},
        }
        return data

    def write(self, data: Mapping[str, Any]) -> Path:
        """Write ``data`` atomically, with sorted keys so a diff is reviewable."""
        text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"
        return write_atomic(self.path, text)
