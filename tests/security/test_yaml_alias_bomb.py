"""A YAML alias bomb inside a list literal ("billion laughs" in the one place nodes were counted
without the reader's node budget).

``list_size`` counted a list's items, nested lists included, by walking the composed nodes:
through aliases that walk is exponential in the document's size, so ten lines of ten aliases each
(10**10 items, a 600-byte file) kept ``explainspec check`` busy for hours. The count now stops
as soon as it is over ``literal_items``: the refusal is immediate and says so.
"""

from __future__ import annotations

import pytest

from explainspec import loads
from explainspec.catalog.limits import limit
from explainspec.cli import main
from explainspec.lang import SpecError


def bomb(depth: int) -> str:
    items = ["&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    items += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, depth)]
    return (
        "explainspec: 1\nspec: e\ntitle: t\nmethod: {use: reference.shapley}\n"
        "output: attribution\nquestion: q\n"
        "world: {function: linear, features: 2, data: 'grid(levels = 3)', points: 1}\n"
        "claims:\n  c:\n    holds: s\n    check: sum(phi) == 1 within 1e-3\n"
        "    examples:\n      e1:\n        x: [" + ", ".join(items) + "]\n"
    )


@pytest.mark.parametrize("where", ["example", "parameter"])
def test_an_alias_bomb_in_a_list_is_refused_without_expanding_it(where):
    text = bomb(6)  # 1 111 110 items once expanded: a second or more to count them all
    if where == "parameter":  # the same list as a method parameter's value
        value = text.split("x: ", 1)[1].strip()
        text = text.replace("x: " + value, "x: [0, 0]").replace(
            "{use: reference.shapley}", "{use: reference.shapley, params: {p: " + value + "}}"
        )
    with pytest.raises(SpecError) as err:
        loads(text, form="yaml")
    messages = [d.message for d in err.value.diagnostics if d.code == "ES111"]
    assert messages == [
        f"a list of more than {limit('literal_items')} items (nested lists included); "
        f"the limit is literal_items = {limit('literal_items')}"
    ]


def test_a_ten_billion_item_bomb_is_a_diagnostic(tmp_path, capsys):
    path = tmp_path / "bomb.espec.yaml"
    path.write_text(bomb(10))
    assert main(["check", str(path)]) == 2
    assert "ES111 a list of more than" in capsys.readouterr().out


def test_a_list_at_the_limit_is_still_counted_exactly():
    n = limit("literal_items")
    rows = "[" + ", ".join(["[1, 1, 1, 1, 1, 1, 1, 1, 1]"] * (n // 10)) + "]"  # n items exactly
    text = bomb(1).replace("x: [&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]", "x: " + rows)
    try:
        loads(text, form="yaml")
    except SpecError as err:
        assert "ES111" not in err.value.codes, err
    over = text.replace("x: [", "x: [1, ", 1)
    with pytest.raises(SpecError) as err:
        loads(over, form="yaml")
    assert [d.message for d in err.value.diagnostics if d.code == "ES111"] == [
        f"a list of {n + 1} items (nested lists included); the limit is literal_items = {n}"
    ]
