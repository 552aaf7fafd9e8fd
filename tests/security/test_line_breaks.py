"""Characters that Python counts as line breaks but a spec's reader does not.

``str.splitlines`` breaks at a form feed, U+001C-U+001E, U+0085, U+2028 and U+2029 too; the DSL's
lexer counts ``\\n`` only, PyYAML ``\\n``, ``\\r``, U+0085, U+2028 and U+2029. One such character
in a comment used to make every later diagnostic show another line of the file under its
``file:line:col`` (a reviewer reads an innocent line while the error is elsewhere), and moved
``explainspec probe --write``'s edit of a claim's world to another place of the file.
"""

from __future__ import annotations

import pytest

from explainspec.cli import main
from explainspec.commands.probe import widen_text

#: the characters str.splitlines breaks at that the DSL's lexer does not, and a comment may hold
BREAKS = ["\u2028", "\u2029"]
#: the others are control characters, refused in a comment (ES103, at the character)
CONTROLS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85"]

DSL = (
    'spec e "t" {{\n'
    "  # a comment{brk}with a break that is not a newline\n"
    "  method = reference.shapley\n"
    "  output = attribution\n"
    '  question "q"\n'
    "  world {{ function = linear; features = 2; data = grid(levels = 3); points = 1 }}\n"
    '  claim c holds "s" {{\n'
    "    world {{ features = 2..3 }}\n"
    "    check sum(phi) == f(x) - mean(f(background)) within 1e-9 {error}\n"
    "  }}\n"
    "}}\n"
)


@pytest.mark.parametrize("brk", BREAKS, ids=[f"U+{ord(b):04X}" for b in BREAKS])
def test_a_diagnostic_shows_the_line_it_names(brk, tmp_path, capsys):
    path = tmp_path / "e.espec"
    path.write_text(DSL.format(brk=brk, error="and nope(phi) == 1"), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    first = out.splitlines()
    assert ":9:" in first[0] and "ES204" in first[0], out
    assert "nope(phi)" in first[1], out
    assert first[2].index("^") == first[1].index("nope"), out


@pytest.mark.parametrize("brk", ["\r", "\x85", "\u2028", "\u2029"])  # YAML's line breaks
def test_a_yaml_diagnostic_shows_the_line_it_names(brk, tmp_path, capsys):
    path = tmp_path / "e.espec.yaml"
    path.write_text(
        f"# a comment{brk}explainspec: 1\nspec: e\ntitle: t\nmethod: {{use: reference.shapley}}\n"
        "output: attribution\nquestion: q\nworld: {function: linear, features: 2, "
        "data: 'grid(levels = 3)', points: 1}\nclaims:\n  c:\n    holds: s\n"
        "    check: nope(phi) == 1\n",
        encoding="utf-8",
    )
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    first = out.splitlines()
    assert "ES204" in first[0] and "nope(phi)" in first[1], out


@pytest.mark.parametrize("brk", BREAKS, ids=[f"U+{ord(b):04X}" for b in BREAKS])
def test_probe_write_edits_the_claims_world_in_place(brk):
    text = DSL.format(brk=brk, error="")
    out = widen_text(text, "c", {"features": "2..5"})
    assert out == text.replace("world { features = 2..3 }", "world { features = 2..5 }")


@pytest.mark.parametrize("brk", CONTROLS, ids=[f"U+{ord(b):04X}" for b in CONTROLS])
def test_a_control_character_in_a_comment_is_refused_where_it_is(brk, tmp_path, capsys):
    path = tmp_path / "e.espec"
    path.write_text(DSL.format(brk=brk, error=""), encoding="utf-8")
    assert main(["check", str(path)]) == 2
    first = capsys.readouterr().out.splitlines()
    assert first[0].endswith(f":2:14: ES103 unexpected character {brk!r} in a comment"), first
    assert first[1].startswith("      # a comment\ufffdwith a break")
    assert first[2].index("^") == first[1].index("\ufffd")
