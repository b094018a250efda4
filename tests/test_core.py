"""The core: declared constraints, the verdict module, the registry and derived fixture."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from pytest_mlops.checks import check_probabilities
from pytest_mlops.core import registry, verdict
from pytest_mlops.core.inputs import (
    Interval,
    MappingOf,
    Options,
    SequenceOf,
    Text,
    parse_version,
    to_labels,
    to_scores,
    validate_params,
)
from pytest_mlops.errors import MlopsInputError, MlopsTypeError


@validate_params(
    {
        "alpha": [Interval(float, 0, 1, closed="neither")],
        "n": [Interval(int, 1, None)],
        "method": [Options("ks", "psi")],
        "columns": [SequenceOf(Text()), None],
        "limits": [MappingOf(Text(), [Interval(float, None, None)]), None],
    }
)
def _check(
    data: object,
    *,
    alpha: float = 0.05,
    n: int = 10,
    method: str = "ks",
    columns: list[str] | None = None,
    limits: dict[str, float] | None = None,
) -> object:
    return data


@pytest.mark.parametrize(
    ("options", "error", "text"),
    [
        (
            {"alpha": "0.05"},
            MlopsTypeError,
            "_check: alpha must be a float in (0, 1); got '0.05' (str)",
        ),
        (
            {"alpha": 1.0},
            MlopsInputError,
            "_check: alpha must be a float in (0, 1); got 1.0 (float)",
        ),
        ({"alpha": math.nan}, MlopsInputError, "alpha must be a float in (0, 1); got nan"),
        ({"alpha": True}, MlopsTypeError, "alpha must be a float in (0, 1); got True (bool)"),
        ({"n": 2.0}, MlopsTypeError, "n must be an int >= 1; got 2.0 (float)"),
        ({"n": 0}, MlopsInputError, "n must be an int >= 1; got 0 (int)"),
        ({"method": "kss"}, MlopsInputError, "one of 'ks', 'psi' (did you mean 'ks'?); got 'kss'"),
        ({"method": None}, MlopsTypeError, "method must be one of 'ks', 'psi'; got None"),
        ({"columns": "a"}, MlopsTypeError, "columns must be a list (each item a non-empty string)"),
        ({"columns": ["a", 1]}, MlopsTypeError, "columns[1] must be a non-empty string; got 1"),
        ({"limits": {"x": "1"}}, MlopsTypeError, "limits['x'] must be a finite number; got '1'"),
        ({"limits": {"x": math.inf}}, MlopsInputError, "limits['x'] must be a finite number"),
        ({"alpah": 0.1}, MlopsTypeError, "unknown argument 'alpah' (did you mean 'alpha'?)"),
    ],
)
def test_declared_constraints_name_the_argument_the_value_and_what_is_allowed(
    options: dict[str, object], error: type[Exception], text: str
) -> None:
    with pytest.raises(error) as raised:
        _check(1, **options)
    assert text in str(raised.value)


def test_values_inside_the_constraints_pass_through() -> None:
    assert _check(7, alpha=np.float64(0.5), n=np.int64(3), columns=["a"], limits={"a": 1}) == 7


def test_a_constraint_on_a_missing_parameter_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="no parameter"):
        validate_params({"nope": [None]})(lambda x: x)


@pytest.mark.parametrize(
    ("values", "text"),
    [
        ([True, "b"], "y mixes label types (number at position 0, string at position 1)"),
        ([1, None], "y has a missing label at position 1"),
        ([[1], [2, 3]], "y holds an unhashable list at position 0"),
        ([1 + 2j, 3], "y holds a complex at position 0"),
        ([{"a": 1}], "y holds an unhashable dict at position 0"),
    ],
)
def test_labels_are_all_numbers_or_all_strings(values: list[object], text: str) -> None:
    with pytest.raises((MlopsInputError, MlopsTypeError), match=None) as raised:
        to_labels("y", values)
    assert text in str(raised.value)


def test_categorical_labels_keep_their_categories_type() -> None:
    import pandas as pd

    labels = to_labels("y", pd.Series([0, 1, 0]).astype("category"))
    assert labels.tolist() == [0, 1, 0] and labels.dtype.kind in "iu"


def test_scores_reject_non_finite_values_naming_count_and_position() -> None:
    with pytest.raises(MlopsInputError, match=r"s has 2 NaN or infinite value\(s\) \(first at"):
        to_scores("s", [0.1, math.nan, math.inf])
    assert to_scores("s", [0.1, math.nan], nonfinite="nan").shape == (2,)
    with pytest.raises(MlopsInputError, match="s must be 1-d; got an array of shape"):
        to_scores("s", [[0.1, 0.9]], ndim=(1,))


def test_versions_are_compared_by_packaging() -> None:
    assert parse_version("1.0rc1") < parse_version("1.0")  # type: ignore[operator]
    assert parse_version("not a version") is None


def test_judge_point_and_interval() -> None:
    bound = verdict.Bound.at_least("roc_auc", 0.85)
    assert verdict.judge(bound, 0.9).passed
    low = verdict.judge(bound, 0.9, interval=(0.8, 0.95), gate_on="lower_bound")
    assert not low.passed
    assert low.failure == (
        "roc_auc = 0.9 (95% CI 0.8-0.95), must be >= 0.85 (the whole interval must clear it)"
    )
    assert verdict.judge(bound, 0.9, interval=(math.nan, math.nan), gate_on="interval").passed


@pytest.mark.parametrize("value", [None, math.nan])
def test_a_value_that_could_not_be_computed_never_passes(value: float | None) -> None:
    judged = verdict.judge(verdict.Bound.at_most("ece", 0.1), value)
    assert not judged.passed
    assert judged.failure == verdict.MSG_NOT_COMPUTED.format(metric="ece", bound="<= 0.1")


def test_conclude_is_the_one_pass_fail_tail() -> None:
    failed = verdict.conclude(
        name="x",
        category="model",
        failures=["a = 1, must be >= 2"],
        passed="ok",
        next_step="fix it",
        n=10,
    )
    assert (failed.status, failed.reason) == ("fail", "threshold_not_met")
    assert failed.message == "a = 1, must be >= 2 (n=10); fix it"
    passed = verdict.conclude(name="x", category="model", failures=[], passed="all good")
    assert (passed.status, passed.reason, passed.message) == ("pass", "ok", "all good")
    stuck = verdict.cannot_decide(name="x", category="model", why="no positives")
    assert (stuck.status, stuck.message) == ("error", "x cannot decide: no positives")


def test_check_probabilities_counts_each_problem_by_hand() -> None:
    scores = np.array([[0.2, 0.8], [0.5, 0.4], [np.nan, 1.0], [1.2, -0.2], [0.3, 0.7]])
    result = check_probabilities(scores)
    assert result.status == "fail"
    assert result.metrics == {
        "non_finite": 1,
        "outside_unit_interval": 1,
        "rows_not_summing_to_1": 1,
        "rows": 5,
    }
    assert [e["row"] for e in result.details["rows_not_summing_to_1"]] == [1]
    assert check_probabilities([0.1, 0.9, 0.5]).status == "pass"
    assert (
        "3 score columns for 2 classes"
        in check_probabilities(np.full((4, 3), 1 / 3), n_classes=2).message
    )
    with pytest.raises(MlopsInputError, match="y_score is empty"):
        check_probabilities([])


def test_every_builtin_check_is_registered_with_a_valid_spec() -> None:
    methods = {spec.method for spec in registry.specs()}
    assert "check_probabilities" in methods
    for spec in registry.specs():
        assert spec.summary, f"{spec.method} has no docstring"
        assert "severity" in spec.signature().parameters


def test_the_scorecard_map_comes_from_the_registry() -> None:
    from pytest_mlops.scorecard import check_map

    assert registry.scorecard_map()["probabilities"] == ("Monitor 5",)
    assert registry.scorecard_map()["slice_metrics"] == ("Model 6",)  # check_metrics(slices=)
    assert check_map() == registry.scorecard_map()


def test_every_check_the_rubric_names_is_registered_and_serves_that_test() -> None:
    import re

    from pytest_mlops.scorecard import RUBRIC

    for rid, _title, how in RUBRIC:
        for method in re.findall(r"\b(?:check_\w+|compare_models)\b", how):
            spec = registry.get(method)
            assert spec is not None, f"{rid} names {method}, which is not a registered check"
            served = (*spec.scorecard, *(t for _, tests in spec.also_scores for t in tests))
            assert rid in served, f"{rid} names {method}, whose spec does not declare it"


def test_core_imports_no_heavy_library() -> None:
    code = (
        "import sys, pytest_mlops.core.inputs, pytest_mlops.core.verdict, "
        "pytest_mlops.core.registry, pytest_mlops.hookspecs\n"
        "print([m for m in ('numpy', 'pandas', 'scipy', 'sklearn') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_derived_method_records_gates_and_suggests_typos(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mlops_model
        def test_good(mlops):
            assert mlops.check_probabilities([[0.3, 0.7]]).status == "pass"

        @pytest.mark.mlops_model
        def test_bad(mlops):
            mlops.check_probabilities([[0.3, 0.9]])

        @pytest.mark.mlops_model(severity="warn")
        def test_typo(mlops):
            mlops.check_probabilities([[0.3, 0.7]], sum_tolerence=0.1)
        """
    )
    result = pytester.runpytest("--mlops", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*MlopsCheckFailed: model/probabilities: 1 row(s) not summing to 1 (n=1)*",
            "*MlopsTypeError: mlops.check_probabilities: unknown argument 'sum_tolerence' "
            "(did you mean 'sum_tolerance'?)*",
        ]
    )
    import json

    report = json.loads((pytester.path / "mlops-report" / "report.json").read_text())
    statuses = {c["nodeid"].split("::")[-1]: c["status"] for c in report["checks"]}
    assert statuses == {"test_good": "pass", "test_bad": "fail", "test_typo": "error"}
    assert report["gate"]["decision"] == "fail"


def test_a_plugin_registers_its_own_check_and_an_internal_error_fails_closed(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        textwrap.dedent(
            """
            from pytest_mlops.core.registry import CheckSpec
            from pytest_mlops.core.verdict import Bound, conclude, judge

            def check_row_count(data, *, minimum=10):
                '''The data set has at least ``minimum`` rows.'''
                judged = judge(Bound.at_least("rows", minimum), len(data))
                return conclude(
                    name="row_count", category="custom",
                    failures=[judged.failure] if not judged.passed else [],
                    passed=f"{len(data)} rows", metrics={"rows": len(data)},
                )

            def check_broken(data):
                '''Always breaks.'''
                return 1 / 0

            def pytest_mlops_register_checks(register):
                register(CheckSpec(name="row_count", category="custom",
                                   function=check_row_count, data=("data",)))
                register(CheckSpec(name="broken", category="custom", function=check_broken))
            """
        )
    )
    pytester.makepyfile(
        """
        def test_rows(mlops):
            assert mlops.check_row_count(list(range(12))).metrics["rows"] == 12

        def test_too_few(mlops):
            mlops.run("check_row_count", [1, 2], minimum=3)

        def test_broken(mlops):
            mlops.check_broken([1])
        """
    )
    result = pytester.runpytest("--mlops", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*custom/row_count: rows = 2, must be >= 3*"])
    import json

    report = json.loads((pytester.path / "mlops-report" / "report.json").read_text())
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["broken"]["status"] == "error"
    assert "raised ZeroDivisionError" in by_name["broken"]["message"]
    assert report["gate"]["decision"] == "fail"
    registry.unregister("check_row_count")
    registry.unregister("check_broken")


def test_the_readme_option_tables_match_the_registry() -> None:
    from pathlib import Path

    from pytest_mlops.core import docs

    readme = Path(__file__).resolve().parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert "<!-- options: check_probabilities -->" in text
    assert docs.render(text) == text, "run: python -m pytest_mlops.core.docs README.md"


def test_a_plugin_adds_a_report_section_shown_as_escaped_text(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_mlops_report_sections(report):
            n = len(report["checks"])
            return [{"title": "Model card", "markdown": f"**{n} checks** <script>x()</script>"}]
        """
    )
    pytester.makepyfile(
        """
        def test_p(mlops):
            mlops.check_probabilities([0.2, 0.9])
        """
    )
    result = pytester.runpytest("--mlops", "-p", "no:randomly")
    result.assert_outcomes(passed=1)
    folder = pytester.path / "mlops-report"
    summary = (folder / "summary.md").read_text(encoding="utf-8")
    assert "Model card" in summary and "**1 checks**" in summary
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "**1 checks** &lt;script&gt;x()&lt;/script&gt;" in html
    assert "<script>x()" not in html


def test_a_malformed_report_section_is_a_usage_error_naming_the_plugin(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        def pytest_mlops_report_sections(report):
            return [{"title": 3}]
        """
    )
    pytester.makepyfile("def test_p(mlops):\n    mlops.check_probabilities([0.2])\n")
    result = pytester.runpytest("--mlops", "-p", "no:randomly")
    result.stderr.fnmatch_lines(["*pytest_mlops_report_sections in *conftest*: each section*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
