"""Terminal escape injection: untrusted text reaches a terminal (and a CI log) as text.

A control character printed to a terminal is a command to it: ``ESC [8m`` hides what follows,
``ESC [1A ESC [2K`` erases the line above (a ``FAIL``), an OSC sequence sets the window title or
the clipboard, a carriage return overwrites the line, a bidirectional override shows text in
another order. A spec's strings may not hold one (``ES109``, every surface form); where text the
spec file does not control as a string reaches the terminal -- a source line under a diagnostic
(a comment, a character outside any string), a file name of the checkout, a report read by
``explainspec diff``, the messages of a run -- it is shown escaped
(``explainspec.lang.diagnostics.visible``).
"""

from __future__ import annotations

import io
import json
import sys

import pytest

from explainspec import loads
from explainspec.cli import main
from explainspec.lang import SpecError
from explainspec.lang.diagnostics import control, visible
from explainspec.report.terminal import TerminalReporter
from explainspec.runner.events import ClaimFinished, ClaimResult, RunFinished, RunResult, Verdict

#: an escape that hides the rest of the line, one that erases the line above, a window-title
#: OSC, a C1 CSI, a carriage return, a right-to-left override
ESCAPES = ["\x1b[8m", "\x1b[1A\x1b[2K", "\x1b]0;pwned\x07", "\x9b2J", "\u202e"]
#: what a terminal obeys: ESC, BEL, C1, CR and the bidi controls
_OBEYED = ("\x1b", "\x07", "\x9b", "\r", "\u202e")

DSL = """spec s "{title}" {{
    method = reference.shapley(evil = "{value}")
    output = attribution
    question "{value}"
    references = ["{value}"]
    assume independent "{value}"
    world {{ function = linear; features = 2; data = grid(levels = 3); points = 1 }}
    claim c holds "{value}" {{ check sum(phi) == f(x) - mean(f(background)) within 1e-9 }}
}}
"""


def _escaped(value: str) -> str:
    """``value`` written with the DSL's escapes (``\\u001b``), so the file itself is plain."""
    return "".join(ch if ch.isprintable() else f"\\U{ord(ch):08x}" for ch in value)


def _clean(out: str) -> None:
    for ch in _OBEYED:
        assert ch not in out, (ch, out)


@pytest.mark.parametrize("escape", ESCAPES)
@pytest.mark.parametrize("raw", [False, True], ids=["escaped", "raw"])
def test_a_control_character_in_any_dsl_string_is_es109(escape, raw):
    value = "a" + (escape if raw else _escaped(escape)) + "b"
    with pytest.raises(SpecError) as err:
        loads(DSL.format(title=value, value=value))
    assert set(err.value.codes) == {"ES109"}
    # one per string: the title, the parameter, question, reference, assumption and statement
    assert len(err.value.diagnostics) == 6
    _clean(err.value.render())


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_control_character_in_a_yaml_string_is_es109(escape):
    value = json.dumps("a" + escape + "b")  # a double-quoted YAML string with its escapes
    spec = (
        f"explainspec: 1\nspec: s\ntitle: {value}\nmethod: {{use: reference.shapley}}\n"
        f"output: attribution\nquestion: q\nworld:\n  function: linear\n  features: 2\n"
        f"  data: grid(levels = 3)\n  points: 1\nclaims:\n  c:\n    holds: {value}\n"
        "    check: sum(phi) == f(x) - mean(f(background)) within 1e-9\n"
    )
    with pytest.raises(SpecError) as err:
        loads(spec, form="yaml")
    assert err.value.codes == ["ES109", "ES109"]
    _clean(err.value.render())


def test_tab_newline_and_carriage_return_are_still_text():
    value = "a\\tb\\nc\\r\\nd"
    spec = loads(DSL.format(title="t", value=value))
    assert spec.claims[0].statement == "a b c d"


def test_a_source_line_with_escapes_is_shown_escaped_and_the_caret_still_points(tmp_path, capsys):
    path = tmp_path / "s.espec"
    # raw escapes in a comment and outside any string, on the line of the error
    path.write_text(
        DSL.format(title="t", value="v").replace(
            "claim c holds", "# \x1b]0;x\x07\n    claim c holds \x1b[2K # \x1b[8m \u202e"
        ),
        encoding="utf-8",
    )
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    err = captured.out + captured.err
    _clean(err)
    assert "ES103 unexpected character '\\x1b'" in err
    source, caret = [line for line in err.splitlines() if "claim c holds" in line or "^" in line]
    assert source[caret.index("^")] == "\ufffd"


def test_a_file_name_of_the_checkout_is_shown_escaped(tmp_path, capsys):
    if sys.platform == "win32":
        pytest.skip("no control characters in Windows file names")
    folder = tmp_path / "checkout"
    folder.mkdir()
    (folder / "x\x1b[2J\r.espec").write_text("spec broken {", encoding="utf-8")
    assert main(["check", str(folder)]) == 2
    out = capsys.readouterr()
    _clean(out.out + out.err)
    assert "x\\x1b[2J\\r.espec:1:" in out.out + out.err


def test_diff_of_a_hostile_report_prints_no_escape(tmp_path, capsys):
    def report(verdict: str) -> dict:
        claims = [
            {"spec": f"s{e}", "claim": f"c{e}", "verdict": verdict, "margin": 1.0, "examples": 1}
            for e in ESCAPES
        ]
        return {"report_version": 1, "seed": 0, "profile": "fast", "claims": claims}

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(report("verified")))
    new.write_text(json.dumps(report("refuted\x1b[1A\x1b[2K")))
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr()
    _clean(out.out + out.err)
    assert "REGRESSION s\\x1b[8m::c\\x1b[8m" in out.out


@pytest.mark.parametrize("plain", [True, False])
def test_the_terminal_report_prints_a_runs_texts_escaped(plain):
    """A method's error message (a library's exception, which may quote data) and a result's
    statement reach the terminal through the reporter."""
    attack = "".join(ESCAPES)
    result = ClaimResult(
        spec="s",
        claim="c",
        kind="holds",
        verdict=Verdict.ERROR,
        statement="claim " + attack,
        error="the method failed: " + attack + "\nsecond line " + attack,
    )
    out = io.StringIO()
    reporter = TerminalReporter(out, plain=plain, timings=False)
    reporter.handle(ClaimFinished(result=result))
    reporter.handle(RunFinished(result=RunResult((result,), seed=0, profile="fast"), elapsed=1))
    text = out.getvalue()
    assert "the method failed: \\x1b[8m" in text
    if plain:
        _clean(text)
    else:  # rich's own colours are escapes: only those may remain
        for ch in ("\x07", "\x9b", "\r", "\u202e", "\x1b]", "\x1b[8m", "\x1b[2K", "\x1b[1A"):
            assert ch not in text, ch


def test_visible_escapes_exactly_the_controls():
    assert visible("a\tb\nc ≤ é → x_i") == "a\tb\nc ≤ é → x_i"
    for ch in map(chr, range(0x250)):
        shown = visible(ch)
        if control(ch) or ch == "\r":
            assert shown == repr(ch)[1:-1] and shown.isprintable(), repr(ch)
        else:
            assert shown == ch


def test_a_junit_report_with_a_control_character_is_still_xml():
    """XML 1.0 allows no C0 control but tab and newlines: one character in a method's message
    made the whole JUnit report unreadable to CI."""
    import xml.etree.ElementTree as ET

    from explainspec.report.github import github_annotations
    from explainspec.report.junit import junit_xml

    attack = "".join(ESCAPES) + "\x00"
    result = ClaimResult(
        spec="s", claim="c", kind="holds", verdict=Verdict.ERROR, error="failed: " + attack
    )
    root = ET.fromstring(junit_xml([result]).split("\n", 1)[1])
    assert "failed: \\x1b[8m" in root.find(".//error").text
    _clean(github_annotations([result]))


@pytest.mark.parametrize("options", [[], ["--diff"], ["--check"]])
def test_fmt_refuses_a_comment_with_an_escape_instead_of_printing_it(options, tmp_path, capsys):
    """``fmt`` prints the spec with its comments (and ``--diff`` the changed lines): a comment
    may not hold a control character (ES103 at the character)."""
    path = tmp_path / "s.espec"
    path.write_text(
        DSL.format(title="t", value="v").replace(
            "    output", "    # \x1b[1A\x1b[2K\x1b]0;pwned\x07\n    output  "
        ),
        encoding="utf-8",
    )
    assert main(["fmt", *options, str(path)]) == 2
    out = capsys.readouterr()
    _clean(out.out + out.err)
    assert "ES103 unexpected character '\\x1b' in a comment" in out.out + out.err


@pytest.mark.parametrize("argv", [["fmt"], ["fmt", "--diff"], ["convert", "--to", "yaml"]])
def test_a_yaml_comment_with_a_control_character_is_not_printed(argv, tmp_path, capsys):
    """YAML refuses most control characters itself, but not U+0085 or the bidirectional ones."""
    path = tmp_path / "s.espec.yaml"
    path.write_text(
        "explainspec: 1\nspec: s\ntitle: t  # a \u202eright-to-left\u202c comment\n"
        "method: {use: reference.shapley}\noutput: attribution\nquestion: q\n"
        "world: {function: linear, features: 2, data: 'grid(levels = 3)', points: 1}\n"
        "claims:\n  c:\n    holds: s\n"
        "    check: sum(phi) == f(x) - mean(f(background)) within 1e-9\n",
        encoding="utf-8",
    )
    assert main([argv[0], *argv[1:], str(path)]) == 2
    out = capsys.readouterr()
    _clean(out.out + out.err)
    assert ":3:15: ES103 unexpected character '\\u202e' in a comment" in out.out + out.err
