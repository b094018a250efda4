"""Every input to the data checks ends in a result or a clear error, and every finding is
reported, including those within their thresholds."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

from pytest_mlops.checks import check_data, check_schema, check_train_test, infer_schema
from pytest_mlops.checks._findings import detectors
from pytest_mlops.errors import MlopsInputError, MlopsTypeError


def findings(result) -> dict[tuple[str | None, str], dict]:
    return {(f["column"], f["finding"]): f for f in result.details["findings"]}


def test_twenty_duplicate_rows_in_589_are_reported_for_information() -> None:
    cancer = load_breast_cancer(as_frame=True).frame
    frame = pd.concat([cancer, cancer.iloc[:20]], ignore_index=True)
    result = check_data(frame, label="target")
    assert result.status == "pass"
    duplicates = findings(result)[(None, "duplicates")]
    assert (duplicates["rows"], duplicates["level"]) == (20, "info")
    assert duplicates["examples"][0] == {"row": 569, "value": None}
    assert "20 duplicate rows in 589 (3.4% <= 5%)" in result.message
    assert result.metrics["information"] >= 1 and result.metrics["failing_findings"] == 0
    beyond = check_data(pd.concat([frame, cancer.iloc[:20]], ignore_index=True), label="target")
    assert findings(beyond)[(None, "duplicates")]["level"] == "warn"  # 40 in 609: 6.6%
    assert beyond.status == "pass" and "warnings: " in beyond.message


def test_levels_follow_thresholds_and_fail_on() -> None:
    frame = pd.DataFrame({"x": [1.0, None] + [float(i) for i in range(38)], "y": [0, 1] * 20})
    within = findings(check_data(frame, label="y"))[("x", "nulls")]
    assert within["level"] == "info" and within["rows"] == 1  # 2.5% <= 5%
    over = check_data(frame, label="y", max_null_fraction=0.01)
    assert over.status == "fail" and findings(over)[("x", "nulls")]["level"] == "fail"
    warned = check_data(frame, label="y", max_null_fraction=0.01, fail_on=[])
    assert warned.status == "pass" and findings(warned)[("x", "nulls")]["level"] == "warn"
    assert "warnings: x: 1 missing values (2.5% > 1%)" in warned.message


def test_every_detector_declares_its_default_and_source() -> None:
    import inspect

    signature = inspect.signature(check_data)
    for found in detectors():
        assert found.level in ("fail", "warn") and found.source
        if found.option:
            assert signature.parameters[found.option].default == found.default


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"max_null_fraction": "x"}, MlopsTypeError, "max_null_fraction must be a float in"),
        (
            {"max_null_fraction": 2.0},
            MlopsInputError,
            r"max_null_fraction must be a float in \[0, 1\]",
        ),
        ({"outlier_iqr": -1.0}, MlopsInputError, "outlier_iqr must be a float > 0"),
        ({"fail_on": "nulls"}, MlopsTypeError, "fail_on must be a list"),
        ({"fail_on": ["typos"]}, MlopsInputError, r"fail_on\[0\] must be one of 'all_null'"),
        ({"max_categories": 0}, MlopsInputError, "max_categories must be an int >= 1"),
        ({"label": 3}, MlopsTypeError, "label must be a str"),
        ({"alpha": 0.1}, MlopsTypeError, "unknown argument 'alpha'"),
    ],
)
def test_wrong_options_name_the_argument(options, error, message) -> None:
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
    with pytest.raises(error, match=message):
        check_data(frame, **options)


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, {1, 2}], ids=["list", "dict", "set"])
def test_unhashable_cells_name_the_column_and_row(value) -> None:
    frame = pd.DataFrame({"ok": [1, 2, 3], "nested": ["a", value, "b"]})
    for call in (
        lambda: check_data(frame),
        lambda: infer_schema(frame),
        lambda: check_train_test(frame, frame),
    ):
        with pytest.raises(MlopsTypeError, match=r"column 'nested' holds a \w+ at row 1"):
            call()


def test_nul_and_unicode_column_names() -> None:
    frame = pd.DataFrame({"a\x00b": [1.0, 2.0, 3.0], "日本 é": ["x", "y", "x"]})
    assert check_schema(frame, infer_schema(frame)).status == "pass"
    assert check_data(frame).status == "pass"
    polars = pytest.importorskip("polars")
    lazy = polars.DataFrame({"a\x00b": [1, 2, 3]})  # polars panics converting this name
    assert infer_schema(lazy).names == ["a\x00b"]
    pyarrow = pytest.importorskip("pyarrow")
    assert infer_schema(pyarrow.table({"a\x00b": [1, 2, 3]})).names == ["a\x00b"]


DTYPES = {
    "str": pd.Series(list("abcdabcd"), dtype="str"),
    "string": pd.Series([*"abcdabc", None], dtype="string"),
    "Int64": pd.array([1, 2, None, 4, 5, 6, 7, 8], dtype="Int64"),
    "UInt8": pd.array(range(8), dtype="UInt8"),
    "Float64": pd.array([0.1, None, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], dtype="Float64"),
    "boolean": pd.array([True, False, None, True, True, False, True, False], dtype="boolean"),
    "category": pd.Categorical(["x", "y", None, "x", "y", "x", "y", "x"]),
    "int category": pd.Categorical([1, 2] * 4),
    "tz-aware": pd.date_range("2025-01-01", periods=8, tz="Europe/Oslo"),
    "naive datetime": pd.date_range("2025-01-01", periods=8, unit="s"),
    "timedelta": pd.to_timedelta(np.arange(8), unit="h"),
    "period": pd.period_range("2025-01", periods=8, freq="M"),
    "interval": pd.interval_range(0, 8),
    "complex": np.arange(8) + 1j,
    "bytes": [b"a", b"b"] * 4,
    "date": [dt.date(2025, 1, i + 1) for i in range(8)],
    "decimal": [decimal.Decimal(i) / 2 for i in range(8)],
    "mixed": [1, "a", 2.0, None, "b", 3, 4, 5],
    "all missing": [np.nan] * 8,
}


@pytest.mark.parametrize("column", list(DTYPES))
def test_every_pandas_dtype_gets_a_result_or_a_clear_error(column) -> None:
    frame = pd.DataFrame({column: DTYPES[column], "y": [0, 1] * 4})
    assert check_data(frame, label="y").status in ("pass", "fail")
    assert check_train_test(frame, frame.iloc[:4]).status in ("pass", "fail")
    if column == "all missing":
        with pytest.raises(MlopsInputError, match="'all missing' is entirely missing"):
            infer_schema(frame)
        return
    schema = infer_schema(frame)
    assert check_schema(frame, schema).status == "pass"  # data passes its own schema
    schema.to_json()  # and the schema is valid JSON


@pytest.mark.parametrize(
    ("columns", "outcome"),
    [
        (["a", "a"], "duplicate column names: \\['a'\\]"),
        ([1, "1"], "clash once written as text"),
        ([0, None], None),
        (pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")]), None),
    ],
    ids=["duplicate", "clashing", "non-string", "multiindex"],
)
def test_column_names_get_a_result_or_a_clear_error(columns, outcome) -> None:
    frame = pd.DataFrame([[1.0, 2.0], [3.0, 5.0], [4.0, 7.0]], columns=columns)
    if outcome is not None:
        for call in (check_data, infer_schema):
            with pytest.raises(MlopsInputError, match=outcome):
                call(frame)
        return
    result = check_data(frame)
    assert result.status == "pass" and "compared as text" in result.details["notes"][0]
    assert check_schema(frame, infer_schema(frame)).status == "pass"


def test_infinities_are_judged_not_crashed_on() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, np.inf] * 3})
    outliers = findings(check_data(frame))[("x", "outliers")]
    assert outliers["rows"] == 3 and outliers["examples"][0]["value"] == "inf"  # JSON-safe
