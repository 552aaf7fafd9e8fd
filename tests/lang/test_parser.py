"""The IR is built during lark's LALR parse (tree-less mode: the builder is the transformer).

Spans follow lark's ``propagate_positions`` (keywords and parentheses included); the depth limit
counts the tree, not the parentheses.
"""

from __future__ import annotations

import pytest

from explainspec.lang import SpecError, parse_expression
from explainspec.lang import parser as P


def test_spans_cover_keywords_and_parentheses():
    e = parse_expression("not (a + b) * c")
    assert (e.span.column, e.span.end_column) == (1, 16)  # from `not` to the end
    product = e.operand
    assert (product.span.column, product.span.end_column) == (5, 16)  # from `(`
    assert (product.left.span.column, product.left.span.end_column) == (6, 11)  # a + b itself


def test_depth_counts_the_tree_not_the_parentheses():
    deep = "-" * (P.MAX_DEPTH + 5) + "x"
    with pytest.raises(SpecError) as info:
        parse_expression(deep)
    assert info.value.codes == ["ES106"]
    assert f"({P.MAX_DEPTH + 7} levels" in info.value.diagnostics[0].message
    parse_expression("(" * 100 + "x" + ")" * 100)  # parentheses add no level
