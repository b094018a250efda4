"""CI output: a job summary that fits and cannot be hijacked, annotations GitHub attaches."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pytest_mlops.gate import decide
from pytest_mlops.report.anchors import check_anchor
from pytest_mlops.report.github import step_summary, workflow_commands
from pytest_mlops.report.markdown import code, render_markdown, text
from pytest_mlops.results import CheckResult


def _check(status: str, i: int, *, message: str = "bad", check_id: str | None = None):
    severity = "warn" if status == "warn" else "block"
    return CheckResult(
        name="metrics",
        category="model",
        status=status,
        severity=severity,
        reason="threshold_not_met" if status != "pass" else "ok",
        message=message if status != "pass" else "fine",
        id=check_id or f"t.py::test_{status}_{i:02d}::metrics",
        nodeid=f"t.py::test_{status}_{i:02d}",
    )


def _payload(checks: list[CheckResult]) -> dict:
    from test_reports import _payload as build

    return build(checks)


@pytest.mark.parametrize(
    "hostile",
    [
        "[click](https://evil.example/x)",
        "![img](https://evil.example/pixel.png)",
        "<img src=x onerror=alert(1)>",
        "see https://evil.example and www.evil.example",
        "ping @octocat",
        "$$x_$$ *bold* `code` | pipe",
    ],
)
def test_text_renders_as_itself(hostile: str) -> None:
    out = text(hostile)
    assert "](" not in out.replace("\\](", "")  # every ] before ( is escaped
    assert "![" not in out.replace("!\\[", "").replace("\\!", "")
    assert "<" not in out and "|" not in out.replace("\\|", "")
    assert not re.search(r"https?://", out) and "www." not in out
    assert "@octocat" not in out
    assert "$$" not in out.replace("\\$", "")


def test_code_spans_hold_backticks_and_pipes() -> None:
    assert code("t.py::test[a`b]") == "``t.py::test[a`b]``"
    assert code("`edge`") == "`` `edge` ``"
    assert code("a|b") == "`a\\|b`"
    assert code("line\nbreak") == "`line break`"


def test_summary_fits_githubs_column() -> None:
    checks = [_check("pass", i) for i in range(38)] + [
        _check("fail", 0),
        _check("error", 1),
        _check("warn", 2),
    ]
    summary = render_markdown(_payload(checks))
    assert "38 checks passed" in summary
    assert "**pass**" not in summary  # passes are counted, not listed
    assert summary.count("- ❌ **fail**") == 1 and summary.count("- 💥 **error**") == 1
    assert summary.count("- ⚠️ **warn**") == 1
    before_scorecard = summary.split("### ML Test Score")[0]
    assert "|" not in before_scorecard.replace("\\|", "")  # lists, no wide table
    for line in summary.splitlines():
        if line.startswith("|"):
            assert line.count("|") - line.count("\\|") <= 4, line  # at most three columns


def test_summary_links_each_check_to_its_anchor() -> None:
    failing = _check("fail", 0)
    summary = render_markdown(_payload([failing]))
    assert f"[details](report.html#{check_anchor(failing.id)})" in summary


def test_hostile_ids_and_messages_stay_inert_in_the_summary() -> None:
    hostile = _check(
        "fail",
        0,
        message="column [x](https://evil.example) ![p](https://evil.example/p.png)\n## boom",
        check_id="t.py::test_a[`<b>`]::metrics",
    )
    summary = render_markdown(_payload([hostile]))
    assert "``t.py::test_a[`<b>`]::metrics``" in summary
    assert "](https" not in summary and "\n## boom" not in summary
    assert "<b>" not in summary.replace("``t.py::test_a[`<b>`]::metrics``", "")


def test_step_summary_links_to_the_artifact() -> None:
    env = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/model",
        "GITHUB_RUN_ID": "42",
    }
    failing = _check("fail", 0)
    summary = step_summary(_payload([failing]), env)
    assert "[`mlops-report` artifact](https://github.com/acme/model/actions/runs/42#artifacts)" in (
        summary
    )
    assert f"`report.html#{check_anchor(failing.id)}`" in summary
    hosted = step_summary(_payload([failing]), {**env, "MLOPS_REPORT_URL": "https://r/x.html"})
    assert f"(https://r/x.html#{check_anchor(failing.id)})" in hosted


def test_an_incomplete_run_is_an_annotation_too() -> None:
    gate = decide([], incomplete="the run was interrupted")
    assert workflow_commands([], gate, {}) == [
        "::error title=mlops gate::incomplete run: the run was interrupted"
    ]


def _project(pytester: pytest.Pytester) -> Path:
    sub = pytester.mkdir("examples")
    (sub / "pytest.ini").write_text("[pytest]\n")
    (sub / "test_gate.py").write_text(
        "import pytest\n\n\n@pytest.mark.mlops_model\ndef test_bad(mlops):\n    x = 1\n"
        "    mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 0, 0],\n"
        "                        thresholds={'accuracy': 0.9})\n"
    )
    return sub


def test_annotations_are_relative_to_the_workspace(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = _project(pytester)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(pytester.path))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(sub)
    result = pytester.runpytest("--mlops")
    result.stdout.fnmatch_lines(
        ["::error file=examples/test_gate.py,line=7,title=mlops model/metrics::*#check-*"]
    )


def test_annotations_fall_back_to_the_git_top_level(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = _project(pytester)
    subprocess.run(["git", "init", "-q"], cwd=pytester.path, check=True)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(sub)
    result = pytester.runpytest("--mlops")
    result.stdout.fnmatch_lines(["::error file=examples/test_gate.py,line=7,*"])


def test_zero_code_items_point_at_the_users_conftest(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, report_of
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(pytester.path))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    pytester.makeconftest(
        """
        import pandas as pd
        import pytest

        from pytest_mlops import MlopsDataset


        @pytest.fixture(scope="session")
        def mlops_dataset():
            frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0] * 10, "y": [0, 1] * 20})
            return MlopsDataset(train=frame, test=frame, label="y")
        """
    )
    lines = (pytester.path / "conftest.py").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("def mlops_dataset"))
    result = pytester.runpytest("--mlops", "-k", "test_mlops_schema")
    result.stdout.fnmatch_lines([f"::error file=conftest.py,line={line},*"])
    (check,) = report_of()["checks"]
    assert check["location"] == {"file": "conftest.py", "line": line}
