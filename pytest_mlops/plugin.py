"""The pytest entry point of pytest-mlops: options, ini twins, markers and fixtures.

This module is imported by every pytest run in an environment where pytest-mlops is
installed, so it imports nothing heavy: the session object that does the work is
imported and registered in :func:`pytest_configure` only when ``--mlops`` is on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from pytest_mlops._session import MlopsSession
    from pytest_mlops.fixture import Mlops

SKIP_REASON: Final = "ML checks run with --mlops"
MARKERS: Final[dict[str, str]] = {
    "mlops_data": "data",
    "mlops_pipeline": "pipeline",
    "mlops_model": "model",
    "mlops_fairness": "fairness",
    "mlops_drift": "drift",
}
FAIL_ON_CHOICES: Final = ("block", "warn")

session_key: pytest.StashKey[MlopsSession] = pytest.StashKey()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_mlops import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlops", "ML model-promotion gate (pytest-mlops)")
    group.addoption(
        "--mlops",
        action="store_true",
        default=None,
        help="Run the ML checks and write the gate decision and reports (ini: mlops).",
    )
    group.addoption(
        "--mlops-report-dir",
        metavar="DIR",
        default=None,
        help="Folder for report.json, report.html and summary.md "
        "(default: mlops-report; ini: mlops_report_dir).",
    )
    group.addoption(
        "--mlops-baseline",
        metavar="PATH",
        default=None,
        help="The champion's baseline file (default: mlops-baseline.json; ini: mlops_baseline).",
    )
    group.addoption(
        "--mlops-update-baseline",
        action="store_true",
        default=None,
        help="Store this run's metrics, schemas and profiles in the baseline file when the "
        "gate passes (ini: mlops_update_baseline).",
    )
    group.addoption(
        "--mlops-force-update-baseline",
        action="store_true",
        default=None,
        help="Like --mlops-update-baseline, but write it even when the gate failed "
        "(ini: mlops_force_update_baseline).",
    )
    group.addoption(
        "--mlops-fail-on",
        metavar="{block,warn}",
        default=None,
        help="Lowest severity whose failures fail the run (default: block; ini: mlops_fail_on).",
    )
    group.addoption(
        "--mlops-seed",
        metavar="N",
        default=None,
        help="Seed for random, numpy and mlops.rng (default: 0; ini: mlops_seed).",
    )
    parser.addini(
        "mlops", "Run the ML checks as if --mlops were given.", type="bool", default=False
    )
    parser.addini(
        "mlops_report_dir",
        "Folder for the mlops reports (default: mlops-report).",
        type="paths",
        default=[],
    )
    parser.addini(
        "mlops_baseline",
        "The baseline file (default: mlops-baseline.json).",
        type="paths",
        default=[],
    )
    parser.addini("mlops_update_baseline", "Update the baseline file.", type="bool", default=False)
    parser.addini(
        "mlops_force_update_baseline",
        "Update the baseline file even when the gate failed.",
        type="bool",
        default=False,
    )
    parser.addini("mlops_fail_on", "Lowest severity that fails the run.", default="block")
    parser.addini("mlops_seed", "Seed for random, numpy and mlops.rng.", default="0")


def _option(config: pytest.Config, name: str) -> Any:
    """The command-line value of ``--name`` if given, else its ini twin."""
    value = config.getoption(name)
    return config.getini(name) if value is None else value


PATH_DEFAULTS: Final[dict[str, str]] = {
    "mlops_report_dir": "mlops-report",
    "mlops_baseline": "mlops-baseline.json",
}


def _path_option(config: pytest.Config, name: str) -> Path:
    """A path option: a command-line value or the default is relative to where pytest was
    started; a value written in an ini file is relative to that file's folder."""
    value = config.getoption(name)
    if value is not None:
        return Path(config.invocation_params.dir) / str(value)
    from_ini = config.getini(name)
    if len(from_ini) > 1:
        raise pytest.UsageError(
            f"{name} takes one path; got {len(from_ini)}: quote a path that contains spaces"
        )
    if from_ini:
        return Path(from_ini[0])
    return Path(config.invocation_params.dir) / PATH_DEFAULTS[name]


def _no_file_above(path: Path, option: str) -> None:
    """A folder that would have to be created inside a file can never be written."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise pytest.UsageError(
                    f"{option} {path} lies under {parent}, which is a file, not a folder; "
                    "choose a path whose parent folders are folders"
                )
            return


def read_settings(config: pytest.Config) -> dict[str, Any]:
    """Validate the options and their ini twins; raise ``pytest.UsageError`` with a fix."""
    fail_on = str(_option(config, "mlops_fail_on")).strip()
    if fail_on not in FAIL_ON_CHOICES:
        raise pytest.UsageError(
            f"--mlops-fail-on / mlops_fail_on must be 'block' or 'warn'; got {fail_on!r}. "
            "Use 'block' to fail only on blocking checks, 'warn' to fail on warnings too."
        )
    raw_seed = str(_option(config, "mlops_seed")).strip()
    try:
        seed = int(raw_seed)
    except ValueError:
        seed = -1
    if seed < 0 or seed >= 2**32:
        raise pytest.UsageError(
            f"--mlops-seed / mlops_seed must be a whole number from 0 to 4294967295; "
            f"got {raw_seed!r}. For example: --mlops-seed 42"
        )
    report_dir = _path_option(config, "mlops_report_dir")
    if report_dir.exists() and not report_dir.is_dir():
        raise pytest.UsageError(
            f"--mlops-report-dir / mlops_report_dir {report_dir} is a file, not a folder; "
            "point it at a folder (it is created when missing)"
        )
    _no_file_above(report_dir, "--mlops-report-dir / mlops_report_dir")
    baseline = _path_option(config, "mlops_baseline")
    _no_file_above(baseline, "--mlops-baseline / mlops_baseline")
    if baseline.is_dir():
        raise pytest.UsageError(
            f"--mlops-baseline / mlops_baseline {baseline} is a folder; point it at a JSON "
            "file such as mlops-baseline.json"
        )
    force = bool(_option(config, "mlops_force_update_baseline"))
    return {
        "enabled": bool(_option(config, "mlops")),
        "report_dir": report_dir,
        "baseline": baseline,
        "update_baseline": force or bool(_option(config, "mlops_update_baseline")),
        "force_update_baseline": force,
        "fail_on": fail_on,
        "seed": seed,
    }


def pytest_configure(config: pytest.Config) -> None:
    for marker, category in MARKERS.items():
        config.addinivalue_line(
            "markers",
            f"{marker}(severity='block'): a {category} check of pytest-mlops; runs with "
            "--mlops; severity 'block' or 'warn' is the default for its checks",
        )
    settings = read_settings(config)
    if not settings["enabled"]:
        return
    from pytest_mlops._session import MlopsSession
    from pytest_mlops.core.registry import register

    config.hook.pytest_mlops_register_checks(register=register)
    session = MlopsSession(config, settings)
    config.stash[session_key] = session
    config.pluginmanager.register(session, "mlops-session")


def is_mlops_item(item: pytest.Item) -> bool:
    """True for tests marked ``mlops_*`` or that use the ``mlops`` fixture."""
    if any(item.get_closest_marker(name) is not None for name in MARKERS):
        return True
    return "mlops" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if session_key in config.stash:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if is_mlops_item(item):
            item.add_marker(skip)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """With --mlops, a conftest.py that declares ``mlops_dataset`` gets the standard suite."""
    if file_path.name != "conftest.py" or session_key not in parent.config.stash:
        return None
    if not parent.config.stash[session_key].project["suite"]:
        return None
    from pytest_mlops.suite import SuiteModule, declares_dataset

    if not declares_dataset(file_path):
        return None
    return SuiteModule.from_parent(parent, path=file_path)


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[Any]) -> None:
    """Escape hostile test ids in pytest-html's table (pytest-dev/pytest-html#1024).

    pytest-mlops depends on pytest-html, so this holds in every run, ``--mlops`` or not.
    """
    from pytest_mlops.report.pytest_html import escape_test_id

    escape_test_id(report, cells)


@pytest.fixture
def mlops(request: pytest.FixtureRequest) -> Iterator[Mlops]:
    """Run ML checks in a test; each method records a ``CheckResult`` for the reports.

    A failed check of severity ``block`` fails the test; one of severity ``warn``
    emits a ``PytestMlopsWarning``. See the README for every method.
    """
    session = request.config.stash.get(session_key, None)
    if session is None:
        pytest.skip(SKIP_REASON)
    yield session.make_fixture(request.node)
