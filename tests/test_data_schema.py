"""Learned schemas that an ordinary test split passes, and schema files a person can edit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.model_selection import train_test_split

from pytest_mlops import config
from pytest_mlops.checks import Schema, check_schema, infer_schema
from pytest_mlops.checks._schema import DEFAULT_RANGE_MARGIN, tail_margin
from pytest_mlops.errors import MlopsInputError, MlopsTypeError

LOADERS = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "diabetes": load_diabetes,
}
SEEDS = range(5)


@pytest.fixture(scope="module", params=list(LOADERS))
def dataset(request: pytest.FixtureRequest) -> tuple[str, pd.DataFrame]:
    return request.param, LOADERS[request.param](as_frame=True).frame


def split(frame: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stratified 75/25 split (the regression target stratified by quintile)."""
    target = frame["target"]
    strata = pd.qcut(target, 5, labels=False) if target.nunique() > 20 else target
    train, test = train_test_split(frame, test_size=0.25, random_state=seed, stratify=strata)
    return train, test


def test_learned_ranges_pass_stratified_test_splits(dataset) -> None:
    name, frame = dataset
    for seed in SEEDS:
        train, test = split(frame, seed)
        result = check_schema(test, infer_schema(train))
        assert result.status == "pass", (name, seed, result.message)


def test_the_exact_training_range_fails_those_splits(dataset) -> None:
    """Why margins are needed: a new value exceeds the max of n draws w.p. 1/(n+1)."""
    name, frame = dataset
    failing = sum(
        check_schema(test, infer_schema(train, range_margin=0.0)).status == "fail"
        for train, test in (split(frame, seed) for seed in SEEDS)
    )
    assert failing >= 3, name


def test_a_genuinely_out_of_range_value_still_fails(dataset) -> None:
    name, frame = dataset
    train, test = split(frame, 0)
    schema = infer_schema(train)
    for column in [c for c in train.columns if c != "target"][:5]:
        low, high = train[column].min(), train[column].max()
        for value, rule in ((high + 3 * (high - low), "max"), (low - 3 * (high - low), "min")):
            broken = test.copy()
            broken.loc[broken.index[0], column] = value
            found = {
                (v["column"], v["rule"]) for v in check_schema(broken, schema).details["violations"]
            }
            assert (column, rule) in found, (name, column, value)


def test_a_unit_error_fails() -> None:
    frame = load_breast_cancer(as_frame=True).frame
    train, test = split(frame, 0)
    test = test.assign(**{"mean area": test["mean area"] * 10})  # a different unit
    assert check_schema(test, infer_schema(train)).status == "fail"


def test_range_margin_loosens_and_tightens() -> None:
    frame = load_wine(as_frame=True).frame
    widths = []
    for margin in (0.0, 2.0, DEFAULT_RANGE_MARGIN, 12.0):
        column = infer_schema(frame, range_margin=margin).column("alcohol")
        widths.append(column.max - column.min)
    assert widths == sorted(widths) and len(set(widths)) == 4
    exact = infer_schema(frame, range_margin=0.0).column("alcohol")
    assert (exact.min, exact.max) == (frame["alcohol"].min(), frame["alcohol"].max())
    slack = infer_schema(frame, range_slack=0.1).column("alcohol")
    spread = frame["alcohol"].max() - frame["alcohol"].min()
    assert slack.max == pytest.approx(frame["alcohol"].max() + 0.1 * spread)


def test_margins_grow_as_the_training_set_shrinks() -> None:
    rng = np.random.default_rng(0)
    for draw in (rng.normal, rng.uniform):
        margins = [
            np.median([tail_margin(np.sort(draw(size=n)), 6.0)[1] for _ in range(50)])
            for n in (30, 300, 3000)
        ]
        assert margins[0] > margins[1] > margins[2] and margins[0] > 1.4 * margins[2]


@pytest.mark.parametrize(
    ("draw", "most"),
    [
        (lambda r, n: r.normal(size=n), 0.01),
        (lambda r, n: r.uniform(size=n), 0.01),
        (lambda r, n: r.exponential(size=n), 0.02),
        (lambda r, n: r.lognormal(sigma=1.0, size=n), 0.04),
    ],
    ids=["normal", "uniform", "exponential", "lognormal"],
)
def test_new_samples_rarely_leave_a_learned_range(draw, most) -> None:
    """The promise, simulated: a test set a quarter the size of the training set (n=200)
    leaves the learned range of a column in at most `most` of 300 seeded draws."""
    rng = np.random.default_rng(7)
    left = 0
    for _ in range(300):
        spec = infer_schema(pd.DataFrame({"x": draw(rng, 200)})).column("x")
        new = draw(rng, 50)
        left += bool(((new < spec.min) | (new > spec.max)).any())
    assert left / 300 <= most


def test_infinities_leave_a_side_open_and_the_file_stays_json(tmp_path) -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, np.inf, 3.0], "y": [-np.inf, 0.0, 1.0, 2.0]})
    schema = infer_schema(frame)
    assert schema.column("x").max is None and schema.column("x").min is not None
    assert schema.column("y").min is None and schema.column("y").max is not None
    path = schema.save(tmp_path / "s.json")
    assert "Infinity" not in path.read_text()
    assert check_schema(frame, Schema.load(path)).status == "pass"


def test_the_suite_setting_matches_the_default() -> None:
    assert config.defaults()["schema"]["range_margin"] == DEFAULT_RANGE_MARGIN


WINE_CONFTEST = """
import pytest
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from pytest_mlops import MlopsDataset

@pytest.fixture(scope="session")
def mlops_dataset():
    frame = load_wine(as_frame=True).frame
    train, test = train_test_split(frame, test_size=0.3, random_state={seed},
                                   stratify=frame["target"])
    return MlopsDataset(train=train, test=test, label="target")

@pytest.fixture(scope="session")
def mlops_model():
    return lambda: LogisticRegression(max_iter=5000)
"""


@pytest.mark.parametrize("seed", [0, 3])
def test_the_suite_passes_right_after_learning_its_schema(pytester: pytest.Pytester, seed) -> None:
    """The issue's case: wine, stratified, the run after --mlops-update-baseline."""
    pytester.makeconftest(WINE_CONFTEST.replace("{seed}", str(seed)))
    pytester.runpytest("--mlops", "--mlops-update-baseline", "-k", "schema").assert_outcomes(
        passed=1
    )
    pytester.runpytest("--mlops", "-k", "schema").assert_outcomes(passed=1)
    # the setting is read: with no margin, the stored schema is the exact training range
    pytester.makepyprojecttoml("[tool.pytest-mlops.schema]\nrange_margin = 0\n")
    pytester.runpytest("--mlops", "--mlops-update-baseline", "-k", "schema")
    tight = pytester.runpytest("--mlops", "-k", "schema")
    tight.assert_outcomes(failed=1)
    tight.stdout.fnmatch_lines(["*values below*", "*values above*"], consecutive=False)


# -- hand-edited schema files ------------------------------------------------------------

CORRUPTIONS = [
    (lambda t: t[: len(t) // 2], MlopsInputError, r"is not valid JSON: .* at line \d+"),
    (lambda t: "[]", MlopsTypeError, r"must be an object with 'schema_version'"),
    (lambda t: t.replace('"schema_version": 1', '"schema_version": 2'), MlopsInputError,
     r"schema_version must be one of 1; got 2"),
    (lambda t: t.replace('"columns": [', '"cols": ['), MlopsInputError,
     r"unknown key 'cols' \(did you mean 'columns'\?\)"),
    (lambda t: t.replace('"kind": "float"', '"kind": "floating"', 1), MlopsInputError,
     r"column 0 \('sepal length \(cm\)'\): kind must be one of"),
    (lambda t: t.replace('"max": ', '"maximum": ', 1), MlopsInputError,
     r"unknown key 'maximum' \(did you mean 'max'\?\)"),
    (lambda t: t.replace('"nullable": false', '"nullable": "no"', 1), MlopsTypeError,
     r"nullable must be a bool"),
    (lambda t: t.replace('"max_null_fraction": 0.0', '"max_null_fraction": 5', 1),
     MlopsInputError, r"max_null_fraction must be a float in \[0, 1\]"),
    (lambda t: _set_first(t, "max", "ten"), MlopsTypeError,
     r"max of a float column must be a number; got 'ten'"),
    (lambda t: _set_first(t, "max", -100), MlopsInputError, r"min \(.*\) is above max"),
    (lambda t: _set_first(t, "max", float("nan")), MlopsInputError, r"NaN is not a JSON number"),
    (lambda t: t.replace('"name": "species",', "", 1), MlopsInputError,
     r"column 4: the key 'name' is missing"),
    (lambda t: t.replace('"categories": [', '"categories": [1, ', 1), MlopsTypeError,
     r"categories\[0\] must be a str"),
    (lambda t: t.replace('"min_rows": 1', '"min_rows": "1"'), MlopsTypeError,
     r"min_rows must be an int"),
]  # fmt: skip


def _set_first(text: str, key: str, value: object) -> str:
    data = json.loads(text)
    data["columns"][0][key] = value
    return json.dumps(data)  # NaN is written as the bare NaN that hand edits produce


@pytest.mark.parametrize(("corrupt", "error", "message"), CORRUPTIONS)
def test_a_corrupted_schema_file_names_the_file_the_key_and_the_fix(
    tmp_path, corrupt, error, message
) -> None:
    iris = load_iris(as_frame=True).frame
    iris["species"] = iris.pop("target").map({0: "setosa", 1: "versicolor", 2: "virginica"})
    path = infer_schema(iris).save(tmp_path / "iris.schema.json")
    path.write_text(corrupt(path.read_text()))
    with pytest.raises(error, match=message) as caught:
        check_schema(iris, path)
    text = str(caught.value)
    assert f"schema file {path}" in text
    assert "--mlops-update-baseline" in text


def test_a_number_as_a_date_bound_is_an_error() -> None:
    """Found by the fuzz: min=-1 on a datetime column compared a float with a Timestamp."""
    frame = pd.DataFrame({"m": pd.to_datetime(["2024-01-01"], utc=True)})
    data = infer_schema(frame).to_dict()
    data["columns"][0]["min"] = -1
    with pytest.raises(MlopsTypeError, match="min of a datetime column must be an ISO date"):
        check_schema(frame, data)


def test_a_corrupted_schema_in_the_baseline_names_the_baseline(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pandas as pd
        def test_schema(mlops):
            mlops.check_schema(pd.DataFrame({"x": [1.0, 2.0]}), "features")
        """
    )
    pytester.runpytest("--mlops", "--mlops-update-baseline").assert_outcomes(passed=1)
    path = pytester.path / "mlops-baseline.json"
    path.write_text(path.read_text().replace('"kind": "float"', '"kind": "number"'))
    result = pytester.runpytest("--mlops")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*baseline file *mlops-baseline.json, schema 'features'*kind*"])


def test_learning_options_with_a_given_schema_are_an_error_not_ignored() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    with pytest.raises(MlopsInputError, match="range_margin shape a learned schema"):
        check_schema(frame, infer_schema(frame), range_margin=3.0)
    with pytest.raises(MlopsTypeError, match="range_margin must be a float >= 0"):
        infer_schema(frame, range_margin="wide")


def test_the_fixture_methods_come_from_the_registry() -> None:
    import importlib.util

    from pytest_mlops.core import registry

    assert importlib.util.find_spec("pytest_mlops._fixture.data") is None
    for method in ("check_schema", "check_data", "check_train_test"):
        spec = registry.get(method)
        assert spec is not None and spec.category == "data"
    assert registry.get("check_data").seeded
    assert registry.scorecard_map()["schema"] == ("Data 1", "Monitor 2")
