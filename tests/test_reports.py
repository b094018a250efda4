"""The reports: JSON contract, Markdown, HTML safety, GitHub output, xdist parity, baseline."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from pytest_mlops.gate import decide
from pytest_mlops.report.github import MAX_ANNOTATIONS, escape_data, escape_property
from pytest_mlops.report.github import workflow_commands as github_commands
from pytest_mlops.report.markdown import cell, render_markdown
from pytest_mlops.results import CheckResult

SCRIPT = "<script>alert(1)</script>"

MIXED = """
import pytest

@pytest.mark.mlops_model
def test_pass(mlops):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 1, 0], thresholds={"accuracy": 0.9})

@pytest.mark.mlops_model
def test_fail(mlops):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0], thresholds={"accuracy": 0.9})

@pytest.mark.mlops_model(severity="warn")
def test_warn(mlops):
    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0], thresholds={"f1": 0.9})
    mlops.record("train_seconds", 2.5)

@pytest.mark.parametrize("k", range(4))
def test_many(mlops, k):
    import numpy as np
    y = np.arange(40) % 2
    mlops.check_metrics(y, y_pred=y, thresholds={"accuracy": 0.5})
"""


def _strip_volatile(report: dict) -> dict:
    report = dict(report)
    report.pop("created")
    report["run"] = {k: v for k, v in report["run"].items() if k != "id"}
    return report


def test_xdist_gives_the_same_report_and_exit_status(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(MIXED)
    serial = pytester.runpytest("--mlops")
    serial_report = report_of()
    parallel = pytester.runpytest("--mlops", "-n", "2")
    parallel_report = report_of()
    assert serial.ret == parallel.ret == pytest.ExitCode.TESTS_FAILED
    parallel.stdout.fnmatch_lines(
        ["*2 workers*", "gate: FAIL (fail-on=block; 1 fail, 5 pass, 1 warn)"]
    )
    assert _strip_volatile(serial_report) == _strip_volatile(parallel_report)
    assert len(serial_report["checks"]) == 7
    assert serial_report["records"][0]["name"] == "train_seconds"


def test_fingerprints_are_stable_across_processes(
    pytester: pytest.Pytester, report_of, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import numpy as np
        import pandas as pd

        def test_frames(mlops):
            frame = pd.DataFrame({"y": [0, 1, 1, 0], "p": [0, 1, 1, 0]})
            mlops.check_metrics(frame["y"], y_pred=frame["p"].to_numpy())
        """
    )
    pytester.runpytest("--mlops")
    first = report_of()["datasets"]
    # the second process hashes strings with another seed than this one
    other_seed = "1" if os.environ.get("PYTHONHASHSEED") == "0" else "0"
    monkeypatch.setenv("PYTHONHASHSEED", other_seed)
    pytester.runpytest_subprocess("--mlops")
    assert report_of()["datasets"] == first
    kinds = sorted(d["kind"] for d in first)
    assert kinds == ["Series", "ndarray"]
    assert first[0]["used_by"][0]["check"].endswith("::test_frames::metrics")


def test_fingerprint_changes_with_content() -> None:
    import numpy as np
    import pandas as pd

    from pytest_mlops.fingerprint import describe

    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    same = describe(frame.copy())
    assert describe(frame) == same
    changed = frame.copy()
    changed.loc[2, "a"] = 4
    renamed = frame.rename(columns={"a": "c"})
    retyped = frame.astype({"a": "float64"})
    digests = {describe(x)["fingerprint"] for x in (frame, changed, renamed, retyped)}
    assert len(digests) == 4
    assert describe(np.arange(3)) != describe(np.arange(3.0))
    assert describe("not data") is None
    assert describe(pd.DataFrame({"a": [[1], [2]]}))["kind"] == "DataFrame"  # unhashable cells


def test_html_escapes_user_strings_and_makes_no_requests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.mlops_model
        @pytest.mark.parametrize("label", ["{SCRIPT}"])
        def test_xss(mlops, label):
            mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0],
                                metrics={{label: lambda t, p: 0.1}}, thresholds={{label: 0.5}})
        """
    )
    pytester.runpytest("--mlops")
    page = (pytester.path / "mlops-report" / "report.html").read_text()
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # only the page's own filter script
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    assert not re.search(r"url\(\s*['\"]?(?!#)", page)  # only in-page references
    summary = (pytester.path / "mlops-report" / "summary.md").read_text()
    outside_code = re.sub(r"(`+).*?\1", "", summary)  # a code span shows HTML as text
    assert SCRIPT not in outside_code and "<script" not in outside_code


def test_github_step_summary_and_annotations(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    step_summary = pytester.path / "step-summary.md"
    step_summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    pytester.makepyfile(MIXED)
    result = pytester.runpytest("--mlops")
    text = step_summary.read_text()
    assert text.startswith("# earlier step\n## ❌ mlops gate: FAIL")
    result.stdout.fnmatch_lines(
        [
            "::error file=test_github_step_summary_and_annotations.py,line=*,"
            "title=mlops model/metrics::*::test_fail::metrics: accuracy = 0.75 *",
            "::warning file=*,title=mlops model/metrics::*::test_warn::metrics: f1 = *",
        ]
    )


def test_without_github_no_workflow_commands(pytester: pytest.Pytester, monkeypatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    pytester.makepyfile(MIXED)
    result = pytester.runpytest("--mlops")
    assert "::error" not in result.stdout.str()


def _failed(n: int, status: str = "fail") -> list[CheckResult]:
    return [
        CheckResult(
            name="metrics",
            category="model",
            status=status,
            reason="threshold_not_met",
            message=f"bad {i}",
            id=f"t.py::test_{i:02d}::metrics",
            nodeid=f"t.py::test_{i:02d}",
        )
        for i in range(n)
    ]


def test_annotations_are_capped_with_a_count_line() -> None:
    checks = _failed(13) + _failed(1, status="error")
    lines = github_commands(checks, decide(checks), {"t.py::test_00": ("t.py", 3)})
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == MAX_ANNOTATIONS
    assert "test_error" not in errors[0] and "status" not in errors[0]
    assert errors[0].startswith("::error file=t.py,line=3,") or "test_00" in errors[1]
    assert errors[-1] == (
        "::error title=mlops gate::5 more checks failed the gate; "
        "see the job summary or report.html"
    )


def test_annotations_put_errored_checks_first() -> None:
    checks = [
        *_failed(2),
        CheckResult(
            name="drift",
            category="drift",
            status="error",
            reason="not_computable",
            message="nan",
            id="a.py::t::drift",
            nodeid="a.py::t",
        ),
    ]
    lines = github_commands(checks, decide(checks), {})
    assert lines[0].startswith("::error title=mlops drift/drift::a.py::t::drift: nan (details: ")


def test_workflow_command_escaping() -> None:
    assert escape_data("50% off\r\nnext") == "50%25 off%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_markdown_cell_escaping() -> None:
    assert cell("a|b\nc <b>") == "a\\|b c &lt;b&gt;"
    assert cell("x" * 400).endswith("…") and len(cell("x" * 400)) == 300


def _payload(checks: list[CheckResult]) -> dict:
    from datetime import datetime, timezone

    from pytest_mlops.report.payload import build_payload

    return build_payload(
        checks=checks,
        gate=decide(checks),
        records=[],
        datasets=[],
        environment={
            "python": "3",
            "platform": "p",
            "packages": {},
            "git": {"commit": None, "dirty": None},
        },
        seed=0,
        created=datetime(2026, 1, 1, tzinfo=timezone.utc),
        baseline={"path": "b.json", "exists": False, "update": None},
    )


def test_markdown_truncates_far_below_githubs_limit() -> None:
    checks = _failed(5000)
    text = render_markdown(_payload(checks), max_bytes=50_000)
    assert len(text.encode()) < 50_000
    assert "more checks are not shown here" in text
    assert text.startswith("## ❌ mlops gate: FAIL")
    full = render_markdown(_payload(_failed(3)))
    assert full.count("- ❌ **fail**") == 3


def test_baseline_update_only_when_gate_passes(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        import os

        def test_record(mlops):
            mlops.record("train_seconds", 1.25)
            if os.environ.get("BREAK"):
                mlops.check_metrics([0, 1], y_pred=[1, 0], thresholds={"accuracy": 0.9})
        """
    )
    baseline = pytester.path / "mlops-baseline.json"
    result = pytester.runpytest("--mlops", "--mlops-update-baseline")
    assert result.ret == 0
    stored = json.loads(baseline.read_text())
    assert stored["entries"] == {"records": {"train_seconds": 1.25}}
    assert stored["schema_version"] == 1 and "packages" in stored["environment"]
    result.stdout.fnmatch_lines(["baseline: updated *mlops-baseline.json with 1 entry"])

    # the next run sees the stored value next to the new one
    pytester.runpytest("--mlops")
    assert report_of()["records"][0]["baseline"] == 1.25

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BREAK", "1")
        before = baseline.read_text()
        result = pytester.runpytest("--mlops", "--mlops-update-baseline")
        assert baseline.read_text() == before
        result.stdout.fnmatch_lines(["baseline: not updated: the gate failed; *"])
        assert report_of()["baseline"]["update"].startswith("not updated: the gate failed")
        result = pytester.runpytest("--mlops", "--mlops-force-update-baseline")
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.stdout.fnmatch_lines(["baseline: updated *"])


def test_record_rejects_bad_values(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_mlops import MlopsInputError, MlopsTypeError

        def test_bad(mlops):
            with pytest.raises(MlopsTypeError, match="record 'x': value must be a real number"):
                mlops.record("x", "fast")
            with pytest.raises(MlopsInputError, match="record 'x': value must be finite; got nan"):
                mlops.record("x", float("nan"))
            with pytest.raises(MlopsTypeError, match="record name must be a non-empty string"):
                mlops.record("", 1.0)
        """
    )
    pytester.runpytest("--mlops").assert_outcomes(passed=1)


def test_git_state_is_recorded_and_absent_outside_git(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile("def test_x(mlops):\n    mlops.check_metrics([0, 1], y_pred=[0, 1])\n")
    pytester.runpytest("--mlops")
    assert report_of()["environment"]["git"] == {"commit": None, "dirty": None, "branch": None}
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "PATH": "/usr/bin:/bin",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=pytester.path, check=True, env=env)
    pytester.runpytest("--mlops")
    git = report_of()["environment"]["git"]
    assert re.fullmatch(r"[0-9a-f]{40}", git["commit"]) and git["dirty"] is False
    pytester.path.joinpath("test_git_state_is_recorded_and_absent_outside_git.py").write_text(
        "def test_x(mlops):\n    mlops.check_metrics([0, 1], y_pred=[0, 1])\n# edit\n"
    )
    pytester.runpytest("--mlops")
    assert report_of()["environment"]["git"]["dirty"] is True


def test_report_files_are_written_atomically(tmp_path) -> None:
    from pytest_mlops._io import write_atomic

    target = tmp_path / "deep" / "report.json"
    write_atomic(target, "first")
    write_atomic(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_pytest_html_rows_carry_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(MIXED)
    pytester.runpytest("--mlops", "--html", "page.html", "--self-contained-html")
    page = (pytester.path / "page.html").read_text()
    assert "mlops-checks" in page
    assert "mlops gate: FAIL" in page


def test_pytest_html_absent_does_not_break(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(MIXED)
    result = pytester.runpytest("--mlops", "-p", "no:html")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert report_of()["summary"]["total"] == 7


def test_custom_baseline_path_is_read_and_written(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile("def test_r(mlops):\n    mlops.record('rows', 3)\n")
    result = pytester.runpytest(
        "--mlops", "--mlops-baseline", "models/champion.json", "--mlops-update-baseline"
    )
    assert result.ret == 0
    stored = json.loads((pytester.path / "models" / "champion.json").read_text())
    assert stored["entries"]["records"] == {"rows": 3.0}
    pytester.runpytest("--mlops", "--mlops-baseline", "models/champion.json")
    report = report_of()
    assert report["baseline"]["exists"] is True
    assert report["baseline"]["path"].endswith("champion.json")
    assert report["records"][0]["baseline"] == 3.0


def test_html_shows_the_baseline_note(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_r(mlops):\n    mlops.record('rows', 3)\n")
    pytester.runpytest("--mlops", "--mlops-update-baseline")
    page = (pytester.path / "mlops-report" / "report.html").read_text()
    assert "updated " in page and "built-in method" not in page
