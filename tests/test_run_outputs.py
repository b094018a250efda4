"""End-of-run outputs fail closed and cleanly: I/O problems, injection, modes, reruns (issue 14)."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from pytest_mlops.baseline import Baseline
from pytest_mlops.errors import BaselineError

GOOD = """
import pytest

@pytest.mark.mlops_model
def test_good(mlops):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 1, 0], thresholds={"accuracy": 0.9})
"""


def _no_traceback(result: pytest.RunResult) -> None:
    text = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in text and "INTERNALERROR" not in text


def test_report_folder_blocked_during_the_run_is_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(GOOD + "\ndef test_block():\n    open('out', 'w').write('x')\n")
    result = pytester.runpytest("--mlops", "--mlops-report-dir", "out")
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the contract file is missing
    result.stdout.fnmatch_lines(["mlops: the reports were not written to *out: *"])
    _no_traceback(result)


def test_report_folder_under_a_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(GOOD)
    pytester.path.joinpath("afile").write_text("x")
    result = pytester.runpytest("--mlops", "--mlops-report-dir", "afile/reports")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*afile/reports lies under *afile, which is a file*"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_report_folder_is_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(GOOD)
    folder = pytester.mkdir("ro")
    folder.chmod(0o555)
    try:
        result = pytester.runpytest("--mlops", "--mlops-report-dir", "ro")
    finally:
        folder.chmod(0o755)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["mlops: the reports were not written to *ro: *ermission*"])
    _no_traceback(result)


def test_step_summary_in_a_missing_folder_is_one_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(pytester.path / "missing" / "summary.md"))
    pytester.makepyfile(GOOD)
    result = pytester.runpytest("--mlops")
    assert result.ret == 0  # the gate passed and report.json was written
    result.stdout.fnmatch_lines(["mlops: the job summary was not appended *missing*"])
    _no_traceback(result)


def test_unwritable_baseline_is_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "def test_r(mlops):\n    open('models', 'w').write('x')\n    mlops.record('rows', 3)\n"
    )
    result = pytester.runpytest(
        "--mlops", "--mlops-baseline", "models/champion.json", "--mlops-update-baseline"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["mlops: the baseline *champion.json was not updated: *"])
    _no_traceback(result)
    assert (pytester.path / "mlops-report" / "report.json").exists()


def test_messages_cannot_issue_workflow_commands(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    evil = "col\\n::error::pwned\\r\\n::stop-commands::tok"
    pytester.makepyfile(
        f"""
        def test_evil(mlops):
            mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0],
                                metrics={{"{evil}": lambda t, p: 0.1}},
                                thresholds={{"{evil}": 0.5}}, severity="warn")
        """
    )
    result = pytester.runpytest("--mlops")
    lines = result.stdout.lines
    assert not [line for line in lines if line.lstrip().startswith(("::error::", "::stop"))]
    assert any("col\\n::error::pwned" in line for line in lines)  # shown, escaped


def test_a_marker_severity_typo_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.mlops_model(severity='blok')\ndef test_x(mlops):\n    pass\n"
    )
    result = pytester.runpytest("--mlops")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mlops_model(severity='blok') must use severity='block'*"])


@pytest.mark.parametrize("text", ["tool = 1\n", "[tool]\npytest-mlops = 3\n"])
def test_a_settings_file_of_the_wrong_shape_is_a_usage_error(
    pytester: pytest.Pytester, text: str
) -> None:
    pytester.path.joinpath("mlops.toml").write_text(text)
    pytester.makepyfile(GOOD)
    result = pytester.runpytest("--mlops")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mlops.toml: *must be a table*"])


def test_reruns_count_each_check_once(pytester: pytest.Pytester, report_of) -> None:
    pytest.importorskip("pytest_rerunfailures", reason="pytest-rerunfailures is not installed")
    pytester.makepyfile(
        """
        from pathlib import Path

        def test_flaky(mlops):
            first = not Path("seen").exists()
            Path("seen").write_text("x")
            mlops.check_metrics([0, 1], y_pred=[1, 0] if first else [0, 1],
                                thresholds={"accuracy": 0.9})
        """
    )
    result = pytester.runpytest("--mlops", "--reruns", "1")
    result.stdout.fnmatch_lines(["*1 passed, 1 rerun*"])
    assert result.ret == 0
    report = report_of()
    assert [c["status"] for c in report["checks"]] == ["pass"]
    assert report["gate"]["decision"] == "pass" and report["run"]["complete"] is True


def test_the_report_set_shares_one_run_id(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(GOOD)
    pytester.runpytest("--mlops")
    run_id = report_of()["run"]["id"]
    folder = pytester.path / "mlops-report"
    assert f"<!-- pytest-mlops run: {run_id} -->" in (folder / "summary.md").read_text()
    assert (
        f'<meta name="pytest-mlops-run" content="{run_id}">' in (folder / "report.html").read_text()
    )
    assert sorted(p.name for p in folder.iterdir()) == ["report.html", "report.json", "summary.md"]


def _real_payload(root: Path) -> dict:
    from datetime import datetime, timezone

    from pytest_mlops.environment import environment
    from pytest_mlops.gate import decide
    from pytest_mlops.report.payload import build_payload

    return build_payload(
        checks=[],
        gate=decide([]),
        records=[],
        datasets=[],
        environment=environment(root),
        seed=0,
        created=datetime(2026, 1, 1, tzinfo=timezone.utc),
        baseline={"path": "b.json", "exists": False, "update": None},
    )


def test_a_renderer_that_fails_leaves_the_previous_set_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    from pytest_mlops.report import write_reports

    # The module write_reports will import: pytester's in-process runs may have dropped an
    # earlier copy from sys.modules, and a patch on that copy would miss.
    html = importlib.import_module("pytest_mlops.report.html")
    write_reports(_real_payload(tmp_path), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(payload: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(html, "render_html", broken)
    with pytest.raises(OSError, match="disk full"):
        write_reports(_real_payload(tmp_path), tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_files_get_the_umask_mode(tmp_path: Path, umask: int, mode: int) -> None:
    from pytest_mlops._io import write_atomic

    old = os.umask(umask)
    try:
        target = write_atomic(tmp_path / "report.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_an_existing_baseline_keeps_its_mode(pytester: pytest.Pytester) -> None:
    baseline = pytester.path / "mlops-baseline.json"
    baseline.write_text(json.dumps({"schema_version": 1, "entries": {}}))
    baseline.chmod(0o644)
    pytester.makepyfile("def test_r(mlops):\n    mlops.record('rows', 3)\n")
    old = os.umask(0o077)
    try:
        assert pytester.runpytest("--mlops", "--mlops-update-baseline").ret == 0
    finally:
        os.umask(old)
    assert json.loads(baseline.read_text())["entries"] == {"records": {"rows": 3.0}}
    assert stat.S_IMODE(baseline.stat().st_mode) == 0o644


def test_a_truncated_baseline_names_the_file_line_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "mlops-baseline.json"
    path.write_text('{\n  "schema_version": 1,\n  "entries": {\n    "records": {"a": 1')
    with pytest.raises(BaselineError) as caught:
        Baseline.load(path)
    message = str(caught.value)
    assert str(path) in message
    assert re.search(r"not valid JSON at line 4, column \d+", message)
    assert "git checkout -- " in message and "--mlops-update-baseline" in message


@pytest.mark.parametrize(
    ("entries", "culprit"),
    [
        ({"records": {"rows": "many"}}, "entries.records.rows must be a number; got 'many'"),
        ({"metrics": []}, "entries.metrics must be an object of named entries; got list"),
        ({"metrics": {"model": {"accuracy": "high"}}}, "entries.metrics.model.accuracy"),
        ({"schemas": {"train": 3}}, "entries.schemas.train must be an object; got int"),
    ],
)
def test_baseline_entries_of_the_wrong_type_stop_the_run_at_start_up(
    pytester: pytest.Pytester, entries: dict, culprit: str
) -> None:
    pytester.path.joinpath("mlops-baseline.json").write_text(
        json.dumps({"schema_version": 1, "entries": entries})
    )
    pytester.makepyfile(GOOD)
    result = pytester.runpytest("--mlops")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert culprit in result.stderr.str()
