"""Data validation: defects injected into bundled data sets are found with the right counts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

from pytest_mlops.checks import (
    ColumnSchema,
    Schema,
    check_data,
    check_schema,
    check_train_test,
    infer_schema,
)
from pytest_mlops.errors import MlopsInputError, MlopsTypeError


@pytest.fixture(scope="module")
def cancer() -> pd.DataFrame:
    return load_breast_cancer(as_frame=True).frame


@pytest.fixture(scope="module")
def iris() -> pd.DataFrame:
    frame = load_iris(as_frame=True).frame
    frame["species"] = frame.pop("target").map({0: "setosa", 1: "versicolor", 2: "virginica"})
    return frame


def violations(result) -> dict[tuple[str | None, str], dict]:
    return {(v["column"], v["rule"]): v for v in result.details["violations"]}


def findings(result) -> dict[tuple[str | None, str], dict]:
    return {(f["column"], f["finding"]): f for f in result.details["findings"]}


def test_clean_data_passes_its_own_schema(cancer: pd.DataFrame, iris: pd.DataFrame) -> None:
    for frame in (cancer, iris, load_diabetes(as_frame=True).frame):
        assert check_schema(frame, infer_schema(frame)).status == "pass"


def test_learned_schema_describes_the_columns(iris: pd.DataFrame) -> None:
    schema = infer_schema(iris, range_slack=0.0)
    length = schema.column("sepal length (cm)")
    assert (length.kind, length.min, length.max) == ("float", 4.3, 7.9)
    species = schema.column("species")
    assert species.kind == "categorical"
    assert species.categories == ["setosa", "versicolor", "virginica"]
    assert not species.nullable and species.max_null_fraction == 0.0
    assert schema.names == list(iris.columns)


def test_every_defect_is_found_with_its_count(iris: pd.DataFrame) -> None:
    schema = infer_schema(iris)
    bad = iris.copy()
    bad.loc[[3, 5, 7], "sepal width (cm)"] = np.nan  # 3 nulls in a complete column
    bad.loc[[10, 11], "petal length (cm)"] = 99.0  # 2 above the range
    bad.loc[12, "petal length (cm)"] = -5.0  # 1 below
    bad.loc[[20, 21, 22, 23], "species"] = "unknown"  # 4 unknown categories
    bad["extra"] = 1  # an unexpected column
    bad = bad.drop(columns=["petal width (cm)"])  # a missing column
    result = check_schema(bad, schema)
    assert result.status == "fail" and result.reason == "violations_found"
    found = violations(result)
    assert found[("sepal width (cm)", "nulls")]["rows"] == 3
    assert found[("sepal width (cm)", "nulls")]["examples"][0] == {"row": 3, "value": None}
    assert found[("petal length (cm)", "max")]["rows"] == 2
    assert found[("petal length (cm)", "max")]["examples"][0] == {"row": 10, "value": 99.0}
    assert found[("petal length (cm)", "min")]["rows"] == 1
    assert found[("species", "categories")]["rows"] == 4
    assert found[("species", "categories")]["fraction"] == pytest.approx(4 / 150)
    assert ("extra", "unexpected_column") in found
    assert ("petal width (cm)", "missing_column") in found
    assert len(found) == 6  # lazy: every violation at once


def test_kind_order_rows_and_uniqueness(cancer: pd.DataFrame) -> None:
    frame = cancer.copy()
    frame.insert(0, "id", np.arange(len(frame)))
    schema = infer_schema(frame, row_slack=0.1)
    assert schema.column("id").unique and schema.min_rows == 512
    shuffled = frame[list(reversed(frame.columns))].head(100).copy()
    shuffled.loc[5, "id"] = 0
    shuffled["mean radius"] = shuffled["mean radius"].astype(str)
    found = violations(check_schema(shuffled, schema))
    assert (None, "column_order") in found and (None, "row_count") in found
    assert found[("id", "unique")]["rows"] == 1
    assert ("mean radius", "kind") in found


def test_schema_json_round_trip_is_reviewable(tmp_path, iris: pd.DataFrame) -> None:
    schema = infer_schema(iris)
    path = schema.save(tmp_path / "iris.schema.json")
    text = path.read_text()
    assert text.startswith('{\n  "schema_version": 1,\n  "ordered": true,')
    assert text.count('\n    {\n        "name": ') == len(iris.columns)  # one block a column
    assert Schema.load(path).to_dict() == schema.to_dict()
    assert json.loads(text)["columns"][4]["categories"] == ["setosa", "versicolor", "virginica"]
    assert check_schema(iris, str(path)).status == "pass"
    edited = json.loads(text)
    edited["columns"][0]["max"] = 5.0  # tighten by hand
    assert check_schema(iris, edited).status == "fail"


def test_schema_built_in_code() -> None:
    schema = Schema(
        [
            ColumnSchema("age", "integer", nullable=False, min=0, max=120),
            ColumnSchema("city", "categorical", categories=["Oslo", "Rome"], max_null_fraction=0.5),
        ]
    )
    frame = pd.DataFrame({"age": [30, 140, 50], "city": ["Oslo", "Paris", None]})
    found = violations(check_schema(frame, schema))
    assert set(found) == {("age", "max"), ("city", "categories")}


def test_pandas_dtypes_and_other_inputs(iris: pd.DataFrame) -> None:
    frame = pd.DataFrame(
        {
            "count": pd.array([1, 2, None, 4], dtype="Int64"),
            "ratio": pd.array([0.1, None, 0.3, 0.4], dtype="Float64"),
            "flag": pd.array([True, False, None, True], dtype="boolean"),
            "name": pd.array(["a", "b", "c", None], dtype="string"),
            "group": pd.Categorical(["x", "y", "x", "y"]),
            "when": pd.date_range("2025-01-01", periods=4, tz="Europe/Oslo"),
            "mixed": [1, "two", 3.0, None],
        }
    )
    schema = infer_schema(frame)
    kinds = {c.name: c.kind for c in schema.columns}
    assert kinds == {
        "count": "integer",
        "ratio": "float",
        "flag": "boolean",
        "name": "categorical",
        "group": "categorical",
        "when": "datetime",
        "mixed": "mixed",
    }
    assert check_schema(frame, schema).status == "pass"
    later = frame.copy()
    later["when"] = pd.date_range("2030-01-01", periods=4, tz="Europe/Oslo")
    assert ("when", "max") in violations(check_schema(later, schema))
    array = iris.drop(columns="species").to_numpy()
    assert infer_schema(array).names == ["x0", "x1", "x2", "x3"]
    pyarrow = pytest.importorskip("pyarrow")
    typed = frame.drop(columns="mixed")  # arrow columns hold one type
    assert check_schema(pyarrow.Table.from_pandas(typed), infer_schema(typed)).status == "pass"


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (pd.DataFrame(), MlopsInputError, "data has no columns"),
        (pd.DataFrame({"a": []}), MlopsInputError, "data is empty \\(0 rows\\)"),
        (
            pd.DataFrame([[1, 2]], columns=["a", "a"]),
            MlopsInputError,
            "duplicate column names: \\['a'\\]",
        ),
        (pd.DataFrame([[1, 2]], columns=[1, "1"]), MlopsInputError, "clash once written as text"),
        ([1, 2, 3], MlopsTypeError, "must be a pandas DataFrame, a NumPy array"),
    ],
)
def test_bad_frames_get_specific_errors(data, error, message) -> None:
    with pytest.raises(error, match=message):
        check_data(data)


def test_all_null_and_non_string_names() -> None:
    frame = pd.DataFrame({0: [1.0, 2.0, 3.0], "empty": [None, None, None]})
    result = check_data(frame)
    assert result.status == "fail" and ("empty", "all_null") in findings(result)
    assert "non-string column names [0]" in result.details["notes"][0]
    with pytest.raises(MlopsInputError, match="'empty' is entirely missing"):
        infer_schema(frame)


def test_integrity_findings_with_counts(cancer: pd.DataFrame) -> None:
    clean = check_data(cancer, label="target")
    assert clean.status == "pass"
    judged = {f["finding"] for f in clean.details["findings"] if f["level"] != "info"}
    assert not judged & {"leakage", "conflicting_labels"}
    strong = [f for f in clean.details["findings"] if f["finding"] == "leakage"]
    assert strong and all(0.8 < f["score"] <= 0.95 and f["level"] == "info" for f in strong)
    bad = cancer.copy()
    bad.loc[:49, "mean texture"] = np.nan  # 50 nulls: 8.8% > 5%
    bad["constant"] = 1.0
    bad["almost"] = 0.0
    bad.loc[0, "almost"] = 1.0  # 568 of 569 are 0
    bad["leak"] = bad["target"] * 10 + 1  # the label in disguise
    bad["city"] = ["Oslo"] * 300 + ["oslo "] * 100 + ["Rome"] * 169  # case/space variants
    bad["code"] = [1] * 560 + ["A"] * 9  # numbers and text
    bad = pd.concat([bad, bad.iloc[:40]], ignore_index=True)  # 40 duplicate rows (6.6%)
    conflict = bad.iloc[[100]].copy()
    conflict["target"] = 1 - conflict["target"]
    bad = pd.concat([bad, conflict], ignore_index=True)
    result = check_data(bad, label="target")
    found = findings(result)
    assert result.status == "fail"
    assert found[("mean texture", "nulls")]["rows"] == 90  # 50 + 40 duplicated copies
    assert ("constant", "constant") in found
    assert ("almost", "almost_constant") in found
    assert found[("leak", "leakage")]["score"] > 0.95
    assert found[("city", "case_variants")]["variants"] == [["Oslo", "oslo "]]
    assert found[("code", "mixed_types")]["rows"] == 9
    assert found[(None, "duplicates")]["rows"] == 40
    assert found[("target", "conflicting_labels")]["rows"] >= 2
    assert "constant: every value is 1.0" in result.message


def test_class_imbalance_and_outliers_are_reported_not_failed(iris: pd.DataFrame) -> None:
    frame = pd.concat(
        [iris[iris.species != "virginica"], iris[iris.species == "virginica"].head(4)]
    )
    frame.loc[frame.index[0], "sepal length (cm)"] = 50.0
    result = check_data(frame, label="species")
    found = findings(result)
    assert result.status == "pass"
    assert found[("species", "class_imbalance")]["rows"] == 4
    assert found[("sepal length (cm)", "outliers")]["rows"] == 1
    strict = check_data(frame, label="species", fail_on=["class_imbalance"])
    assert strict.status == "fail"
    with pytest.raises(MlopsInputError, match=r"fail_on\[0\] must be one of"):
        check_data(frame, fail_on=["typos"])
    with pytest.raises(MlopsInputError, match="label column 'y' is not in the data"):
        check_data(frame, label="y")


def test_train_test_findings(cancer: pd.DataFrame, iris: pd.DataFrame) -> None:
    train, test = cancer.iloc[:400], cancer.iloc[400:]
    assert check_train_test(train, test, label="target").status == "pass"
    leaky = check_train_test(train, cancer.iloc[350:], label="target")
    assert findings(leaky)[(None, "shared_rows")]["rows"] == 50
    small = check_train_test(cancer, cancer.iloc[:3].assign(**{"mean radius": [1.0, 2.0, 3.0]}))
    assert (None, "size_ratio") in findings(small)
    a = iris.iloc[::2].copy()
    b = iris.iloc[1::2].copy()
    b.loc[b.index[:3], "species"] = "hybrid"
    b["extra"] = 0
    found = findings(check_train_test(a, b, label="species"))
    assert found[("species", "new_labels")]["rows"] == 3
    assert (None, "missing_columns") in found
    cats = check_train_test(a.assign(s=a.species), b.assign(s=b.species))
    assert findings(cats)[("s", "new_categories")]["rows"] == 3


def test_pandera_schema_failures_land_in_the_same_format(iris: pd.DataFrame) -> None:
    pa = pytest.importorskip("pandera.pandas")
    schema = pa.DataFrameSchema(
        {
            "sepal length (cm)": pa.Column(float, pa.Check.le(7.0)),
            "species": pa.Column(str, pa.Check.isin(["setosa", "versicolor"])),
        }
    )
    result = check_schema(iris, schema)
    assert result.status == "fail" and result.details["source"] == "pandera"
    found = {v["column"]: v for v in result.details["violations"]}
    assert found["sepal length (cm)"]["rows"] == int((iris["sepal length (cm)"] > 7.0).sum())
    assert found["species"]["rows"] == 50


def test_fixture_schema_by_name(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        import os
        import pytest
        from sklearn.datasets import load_iris

        @pytest.mark.mlops_data
        def test_schema(mlops):
            frame = load_iris(as_frame=True).frame
            if os.environ.get("BREAK"):
                frame.loc[:4, "sepal length (cm)"] = None
            mlops.check_schema(frame, "iris")
            mlops.check_data(frame, label="target")
        """
    )
    pytester.runpytest("--mlops").assert_outcomes(failed=1)
    assert report_of()["checks"][0]["reason"] == "missing_baseline"
    learned = pytester.runpytest("--mlops", "--mlops-update-baseline")
    learned.assert_outcomes(passed=1)
    stored = json.loads((pytester.path / "mlops-baseline.json").read_text())
    assert stored["entries"]["schemas"]["iris"]["columns"][0]["name"] == "sepal length (cm)"
    pytester.runpytest("--mlops").assert_outcomes(passed=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BREAK", "1")
        broken = pytester.runpytest("--mlops")
        broken.assert_outcomes(failed=1)
        broken.stdout.fnmatch_lines(["*sepal length (cm): 5 missing values (3.3%); none allowed*"])
    page = (pytester.path / "mlops-report" / "report.html").read_text()
    assert "violations" in page


def test_polars_frames_are_validated_like_pandas() -> None:
    polars = pytest.importorskip("polars")
    frame = polars.DataFrame({"age": [31, 45, 27, 60], "city": ["Oslo", "Rome", "Oslo", None]})
    schema = infer_schema(frame)
    assert [c.kind for c in schema.columns] == ["integer", "categorical"]
    later = polars.DataFrame({"age": [31, 450], "city": ["Oslo", "Paris"]})
    found = violations(check_schema(later, schema))
    assert set(found) == {("age", "max"), ("city", "categories")}
    assert found[("city", "categories")]["examples"] == [{"row": 1, "value": "Paris"}]
