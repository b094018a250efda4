"""The shipped GitHub Actions workflows pass actionlint."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOWS = sorted((Path(__file__).parent.parent / ".github" / "workflows").glob("*.yml"))


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "model-gate.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow: Path) -> None:
    beside_python = Path(sys.executable).parent / "actionlint"
    actionlint = str(beside_python) if beside_python.exists() else shutil.which("actionlint")
    assert actionlint, "actionlint is missing: install the test extra (pip install -e '.[test]')"
    done = subprocess.run(
        [actionlint, "-no-color", "-shellcheck=", "-pyflakes=", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_model_gate_uploads_reports_even_when_the_gate_fails() -> None:
    text = (WORKFLOWS[0].parent / "model-gate.yml").read_text()
    upload = text.index("actions/upload-artifact")
    assert "if: always()" in text[text.rindex("- name", 0, upload) : upload]
    assert "needs.gate.outputs.decision == 'pass'" in text
