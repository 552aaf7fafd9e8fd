"""Crash fuzzing: whatever the input, the loader raises SpecError (never a lark, YAML, Unicode,
recursion or memory error) and the CLI exits 2 with a located message."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from explainspec.cli import main
from explainspec.lang import SpecError, load, load_text, parse_expression
from explainspec.lang.loader import MAX_BYTES
from explainspec.lang.parser import build_parser, get_parser

DATA = Path(__file__).parent / "data"
SKETCH = (DATA / "kernel_shap.espec").read_text()
GRAMMAR = build_parser(cache=False)
# Regex terminals drawn from a few interesting values (keywords as names, bad escapes): from_lark
# is slow at inventing them, and these reach more of the parser.
EXPLICIT = {
    "NAME": st.sampled_from(["phi", "x", "f", "i", "shapley", "all", "for", "world", "_"]),
    "NUMBER": st.sampled_from(["0", "1.5", "1e-6", "2", "9" * 400, "1e999"]),
    "STRING": st.sampled_from(['"s"', '"a\\"b"', '"\\q"', '"multi\nline"']),
    "COMMENT": st.just("# c\n"),
}
YAML_SKETCH = (DATA / "kernel_shap_sketch.espec.yaml").read_text()


def loads_or_spec_error(text: str, form: str = "dsl") -> None:
    try:
        load_text(text, form=form)
    except SpecError as err:
        assert err.diagnostics, "a SpecError carries at least one diagnostic"
        assert all(d.code.startswith("ES") for d in err.diagnostics)
        str(err)  # rendering never fails either


@settings(suppress_health_check=list(HealthCheck))
@given(from_lark(GRAMMAR, start="start", explicit=EXPLICIT))
def test_grammar_generated_specs_never_crash(text):
    loads_or_spec_error(text)


def _tokens(text: str) -> list[str]:
    return [t.value for t in get_parser().lex(text)]


TOKENS = _tokens(SKETCH)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    toks = list(TOKENS)
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, len(toks) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "replace"]))
        if op == "delete":
            del toks[k]
        elif op == "duplicate":
            toks.insert(k, toks[k])
        elif op == "swap":
            j = draw(st.integers(0, len(toks) - 1))
            toks[k], toks[j] = toks[j], toks[k]
        else:
            toks[k] = draw(st.sampled_from(TOKENS))
        if not toks:
            break
    return " ".join(toks)


@given(mutated())
def test_mutated_specs_give_spec_errors_only(text):
    loads_or_spec_error(text)


@given(st.integers(0, len(SKETCH)))
def test_truncated_specs(n):
    loads_or_spec_error(SKETCH[:n])


@given(st.integers(0, len(YAML_SKETCH)), st.text(max_size=5))
def test_truncated_and_spliced_yaml(n, junk):
    loads_or_spec_error(YAML_SKETCH[:n] + junk, form="yaml")


@given(st.binary(max_size=200))
def test_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "x.espec"
    path.write_bytes(data)
    with contextlib.suppress(SpecError):
        load(path)


@given(st.text(max_size=200))
def test_random_text_both_forms(text):
    loads_or_spec_error(text)
    loads_or_spec_error(text, form="yaml")


def test_invalid_utf8_is_located(tmp_path):
    path = tmp_path / "bad.espec"
    path.write_bytes(b'spec a "t" {\n  question "caf\xe9"\n}')
    with pytest.raises(SpecError) as info:
        load(path)
    (d,) = info.value.diagnostics
    assert (d.code, d.span.line, d.span.column) == ("ES101", 2, 16)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 10_000 + "x" + ")" * 10_000,
        # beyond Python's recursion limit; 10 000 would only make the test slower
        "-" * 3_000 + "x",
        "not " * 3_000 + "x",
        "x" + " + x" * 3_000,
        "x" + " ** x" * 3_000,
        "[" * 10_000 + "]" * 10_000,
        "f" + "(x, " * 10_000 + ")" * 10_000,
        "(" * 10_000,
    ],
    ids=["parens", "minus", "not", "sum", "power", "lists", "calls", "unclosed"],
)
def test_deep_nesting_is_a_spec_error_not_a_recursion_error(text):
    try:
        expr = parse_expression(text)
    except SpecError as err:
        assert err.codes[0] in ("ES105", "ES106")
    else:  # accepted only when the IR is shallow (parentheses vanish)
        from explainspec.lang import format_expr

        format_expr(expr)
    spec = f'spec a "t" {{ method = m output = attribution question "q" claim c holds "s" {{ check {text} }} }}'
    loads_or_spec_error(spec)


def test_deep_yaml_nesting(tmp_path):
    loads_or_spec_error("a: " + "[" * 10_000 + "]" * 10_000, form="yaml")
    loads_or_spec_error("world:\n" + "".join(" " * k + "a:\n" for k in range(1, 3000)), form="yaml")


def test_yaml_alias_bomb_is_refused():
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 9)]
    loads_or_spec_error("\n".join(lines) + "\nspec: *a8\n", form="yaml")


def test_fifty_megabyte_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.espec"
    with open(path, "wb") as fh:  # sparse: 50 MB on paper, nothing written
        fh.truncate(50 * 1024 * 1024)
    assert os.path.getsize(path) > MAX_BYTES
    with pytest.raises(SpecError) as info:
        load(path)
    assert info.value.codes == ["ES102"]


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00garbage",
        ("(" * 10_000).encode(),
        b'spec a "t" { method = ',
        b"spec: a\ntitle: !!python/object/apply:os.system ['echo hacked']\n",
    ],
    ids=["bytes", "nesting", "truncated", "python-tag"],
)
def test_cli_exits_2_with_a_located_message(tmp_path, capsys, content):
    suffix = ".espec.yaml" if b"spec:" in content else ".espec"
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr()
    out = err.out + err.err
    assert f"{path}:" in out and " ES1" in out
    assert "Traceback" not in out
