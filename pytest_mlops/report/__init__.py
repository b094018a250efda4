"""Reports rendered from the payload: ``report.json``, ``summary.md`` and ``report.html``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_mlops._io import write_set

#: The JSON Schema that documents ``report.json``.
SCHEMA_PATH = Path(__file__).parent / "report.schema.json"


def write_reports(payload: Mapping[str, Any], report_dir: str | Path) -> list[Path]:
    """Write the three report files as one set and return their paths (JSON first).

    All three are rendered before any is written, so a renderer that fails leaves the
    previous set whole; then each is staged and the three are renamed back to back,
    ``report.json`` last, so a new ``report.json`` means the others are new too. Each
    carries the run id (``run.id``; a comment in ``summary.md``, a ``<meta>`` in
    ``report.html``) so a reader can tell that the files belong together.
    """
    from pytest_mlops.report.html import render_html
    from pytest_mlops.report.markdown import render_markdown

    folder = Path(report_dir)
    files = [
        (folder / "summary.md", render_markdown(payload)),
        (folder / "report.html", render_html(payload)),
        (folder / "report.json", json.dumps(payload, indent=2, allow_nan=False) + "\n"),
    ]
    summary, html, report = write_set(files)
    return [report, summary, html]
