"""report.html never stops for a value a check can hold (issue 14): NaN, infinities, huge
integers, deep nesting, non-string keys, hostile strings, values near the float limit; and
the pieces pytest-mlops adds to pytest-html are escaped."""

from __future__ import annotations

import html
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_html import HOSTILE, payload_of, result

from pytest_mlops.gate import decide
from pytest_mlops.report.anchors import check_anchor
from pytest_mlops.report.html import render_html
from pytest_mlops.report.html_values import fmt, renderable
from pytest_mlops.report.pytest_html import checks_table, escape_test_id, gate_banner


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


def test_a_defect_in_the_page_still_writes_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytest_mlops.report.html as page_module

    def broken(payload: Any) -> str:
        raise RuntimeError("template defect")

    monkeypatch.setattr(page_module, "_render", broken)
    checks = [result("metrics", "model", "fail", message=HOSTILE)]
    page = page_module.render_html(payload_of(checks))
    assert "mlops gate: fail" in page and "template defect" in page and HOSTILE not in page
