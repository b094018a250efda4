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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_mlops.gate import decide
from pytest_mlops.report.anchors import check_anchor
from pytest_mlops.report.figures import figures_for, plain
from pytest_mlops.report.figures.model import label_text
from pytest_mlops.report.html import ordered_checks, render_html
from pytest_mlops.report.html_values import bound_text, fmt, renderable, sparkline
from pytest_mlops.report.payload import build_payload
from pytest_mlops.report.pytest_html import checks_table, escape_test_id, gate_banner
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


def test_values_near_the_float_limit_never_stop_the_page() -> None:
    edges = [0.0, 1e307, 1e308, 1.7e308]
    row = {
        "column": "x",
        "drifted": True,
        "effect": "wasserstein",
        "effect_size": 1e308,
        "histogram": {"edges": edges, "reference": [1, 2, 3], "current": [3, 2, 1]},
    }
    checks = [
        result(name, "drift", "fail", details={"columns": [row]}, id=f"t::{name}")
        for name in ("drift", "prediction_drift")
    ]
    page = render_html(payload_of(checks))
    assert all(f'id="{check_anchor(c.id)}"' in page for c in checks)


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


def test_values_are_made_renderable() -> None:
    huge = 10**5000
    made = renderable({1: math.nan, None: [b"x", {(1, 2): huge}], "s": "a\x00b"})
    assert made["1"] != made["1"]  # NaN stays a float
    assert made["None"][0] == "b'x'"
    assert "digits" in made["None"][1]["(1, 2)"]
    assert made["s"] == "a\ufffdb"
    assert fmt(math.inf) == "∞" and fmt(math.nan) == "NaN" and fmt(huge).endswith("digits")
    deep: list[Any] = []
    for _ in range(500):
        deep = [deep]
    assert renderable(deep) is not None


HOSTILE_VALUES: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    "inf",
    10**5000,
    2**64,
    -(10**400),
    1e308,
    [[[[[[[[[[1]]]]]]]]]],
    {1: "int key", None: "none key", 1.5: "float key", (2, 3): "tuple key"},
    [{"a": 1}, {"b": [1, {"c": math.nan}]}, {"a": None}],
    [1, "two", None, [3], {"four": 4}],
    HOSTILE,
    "$x_$",
    "",
    [],
    {},
]
SHAPED = [
    ("metrics", "model"),
    ("baseline_comparison", "model"),
    ("slice_metrics", "model"),
    ("champion_challenger", "model"),
    ("calibration", "model"),
    ("latency", "model"),
    ("overfitting", "model"),
    ("drift", "drift"),
    ("prediction_drift", "drift"),
    ("fairness", "fairness"),
    ("proxy_features", "fairness"),
    ("data_integrity", "data"),
    ("feature_importance", "data"),
    ("probabilities", "model"),
    ("determinism", "pipeline"),
    ("anything", "custom"),
]


def _hostile_details(value: Any) -> dict[str, Any]:
    row = {
        "metric": value,
        "value": value,
        "ci_low": value,
        "ci_high": value,
        "min": value,
        "column": value,
        "feature": value,
        "importance": value,
        "group": value,
        "histogram": {"edges": value, "reference": value, "current": value},
        "bars": {"categories": value, "reference": value, "current": value},
        "null_fraction": value,
        "drifted": True,
        "judged": value,
        "missing_rate_reference": value,
    }
    return {
        "rows": [row, value],
        "columns": [row, value],
        "features": [row, {"groups": value}],
        "confusion_matrix": {"labels": value, "matrix": value},
        "curves": {"roc": {"x": value, "y": value}},
        "reliability": [row],
        "champion": value,
        "challenger": value,
        "difference": value,
        "train": value,
        "test": value,
        "findings": [row],
        "current": value,
        "weakest": [row],
        "n": value,
        "confidence": value,
        "overall": value,
        "class_counts": value,
        value
        if isinstance(value, (str, float)) or (isinstance(value, int) and abs(value) < 10**100)
        else "k": value,
    }


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=[fmt(v)[:20] for v in HOSTILE_VALUES])
def test_any_value_a_check_can_hold_renders(value: Any) -> None:
    checks = [
        result(
            name,
            category,
            status,
            id=f"t.py::test[{HOSTILE}]::{name}{i}",
            metrics={"m": value, HOSTILE: value},
            thresholds={"m": {"min": value}, "t": value},
            details=_hostile_details(value),
            message=HOSTILE,
        )
        for i, ((name, category), status) in enumerate(
            zip(SHAPED, ["fail", "pass", "warn", "error", "skipped"] * 4, strict=False)
        )
    ]
    payload = payload_of(checks)
    page = render_html(payload)
    assert page.rstrip().endswith("</html>")
    assert HOSTILE not in page
    for check in checks:
        assert f'id="{check_anchor(check.id)}"' in page
    # the same details, raw (not through CheckResult's JSON conversion)
    for item in payload["checks"]:
        item["details"] = _hostile_details(value)
        item["metrics"] = {"m": value, 3: value}
    assert render_html(payload).rstrip().endswith("</html>")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats()
    | st.integers()
    | st.text(max_size=8)
    | st.integers(4301, 4400).map(lambda digits: 10**digits)
    | st.just(HOSTILE),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    details=st.dictionaries(
        st.sampled_from(["rows", "columns", "features", "x", "findings"]), json_values, max_size=4
    ),
    shape=st.sampled_from(SHAPED),
)
def test_fuzzed_details_never_stop_the_page(
    details: dict[str, Any], shape: tuple[str, str]
) -> None:
    check = {
        "id": HOSTILE,
        "name": shape[0],
        "category": shape[1],
        "status": "fail",
        "severity": "block",
        "message": HOSTILE,
        "metrics": details,
        "thresholds": details,
        "details": details,
    }
    page = render_html(
        {"gate": {"decision": "fail", "blocking_checks": [HOSTILE]}, "checks": [check]}
    )
    assert HOSTILE not in page and check_anchor(HOSTILE) in page


def test_a_payload_missing_everything_still_renders() -> None:
    assert "Gate failed" in render_html({})
    assert "Gate failed" in render_html({"checks": [None, 1, {"status": None}], "gate": None})


def test_pytest_html_pieces_are_escaped() -> None:
    table = checks_table(
        [{"status": HOSTILE, "severity": 1, "category": None, "name": "n", "message": HOSTILE}]
    )
    assert HOSTILE not in table and "&lt;img" in table
    checks = [result("metrics", "model", "fail", message=HOSTILE)]
    assert HOSTILE not in gate_banner(decide(checks))

    class Report:
        nodeid = f"t.py::test[{HOSTILE}]"
        when = "call"

    cells = ["<td>x</td>", f'<td class="col-testId">{Report.nodeid}</td>']
    escape_test_id(Report(), cells)
    assert HOSTILE not in cells[1] and cells[0] == "<td>x</td>"
    already = [f'<td class="col-testId">{html.escape(Report.nodeid)}</td>']
    escape_test_id(Report(), already)
    assert already == [f'<td class="col-testId">{html.escape(Report.nodeid)}</td>']  # not twice


def test_the_report_counts_pytests_own_skips(pytester: pytest.Pytester, report_of) -> None:
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
    for flags in ((), ("-p", "xdist", "-n", "2")):
        pytester.runpytest("--mlops", *flags).assert_outcomes(passed=1, skipped=1)
        report = report_of()
        assert report["summary"]["skipped"] == 0
        assert report["tests"] == {"passed": 1, "skipped": 1}
        page = (pytester.path / "mlops-report" / "report.html").read_text()
        assert "pytest: 1 passed, 1 skipped" in page
