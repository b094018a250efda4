"""report.html from the payload: order, anchors, words, CSP, and no crash for any value."""

from __future__ import annotations

import base64
import hashlib
import html
import math
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_mlops.gate import decide
from pytest_mlops.report.anchors import check_anchor
from pytest_mlops.report.figures import figures_for, plain
from pytest_mlops.report.figures.model import label_text
from pytest_mlops.report.html import ordered_checks, render_html
from pytest_mlops.report.html_values import bound_text, sparkline
from pytest_mlops.report.payload import build_payload
from pytest_mlops.results import CheckResult

HOSTILE = "<img src=x onerror=alert(1)>"


def payload_of(checks: list[CheckResult], **extra: Any) -> dict[str, Any]:
    payload = build_payload(
        checks=checks,
        gate=decide(checks),
        records=[],
        datasets=[],
        environment={"python": "3", "packages": {}, "git": {}},
        seed=0,
        created=datetime(2026, 1, 1, tzinfo=timezone.utc),
        baseline={"path": "mlops-baseline.json", "exists": False, "update": None},
    )
    payload.update(extra)
    return payload


def result(name: str, category: str, status: str = "pass", **fields: Any) -> CheckResult:
    severity = fields.pop("severity", "block")
    return CheckResult(
        name=name,
        category=category,
        status=status,  # type: ignore[arg-type]
        severity=severity,
        message=fields.pop("message", f"{name} {status}"),
        id=fields.pop("id", f"test_x.py::test_{name}_{status}::{name}"),
        **fields,
    )


def test_failures_come_first_then_warnings_then_passes_folded() -> None:
    checks = [
        result("a", "model", "pass"),
        result("b", "model", "warn", severity="warn"),
        result("c", "model", "fail"),
        result("d", "model", "error"),
        result("e", "model", "skipped"),
    ]
    page = render_html(payload_of(checks))
    first = [page.index(f'id="{check_anchor(c.id)}"') for c in checks]
    assert first[2] < first[1] < first[4] < first[0]  # fail, warn, skipped, pass
    assert first[3] < first[1]  # error with the failures
    assert re.search(r'<details class="group" id="group-passed">\s*<summary>Passed: 1', page)
    assert '<details class="group" id="group-problems" open>' in page


def test_blocking_failures_precede_other_failures() -> None:
    checks = [{"id": "b", "status": "fail"}, {"id": "a", "status": "fail"}]
    assert [c["id"] for c in ordered_checks(checks, ["b"])] == ["b", "a"]


def test_decision_links_every_blocking_check_to_its_anchor() -> None:
    checks = [result("metrics", "model", "fail", id=f"t.py::test[{HOSTILE}]::metrics")]
    page = render_html(payload_of(checks))
    decision = page[page.index('id="decision"') : page.index('id="checks"')]
    assert f'href="#{check_anchor(checks[0].id)}"' in decision
    assert HOSTILE not in page and html.escape(HOSTILE, quote=False) in page


def test_decision_counts_block_and_warn_separately() -> None:
    checks = [
        result("a", "model"),
        result("b", "model", id="t::b"),
        result("c", "model", "warn", severity="warn"),
    ]
    page = render_html(payload_of(checks, tests={"passed": 3, "skipped": 1}))
    assert "2 block checks: 2 passed" in page
    assert "1 warn check: 1 warned" in page
    assert "all 3 check(s)" not in page
    assert "pytest: 3 passed, 1 skipped" in page


def test_thresholds_read_as_bounds_not_json() -> None:
    assert bound_text({"min": 0.8}) == "≥ 0.8"
    assert bound_text({"max_drop": 0.01}) == "drop ≤ 0.01"
    check = result("metrics", "model", metrics={"auc": 0.9}, thresholds={"auc": {"min": 0.85}})
    page = render_html(payload_of([check]))
    assert "≥ 0.85" in page and '{"min"' not in page and "&#34;min&#34;" not in page


def test_csp_allows_only_the_pages_own_script() -> None:
    page = render_html(payload_of([result("metrics", "model", "fail")]))
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    script_src = re.search(r"script-src ([^;]+)", policy.group(1))
    assert script_src is not None and "unsafe" not in script_src.group(1)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert script_src.group(1).strip() == f"'sha256-{digest}'"
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page)  # no inline event handlers


def test_confusion_labels_read_as_integers() -> None:
    assert [label_text(v) for v in (0.0, 1.0, 2.5, "cat")] == ["0", "1", "2.5", "cat"]
    check = result(
        "metrics",
        "model",
        details={
            "rows": [{"metric": "accuracy", "value": 0.9}],
            "labels": [0.0, 1.0],
            "confusion_matrix": {"labels": [0.0, 1.0], "matrix": [[3, 1], [0, 4]]},
        },
    )
    page = render_html(payload_of([check]))
    assert "labels 0, 1" in page
    assert "0.0, 1.0" not in page


@pytest.mark.parametrize("name", ["$$", "$x_$", "a $b$ c $", r"\frac{$"])
def test_mathtext_in_labels_never_stops_a_figure(name: str) -> None:
    checks = [
        result(
            "metrics",
            "model",
            details={
                "rows": [{"metric": name, "value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "min": 0.3}],
                "confusion_matrix": {"labels": [name, "b"], "matrix": [[1, 2], [3, 4]]},
            },
        ),
        result(
            "feature_importance",
            "data",
            details={
                "features": [{"feature": name, "importance": 0.1, "std": 0.01, "beneficial": True}],
            },
        ),
        result(
            "data_integrity",
            "data",
            details={
                "columns": [{"column": name, "null_fraction": 0.5}],
                "class_counts": {name: 3, "b": 4},
            },
        ),
        result(
            "prediction_drift",
            "drift",
            details={
                "columns": [
                    {
                        "column": name,
                        "bars": {
                            "categories": [name, "b"],
                            "reference": [0.5, 0.5],
                            "current": [0.2, 0.8],
                        },
                    },
                ]
            },
        ),
    ]
    for check in checks:
        drawn = figures_for(check.to_dict())
        assert drawn and all("svg" in f for f in drawn), drawn
    assert plain("$x_$") == r"\$x_\$"


def test_figures_for_prediction_drift_latency_overfitting_and_champion() -> None:
    edges = [0.0, 0.25, 0.5, 0.75, 1.0]
    checks = {
        "prediction_drift": result(
            "prediction_drift",
            "drift",
            details={
                "columns": [
                    {
                        "column": "prediction",
                        "histogram": {
                            "edges": edges,
                            "reference": [1, 2, 3, 4],
                            "current": [4, 3, 2, 1],
                        },
                    },
                ]
            },
        ),
        "latency": result(
            "latency",
            "model",
            metrics={"row_p50_ms": 1.0, "row_p95_ms": 2.0},
            thresholds={"row_p95_ms": {"max": 50}},
        ),
        "overfitting": result(
            "overfitting",
            "model",
            details={"metric": "auc", "train": 0.99, "test": 0.9},
            thresholds={"gap": {"max": 0.03}},
        ),
        "champion_challenger": result(
            "champion_challenger",
            "model",
            details={
                "metric": "roc_auc",
                "champion": 0.9,
                "challenger": 0.88,
                "difference": -0.02,
                "ci_low": -0.04,
                "ci_high": 0.0,
                "margin": 0.01,
            },
        ),
    }
    for name, check in checks.items():
        drawn = figures_for(check.to_dict())
        assert drawn and "svg" in drawn[0], (name, drawn)


def test_sparkline_draws_histograms_and_skips_anything_else() -> None:
    row = {"histogram": {"edges": [0, 1, 2], "reference": [1, 2], "current": [2, 1]}}
    assert str(sparkline(row)).startswith('<svg class="spark"')
    for bad in (
        {},
        {"histogram": None},
        {"histogram": {"reference": [1], "current": [1, 2]}},
        {"histogram": {"reference": ["x"], "current": [1]}},
        {"histogram": {"reference": [math.inf], "current": [1]}},
        None,
        "x",
    ):
        assert str(sparkline(bad)) == ""


# Two xdist workers cost five times the serial run: CI runs that variant with the slow
# tests; tests/test_reports.py guards the xdist report in the default suite.
@pytest.mark.parametrize(
    "flags", [(), pytest.param(("-p", "xdist", "-n", "2"), marks=pytest.mark.slow)],
    ids=["serial", "xdist"],
)  # fmt: skip
def test_the_report_counts_pytests_own_skips(
    pytester: pytest.Pytester, report_of, flags: tuple[str, ...]
) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_checked(mlops):
            mlops.check_metrics([0, 1, 1, 0], y_pred=[0, 1, 1, 0])

        @pytest.mark.skip(reason="not today")
        def test_skipped(mlops):
            mlops.check_metrics([0, 1], y_pred=[0, 1])
        """
    )
    pytester.runpytest("--mlops", *flags).assert_outcomes(passed=1, skipped=1)
    report = report_of()
    assert report["summary"]["skipped"] == 0
    assert report["tests"] == {"passed": 1, "skipped": 1}
    page = (pytester.path / "mlops-report" / "report.html").read_text()
    assert "pytest: 1 passed, 1 skipped" in page
