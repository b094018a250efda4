"""Pipeline checks: each on a pipeline that passes and one with a planted defect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from pytest_mlops.checks import (
    check_deterministic,
    check_directional,
    check_invariance,
    check_robustness,
    check_serialization,
    check_transformer,
)
from pytest_mlops.checks.determinism import unseeded_estimators
from pytest_mlops.errors import MlopsInputError, MlopsTypeError


@pytest.fixture(scope="module")
def cancer() -> tuple[pd.DataFrame, pd.Series]:
    frame = load_breast_cancer(as_frame=True)
    return frame.data.iloc[:, :8], frame.target


class UnseededNoise(BaseEstimator, ClassifierMixin):
    """Planted defect: predictions depend on an unseeded random state."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        p = np.random.default_rng().random(len(X))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


class BatchScaler(BaseEstimator, TransformerMixin):
    """Planted defect: scales by the batch's own mean, leaking across rows."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        values = np.asarray(X, dtype=float)
        return values - values.mean(axis=0)


class InPlace(BaseEstimator, TransformerMixin):
    """Planted defect: modifies its input."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X.iloc[:, 0] = 0.0
        return np.asarray(X, dtype=float)


def test_determinism(cancer) -> None:
    X, y = cancer
    result = check_deterministic(
        lambda random_state: RandomForestClassifier(n_estimators=20, random_state=random_state),
        X,
        y,
    )
    assert result.status == "pass"
    assert result.metrics["other_seed_max_difference"] > 0  # the seed matters, and is reported
    fixed = check_deterministic(
        lambda: RandomForestClassifier(n_estimators=10, random_state=3), X, y
    )
    assert fixed.status == "pass" and fixed.details["unseeded"] == []
    broken = check_deterministic(lambda: UnseededNoise(), X, y)
    assert broken.status == "fail" and broken.details["injecting_seed_fixes_it"] is False
    assert "other randomness is unseeded" in broken.message


def test_determinism_fits_the_factory_as_written(cancer) -> None:
    """The old check injected random_state itself and passed a factory whose retraining
    gives a different model every time."""
    X, y = cancer
    unseeded = lambda: RandomForestClassifier(n_estimators=20)  # noqa: E731
    result = check_deterministic(unseeded, X, y)
    assert result.status == "fail"
    assert "random_state is None in RandomForestClassifier" in result.message
    assert result.details["unseeded"] == [
        {"estimator": "RandomForestClassifier", "parameter": "random_state"}
    ]
    assert result.details["injecting_seed_fixes_it"] is True
    assert "injecting random_state=0 makes two fits agree" in result.message
    could_be = check_deterministic(unseeded, X, y, inject_seed=True)
    assert could_be.status == "pass" and "with random_state injected" in could_be.message


def test_determinism_names_unseeded_estimators_inside_compositions(cancer) -> None:
    X, y = cancer
    from sklearn.decomposition import PCA
    from sklearn.ensemble import BaggingClassifier

    model = make_pipeline(
        ColumnTransformer([("pca", PCA(n_components=2, svd_solver="randomized"), [0, 1, 2])]),
        BaggingClassifier(RandomForestClassifier(n_estimators=3, random_state=1), n_estimators=3),
    )
    assert unseeded_estimators(model) == [
        {"estimator": "PCA", "parameter": "columntransformer__pca__random_state"},
        {"estimator": "BaggingClassifier", "parameter": "baggingclassifier__random_state"},
    ]
    result = check_deterministic(lambda: model, X.to_numpy(), y)
    assert result.status == "fail"
    assert "PCA (columntransformer__pca__random_state)" in result.message
    assert "BaggingClassifier (baggingclassifier__random_state)" in result.message
    assert "RandomForestClassifier" not in result.message  # seeded: not named


def test_determinism_factory_errors_end_as_status_error(cancer) -> None:
    X, y = cancer

    def make():
        raise ImportError("xgboost is not installed")

    result = check_deterministic(make, X, y)
    assert result.status == "error"
    assert "make_model() raised ImportError: xgboost is not installed" in result.message
    with pytest.raises(MlopsTypeError, match="inject_seed must be a bool"):
        check_deterministic(make, X, y, inject_seed="yes")


def test_serialization(cancer) -> None:
    X, y = cancer
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    result = check_serialization(model, X)
    assert result.status == "pass"
    assert {r["format"] for r in result.details["round_trips"]} >= {"pickle", "joblib"}
    broken = check_serialization(UnseededNoise().fit(X, y), X)
    assert broken.status == "fail"

    class Unpicklable(LogisticRegression):
        def __reduce__(self):
            raise TypeError("cannot pickle a lambda")

    failing = check_serialization(Unpicklable(max_iter=500).fit(X, y), X)
    assert failing.status == "fail" and "pickle failed: TypeError" in failing.message


def test_transformer_contract(cancer) -> None:
    X, _ = cancer
    mixed = X.assign(kind=np.where(X.iloc[:, 0] > 14, "big", "small"))
    good = ColumnTransformer(
        [
            ("num", StandardScaler(), list(X.columns)),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["kind"]),
        ]
    )
    assert check_transformer(good, mixed).status == "pass"
    leaky = check_transformer(BatchScaler(), X)
    assert leaky.status == "fail" and "row_independent" in leaky.message
    in_place = check_transformer(InPlace(), X.copy())
    assert "input_unchanged_by_transform" in in_place.message
    strict = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="error"), ["kind"])])
    unseen = check_transformer(strict, mixed)
    assert unseen.status == "fail" and "unseen_values" in unseen.message
    with pytest.raises(MlopsTypeError, match="must have fit and transform"):
        check_transformer(object(), X)
    with pytest.raises(MlopsInputError, match="at least 3 rows"):
        check_transformer(StandardScaler(), X.head(2))


def test_invariance_and_directional(cancer) -> None:
    X, y = cancer
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    same = check_invariance(model, X, perturb=lambda d: d.copy(), tolerance=1e-12)
    assert same.status == "pass"
    moved = check_invariance(
        model, X, perturb=lambda d: d.assign(**{"mean radius": d["mean radius"] * 1.5})
    )
    assert moved.status == "fail" and moved.details["worst"]
    coef = model[-1].coef_[0][list(X.columns).index("mean radius")]
    direction = "increase" if coef > 0 else "decrease"
    grow = lambda d: d.assign(**{"mean radius": d["mean radius"] + 1})  # noqa: E731
    assert check_directional(model, X, perturb=grow, expect=direction).status == "pass"
    opposite = "decrease" if direction == "increase" else "increase"
    wrong = check_directional(model, X, perturb=grow, expect=opposite)
    assert wrong.status == "fail" and wrong.metrics["broken_share"] > 0.5
    with pytest.raises(MlopsInputError, match="expect must be one of"):
        check_directional(model, X, perturb=grow, expect="sideways")


def test_robustness(cancer) -> None:
    X, y = cancer
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    calm = check_robustness(model, X, y, noise=0.01, max_drop=0.02)
    assert calm.status == "pass"
    shaken = check_robustness(model, X, y, noise=2.0, max_drop=0.02)
    assert shaken.status == "fail" and shaken.metrics["drop"] > 0.02
    assert (
        check_robustness(model, X, y, noise=0.5, random_state=1).metrics
        == check_robustness(model, X, y, noise=0.5, random_state=1).metrics
    )


def test_fixture_pipeline_checks(pytester: pytest.Pytester, report_of) -> None:
    pytester.makepyfile(
        """
        import pytest
        from sklearn.datasets import load_breast_cancer
        from sklearn.ensemble import RandomForestClassifier

        @pytest.mark.mlops_pipeline
        def test_reproducible(mlops):
            X, y = load_breast_cancer(return_X_y=True, as_frame=True)
            X = X.iloc[:200, :5]; y = y.iloc[:200]
            mlops.check_deterministic(
                lambda: RandomForestClassifier(n_estimators=5), X, y, inject_seed=True)
            model = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
            mlops.check_serialization(model, X)
        """
    )
    pytester.runpytest("--mlops", "--mlops-seed", "4").assert_outcomes(passed=1)
    checks = report_of()["checks"]
    assert [c["name"] for c in checks] == ["determinism", "serialization"]
    assert checks[0]["details"]["seed"] == 4


class RaisingModel(BaseEstimator, ClassifierMixin):
    """Planted defect: predict fails for a reason of its own."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        raise RuntimeError("feature store unreachable")


class FailingFit(BaseEstimator, TransformerMixin):
    def fit(self, X, y=None):
        raise ValueError("fit needs a 'date' column")

    def transform(self, X):
        return X


def _perturb_fails(X):
    raise KeyError("income")


@pytest.mark.parametrize(
    ("check", "arguments", "culprit"),
    [
        (check_serialization, lambda X, y: (RaisingModel().fit(X, y), X), "predict raised"),
        (check_transformer, lambda X, y: (FailingFit(), X), "fit raised ValueError"),
        (
            check_invariance,
            lambda X, y: (RaisingModel().fit(X, y), X),
            "predict raised RuntimeError",
        ),
        (check_robustness, lambda X, y: (RaisingModel().fit(X, y), X, y), "predict raised"),
    ],
)
def test_user_code_that_raises_ends_as_status_error(cancer, check, arguments, culprit) -> None:
    X, y = cancer
    options = {"perturb": lambda d: d} if check is check_invariance else {}
    result = check(*arguments(X, y), **options)
    assert result.status == "error" and culprit in result.message


def test_a_failing_perturb_ends_as_status_error(cancer) -> None:
    X, y = cancer
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    for check in (check_invariance, check_directional):
        result = check(model, X, perturb=_perturb_fails)
        assert result.status == "error" and "perturb raised KeyError" in result.message


@pytest.mark.parametrize(
    ("options", "error", "text"),
    [
        ({"tolerance": -1.0}, MlopsInputError, "tolerance"),
        ({"max_broken_share": 2.0}, MlopsInputError, "max_broken_share"),
        ({"max_broken_share": "0"}, MlopsTypeError, "max_broken_share"),
        ({"perturb": 3}, MlopsTypeError, "perturb"),
    ],
)
def test_pipeline_options_are_validated(cancer, options, error, text) -> None:
    X, y = cancer
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    with pytest.raises(error, match=text):
        check_invariance(model, X, **{"perturb": lambda d: d, **options})
    with pytest.raises(MlopsInputError, match="noise"):
        check_robustness(model, X, y, noise=0.0)
    with pytest.raises(MlopsInputError, match="columns names column"):
        check_robustness(model, X, y, columns=["no such column"])
    with pytest.raises(MlopsInputError, match="batch_rows"):
        check_transformer(StandardScaler(), X, batch_rows=1)
    with pytest.raises(MlopsInputError, match="tolerance"):
        check_deterministic(lambda: LogisticRegression(), X, y, tolerance=-1.0)
