"""The ``check_data`` findings that need rows, run on one bounded, seeded sample of an
engine source by the same detectors as in memory; each such finding says so."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_mlops.checks._findings import Detector, Table, detectors

if TYPE_CHECKING:
    from pytest_mlops.checks._findings_engine import EngineTable


def _needed(table: EngineTable, row_detectors: list[Detector]) -> list[Detector]:
    """The row detectors that can find anything: they all compare features with the label."""
    label = table.label
    if label is None or not table.features or table.kinds[label] == "empty":
        return []
    return row_detectors


def on_sample(
    table: EngineTable,
    row_detectors: list[Detector],
    random_state: int,
    column_notes: dict[str, dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    """The findings of ``row_detectors`` (and the spelling variants of text columns with too
    many distinct values) on one sample; notes and details that say what ran on it."""
    from pytest_mlops.checks._findings_engine import SAMPLE_ROWS

    chosen = _needed(table, row_detectors)
    if table.sampled_texts:
        chosen = [*chosen, *(d for d in detectors() if d.name == "case_variants")]
    details: dict[str, Any] = {
        "engine": table.source.backend,
        "on_sample": [d.name for d in chosen],
        "sample_rows": None,
    }
    if not chosen:
        return [], [], details
    frame = table.source.sample(min(SAMPLE_ROWS, table.n), random_state)
    size = len(frame)
    found = []
    for detector in chosen:
        columns = table.sampled_texts if detector.name == "case_variants" else list(frame.columns)
        kinds = {c: table.kinds[c] for c in columns}
        label = None if detector.name == "case_variants" else table.label
        sample = Table(frame[columns], label, table.options, random_state, kinds, column_notes)
        found += detector.find(sample)
    where = f"all {size} rows" if size == table.n else f"{size} of the {table.n} rows"
    for item in found:
        item["examples"] = []  # the sample's row labels name no row of the source
        item["sample_rows"] = size
        if size < table.n:
            item["message"] += f" (in a sample of {where})"
    details["sample_rows"] = size
    note = (
        f"{', '.join(details['on_sample'])} need rows, so they ran on a seeded sample of "
        f"{where} (random_state={random_state}); a sample can miss what the full data "
        "holds, but what it finds is there; their findings carry no examples"
    )
    return found, [note], details
