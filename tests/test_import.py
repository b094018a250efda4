"""Import discipline: the plugin is loaded into every pytest run, so it must stay light."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("numpy", "pandas", "scipy", "sklearn", "fairlearn", "matplotlib", "jinja2")


@pytest.mark.parametrize(
    "module",
    [
        "pytest_mlops",
        "pytest_mlops.plugin",
        "pytest_mlops.checks",
        "pytest_mlops.fixture",
        "pytest_mlops.suite",
        "pytest_mlops.config",
        "pytest_mlops.scorecard",
        "pytest_mlops._session",
    ],
)
def test_importing_loads_no_heavy_library(module: str) -> None:
    code = f"import sys, {module}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_pytest_run_without_mlops_loads_no_heavy_library(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import sys

        def test_clean():
            loaded = [m for m in {HEAVY!r} if m in sys.modules]
            assert loaded == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:html")
    result.assert_outcomes(passed=1)


def test_public_api_is_sorted_and_complete() -> None:
    import pytest_mlops
    import pytest_mlops.checks

    for module in (pytest_mlops, pytest_mlops.checks):
        assert list(module.__all__) == sorted(module.__all__)
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name} is exported but missing"


def test_every_template_and_data_file_ships_in_the_wheel() -> None:
    """package-data must name every non-Python file the package reads at run time."""
    import fnmatch
    import sys
    from pathlib import Path

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    root = Path(__file__).parent.parent
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["pytest_mlops"]
    package = root / "pytest_mlops"
    data_files = [
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix in (".j2", ".json", ".typed")
    ]
    assert data_files
    for name in data_files:
        assert any(
            fnmatch.fnmatch(name, pattern) and name.count("/") == pattern.count("/")
            for pattern in patterns
        ), f"{name} is not in package-data"
