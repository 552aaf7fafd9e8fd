"""The IR is built during the LALR parse by explainspec's own driver loop over lark's tables.

The driver must do exactly what ``Lark.parse`` does with the same callbacks (it is the fallback
when lark's internals change): same IR, same spans, same errors. Spans follow lark's
``propagate_positions`` (keywords and parentheses included).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput

from explainspec.lang import SpecError, parse_expression
from explainspec.lang import parser as P

DATA = Path(__file__).parent / "data"
SKETCH = (DATA / "kernel_shap.espec").read_text()
EXPRESSIONS = [
    "sum(phi) == f(x) - mean(f(background)) within 1e-6",
    "for all i, j in range(d): not (phi[i, j:] == 0 within mc()) implies -x[i] ** 2 > +1",
    "((a)) + [1, 2.5, (c),] @ b[::2, 1:] / f.component(i, z = 3,) within 1e-3 relative",
    "x[i ",
    "a = b",
    "'s'",
    "a < b < c",
    "",
]


def _deep(x: Any) -> Any:
    """A value that compares spans too (IR equality ignores them)."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (
            type(x).__name__,
            *((f.name, _deep(getattr(x, f.name))) for f in dataclasses.fields(x)),
        )
    if isinstance(x, tuple | list):
        return tuple(_deep(i) for i in x)
    return x


def _both(text: str, start: str) -> tuple[Any, Any]:
    builder = P._builder_parser()
    assert builder.driver is not None, "the driver does not understand this lark version"
    out = []
    for run in (
        lambda: builder.driver.parse(text, start),
        lambda: builder.parser.parse(text, start=start),
    ):
        builder.file, builder.diagnostics = "t.espec", []
        try:
            value, depth, _ = run()
            out.append(("ok", _deep(value), depth, [_deep(d) for d in builder.diagnostics]))
        except UnexpectedInput as err:
            out.append(
                ("error", type(err).__name__, err.line, err.column, getattr(err, "expected", None))
            )
        finally:
            builder.file, builder.diagnostics = None, []
    return out[0], out[1]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_driver_matches_lark_on_expressions(text):
    ours, larks = _both(text, "expr_start")
    assert ours == larks


@given(
    st.lists(st.integers(0, 10_000), min_size=1, max_size=4),
    st.sampled_from(["", "(", ")", "=", '"', "@"]),
)
def test_driver_matches_lark_on_edited_specs(cuts, insert):
    text = SKETCH
    for k in cuts:
        k %= len(text) + 1
        text = text[:k] + insert + text[k + 1 :]
    ours, larks = _both(text, "start")
    assert ours == larks


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
