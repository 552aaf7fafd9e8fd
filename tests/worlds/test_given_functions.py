"""Issue 15: worlds built from given parameters: tree(splits = ...), polynomial(terms = ...),
relu_net(layers = ...), grid(values = linspace(a, b, n))."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import explainspec
from explainspec.lang import check_spec, load_text
from explainspec.worlds.given import UncoveredTree, given_tree, network, polynomial

SPEC = """spec given "given functions" {{
    method = reference.shapley()
    output = attribution
    question "q?"
    world {{ function = {family}; features = {features}; data = {data}; background = data; points = {points} }}
    claim c holds "s" {{
        check {check}
    }}
}}
"""


def _verdict(
    family: str, check: str, features: str = "2", data: str = "grid(levels = 3)", points: str = "2"
) -> str:
    text = SPEC.format(family=family, features=features, data=data, points=points, check=check)
    result = explainspec.verify(explainspec.loads(text), profile="fast", max_examples=10)
    return str(result.claims[0].verdict.value)


def _problems(family: str, features: str = "2", data: str = "grid(levels = 3)") -> list[tuple]:
    text = SPEC.format(family=family, features=features, data=data, points="2", check="d > 0")
    return [(d.code, d.message) for d in check_spec(load_text(text, path="s.espec"))]


# --------------------------------------------------------------------------- trees

FEVER_COUGH = (0, 0.5, 0, (1, 0.5, 0, 80))  # Lundberg et al. 2018, Figure 1, model A
BINARY = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)


def test_a_given_tree_is_a_scikit_learn_tree_with_covers_counted_on_the_data() -> None:
    rows = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [1, 1]], float)
    t = given_tree(FEVER_COUGH, [], rows)
    assert t.model.predict(rows).tolist() == [0, 0, 0, 80, 80]
    assert [n.cover for n in t.nodes] == [5, 2, 3, 1, 2]
    # internal values: cover-weighted means of the children (as a fit on these rows gives)
    assert [n.value for n in t.nodes][:3] == [32.0, 0.0, pytest.approx(160 / 3)]
    assert t.formula() == "f(x) = (x0 <= 0.5 ? 0 : (x1 <= 0.5 ? 0 : 80))"
    assert t.depth == 2 and t.uses(0) and t.uses(1)


def test_shap_path_dependent_treeshap_reads_the_given_tree_as_the_oracle_does() -> None:
    shap = pytest.importorskip("shap")
    from explainspec.oracles.shapley import shapley_path

    t = given_tree(FEVER_COUGH, [], BINARY)
    x = np.array([1.0, 1.0])
    # by hand: v({}) = 20, v({0}) = v({1}) = 40, v({0, 1}) = 80, so phi = (30, 30)
    assert shapley_path(t, x).tolist() == [30.0, 30.0]
    explainer = shap.TreeExplainer(t.model, feature_perturbation="tree_path_dependent")
    assert np.allclose(explainer.shap_values(x[None, :])[0], [30.0, 30.0], atol=1e-9)
    # Saabas: the changes of the node means along the path, 40 - 20 and 80 - 40
    saabas = explainer.shap_values(x[None, :], approximate=True)[0]
    assert np.allclose(saabas, [20.0, 40.0], atol=1e-9)


def test_uses_is_exact_when_both_sides_of_a_split_are_the_same_function() -> None:
    t = given_tree((0, 0.5, (1, 0.5, 3, 3), 5), [], BINARY)
    assert t.uses(0) and not t.uses(1)  # x1 is split on, but both of its leaves are 3


def test_a_node_no_data_row_reaches_is_refused() -> None:
    with pytest.raises(UncoveredTree, match="node 2"):
        given_tree((0, 5, 1, 2), [], BINARY)  # no row has x0 > 5


def test_unused_features_are_interleaved_and_the_literal_indexes_the_used_ones() -> None:
    rows = np.array([[9, 0, 7, 1], [9, 1, 7, 1.0]])
    t = given_tree((0, 0.5, 1, 2), [0, 2], rows)
    assert t.formula() == "f(x) = (x1 <= 0.5 ? 1 : 2)"
    assert [t.uses(i) for i in range(4)] == [False, True, False, False]


def test_saabas_inconsistency_is_found_by_verify() -> None:
    text = """spec saabas "Saabas" {
        method = shap.saabas()
        output = attribution
        question "q?"
        world {
            function = tree(splits = [0, 0.5, 0, [1, 0.5, 0, 80]])
            second = tree(splits = [1, 0.5, 0, [0, 0.5, 10, 90]])
            features = 2; data = grid(values = [0, 1]); background = data; points = [[1, 1]]
        }
        claim consistent does_not_answer decomposition "s" { check explain(g)[1] >= phi[1] }
        claim g_adds_10_x1 holds "s" { check g(data) == f(data) + 10 * data[:, 1] within 0 }
    }"""
    pytest.importorskip("shap")
    result = explainspec.verify(explainspec.loads(text), profile="fast", max_examples=5)
    assert [c.verdict.value for c in result.claims] == ["shown", "verified"]


def test_a_world_whose_data_leave_a_node_uncovered_is_not_drawn() -> None:
    # a split of x0 at 0.75: on grid(values = [0, 0.5, 1]) only x0 = 1 goes right, so both
    # leaves are covered; at 5 no row goes right, and no world can be drawn
    check = "f([0.5, 0.5]) == -1 and f([1, 0]) == 1"
    data = "grid(values = [0, 0.5, 1])"
    assert _verdict("tree(splits = [0, 0.75, -1, 1])", check, data=data) == "verified"
    assert _verdict("tree(splits = [0, 5, -1, 1])", "d > 0", data=data) == "invalid"


# --------------------------------------------------------------------------- polynomial, relu_net


def test_a_given_polynomial_has_exact_gradient_terms_and_uses() -> None:
    p = polynomial([(2.0, (1, 0)), (-1.0, (2, 1)), (3.0, ())], 3, 1.0)
    assert p.formula() == "f(x) = 2*x0 - x0**2*x1 + 4"
    assert p.grad(np.array([1.0, 2.0, 7.0])).tolist() == [2 - 2 * 1 * 2, -1.0, 0.0]
    assert [p.uses(i) for i in range(3)] == [True, True, False]
    assert len(p.terms) == 2
    check = "grad(f, x) == [2 - 2 * x[0] * x[1], -x[0] ** 2] within 1e-12 and f.intercept == 1"
    assert _verdict("polynomial(terms = [[2, [1, 0]], [-1, [2, 1]]], intercept = 1)", check) == (
        "verified"
    )


def test_a_given_network_pads_its_first_layer_and_a_biasless_one_is_homogeneous() -> None:
    n = network([(((1.0, -1.0), (0.0, 1.0)), (0.0, 0.0)), (((1.0, 1.0),), (0.0,))], 3)
    assert n.formula() == "f(x) = relu(x0 - x1) + relu(x1)"
    assert not n.uses(2) and n(np.array([2.0, 1.0, 5.0])) == 2.0
    family = "relu_net(layers = [[[[1, -1], [0, 1]], [0, 0]], [[[1, 1]], [0]]], bias = false)"
    assert _verdict(family, "f(2 * x) == 2 * f(x) within 1e-12") == "verified"


def test_linspace_gives_the_grid_values() -> None:
    check = "sort(data[:, 0]) == sort(data[:, 1]) and min(data) == -1 and max(data) == 1 and len(data) == 25"
    assert _verdict("linear", check, data="grid(values = linspace(-1, 1, 5))") == "verified"


# --------------------------------------------------------------------------- refused at check time


@pytest.mark.parametrize(
    ("family", "message"),
    [
        ("tree(splits = [0, 0.5, 1])", "splits: [0, 0.5, 1] must be a leaf value"),
        ("tree(splits = [0, 0.5, 1, 2], depth = 2)", "give splits or depth, not both"),
        ('tree(splits = [0, "a", 1, 2])', "must be a leaf value (a number) or a split"),
        ("polynomial(terms = [[1, [9]]])", "the integer powers 0..8"),
        ("polynomial(terms = [])", "must be a non-empty list of [coef, [e0, e1, ...]]"),
        ("relu_net(layers = [[[[1, 1]], [0]]], width = 2)", "width cannot be given too"),
        ("relu_net(layers = [[[[1, 1], [1]], [0, 0]], [[[1, 1]], [0]]])", "the same length"),
        ("relu_net(layers = [[[[1, 1], [1, 0]], [0, 0]], [[[1]], [0]]])", "takes 1 inputs but"),
        ("relu_net(layers = [[[[1, 1]], [0]], [[[1], [1]], [0, 0]]])", "must have 1 unit"),
        ("relu_net(layers = [[[[1, 1]], [1]], [[[1]], [0]]], bias = false)", "nonzero bias"),
    ],
)
def test_bad_given_functions_are_refused_at_check_time(family: str, message: str) -> None:
    found = _problems(family)
    assert len(found) == 1 and found[0][0] == "ES229" and message in found[0][1], found


def test_given_functions_need_their_features() -> None:
    found = _problems("tree(splits = [2, 0.5, 1, 2])", features="2")
    assert found and found[0][0] == "ES229" and "needs at least 3" in found[0][1]


def test_bad_linspace_is_refused_at_check_time() -> None:
    found = _problems("linear", data="grid(values = linspace(0, 1))")
    assert found == [("ES229", "linspace(a, b, n) takes three numbers: from a to b, n values")]
    found = _problems("linear", data="grid(values = linspace(0, 1, 100))")
    assert found and found[0][0] == "ES228"


# --------------------------------------------------------------------------- class labels

LABELS = """spec lab "labels" {{
    method = reference.shapley()
    output = attribution
    question "q?"
    world {{ function = {family}; features = 2; data = sample(n = 200); labels = {labels}{more} }}
    claim c holds "s" {{
        check {check}
    }}
}}
"""


def _labels(labels: str, check: str, family: str = "logistic(linear)", more: str = "") -> Any:
    text = LABELS.format(family=family, labels=labels, more=more, check=check)
    return explainspec.loads(text)


def test_threshold_labels_are_the_classes_of_the_probability() -> None:
    spec = _labels("threshold", "y == (f(data) > 0.5) within 1e-12")
    result = explainspec.verify(spec, profile="fast", max_examples=10)
    assert result.claims[0].verdict.value == "verified"


def test_labels_of_a_target_family_other_than_f() -> None:
    # the target is a family of its own (check_labels read it as a mapping key: TypeError)
    spec = _labels(
        "threshold",
        "y == (target(data) > 0.5) within 1e-12",
        family="linear",
        more="; target = logistic(linear)",
    )
    result = explainspec.verify(spec, profile="fast", max_examples=10)
    assert result.claims[0].verdict.value == "verified"


def test_bernoulli_labels_are_classes_drawn_with_the_probability() -> None:
    # 200 labels: the mean label is within 0.2 (over 5 standard deviations) of the mean p
    check = "sum(y * (1 - y)) == 0 within 1e-12 and abs(mean(y) - mean(f(data))) <= 0.2"
    spec = _labels("bernoulli", check, family="logistic(linear(weights = [2, -1]))")
    result = explainspec.verify(spec, profile="fast", max_examples=10)
    assert result.claims[0].verdict.value == "verified"


@pytest.mark.parametrize(
    ("labels", "family", "more", "message"),
    [
        ("coin", "logistic(linear)", "", "labels = 'coin' must be one of none, bernoulli"),
        ("bernoulli", "logistic(linear)", "; noise = 0.5", "noise = 0.5 cannot be added"),
        ("threshold", "linear", "", "needs the target on the probability scale; linear is not"),
    ],
)
def test_bad_labels_are_refused_at_check_time(
    labels: str, family: str, more: str, message: str
) -> None:
    spec = load_text(LABELS.format(family=family, labels=labels, more=more, check="d > 0"))
    found = [(d.code, d.message) for d in check_spec(spec)]
    assert len(found) == 1 and found[0][0] == "ES229" and message in found[0][1], found


def test_lime_classification_mode_is_its_regression_mode_on_the_probability() -> None:
    """docs/reference/language.md: the lime methods on a probability-scale f are its classifier
    mode (the surrogate is fitted to the class-1 column of predict_proba)."""
    lime_tabular = pytest.importorskip("lime.lime_tabular")
    X = np.random.default_rng(0).normal(size=(60, 3))

    def p(Z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(Z @ np.array([1.0, -2.0, 0.5]))))

    def proba(Z: np.ndarray) -> np.ndarray:
        return np.column_stack([1 - p(Z), p(Z)])

    out = []
    for mode, fn in (("regression", p), ("classification", proba)):
        e = lime_tabular.LimeTabularExplainer(
            X, mode=mode, discretize_continuous=False, random_state=1
        )
        ex = e.explain_instance(X[0], fn, num_features=3, num_samples=300, labels=(1,))
        out.append((sorted(ex.as_map()[1]), ex.intercept[1]))
    assert out[0] == out[1]
