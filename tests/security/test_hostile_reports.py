"""A JSON report is untrusted when it is read back (``explainspec.world_from_report``): it is
parsed as data, never evaluated, imported or unpickled, and its sizes are bounded before any
array is allocated. Every hostile report is refused with ES382 (or ES380), and none runs code."""

from __future__ import annotations

import base64
import json
import pickle

import pytest
from world_helpers import grid_world

from explainspec.runner.world_data import WorldDataError, serialize_world, world_from_report
from explainspec.worlds import functions as fn


class _Boom:
    def __reduce__(self):  # what a pickle would run when it is loaded
        import os

        return (os.system, ("touch /tmp/explainspec-pwned",))


def _good() -> dict:
    world = grid_world(fn.linear([1.0, -2.0]), seed=1)
    return json.loads(json.dumps(serialize_world(world, claim="s.c", method="reference.shapley")))


def _report(world: object) -> dict:
    return {"claims": [{"spec": "s", "claim": "c", "counterexample": {"world": world}}]}


def _with(**changes) -> dict:
    w = _good()
    w.update(changes)
    return w


DEEP = 20_000  # a chain of splits: deeper than Python's recursion limit if it were walked so


def _chain_tree(depth: int) -> dict:
    """A valid tree shape, but a chain ``depth`` splits deep: internal node 2i has the leaf
    2i + 1 on its left and the next internal node 2i + 2 on its right."""
    n = 2 * depth + 1
    internal = [k % 2 == 0 and k < 2 * depth for k in range(n)]
    return {
        "kind": "tree",
        "d": 2,
        "max_depth": 1,
        "nodes": {
            "left_child": [k + 1 if internal[k] else -1 for k in range(n)],
            "right_child": [k + 2 if internal[k] else -1 for k in range(n)],
            "feature": [0 if internal[k] else -2 for k in range(n)],
            "threshold": [0.5] * n,
            "impurity": [0.0] * n,
            "n_node_samples": [1] * n,
            "weighted_n_node_samples": [1.0] * n,
            "missing_go_to_left": [0] * n,
        },
        "values": [[1.0]] * n,
    }


HOSTILE = {
    "formula_import": _with(
        f={"kind": "formula", "d": 2, "text": "__import__('os').system('touch /tmp/x')"}
    ),
    "formula_attribute": _with(f={"kind": "formula", "d": 2, "text": "x0.__class__"}),
    "formula_call": _with(f={"kind": "formula", "d": 2, "text": "eval(x0)"}),
    "formula_nodes_unknown_function": _with(
        f={"kind": "formula", "d": 2, "text": "x0", "nodes": [["x", 0], ["f", "system"]]}
    ),
    "formula_nodes_too_deep": _with(
        f={"kind": "formula", "d": 2, "text": "x0", "nodes": [["x", 0]] + [["neg"]] * 5000}
    ),
    "formula_nodes_out_of_order": _with(
        f={"kind": "formula", "d": 2, "text": "x0", "nodes": [["x", 0], ["+"]]}
    ),
    "formula_nodes_variable_out_of_range": _with(
        f={"kind": "formula", "d": 2, "text": "x0", "nodes": [["x", 9]]}
    ),
    "pickle_as_function": _with(
        f={"kind": "pickle", "data": base64.b64encode(pickle.dumps(_Boom())).decode()}
    ),
    "module_path_as_kind": _with(f={"kind": "os:system", "d": 2}),
    "activation_by_name": _with(
        f={"kind": "mlp", "d": 2, "activation": "os.system", "bias": True, "layers": []}
    ),
    "shape_by_name": _with(
        f={"kind": "terms", "d": 2, "intercept": 0, "terms": [[1, [[0, "__import__", [1]]]]]}
    ),
    "huge_rows": _with(data=[[0.0, 0.0]] * 100_001),
    "huge_layer": _with(
        f={"kind": "relu_net", "d": 2, "layers": [[[[0.0, 0.0]] * 100_000, [0.0] * 100_000]]}
    ),
    "deep_nesting": _with(f=json.loads('{"kind": "logistic", "f": ' * 500 + "{}" + "}" * 500)),
    "feature_out_of_range": _with(
        f={"kind": "terms", "d": 2, "intercept": 0, "terms": [[1, [[7, "pow", [1]]]]]}
    ),
    "tree_with_a_cycle": _with(
        f={
            "kind": "tree",
            "d": 2,
            "max_depth": 1,
            "nodes": {
                "left_child": [0],
                "right_child": [0],
                "feature": [0],
                "threshold": [0.5],
                "impurity": [0.0],
                "n_node_samples": [1],
                "weighted_n_node_samples": [1.0],
                "missing_go_to_left": [0],
            },
            "values": [[1.0]],
        }
    ),
    "deep_tree": _with(f=_chain_tree(DEEP)),
    "wrong_shapes": _with(points=[[1.0, 2.0, 3.0]]),
    "not_a_number": _with(baseline=["1e309; rm -rf /", 0.0]),
    "boolean_seed": _with(seed=True),
    "unknown_format": _with(format=99),
    "fraction_bomb": _with(
        P={"kind": "finite", "rows": [[0, 0]], "realized": {"rho": {"fraction": "1/0"}}}
    ),
    "not_a_mapping": ["world"],
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_report_is_refused_without_running_code(name, tmp_path, monkeypatch):
    import builtins

    def no_eval(*args, **kwargs):  # the reader never evaluates anything
        raise AssertionError("eval/exec called while reading a report")

    import sklearn.tree  # noqa: F401 - imported first: importing a module runs exec

    world_from_report(_report(_good()), "s.c")  # the reader's own modules, imported
    monkeypatch.setattr(builtins, "eval", no_eval)
    monkeypatch.setattr(builtins, "exec", no_eval)
    monkeypatch.setattr(pickle, "loads", no_eval)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_report(HOSTILE[name])))
    with pytest.raises(WorldDataError) as info:
        world_from_report(path, "s.c")
    assert info.value.code in ("ES380", "ES382")
    assert not any(tmp_path.parent.glob("explainspec-pwned*"))


def test_a_deep_tree_is_refused_for_its_depth():
    with pytest.raises(WorldDataError, match="20000 levels deep; the limit is 16"):
        world_from_report(_report(HOSTILE["deep_tree"]), "s.c")
    # the same shape within the limit is a tree like any other
    world = world_from_report(_report(_with(f=_chain_tree(3))), "s.c")
    assert world.f([0.0, 0.0]) == 1.0 and "x0 <= 0.5" in world.f.formula()


def test_the_untouched_report_is_read(tmp_path):
    """The hostile cases differ from a readable report only in the field they change."""
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_report(_good())))
    assert world_from_report(path, "s.c").f([1.0, 1.0]) == -1.0


def test_a_report_over_the_size_limit_is_not_read(tmp_path, monkeypatch):
    import explainspec.runner.world_data as wd

    monkeypatch.setattr(wd, "REPORT_BYTES", 100)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(_report(_good())))
    with pytest.raises(WorldDataError, match="the limit is 100") as info:
        world_from_report(path, "s.c")
    assert info.value.code == "ES380"
