"""Project settings from ``[tool.pytest-mlops]`` in ``pyproject.toml`` (or ``mlops.toml``).

Validated at start-up: an unknown key or a value of the wrong type stops the run with a
``pytest.UsageError`` that names the key and the valid choices.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Number = (int, float)

#: key -> (expected type(s), default, help). Tables nest with their own specs.
SPEC: Final[dict[str, Any]] = {
    "suite": (bool, True, "add the standard suite when conftest.py defines mlops_dataset"),
    "baseline_name": (str, "model", "name of the champion's metrics in the baseline file"),
    "schema_name": (str, "training-data", "name of the learned schema in the baseline file"),
    "thresholds": (dict, {}, "metric bounds for the suite's metrics check, as in check_metrics"),
    "max_drop": (dict, {}, "largest allowed drop per metric against the champion"),
    "gate_on": (str, "point", "point or interval: how the suite holds metrics to thresholds"),
    "manual": (list, [], "ML Test Score tests your team does by hand, e.g. 'Model 1'"),
    "schema": {
        "range_margin": (
            Number,
            6.0,
            "tail scales a learned numeric range reaches beyond the training extremes",
        ),
    },
    "fairness": {
        "min_demographic_parity_ratio": (Number, 0.8, "four-fifths rule"),
        "max_equalized_odds_difference": (Number, 0.1, "largest TPR/FPR gap between groups"),
        "min_group_size": (int, 30, "groups below this are reported, not judged"),
    },
    "drift": {
        "max_drifted_share": (
            Number,
            0.0,
            "largest share of judged columns that may drift (0: any drifted column fails)",
        ),
        "drift_share": (Number, None, "deprecated: use max_drifted_share"),
        "alpha": (Number, 0.05, "significance level after correction"),
        "correction": (str, "bonferroni", "bonferroni, bh or none"),
    },
    "severity": {
        family: (str, "block", f"severity of the suite's {family} checks (block or warn)")
        for family in ("data", "pipeline", "model", "fairness", "drift")
    },
}
CHOICES: Final = {
    "gate_on": ("point", "interval"),
    "drift.correction": ("bonferroni", "bh", "none"),
    **{
        f"severity.{f}": ("block", "warn")
        for f in ("data", "pipeline", "model", "fairness", "drift")
    },
}


class ConfigError(ValueError):
    """A problem in the project's pytest-mlops settings (turned into a usage error)."""


def _validate(table: Mapping[str, Any], spec: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{prefix}{key}"
        if key not in spec:
            valid = ", ".join(sorted(spec))
            raise ConfigError(f"[tool.pytest-mlops] unknown key {where!r}; valid keys: {valid}")
        entry = spec[key]
        if isinstance(entry, dict):
            if not isinstance(value, Mapping):
                raise ConfigError(f"[tool.pytest-mlops] {where} must be a table")
            out[key] = _validate(value, entry, f"{where}.")
            continue
        expected, _, _ = entry
        if isinstance(value, bool) and expected is not bool:
            ok = False
        else:
            ok = isinstance(value, expected)
        if not ok:
            names = (
                expected.__name__
                if isinstance(expected, type)
                else " or ".join(t.__name__ for t in expected)
            )
            raise ConfigError(
                f"[tool.pytest-mlops] {where} must be a {names}; got {value!r} "
                f"({type(value).__name__})"
            )
        if where == "manual":
            from pytest_mlops.scorecard import RUBRIC_IDS

            for entry in value:
                if entry not in RUBRIC_IDS:
                    raise ConfigError(
                        f"[tool.pytest-mlops] manual: {entry!r} is not an ML Test Score test; "
                        f"valid: {', '.join(RUBRIC_IDS)}"
                    )
        if where in CHOICES and value not in CHOICES[where]:
            raise ConfigError(
                f"[tool.pytest-mlops] {where} must be one of {', '.join(CHOICES[where])}; "
                f"got {value!r}"
            )
        out[key] = value
    return out


def defaults(spec: Mapping[str, Any] = SPEC) -> dict[str, Any]:
    return {k: defaults(v) if isinstance(v, dict) else v[1] for k, v in spec.items()}


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if (
            isinstance(value, Mapping)
            and isinstance(merged.get(key), dict)
            and SPEC.get(key)
            and isinstance(SPEC[key], dict)
        ):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load(root: str | Path) -> tuple[dict[str, Any], Path | None]:
    """The validated settings and the file they came from (``None``: defaults only).

    ``mlops.toml`` (a top-level table, or ``[tool.pytest-mlops]``) wins over
    ``pyproject.toml``'s ``[tool.pytest-mlops]``.
    """
    root = Path(root)
    for candidate, nested in ((root / "mlops.toml", False), (root / "pyproject.toml", True)):
        if not candidate.is_file():
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{candidate} cannot be read: {exc}") from exc
        tool = data.get("tool", {})
        if not isinstance(tool, Mapping):
            raise ConfigError(
                f"{candidate}: 'tool' must be a table ([tool.pytest-mlops] ...); got {tool!r}"
            )
        table = tool.get("pytest-mlops")
        if table is None and not nested:
            table = {k: v for k, v in data.items() if k != "tool"} if "tool" in data else data
        if table is None:
            continue
        if not isinstance(table, Mapping):
            raise ConfigError(
                f"{candidate}: [tool.pytest-mlops] must be a table of settings; got {table!r}"
            )
        return _merge(defaults(), _validate(table, SPEC, "")), candidate
    return defaults(), None
