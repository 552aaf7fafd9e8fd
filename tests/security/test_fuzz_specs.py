"""Fuzzing `explainspec check` with hostile specs (issue 14, "Must show"), in the slow suite.

At least 20 000 inputs per run, from four sources:

- grammar-based DSL files: ``hypothesis.extra.lark.from_lark`` over ``grammars/explainspec.lark``
  (terminals drawn from interesting values: registered names, huge numbers, bad and surrogate
  escapes), so most inputs parse and reach the semantic checks and the world resolver;
- grammar-based YAML files: the YAML form of grammar-derived specs;
- mutations of the library's specs (``specs/``, ``docs/examples/``) at the byte, token and text
  level: byte flips, token deletions/duplications/swaps/replacements, huge numbers, deep nesting,
  lone surrogates, repeated chunks;
- mutations of the YAML specs: the same, plus YAML tags, anchors and aliases, merge keys.

Each input goes through what ``explainspec check`` does (read the bytes, parse, check), and for a
spec without errors through what ``fmt`` and ``convert`` do. The assertions: no exception other
than a SpecError carrying ES diagnostics (0 uncaught exceptions), and the slowest input takes
under 2 s (timed per input; the distribution is printed). Run it with::

    HYPOTHESIS_PROFILE=ci python -m pytest -m slow tests/security/test_fuzz_specs.py -s
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from explainspec.lang import SpecError, check_spec, format_spec, load_text, to_yaml
from explainspec.lang.diagnostics import render_all
from explainspec.lang.loader import decode
from explainspec.lang.parser import build_parser, get_parser
from explainspec.lang.semantics import default_registries

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted(
    p
    for folder in (ROOT / "specs", ROOT / "docs" / "examples", ROOT / "tests" / "lang" / "data")
    for p in folder.rglob("*")
    if p.name.endswith((".espec", ".espec.yaml"))
)
DSL_TEXTS = [p.read_text() for p in LIBRARY if p.name.endswith(".espec")]
YAML_TEXTS = [p.read_text() for p in LIBRARY if p.name.endswith(".espec.yaml")]
REGISTRIES = default_registries()
MAX_SECONDS = 2.0
#: inputs per source; 20 000 in all
COUNTS = {"dsl_grammar": 5000, "yaml_grammar": 3000, "dsl_mutation": 8000, "yaml_mutation": 4000}

# --------------------------------------------------------------------------- the check


class Timings:
    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.slowest: tuple[float, str] = (0.0, "")
        self.outcomes: dict[str, int] = {"spec error": 0, "invalid": 0, "valid": 0}

    def summary(self, name: str) -> str:
        s = sorted(self.seconds)
        q = statistics.quantiles(s, n=100) if len(s) > 1 else s * 99
        return (
            f"{name}: {len(s)} inputs ({self.outcomes}); per input median {q[49] * 1e3:.1f} ms, "
            f"p90 {q[89] * 1e3:.1f} ms, p99 {q[98] * 1e3:.1f} ms, max {s[-1] * 1e3:.1f} ms"
        )


def check_input(data: bytes | str, form: str, timings: Timings) -> None:
    """What `explainspec check` does with one file, then `fmt`/`convert` on a valid spec.

    Any exception but a SpecError with ES diagnostics propagates (and fails the test)."""
    start = time.perf_counter()
    try:
        text = decode(data, "fuzz") if isinstance(data, bytes) else data
        spec = load_text(text, path="fuzz.espec", form=form)  # type: ignore[arg-type]
        diagnostics = check_spec(spec, REGISTRIES)
        render_all(diagnostics, {"fuzz.espec": text})
        if not any(d.is_error for d in diagnostics):
            format_spec(spec)
            to_yaml(spec)
            timings.outcomes["valid"] += 1
        else:
            assert all(re.fullmatch(r"ES\d{3}", d.code) for d in diagnostics)
            timings.outcomes["invalid"] += 1
    except SpecError as err:
        assert err.diagnostics and all(re.fullmatch(r"ES\d{3}", c) for c in err.codes)
        str(err)  # rendering never fails
        timings.outcomes["spec error"] += 1
    elapsed = time.perf_counter() - start
    timings.seconds.append(elapsed)
    if elapsed > timings.slowest[0]:
        shown = data if isinstance(data, str) else data.decode("utf-8", "replace")
        timings.slowest = (elapsed, shown[:300])


def run(name: str, strategy: st.SearchStrategy[Any], form: str, capsys: Any) -> None:
    # warm up: the first parse of a process builds lark's parser (a one-time cost, not an input's)
    for text, text_form in ((DSL_TEXTS[0], "dsl"), (YAML_TEXTS[0], "yaml")):
        check_input(text, text_form, Timings())
    timings = Timings()

    @settings(
        max_examples=COUNTS[name],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def fuzz(data: bytes | str) -> None:
        check_input(data, form, timings)

    fuzz()
    with capsys.disabled():
        print("\n" + timings.summary(name))
    assert len(timings.seconds) >= COUNTS[name]
    assert timings.slowest[0] < MAX_SECONDS, timings.slowest


# --------------------------------------------------------------------------- grammar-based

GRAMMAR = build_parser(cache=False)
_NAMES = sorted(
    {e.name for kind in ("oracle", "builtin") for e in REGISTRIES[kind]}
    | {"phi", "x", "f", "g", "d", "data", "background", "P", "i", "j", "linear", "grid", "rows"}
    | {"gaussian", "relu_net", "interaction", "formula", "features", "levels", "n", "width"}
)
_METHOD_NAMES = [e.name for e in REGISTRIES["method"]]
EXPLICIT = {
    "NAME": st.sampled_from(_NAMES + ["attribution", "shap", "kernel", "reference", "__class__"]),
    "NUMBER": st.one_of(
        st.sampled_from(["0", "1", "2", "3", "0.5", "1e-6", "4", "6", "2.5"]),
        st.sampled_from(["64", "101", "257", "1000000000", "9" * 101, "1e999"]),
    ),
    "STRING": st.one_of(
        st.sampled_from(['"s"', '"x0 * x1"', '"x0 + sin(x1)"', '"auto"', '"midpoint"']),
        st.sampled_from(['"x999999"', '"x0.__class__"', '"\\ud800"', '"\\q"', '"a\\"b"']),
    ),
    "COMMENT": st.just("# c\n"),
}


OUTPUTS = ["attribution", "importance", "curve", "interaction", "counterfactual"]
WHOLE = from_lark(GRAMMAR, start="start", explicit=EXPLICIT)


@st.composite
def _dsl_grammar(draw: st.DrawFn) -> str:
    """A spec file derived from the grammar's ``start`` rule, with a valid header put in front
    of its items about half of the time (so that the semantic checks and the world resolver see
    its worlds, claims and checks instead of stopping at a missing ``method``).

    (``from_lark`` over the expression rules alone takes seconds per example: the postfix rules
    recurse three times out of four, and most derivations overrun hypothesis' buffer; the
    library mutations below are where the checks get variety.)"""
    text = draw(WHOLE)
    if draw(st.booleans()):
        at = text.find("{") + 1
        header = (
            f" method = {draw(st.sampled_from(_METHOD_NAMES))}"
            f' output = {draw(st.sampled_from(OUTPUTS))} question "q" '
        )
        text = text[:at] + header + text[at:]
    return text


@st.composite
def _yaml_grammar(draw: st.DrawFn) -> str:
    """The YAML form of a grammar-derived spec (its DSL text when it does not load)."""
    text = draw(_dsl_grammar())
    try:
        return to_yaml(load_text(text))
    except SpecError:
        return text


# --------------------------------------------------------------------------- mutations

_NUMBER = re.compile(r"\b\d+(\.\d+)?\b")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
HUGE = ["9" * 101, "9" * 5000, "1e999", "1000000000", "99999999999999999999", "0", "-1", "6..2"]
NESTING = [50, 119, 121, 1000, 20_000]


def _tokens(text: str) -> list[str]:
    try:
        return [t.value for t in get_parser().lex(text)]
    except Exception:  # noqa: BLE001 - a text lark cannot lex is mutated at the text level
        return text.split()


TOKENS = [_tokens(t) for t in DSL_TEXTS]
VOCABULARY = sorted({tok for toks in TOKENS for tok in toks})


def _text_mutation(draw: st.DrawFn, text: str) -> str:
    op = draw(
        st.sampled_from(
            ["number", "nest", "surrogate", "string", "repeat", "truncate", "splice", "limit"]
        )
    )
    if op == "number":
        hits = list(_NUMBER.finditer(text))
        if hits:
            m = draw(st.sampled_from(hits))
            return text[: m.start()] + draw(st.sampled_from(HUGE)) + text[m.end() :]
    elif op == "nest":
        depth = draw(st.sampled_from(NESTING))
        opener, closer = draw(
            st.sampled_from([("(", ")"), ("[", "]"), ("-", ""), ("not ", ""), ("f(", ")")])
        )
        where = text.find("check ") if "check " in text else text.find("check: ")
        if where >= 0:
            start = text.index(" ", where) + 1
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            body = text[start:end]
            return text[:start] + opener * depth + body + closer * depth + text[end:]
    elif op == "surrogate":
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from(["\\ud800", "\\udfff", "\ud800", '"\\ud83d"', "\\U0000d800"]))
        return text[:at] + piece + text[at:]
    elif op == "string":
        hits = list(_STRING.finditer(text))
        if hits:
            m = draw(st.sampled_from(hits))
            new = draw(
                st.sampled_from(
                    ['"' + "a" * 10_001 + '"', '"x0.__class__"', '"x999999"', '"\\ud800"', '""']
                )
            )
            return text[: m.start()] + new + text[m.end() :]
    elif op == "repeat":
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 400)))
        return text[:a] + text[a:b] * draw(st.integers(2, 10)) + text[b:]
    elif op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    elif op == "splice":
        other = draw(st.sampled_from(DSL_TEXTS + YAML_TEXTS))
        a, b = draw(st.integers(0, len(text))), draw(st.integers(0, len(other)))
        return text[:a] + other[b:]
    else:  # sizes at and over the limits, written where a world value goes
        value = draw(
            st.sampled_from(
                [
                    "features = 1..1000000000",
                    "features = 100",
                    "features = 101",
                    "data = grid(levels = 64)",
                    "data = gaussian(n = 100000)",
                    "points = 65",
                    "grid = 1001",
                    "function = relu_net(width = 257, depth = 17)",
                    "function = interaction(order = 101)",
                    'function = formula("x100")',
                    "background = sample(257)",
                ]
            )
        )
        where = text.find("world {")
        if where >= 0:
            at = where + len("world {")
            return text[:at] + " " + value + ";" + text[at:]
    return text


@st.composite
def _dsl_mutation(draw: st.DrawFn) -> bytes | str:
    k = draw(st.integers(0, len(DSL_TEXTS) - 1))
    level = draw(st.sampled_from(["bytes", "tokens", "text", "text"]))
    if level == "bytes":
        data = bytearray(DSL_TEXTS[k].encode())
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= 1 << draw(st.integers(0, 7))
        return bytes(data)
    if level == "tokens":
        toks = list(TOKENS[k])
        for _ in range(draw(st.integers(1, 6))):
            if not toks:
                break
            at = draw(st.integers(0, len(toks) - 1))
            op = draw(st.sampled_from(["delete", "duplicate", "swap", "replace"]))
            if op == "delete":
                del toks[at]
            elif op == "duplicate":
                toks.insert(at, toks[at])
            elif op == "swap":
                other = draw(st.integers(0, len(toks) - 1))
                toks[at], toks[other] = toks[other], toks[at]
            else:
                toks[at] = draw(st.sampled_from(VOCABULARY))
        return " ".join(toks)
    text = DSL_TEXTS[k]
    for _ in range(draw(st.integers(1, 3))):
        text = _text_mutation(draw, text)
    return text


YAML_PIECES = [
    "!!python/object/apply:os.system ['echo hacked']",
    "!!python/name:os.system",
    "!custom 1",
    "!!binary aGVsbG8=",
    "&a [1, 2]",
    "*a",
    "{<<: {a: 1}}",
    "!!set {a, b}",
    "!!timestamp 2001-12-14",
    "9" * 5000,
    "0x" + "f" * 200,
    "1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17:18:19:20",
    '"\\ud800"',
    "[" * 200 + "]" * 200,
    ".inf",
    "~",
]


@st.composite
def _yaml_mutation(draw: st.DrawFn) -> bytes | str:
    text = draw(st.sampled_from(YAML_TEXTS))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["value", "value", "text", "bytes", "bomb"]))
        if op == "value":  # replace the value of one `key: value` line
            lines = text.split("\n")
            candidates = [i for i, line in enumerate(lines) if re.match(r"\s*[\w$]+:\s*\S", line)]
            if candidates:
                i = draw(st.sampled_from(candidates))
                key = lines[i].split(":", 1)[0]
                lines[i] = f"{key}: {draw(st.sampled_from(YAML_PIECES))}"
                text = "\n".join(lines)
        elif op == "text":
            text = _text_mutation(draw, text)
        elif op == "bytes" and text:
            data = bytearray(text.encode("utf-8", "surrogatepass"))
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= 1 << draw(st.integers(0, 7))
            return bytes(data)
        elif op == "bomb":  # an alias bomb in front of the document
            lines = ['b0: &b0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
            lines += [f"b{k}: &b{k} [" + ", ".join([f"*b{k - 1}"] * 9) + "]" for k in range(1, 9)]
            text = "\n".join(lines) + "\n" + text
    return text


# --------------------------------------------------------------------------- the tests


def test_grammar_generated_dsl_specs(capsys):
    run("dsl_grammar", _dsl_grammar(), "dsl", capsys)


def test_grammar_generated_yaml_specs(capsys):
    run("yaml_grammar", _yaml_grammar(), "yaml", capsys)


def test_mutated_library_dsl_specs(capsys):
    run("dsl_mutation", _dsl_mutation(), "dsl", capsys)


def test_mutated_library_yaml_specs(capsys):
    run("yaml_mutation", _yaml_mutation(), "yaml", capsys)


def test_the_fuzz_covers_at_least_20000_inputs():
    assert sum(COUNTS.values()) >= 20_000
    assert DSL_TEXTS and YAML_TEXTS


_: Callable[..., Any] = check_input  # the per-input check, importable for a failing input
