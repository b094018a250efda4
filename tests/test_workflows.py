"""The shipped workflows pass actionlint and zizmor, and keep the recipe's promises."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOWS = sorted((Path(__file__).parent.parent / ".github" / "workflows").glob("*.yml"))
MODEL_GATE = WORKFLOWS[0].parent / "model-gate.yml"


def _tool(name: str) -> str | None:
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "model-gate.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow: Path) -> None:
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (pip install -e '.[test]' brings it)")
    done = subprocess.run(
        [actionlint, "-no-color", "-shellcheck=", "-pyflakes=", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflows_pass_zizmor() -> None:
    zizmor = _tool("zizmor")
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install -e '.[test]' brings it)")
    done = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--persona=pedantic", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_and_checkouts_keep_no_credentials(workflow: Path) -> None:
    text = workflow.read_text()
    uses = re.findall(r"uses:\s*(\S+)", text)
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
    assert text.count("actions/checkout@") == text.count("persist-credentials: false")
    assert "concurrency:" in text


def test_model_gate_uploads_reports_even_when_the_gate_fails() -> None:
    text = MODEL_GATE.read_text()
    upload = text.index("actions/upload-artifact")
    assert "if: always()" in text[text.rindex("- name", 0, upload) : upload]
    assert "needs.gate.outputs.decision == 'pass'" in text


def test_model_gate_is_parameterised_and_guards_promotion() -> None:
    text = MODEL_GATE.read_text()
    assert 'pytest --mlops "${MLOPS_TEST_PATH}"' in text
    assert "inputs.test-path" in text
    promote = text[text.index("  promote:") :]
    assert "group: model-promotion" in promote and "cancel-in-progress: false" in promote


def test_model_gate_updates_one_pull_request_comment() -> None:
    from pytest_mlops.report.markdown import MARKER

    text = MODEL_GATE.read_text()
    assert MARKER in text  # the comment is found again by the marker summary.md ends with
    assert "--method PATCH" in text and "--method POST" in text
    assert "pull-requests: write" in text
