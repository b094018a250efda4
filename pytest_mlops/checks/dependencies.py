"""Dependency changes: the packages the model needs, now against the champion's.

Only what the project declares is compared: the packages passed as ``packages=``, or
the requirements a distribution declares in its metadata (``distribution=``, read with
:mod:`importlib.metadata`; its extras, such as test tools, are left out). Whatever else
happens to be installed (a linter, a test plugin) is not the model's environment, and a
baseline recorded with it would warn on every fresh install. Versions are compared as
PEP 440 versions (:mod:`packaging.version`): ``2.0`` and ``2.0.0`` are the same,
``1.0rc1 -> 1.0`` is a change within the same release, not a minor version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pytest_mlops.core.inputs import (
    InstanceOf,
    MappingOf,
    Options,
    SequenceOf,
    Text,
    parse_version,
    validate_params,
)
from pytest_mlops.core.registry import CheckSpec, register
from pytest_mlops.core.verdict import conclude, skipped
from pytest_mlops.errors import BaselineError, MlopsInputError

if TYPE_CHECKING:
    from pytest_mlops._fixture.base import MlopsBase
    from pytest_mlops.results import CheckResult

#: How big a version change is; a rule in ``block_on`` blocks changes at or above it.
LEVELS: Final = {"any": 0, "patch": 1, "minor": 2, "major": 3}
#: The baseline section where each model's declared package versions are stored.
SECTION: Final = "dependencies"
#: Shown for a package that is not installed.
ABSENT: Final = "(absent)"

_VERSIONS = MappingOf(Text(), [InstanceOf(str), None], label="a dict of package -> version")


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def declared_requirements(distribution: str) -> list[str]:
    """The packages ``distribution`` requires on this interpreter, without its extras
    (``pytest-xdist>=3.5; extra == "test"`` is left out, as is a marker that does not
    hold here, such as ``tomli; python_version < "3.11"`` on Python 3.11)."""
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirements = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        raise MlopsInputError(
            f"distribution {distribution!r} is not installed, so its declared requirements "
            "cannot be read; install the project (pip install -e .) or pass packages=[...]"
        ) from None
    names: list[str] = []
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue  # metadata pip itself would reject; nothing to compare
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(requirement.name)
    return names


def installed_versions(names: Sequence[str]) -> dict[str, str | None]:
    """The installed version of each of ``names`` (``None`` when it is not installed)."""
    from importlib import metadata

    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def change_level(before: str, after: str) -> str | None:
    """``"major"``, ``"minor"`` or ``"patch"`` for a change between two versions (a change
    within one release, such as ``1.0rc1 -> 1.0`` or a new local label, is ``"patch"``);
    ``None`` when both are the same version (``2.0`` and ``2.0.0``); ``"unknown"`` when
    one is not a PEP 440 version and the texts differ."""
    old, new = parse_version(before), parse_version(after)
    if old is None or new is None:
        return None if before == after else "unknown"
    if old == new:
        return None
    a, b = (*old.release, 0, 0)[:3], (*new.release, 0, 0)[:3]
    if a[0] != b[0]:
        return "major"
    if a[1] != b[1]:
        return "minor"
    return "patch"


def _blocks(level: str, rule: str | None) -> bool:
    if rule is None:
        return False
    if level in ("absent", "unknown"):
        return True
    return LEVELS[level] >= LEVELS[rule]


def _changes(
    declared: Sequence[str],
    recorded: Mapping[str, str | None],
    current: Mapping[str, str | None],
    block_on: Mapping[str, str],
) -> list[dict[str, Any]]:
    before_of = {_canonical(k): v for k, v in recorded.items()}
    now_of = {_canonical(k): v for k, v in current.items()}
    rules = {_canonical(k) if k != "*" else k: v for k, v in block_on.items()}
    changes = []
    for package in declared:
        key = _canonical(package)
        before, after = before_of.get(key), now_of.get(key)
        if before is None and after is None:
            continue
        if before is None or after is None:
            level: str | None = "absent"
        else:
            level = change_level(before, after)
        if level is None:
            continue
        older = parse_version(before) if before else None
        newer = parse_version(after) if after else None
        direction = ("upgrade" if newer > older else "downgrade") if older and newer else "changed"
        changes.append(
            {
                "package": package,
                "recorded": before,
                "now": after,
                "change": level,
                "direction": direction,
                "blocking": _blocks(level, rules.get(key, rules.get("*"))),
            }
        )
    return changes


@validate_params(
    {
        "packages": [SequenceOf(Text(), min_length=1), None],
        "distribution": [Text(), None],
        "block_on": [MappingOf(Text(), [Options(*LEVELS)]), None],
        "name": [Text()],
        "recorded": [_VERSIONS, None],
        "current": [_VERSIONS, None],
    }
)
def check_dependencies(
    packages: Sequence[str] | None = None,
    *,
    distribution: str | None = None,
    block_on: Mapping[str, str] | None = None,
    name: str = "model",
    recorded: Mapping[str, str | None] | None = None,
    current: Mapping[str, str | None] | None = None,
) -> CheckResult:
    """The versions of the packages the model needs, now against the champion's.

    Parameters
    ----------
    packages : list of str, optional
        The distributions the model needs (``["scikit-learn", "numpy"]``).
    distribution : str, optional
        An installed distribution (your project) whose declared requirements are the
        packages (extras left out). With ``packages`` too, both are compared.
    block_on : dict, optional
        The changes that block: ``{"scikit-learn": "major"}``, ``"minor"``, ``"patch"``
        or ``"any"``; ``{"*": "major"}`` for every package. A package that appeared or
        disappeared blocks under any rule. ``details["blocking"]`` says whether one
        happened (the fixture then judges at ``block``, otherwise at ``warn``).
    name : str
        The baseline entry (``dependencies/<name>``) the versions are stored under.
    recorded : dict, optional
        Package -> version with the champion (the fixture reads it from the baseline);
        without it the check is ``skipped`` (the first run records it).
    current : dict, optional
        Package -> version now; by default the installed versions.
    """
    if packages is None and distribution is None:
        raise MlopsInputError(
            "check_dependencies: name the packages the model needs, packages=['scikit-learn', "
            "...], or the distribution that declares them, distribution='your-project'"
        )
    named = [*(packages or ()), *(declared_requirements(distribution) if distribution else ())]
    first_spelling: dict[str, str] = {}
    for package in named:
        first_spelling.setdefault(_canonical(package), package)
    declared = list(first_spelling.values())
    now = dict(current) if current is not None else installed_versions(declared)
    versions = {p: now.get(p) for p in declared}
    common: dict[str, Any] = {"name": "dependencies", "category": "pipeline"}
    described = {"declared": declared, "versions": versions, "baseline_entry": name}
    if recorded is None:
        return skipped(
            **common,
            why="no package versions recorded with the champion; "
            "`pytest --mlops --mlops-update-baseline` records them",
            reason="missing_baseline",
            details={"blocking": False, **described},
        )
    changes = _changes(declared, recorded, now, block_on or {})
    blocking = [str(c["package"]) for c in changes if c["blocking"]]
    listed = ", ".join(
        f"{c['package']} {c['recorded'] or ABSENT} -> {c['now'] or ABSENT} ({c['change']})"
        for c in changes[:8]
    )
    failures = [
        f"{len(changes)} of {len(declared)} package(s) changed since the champion: {listed}"
    ]
    if blocking:
        failures.append(f"blocking under block_on: {', '.join(blocking)}")
    return conclude(
        **common,
        failures=failures if changes else [],
        passed=f"the {len(declared)} package(s) the model needs match the champion's versions",
        next_step="re-validate the model on the new environment, then update the baseline "
        "(pytest --mlops --mlops-update-baseline)",
        reason="regression_detected",
        metrics={"declared": len(declared), "changed": len(changes), "blocking": len(blocking)},
        thresholds={"block_on": dict(block_on or {})},
        details={"changes": changes, "blocking": bool(blocking), **described},
    )


def _prepare(mlops: MlopsBase, arguments: dict[str, Any]) -> dict[str, Any]:
    """Fill ``recorded`` from ``dependencies/<name>`` (or, in a baseline written before
    that entry existed, the recorded environment's package versions)."""
    if not mlops.baseline.exists:
        return arguments
    entry = mlops.baseline.get(SECTION, arguments["name"])
    where = f"{SECTION}/{arguments['name']}"
    if entry is None:
        environment = mlops.baseline.data.get("environment") or {}
        entry = environment.get("packages") if isinstance(environment, Mapping) else None
        where = "environment/packages"
    if entry is not None and not _VERSIONS.accepts(entry):
        raise BaselineError(
            f"baseline file {mlops.baseline.path}: {where} must be an object of package -> "
            "version strings; re-create it with --mlops-update-baseline"
        )
    arguments["recorded"] = entry
    return arguments


def _after(mlops: MlopsBase, result: CheckResult) -> None:
    """Propose the declared packages' versions now, for the baseline's next champion."""
    versions = result.details.get("versions")
    if result.status != "error" and isinstance(versions, Mapping):
        entry = str(result.details.get("baseline_entry", "model"))
        mlops.propose_baseline(SECTION, entry, {k: v for k, v in versions.items() if v})


register(
    CheckSpec(
        name="dependencies",
        category="pipeline",
        function=check_dependencies,
        injected=("recorded",),
        prepare=_prepare,
        after=_after,
        severity=lambda result: "block" if result.details.get("blocking") else "warn",
        scorecard=("Monitor 1",),
    )
)

__all__ = ["change_level", "check_dependencies", "declared_requirements"]
