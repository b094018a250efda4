"""The reproducibility record: which code, environment and platform produced a report."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any, Final

#: Distributions whose versions every report records.
KEY_PACKAGES: Final[tuple[str, ...]] = (
    "pytest-mlops",
    "pytest",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "fairlearn",
    "matplotlib",
    "jinja2",
    "pytest-html",
    "pytest-xdist",
    "pandera",
    "polars",
    "pyarrow",
    "skops",
    "joblib",
)


def package_versions(names: tuple[str, ...] = KEY_PACKAGES) -> dict[str, str]:
    """Versions of the installed distributions among ``names`` (absent ones are left out)."""
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git(root: str | Path, *args: str) -> str | None:
    """``git *args`` run in ``root``: its output, stripped, or ``None`` when git is missing,
    fails or takes over 10 seconds."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state(root: str | Path) -> dict[str, Any]:
    """The git commit at ``root`` and whether the work tree has uncommitted changes.

    Outside a git checkout, or without git, both are ``None``: never an error.
    """

    commit = git(root, "rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None, "branch": None}
    status = git(root, "status", "--porcelain", "--untracked-files=no")
    branch = git(root, "rev-parse", "--abbrev-ref", "HEAD")
    return {
        "commit": commit,
        "dirty": bool(status) if status is not None else None,
        "branch": branch,
    }


def environment(root: str | Path) -> dict[str, Any]:
    """Python, platform, key package versions and the git state at ``root``.

    The interpreter's path is left out: it names a user's virtual environment (often
    their home directory) and differs on every machine, so a committed baseline would
    change, and leak it, on every update.
    """
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": package_versions(),
        "git": git_state(root),
    }
