"""Reports rendered from the payload: ``report.json``, ``summary.md`` and ``report.html``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_mlops._io import write_atomic

#: The JSON Schema that documents ``report.json``.
SCHEMA_PATH = Path(__file__).parent / "report.schema.json"


def write_reports(payload: Mapping[str, Any], report_dir: str | Path) -> list[Path]:
    """Write the three report files atomically and return their paths."""
    from pytest_mlops.report.html import render_html
    from pytest_mlops.report.markdown import render_markdown

    folder = Path(report_dir)
    text = json.dumps(payload, indent=2, allow_nan=False) + "\n"
    return [
        write_atomic(folder / "report.json", text),
        write_atomic(folder / "summary.md", render_markdown(payload)),
        write_atomic(folder / "report.html", render_html(payload)),
    ]
