"""Comments survive `fmt` in both forms: the DSL printer writes each comment back next to its
item, the YAML form goes through ruamel.yaml's round trip."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from explainspec.lang import format_spec, load, load_text, to_yaml
from explainspec.lang.yaml_comments import canonical_yaml
from tests.lang import strategies as s

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
#: a DSL string or comment, scanned left to right (a `#` in a string is not a comment)
_LEXEMES = re.compile(r'"(?:[^"\\]|\\.)*"|#[^\n]*', re.S)


def _comments(text: str) -> list[str]:
    return [m.group().rstrip() for m in _LEXEMES.finditer(text) if m.group().startswith("#")]


def _yaml_comments(text: str) -> list[str]:
    """Comment lines and trailing comments of YAML text written by to_yaml (no `#` in values)."""
    return [line[line.index("#") :].rstrip() for line in text.splitlines() if "#" in line]


def _line_ends_outside_strings(text: str) -> list[int]:
    """Indexes of the lines of ``text`` whose end is not inside a string literal."""
    inside = [False] * len(text)
    for m in _LEXEMES.finditer(text):
        if m.group().startswith('"'):
            for k in range(m.start(), m.end()):
                inside[k] = True
    ends, offset = [], 0
    for n, line in enumerate(text.split("\n")[:-1]):
        offset += len(line)
        if not inside[offset - 1 if line else offset]:
            ends.append(n)
        offset += 1
    return ends


# --------------------------------------------------------------------------- DSL


def test_the_design_sketch_keeps_every_comment_next_to_its_item():
    text = (DATA / "kernel_shap.espec").read_text()
    out = format_spec(load_text(text))
    assert _comments(out) == _comments(text) and len(_comments(text)) == 5
    lines = out.splitlines()
    assert (
        "    method = shap.kernel(nsamples = 4096)  # registered adapter + hyper-parameters"
        in lines
    )
    assert "    world {  # default world for every claim below" in lines
    assert "        data = grid(levels = 3)  # a finite pmf: every expectation is exact" in lines
    assert format_spec(load_text(out)) == out  # a fixed point


SHUFFLED = """# Header: who wrote this spec.
# Second header line.
spec demo "Demo" {
    # why this output
    output = attribution   # trailing on output
    question "Q?"
    # why this method
    method = reference.shapley(
        # no parameters today
    )

    claim c holds "S" {
        # the check, explained
        check sum(phi) == f(x) - mean(f(background))   # exact
            within 1e-9
        # a note before the closing brace
    }
    world { function = linear }   # trailing on a one-line block
}
# after everything
"""


def test_comments_move_with_their_item_when_the_canonical_order_moves_it():
    out = format_spec(load_text(SHUFFLED))
    assert out == (
        "# Header: who wrote this spec.\n"
        "# Second header line.\n"
        'spec demo "Demo" {\n'
        "    # why this method\n"
        "    # no parameters today\n"
        "    method = reference.shapley\n"
        "    # why this output\n"
        "    output = attribution  # trailing on output\n"
        "\n"
        '    question "Q?"\n'
        "\n"
        "    world {\n"
        "        function = linear\n"
        "    }  # trailing on a one-line block\n"
        "\n"
        '    claim c holds "S" {\n'
        "        # the check, explained\n"
        "        check sum(phi) == f(x) - mean(f(background)) within 1e-9  # exact\n"
        "        # a note before the closing brace\n"
        "    }\n"
        "}\n"
        "# after everything\n"
    )
    assert format_spec(load_text(out)) == out


@settings(deadline=None)
@given(spec=s.specs, data=st.data())
def test_fmt_keeps_every_comment_of_any_spec_and_is_a_fixed_point(spec, data):
    text = format_spec(spec)
    lines = text.split("\n")
    ends = _line_ends_outside_strings(text)
    chosen = data.draw(st.lists(st.sampled_from(ends), unique=True, max_size=8)) if ends else []
    for k, n in enumerate(sorted(chosen, reverse=True)):
        if data.draw(st.booleans(), label="own line"):
            indent = " " * data.draw(st.integers(0, 12), label="indent")
            lines.insert(n + 1, f'{indent}# own {k} with "quotes" and # marks')
        else:
            lines[n] += f"   # trailing {k}"
    commented = "\n".join(lines)
    parsed = load_text(commented)
    assert parsed == spec  # comments change nothing
    out = format_spec(parsed)
    assert Counter(_comments(out)) == Counter(_comments(commented))
    assert format_spec(load_text(out)) == out


# --------------------------------------------------------------------------- YAML

YAML = """# yaml-language-server: $schema=./espec.schema.json
# Header comment.
explainspec: 1
spec: demo   # the name
title: Demo
method: {use: reference.shapley}
output: attribution
question: How?   # question
# before world
world:  # world
  function: linear  # fn
  # before features
  features: 1..3
  data: grid(levels = 3)
claims:
  # before efficiency
  efficiency:
    holds: Sum.  # statement
    check: sum(phi) == f(x) - mean(f(background)) within 1e-9
# the end
"""


def test_yaml_fmt_keeps_comments_and_the_schema_line_on_top():
    spec = load_text(YAML, form="yaml")
    out = canonical_yaml(spec, YAML)
    assert out.startswith(
        "# yaml-language-server: $schema=./espec.schema.json\n# Header comment.\n"
    )
    assert _yaml_comments(out) == _yaml_comments(YAML)
    assert "method:\n  use: reference.shapley\n" in out  # the canonical layout
    assert "  function: linear  # fn\n  # before features\n  features: 1..3\n" in out
    again = load_text(out, form="yaml")
    assert again == spec and canonical_yaml(again, out) == out


def test_yaml_without_comments_is_formatted_as_before():
    for path in sorted(ROOT.glob("specs/*.espec.yaml")):
        spec = load(path)
        plain = to_yaml(spec)
        assert canonical_yaml(spec, plain) == plain
        text = path.read_text()
        assert canonical_yaml(spec, text).count("#") == text.count("#"), path


def test_yaml_fmt_with_comments_writes_every_number_exactly():
    # ruamel.yaml re-prints floats from their digits: 4.039098282693031e+161 came back changed
    text = YAML.replace(
        "method: {use: reference.shapley}",
        "method: {use: reference.shapley, params: {a: 4.039098282693031e+161, b: 1e-300}}",
    )
    spec = load_text(text, form="yaml")
    out = canonical_yaml(spec, text)
    assert "a: 4.039098282693031e+161\n" in out and "b: 1e-300\n" in out
    assert load_text(out, form="yaml") == spec


@settings(deadline=None)
@given(spec=s.specs, data=st.data())
def test_yaml_fmt_keeps_every_comment_of_any_spec(spec, data):
    text = to_yaml(spec)
    if "#" in text:  # a value with a '#' would count as a comment below
        return
    lines = text.split("\n")
    chosen = data.draw(st.lists(st.integers(0, len(lines) - 2), unique=True, max_size=6))
    for k, n in enumerate(sorted(chosen, reverse=True)):
        if data.draw(st.booleans(), label="own line"):
            lines.insert(n + 1, f"# own {k}")
        else:
            lines[n] += f"  # trailing {k}"
    commented = "\n".join(lines)
    parsed = load_text(commented, form="yaml")
    assert parsed == spec
    out = canonical_yaml(parsed, commented)
    assert Counter(_yaml_comments(out)) == Counter(_yaml_comments(commented))
    assert canonical_yaml(load_text(out, form="yaml"), out) == out
