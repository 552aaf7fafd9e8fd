"""Aligning a model with a table, fixed worlds on the user's rows, and the metamorphic variants:
each derivation must keep the property its known answer rests on (checked here directly)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor

from explainspec import worlds
from explainspec.lang import load_text
from explainspec.lang.ir import merged_world
from explainspec.worlds.sources import bindings
from explainspec.worlds.sources.errors import SourceError
from explainspec.worlds.sources.functions import widen
from explainspec.worlds.sources.models import wrap_model
from explainspec.worlds.sources.tables import table_from_array, table_from_frame
from explainspec.worlds.sources.world import SourceWorld, build_world
from tests.audit_helpers import diabetes


@pytest.fixture()
def bound():
    frame, model = diabetes()
    with bindings.bound(
        {"gbr": wrap_model(model, source="gbr.skops")},
        {
            "db": bindings.TableBinding(
                table=table_from_frame(frame, source="db.csv"), target="target"
            )
        },
    ):
        yield frame, model


def world_of(fields: str) -> SourceWorld:
    spec = load_text(
        f"""spec s "s" {{ method = reference.shapley  output = attribution  question "?"
        world {{ function = user_model("gbr"); data = table("db"); {fields} }}
        claim c holds "c" {{ check sum(phi) == 0 within 1 }} }}"""
    )
    return build_world(worlds.resolve(merged_world(spec, spec.claims[0])))


def test_base_world_on_the_rows(bound):
    frame, model = bound
    w = world_of("background = sample(30); points = 4; seed = 3")
    X = frame.drop(columns="target").to_numpy()
    assert w.columns == tuple(frame.columns[:-1]) and w.d == 10
    np.testing.assert_array_equal(w.data, X)
    np.testing.assert_array_equal(w.y, frame["target"].to_numpy())
    assert len(w.background) == 30 and len(w.points) == 4
    ids = [int(i) for i in w.point_labels]
    np.testing.assert_array_equal(w.points, X[ids])  # labels are the rows' ids
    bg_ids = [int(i) for i in w.background_labels]
    np.testing.assert_array_equal(w.background, X[bg_ids])
    np.testing.assert_allclose(w.f(X), model.predict(frame.drop(columns="target")))
    assert w is world_of("background = sample(30); points = 4; seed = 3")  # one object per world
    other = world_of("background = sample(30); points = 4; seed = 4")
    assert other.point_labels != w.point_labels  # the seed picks the rows


def test_points_by_row_id(bound):
    frame, model = bound
    with bindings.bound(
        {"gbr": wrap_model(model)},
        {
            "db": bindings.TableBinding(
                table=table_from_frame(frame), target="target", point_ids=("7", "3")
            )
        },
    ):
        w = world_of("points = 20")
        assert w.point_labels == ("7", "3")


def test_unused_column_is_never_read(bound):
    w = world_of('points = 3; function = unused(user_model("gbr"))')
    assert w.d == 11 and w.columns[-1] == "unused_0"
    Z = w.data.copy()
    base = w.f(Z)
    Z[:, -1] = 1e6
    np.testing.assert_array_equal(w.f(Z), base)
    assert not w.f.uses(10)
    assert not np.array_equal(np.sort(w.data[:, -1]), w.data[:, -1])  # shuffled
    wide = w.f.handover("sklearn")  # still a fitted tree model, one column wider
    np.testing.assert_array_equal(wide.predict(w.data), base)
    assert w.f.tree_ensemble() is not None


def test_proxy_is_a_noisy_copy_the_model_ignores(bound):
    w = world_of('points = 3; function = user_model("gbr", proxy = "bmi", noise = 0.5)')
    j = w.columns.index("bmi")
    assert w.columns[-1] == "proxy_bmi" and w.f.twin() == j
    r = np.corrcoef(w.data[:, j], w.data[:, -1])[0, 1]
    assert 0.8 < r < 0.95  # noise sd 0.5 x the column's sd: correlation 1 / sqrt(1.25) = 0.89
    Z = w.data.copy()
    Z[:, -1] = 0
    np.testing.assert_array_equal(w.f(Z), w.f(w.data))


def test_duplicate_equals_the_model_on_every_row_and_is_symmetric(bound):
    frame, model = bound
    w = world_of('points = 3; function = user_model("gbr", duplicate = "top")')
    j = w.f.twin()
    X = frame.drop(columns="target").to_numpy()
    np.testing.assert_array_equal(w.data[:, -1], X[:, j])
    np.testing.assert_allclose(w.f(w.data), model.predict(frame.drop(columns="target")))
    Z = w.data[:7].copy()
    swapped = Z.copy()
    swapped[:, [j, -1]] = Z[:, [-1, j]]
    Z[:, -1] += 0.01
    swapped = Z.copy()
    swapped[:, [j, -1]] = Z[:, [-1, j]]
    np.testing.assert_allclose(w.f(Z), w.f(swapped))  # the two copies are symmetric players


def test_off_support_bump_is_zero_on_every_row_and_seen_off_the_data(bound):
    w = world_of(
        'points = 5; background = sample(50); function = user_model("gbr", off_support_bump = true); '
        'second = user_model("gbr")'
    )
    np.testing.assert_array_equal(w.f(w.data), w.g(w.data))  # unchanged on all 442 rows
    x = w.points[0]
    s, k = w.f.s, w.f.k
    hybrid = np.repeat(x[None, :], len(w.background), axis=0)
    others = [c for c in range(w.d) if c != s]
    hybrid[:, others] = w.background[:, others]  # (x_s, z_-s): the game evaluates these
    assert np.any(w.f(hybrid) != w.g(hybrid))
    assert x[s] in w.grid[s]  # the bump world's grid has the anchor's value
    assert "zero on all 442 rows" in w.info["world"]
    assert k != s


def test_link_is_strictly_increasing(bound):
    w = world_of(
        'points = 3; function = user_model("gbr", link = "logistic"); second = user_model("gbr")'
    )
    a, b = w.g(w.data), w.f(w.data)
    order = np.argsort(a, kind="stable")
    assert np.all(np.diff(b[order]) >= 0) and np.all((b > 0) & (b < 1))
    assert 0.45 < np.median(b) < 0.55


def test_only_one_derivation_per_world(bound):
    spec_err = worlds.WorldError
    with pytest.raises(spec_err, match="one of unused, proxy, duplicate"):
        world_of('function = unused(user_model("gbr", proxy = 1))')


def test_unbound_names_and_mixed_worlds(bound):
    spec = load_text(
        """spec s "s" { method = reference.shapley  output = attribution  question "?"
        world { function = user_model("nope"); data = table("db") }
        claim c holds "c" { check sum(phi) == 0 within 1 } }"""
    )
    with pytest.raises(worlds.WorldError, match="no model is bound as 'nope'"):
        build_world(worlds.resolve(merged_world(spec, spec.claims[0])))
    mixed = load_text(
        """spec s "s" { method = reference.shapley  output = attribution  question "?"
        world { function = user_model("gbr"); data = grid(levels = 3) }
        claim c holds "c" { check sum(phi) == 0 within 1 } }"""
    )
    with pytest.raises(worlds.WorldError, match="needs data = table"):
        build_world(worlds.resolve(merged_world(mixed, mixed.claims[0])))


def test_alignment_by_feature_names_and_errors():
    frame, model = diabetes()
    reordered = frame[list(reversed(frame.columns))]
    with bindings.bound(
        {"m": wrap_model(model)},
        {"t": bindings.TableBinding(table=table_from_frame(reordered), target="target")},
    ):
        src = bindings.source_of("m", "t")
        assert src.columns == tuple(frame.columns[:-1])  # the model's order, matched by name
    with bindings.bound(
        {"m": wrap_model(model)}, {"t": bindings.TableBinding(table=table_from_frame(frame))}
    ):
        with pytest.raises(SourceError) as e:
            bindings.source_of("m", "t")
        assert (
            e.value.code == "ES365"
            and "'target'" not in e.value.message
            and "target" in e.value.message
        )
    short = frame.drop(columns=["bmi"])
    with bindings.bound(
        {"m": wrap_model(model)},
        {"t": bindings.TableBinding(table=table_from_frame(short), target="target")},
    ):
        with pytest.raises(SourceError) as e:
            bindings.source_of("m", "t")
        assert e.value.code == "ES365" and "bmi" in e.value.message
    arr = table_from_array(frame.drop(columns=["target", "bmi"]).to_numpy())
    plain = GradientBoostingRegressor(n_estimators=3).fit(
        frame.drop(columns="target").to_numpy(), frame["target"]
    )
    with bindings.bound({"m": wrap_model(plain)}, {"t": bindings.TableBinding(table=arr)}):
        with pytest.raises(SourceError) as e:
            bindings.source_of("m", "t")
        assert e.value.code == "ES365" and "takes 10 features but the data has 9" in e.value.message


def test_a_model_that_fails_or_returns_the_wrong_shape():
    table = table_from_array(np.ones((5, 2)), source="t.csv")

    def broken(z):
        raise RuntimeError("boom")

    for fn, text in (
        (broken, "RuntimeError: boom"),
        (lambda z: np.ones((len(z), 3)), "shape (5, 3)"),
        (lambda z: z[:, 0] / 0.0, "non-finite"),
    ):
        with bindings.bound({"m": wrap_model(fn)}, {"t": bindings.TableBinding(table=table)}):
            with pytest.raises(SourceError) as e:
                bindings.source_of("m", "t")
            assert e.value.code == "ES361" and text in e.value.message


def test_groups_must_partition_the_features():
    frame, model = diabetes()
    table = table_from_frame(frame)
    cols = list(frame.columns[:-1])
    good = {"a": cols[:5], "b": cols[5:]}
    for groups, text in (
        ({"a": cols[:5]}, "in no group"),
        ({"a": cols, "b": cols[:1]}, "in two groups"),
        ({"a": cols + ["zzz"]}, "not a feature column"),
    ):
        with bindings.bound(
            {"m": wrap_model(model)},
            {"t": bindings.TableBinding(table=table, target="target", groups=groups)},
        ):
            with pytest.raises(SourceError) as e:
                bindings.source_of("m", "t")
            assert e.value.code == "ES367" and text in e.value.message
    with bindings.bound(
        {"m": wrap_model(model)},
        {"t": bindings.TableBinding(table=table, target="target", groups=good)},
    ):
        assert bindings.source_of("m", "t").base.groups == ((0, 1, 2, 3, 4), (5, 6, 7, 8, 9))


def test_widen_keeps_a_forest_s_predictions():
    X = np.random.default_rng(0).normal(size=(100, 3))
    rf = RandomForestRegressor(n_estimators=5, random_state=0).fit(X, X[:, 0])
    wide = widen(rf, 5)
    Z = np.hstack([X, np.random.default_rng(1).normal(size=(100, 2))])
    np.testing.assert_array_equal(wide.predict(Z), rf.predict(X))
    assert rf.n_features_in_ == 3  # the original is untouched


def test_a_pipeline_that_selects_columns_by_name_gets_data_frames():
    """A ColumnTransformer that picks columns by name fails on numpy rows; the bound model is
    then called with DataFrames of the feature names (and is not handed over as an estimator)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame, _ = diabetes()
    X = frame.drop(columns="target")
    pre = ColumnTransformer([("num", StandardScaler(), ["bmi", "bp", "s5"])], remainder="drop")
    pipe = make_pipeline(pre, Ridge()).fit(X, frame["target"])
    with pytest.raises(ValueError):
        pipe.predict(X.to_numpy())  # by name only
    with bindings.bound(
        {"p": wrap_model(pipe)},
        {"t": bindings.TableBinding(table=table_from_frame(frame), target="target")},
    ):
        src = bindings.source_of("p", "t")
        assert src.base.frame_input and "sklearn" not in src.base.tags
        np.testing.assert_allclose(src.base(src.X), pipe.predict(X))


def test_a_large_table_is_audited_on_a_stated_sample_and_classifier_targets_are_indicators():
    from sklearn.ensemble import GradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1).astype(int)  # classes 0, 1, 2
    clf = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y)
    table = table_from_array(np.column_stack([X, y]), columns=["a", "b", "c", "label"])
    with bindings.bound(
        {"m": wrap_model(clf, klass=2)},
        {"t": bindings.TableBinding(table=table, target="label", max_rows=100)},
    ):
        src = bindings.source_of("m", "t")
        assert src.n == 100 and "a sample of 100 of its 300 rows" in src.source_text
        ids = [int(i) for i in src.row_ids]
        np.testing.assert_array_equal(src.X, X[ids])  # the row ids are the original rows'
        np.testing.assert_array_equal(src.y, (y[ids] == 2).astype(float))
