"""The results model and the gate, as pure units."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pytest_mlops.gate import decide
from pytest_mlops.results import CheckResult, jsonable


def make(status: str = "pass", severity: str = "block", **kw) -> CheckResult:
    return CheckResult(name="metrics", category="model", status=status, severity=severity, **kw)


def test_values_become_strict_json() -> None:
    result = make(
        metrics={"a": np.float64(0.5), "b": math.nan, "c": math.inf, "d": -math.inf},
        details={"arr": np.arange(3), "t": (1, 2), 3: {np.int64(4)}},
    )
    assert result.metrics == {"a": 0.5, "b": None, "c": "inf", "d": "-inf"}
    assert result.details == {"arr": [0, 1, 2], "t": [1, 2], "3": [4]}
    json.dumps(result.to_dict(), allow_nan=False)


def test_round_trip_through_dict() -> None:
    result = make(
        "fail",
        reason="threshold_not_met",
        message="m",
        metrics={"x": 1.0},
        thresholds={"x": {"min": 2.0}},
        id="a::b::metrics",
        nodeid="a::b",
    )
    assert CheckResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("status", "ok", "status must be one of pass, fail, warn, error, skipped; got 'ok'"),
        ("severity", "fatal", "severity must be one of block, warn; got 'fatal'"),
        (
            "category",
            "ml",
            "category must be one of data, pipeline, model, fairness, drift, custom",
        ),
        ("reason", "because", "reason must be one of ok, "),
    ],
)
def test_invalid_fields_are_rejected(field: str, value: str, message: str) -> None:
    kwargs = {"name": "x", "category": "model", "status": "pass", field: value}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        CheckResult(**kwargs)


def test_with_severity_turns_a_failure_into_a_warning_and_back() -> None:
    failed = make("fail")
    assert failed.with_severity("warn").status == "warn"
    assert failed.with_severity("warn").with_severity("block").status == "fail"
    assert make("error").with_severity("warn").status == "error"
    assert make("pass").with_severity("warn").status == "pass"


@pytest.mark.parametrize(
    ("statuses", "fail_on", "decision"),
    [
        ([("pass", "block"), ("skipped", "block")], "block", "pass"),
        ([("fail", "block")], "block", "fail"),
        ([("error", "block")], "block", "fail"),
        ([("warn", "warn")], "block", "pass"),
        ([("warn", "warn")], "warn", "fail"),
        ([("error", "warn")], "block", "pass"),
        ([("error", "warn")], "warn", "fail"),
        ([], "block", "pass"),
    ],
)
def test_gate_decision(statuses: list[tuple[str, str]], fail_on: str, decision: str) -> None:
    checks = [make(s, sev, id=f"c{i}") for i, (s, sev) in enumerate(statuses)]
    gate = decide(checks, fail_on)
    assert gate.decision == decision
    assert len(gate.blocking) == (0 if decision == "pass" else 1)


def test_jsonable_falls_back_to_text() -> None:
    class Thing:
        def __str__(self) -> str:
            return "thing"

    assert jsonable({"x": Thing()}) == {"x": "thing"}


def test_an_integer_too_long_to_print_is_written_as_a_note() -> None:
    import json

    from pytest_mlops.results import CheckResult

    result = CheckResult(
        name="x", category="custom", status="pass", message="ok", details={"n": 10**5000}
    )
    written = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert written["details"]["n"] == f"<integer of {(10**5000).bit_length()} bits>"
    assert (
        CheckResult(
            name="x", category="custom", status="pass", message="ok", details={"n": 2**1000}
        ).to_dict()["details"]["n"]
        == 2**1000
    )
