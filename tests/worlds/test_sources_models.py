"""Binding a user's model: estimators, pipelines, callables, classifiers on an output scale, and
safe loading of model files (skops types must be trusted by name; pickles only when trusted)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from explainspec.worlds.sources.errors import SOURCE_CODES, SourceError
from explainspec.worlds.sources.models import load_model_file, wrap_model
from tests.audit_helpers import diabetes, rows

#: the models are fitted on DataFrames and called with numpy rows here, as the audit does
pytestmark = pytest.mark.filterwarnings("ignore:X does not have valid feature names")


def codes(excinfo: pytest.ExceptionInfo[SourceError]) -> str:
    return excinfo.value.code


def test_regressor_is_audited_on_predict_and_handed_over():
    frame, model = diabetes()
    X = frame.drop(columns="target").to_numpy()
    bound = wrap_model(model, source="m.skops")
    assert bound.scale == "predict" and bound.handover
    assert bound.feature_names == tuple(frame.columns[:-1])
    np.testing.assert_array_equal(bound.predict(X[:5]), model.predict(X[:5]))
    assert "GradientBoostingRegressor" in bound.description


def test_pipeline_and_callable():
    X = rows(50, 3)
    y = X @ [1.0, -2.0, 0.5]
    pipe = make_pipeline(StandardScaler(), LinearRegression()).fit(X, y)
    bound = wrap_model(pipe)
    np.testing.assert_allclose(bound.predict(X), pipe.predict(X))
    fn = wrap_model(lambda z: z[:, 0] * 2)
    assert fn.estimator is None and not fn.handover
    np.testing.assert_allclose(fn.predict(X), 2 * X[:, 0])
    with pytest.raises(SourceError) as e:
        wrap_model(lambda z: z[:, 0], scale="probability")
    assert codes(e) == "ES367"


def test_classifier_scales_binary():
    X = rows(80, 3)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    clf = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(X, y)
    p = clf.predict_proba(X)[:, 1]
    prob = wrap_model(clf)
    assert prob.scale == "probability" and prob.klass == 1 and not prob.handover
    np.testing.assert_allclose(prob.predict(X), p)
    lo = wrap_model(clf, scale="log_odds")  # GBC's decision function is its log-odds
    np.testing.assert_allclose(lo.predict(X), np.log(p / (1 - p)), rtol=1e-9, atol=1e-9)
    lo0 = wrap_model(clf, scale="log_odds", klass=0)
    np.testing.assert_allclose(lo0.predict(X), -lo.predict(X))
    with pytest.raises(SourceError) as e:
        wrap_model(clf, scale="predict")
    assert codes(e) == "ES367" and "labels" in e.value.message


def test_classifier_multiclass_needs_a_class():
    X, y = load_iris(return_X_y=True)
    clf = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    with pytest.raises(SourceError) as e:
        wrap_model(clf)
    assert codes(e) == "ES367" and "3 classes" in e.value.message
    bound = wrap_model(clf, klass=2)
    np.testing.assert_allclose(bound.predict(X), clf.predict_proba(X)[:, 2])
    with pytest.raises(SourceError) as e:
        wrap_model(clf, klass="virginica")
    assert codes(e) == "ES367"


def test_logistic_regression_log_odds_from_probabilities_agree():
    X = rows(80, 3)
    y = (X[:, 0] > 0).astype(int)
    clf = LogisticRegression().fit(X, y)
    a = wrap_model(clf, scale="log_odds").predict(X)
    p = clf.predict_proba(X)[:, 1]
    np.testing.assert_allclose(a, np.log(p) - np.log1p(-p), rtol=1e-8, atol=1e-8)


def test_unknown_and_unfitted_models_are_refused():
    with pytest.raises(SourceError) as e:
        wrap_model(object())
    assert codes(e) == "ES360" and "unknown model type" in e.value.message
    with pytest.raises(SourceError) as e:
        wrap_model(LinearRegression())
    assert codes(e) == "ES360" and "not fitted" in e.value.message


# ----------------------------------------------------------------------------- files


def test_skops_types_must_be_trusted_by_name(tmp_path):
    import skops.io as sio

    _, model = diabetes()
    path = tmp_path / "gbr.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted  # skops flags the tree storage type
    with pytest.raises(SourceError) as e:
        load_model_file(path)
    assert codes(e) == "ES368" and str(path) in str(e.value)
    for t in untrusted:
        assert t in e.value.message and f"--trust {t}" in e.value.hint
    loaded = load_model_file(path, trusted=untrusted)
    X = diabetes()[0].drop(columns="target").to_numpy()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_pickles_are_refused_unless_trusted(tmp_path):
    _, model = diabetes()
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model))
    with pytest.raises(SourceError) as e:
        load_model_file(path)
    assert codes(e) == "ES369" and "runs the code" in e.value.message
    assert load_model_file(path, trust_pickle=True).n_features_in_ == 10


def test_a_refused_pickle_is_never_opened(tmp_path, monkeypatch):
    """The refusal happens before any byte is unpickled (a hostile pickle would run code)."""
    import joblib

    path = tmp_path / "evil.joblib"
    path.write_bytes(b"not even a pickle")
    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("joblib.load was called"))
    with pytest.raises(SourceError) as e:
        load_model_file(path)
    assert codes(e) == "ES369"


def test_unknown_suffix_missing_and_broken_files(tmp_path):
    with pytest.raises(SourceError) as e:
        load_model_file(tmp_path / "none.skops")
    assert codes(e) == "ES360" and "no such" in e.value.message
    odd = tmp_path / "m.onnx"
    odd.write_bytes(b"x")
    with pytest.raises(SourceError) as e:
        load_model_file(odd)
    assert codes(e) == "ES360" and "'.onnx'" in e.value.message
    bad = tmp_path / "m.skops"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(SourceError) as e:
        load_model_file(bad)
    assert codes(e) == "ES360"


def test_every_code_has_a_meaning_and_unknown_codes_are_refused():
    assert sorted(SOURCE_CODES) == [f"ES36{i}" for i in range(10)]
    with pytest.raises(ValueError):
        SourceError("ES399", "x")
