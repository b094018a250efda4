"""The stateful half of the plugin, registered only when ``--mlops`` is on.

Data flows one way: the ``mlops`` fixture records checks on the test item; the
``makereport`` wrapper attaches them to the test report (so they travel from xdist
workers to the controller with it); the controller gathers them in ``logreport``,
decides the gate after the test loop and writes the reports at the end of the session.
Workers never write files.
"""

from __future__ import annotations

import os
import random
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlops._fixture.base import TestRecord
from pytest_mlops._locate import record_for, relative, repository_root
from pytest_mlops._run import RunState, RunTracker
from pytest_mlops.baseline import Baseline, BaselineUpdate
from pytest_mlops.errors import BaselineError
from pytest_mlops.gate import Gate, decide
from pytest_mlops.plugin import MARKERS, is_mlops_item
from pytest_mlops.results import SEVERITIES, CheckResult, Severity

if TYPE_CHECKING:
    from pytest_mlops.fixture import Mlops

record_key: pytest.StashKey[TestRecord] = pytest.StashKey()


def _marker_defaults(item: pytest.Item) -> tuple[str, Severity]:
    """The category and default severity from the closest ``mlops_*`` marker."""
    for marker in item.iter_markers():
        if marker.name in MARKERS:
            severity = marker.kwargs.get("severity", "block")
            if severity not in SEVERITIES:
                raise pytest.UsageError(
                    f"{item.nodeid}: @pytest.mark.{marker.name}(severity={severity!r}) must use "
                    "severity='block' or severity='warn'"
                )
            return MARKERS[marker.name], severity
    return "custom", "block"


class MlopsSession:
    """Collects the checks of a run, decides the gate and writes the reports."""

    def __init__(self, config: pytest.Config, settings: dict[str, Any]) -> None:
        self.config = config
        self.settings = settings
        self.is_worker = hasattr(config, "workerinput")
        self.started = datetime.now(timezone.utc)
        self.checks: list[CheckResult] = []
        self.records: list[dict[str, Any]] = []
        self.datasets: list[dict[str, Any]] = []
        self.baseline_updates: list[BaselineUpdate] = []
        self.locations: dict[str, tuple[str, int]] = {}
        self.gate: Gate | None = None
        self.written: list[Path] = []
        self.baseline_note: str | None = None
        self.scorecard: dict[str, Any] | None = None
        self.tracker = RunTracker()
        self.run: RunState | None = None
        self.not_written: str | None = None
        self.io_problems: list[str] = []
        try:
            self.baseline = Baseline.load(settings["baseline"])
        except BaselineError as exc:
            raise pytest.UsageError(str(exc)) from exc
        from pytest_mlops.config import ConfigError, load

        try:
            self.project, self.project_file = load(config.rootpath)
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from exc

    # -- the fixture ---------------------------------------------------------------
    def make_fixture(self, item: pytest.Item) -> Mlops:
        from pytest_mlops.fixture import Mlops

        _, severity = _marker_defaults(item)
        sink = item.stash.setdefault(record_key, record_for(item))
        return Mlops(
            nodeid=item.nodeid,
            sink=sink,
            seed=self.settings["seed"],
            default_severity=severity,
            baseline_loader=lambda: self.baseline,
            update_baseline=self.settings["update_baseline"],
            settings=self.project,
        )

    # -- per test ------------------------------------------------------------------
    def pytest_report_header(self) -> str:
        s = self.settings
        return (
            f"mlops: on (seed={s['seed']}, fail-on={s['fail_on']}, "
            f"reports={s['report_dir']}, baseline={s['baseline']})"
        )

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """A bad marker severity is a usage error (exit 4) before any test runs."""
        for item in items:
            if is_mlops_item(item):
                _marker_defaults(item)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        seed = self.settings["seed"]
        random.seed(seed)
        if "numpy" in sys.modules:
            import numpy as np

            np.random.seed(seed)
        if is_mlops_item(item):
            _marker_defaults(item)  # a bad marker severity stops the test before it runs

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        if is_mlops_item(item):
            try:
                category, severity = _marker_defaults(item)
            except pytest.UsageError:
                category, severity = "custom", "block"
            report.mlops_item = {"category": category, "severity": severity}
        sink = item.stash.get(record_key, None)
        payload = sink.drain() if sink is not None else None
        if payload is not None:
            report.mlops = payload
            if self.config.pluginmanager.hasplugin("html"):
                from pytest_mlops.report.pytest_html import add_extras

                add_extras(report, payload["checks"])
        return report

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not self.is_worker:
            self.tracker.collected_report(report)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.tracker.interrupted(excinfo)

    @pytest.hookimpl(tryfirst=True)
    def pytest_warning_recorded(self, warning_message: Any) -> None:
        """Show a check's warning on one line: pytest prints it indented, and GitHub reads
        an indented ``::command`` in a message (a column name, say) as a command too."""
        from pytest_mlops.errors import PytestMlopsWarning
        from pytest_mlops.report.terminal import safe

        message = warning_message.message
        if isinstance(message, PytestMlopsWarning):
            warning_message.message = PytestMlopsWarning(safe(str(message)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker:
            return
        self.tracker.test_report(report)
        if str(report.outcome) == "rerun":
            # pytest-rerunfailures: this attempt is replaced by the next; count only that.
            return
        path, lineno, _ = report.location
        self.locations.setdefault(
            report.nodeid, (str(self.config.rootpath / path), (lineno or 0) + 1)
        )
        payload = getattr(report, "mlops", None)
        if payload:
            for check_id, (file, line) in payload.get("call_sites", {}).items():
                self.locations[check_id] = (file, line)
            self.checks.extend(CheckResult.from_dict(c) for c in payload["checks"])
            self.records.extend(payload["records"])
            self.datasets.extend(payload["datasets"])
            self.baseline_updates.extend(
                BaselineUpdate.from_dict(u) for u in payload["baseline_updates"]
            )
        marked = getattr(report, "mlops_item", None)
        if report.failed and marked is not None:
            self._fail_closed(report, marked)

    def _fail_closed(self, report: pytest.TestReport, marked: dict[str, str]) -> None:
        """A marked test that failed without a failed check still counts against the gate."""
        if any(c.nodeid == report.nodeid and c.failed for c in self.checks):
            return
        crash = getattr(report.longrepr, "reprcrash", None)
        why = crash.message if crash is not None else str(report.longrepr).splitlines()[-1:]
        self.checks.append(
            CheckResult(
                name=f"test_{report.when}",
                category=marked["category"],
                status="error",
                severity=marked["severity"],  # type: ignore[arg-type]
                reason="not_computable",
                message=(
                    f"the test failed in {report.when} outside any check, so its checks did not "
                    f"complete: {why}"
                ),
                id=f"{report.nodeid}::test_{report.when}",
                nodeid=report.nodeid,
            )
        )

    # -- end of run ----------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Any:
        result = yield
        if not self.is_worker:
            self.gate = decide(self.checks, self.settings["fail_on"])
            if not self.gate.passed and session.testsfailed == 0:
                session.testsfailed = 1
        return result

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker:
            return
        if self.config.option.collectonly:
            # Nothing was judged: keep the previous run's reports rather than replace a
            # failing report with an empty passing one.
            self.not_written = (
                f"--collect-only runs no check; the reports in {self.settings['report_dir']} "
                "were left as they were"
            )
            return
        self.run = self.tracker.state(session, exitstatus)
        if self.gate is None or not self.run.complete:
            self.gate = decide(
                self.checks,
                self.settings["fail_on"],
                incomplete=None if self.run.complete else self.run.detail,
            )
        from pytest_mlops.environment import environment
        from pytest_mlops.report import write_reports

        env = environment(self.config.rootpath)
        try:
            self._update_baseline(env)
        except OSError as exc:
            self._io_failed(session, f"the baseline {self.baseline.path} was not updated", exc)
        payload = self.payload(env)
        payload["tests"] = self._test_outcomes()
        self.scorecard = payload["scorecard"]
        try:
            self.written = write_reports(payload, self.settings["report_dir"])
        except OSError as exc:
            where = self.settings["report_dir"]
            self._io_failed(session, f"the reports were not written to {where}", exc)
        summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            from pytest_mlops.report.github import append_step_summary

            try:
                append_step_summary(payload, summary_path)
            except OSError as exc:
                # The job summary is a convenience: say so, but the run's verdict stands.
                self.io_problems.append(
                    f"the job summary was not appended to $GITHUB_STEP_SUMMARY "
                    f"({summary_path}): {exc.strerror or exc}"
                )

    def _io_failed(self, session: pytest.Session, what: str, exc: OSError) -> None:
        """One line at the end of the run instead of a traceback, and a failing exit."""
        target = f" ({exc.filename})" if exc.filename else ""
        self.io_problems.append(
            f"{what}: {exc.strerror or exc}{target}; check that the folder exists, is a "
            "folder and is writable, or choose another one with --mlops-report-dir / "
            "--mlops-baseline"
        )
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _test_outcomes(self) -> dict[str, int]:
        """pytest's outcome counts (``passed``, ``skipped`` ...), as its summary line has them."""
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        stats = getattr(reporter, "stats", {})
        outcomes = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")
        return {key: len(stats[key]) for key in outcomes if stats.get(key)}

    def payload(self, env: dict[str, Any]) -> dict[str, Any]:
        from pytest_mlops.report.payload import build_payload

        assert self.gate is not None
        payload = build_payload(
            checks=self.checks,
            gate=self.gate,
            records=self.records,
            datasets=self.datasets,
            environment=env,
            seed=self.settings["seed"],
            created=self.started,
            baseline={
                "path": str(self.settings["baseline"]),
                "exists": self.baseline.exists,
                "update": self.baseline_note,
            },
            locations=self._relative_locations(),
            manual=self.project.get("manual", ()),
            run=self.run.to_dict() if self.run is not None else None,
        )
        from pytest_mlops.report.sections import add_sections, collect_sections

        add_sections(payload, collect_sections(self.config.pluginmanager, payload))
        return payload

    def _relative_locations(self) -> dict[str, tuple[str, int]]:
        root = repository_root(self.config.rootpath)
        return {key: (relative(file, root), line) for key, (file, line) in self.locations.items()}

    def _update_baseline(self, env: dict[str, Any]) -> None:
        if not self.settings["update_baseline"]:
            return
        assert self.gate is not None
        if not self.gate.passed and not self.settings["force_update_baseline"]:
            self.baseline_note = (
                f"not updated: the gate failed; fix the failures or pass "
                f"--mlops-force-update-baseline to record this run in {self.baseline.path}"
            )
            return
        if not self.baseline_updates:
            self.baseline_note = "not updated: no check in this run proposed a baseline entry"
            return
        data = self.baseline.updated(self.baseline_updates, environment=env)
        self.baseline.write(data)
        count = len({(u.section, u.name) for u in self.baseline_updates})
        self.baseline_note = (
            f"updated {self.baseline.path} with {count} entr{'y' if count == 1 else 'ies'}"
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or (self.gate is None and self.not_written is None):
            return
        terminalreporter.section("mlops gate")
        if self.not_written is not None:
            terminalreporter.write_line(f"reports not written: {self.not_written}")
        if self.gate is not None:
            from pytest_mlops.report.terminal import summary_lines

            lines = summary_lines(self.gate, self.checks, self.written, self.baseline_note)
            for line, markup in lines:
                terminalreporter.write_line(line, **markup)
        if self.scorecard is not None:
            from pytest_mlops.scorecard import terminal_line

            terminalreporter.write_line(terminal_line(self.scorecard))
        for problem in self.io_problems:
            terminalreporter.write_line(f"mlops: {problem}", red=True, bold=True)
        if self.gate is not None and os.environ.get("GITHUB_ACTIONS") == "true":
            from pytest_mlops.report.github import workflow_commands

            for line in workflow_commands(self.checks, self.gate, self._relative_locations()):
                terminalreporter.write_line(line)

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str]
    ) -> None:
        if self.gate is None:
            return
        from pytest_mlops.report.pytest_html import gate_banner

        prefix.append(gate_banner(self.gate))
