"""The parser's own LALR loop and lexer loop (``parser._run_parser``, ``_table``, ``_lex``) read
exactly what lark's ``ParserState.feed_token`` and ``ContextualLexer.lex`` read, and the cache
of lark's grammar analysis stays in a folder no one else can write in."""

from __future__ import annotations

import os
import random
import stat
from pathlib import Path

import pytest

from explainspec.lang import parser as P
from explainspec.lang.diagnostics import SpecError

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.espec")) + sorted((ROOT / "tests").rglob("*.espec"))
PIECES = [*'(){}[]:=,.+-*/<> \n"#_ab019', "claim ", "check ", "for all ", " within ", "let ", ".."]


def _outcome(text: str, start: str) -> str:
    try:
        return repr(P._parse(text, start, "f.espec"))
    except SpecError as err:
        return "error " + repr([(d.code, d.message, d.span, d.hint) for d in err.diagnostics])


def _lark_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parse with lark's own lexer loop and ``feed_token`` (the loops ours replace)."""
    monkeypatch.setattr(P, "_lex", lambda thread, state: thread.lex(state))
    monkeypatch.setattr(P, "_table", lambda conf: None)


def _cases() -> list[tuple[str, str]]:
    rng = random.Random(20261203)
    texts = [p.read_text(encoding="utf-8") for p in SPECS]
    cases = [(t, "start") for t in texts]
    for t in texts:  # edits that break the text at random places: every kind of error
        for _ in range(2):
            i = rng.randrange(len(t) + 1)
            if rng.random() < 0.5:
                cases.append((t[:i] + rng.choice(PIECES) + t[i:], "start"))
            else:
                cases.append((t[:i] + t[i + rng.randint(1, 8) :], "start"))
    exprs = ["sum(phi) == f(x) - mean(f(background)) within 1e-6", "a and not b or c", "-1 ** 2 ["]
    cases += [(e, "expr_start") for e in exprs] + [("1..3", "value_start"), ("", "start")]
    return cases


def test_same_result_and_errors_as_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(SPECS) > 50
    cases = _cases()
    ours = [_outcome(t, s) for t, s in cases]
    _lark_loops(monkeypatch)
    theirs = [_outcome(t, s) for t, s in cases]
    differ = [
        (c[0][:80], a[:200], b[:200]) for c, a, b in zip(cases, ours, theirs, strict=True) if a != b
    ]
    assert not differ, differ[:3]
    errors = sum(o.startswith("error") for o in ours)
    assert 60 < errors < len(cases) - len(SPECS)  # both the valid and the broken texts are read


def test_token_budget_and_depth_stop_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "specs" / "shap_exact.espec").read_text(encoding="utf-8")
    deep = "x == " + "-" * 5000 + "1"

    def run() -> list[str]:
        out = []
        for tokens in (5, 40, 10_000):
            budget = P.Budget(tokens)
            try:
                P._parse(text, "start", "f", budget=budget)
                out.append(f"ok {budget.left} {budget.exhausted}")
            except SpecError as err:
                d = err.diagnostics[0]
                out.append(f"{d.code} {d.span} {budget.left} {budget.exhausted}")
        try:
            P._parse(deep, "expr_start", "f")
        except SpecError as err:
            out.append(f"{err.diagnostics[0].code} {err.diagnostics[0].span}")
        return out

    ours = run()
    assert ours[0].startswith("ES112") and ours[2].startswith("ok") and ours[3].startswith("ES106")
    _lark_loops(monkeypatch)
    assert run() == ours


def _cache(monkeypatch: pytest.MonkeyPatch, home: Path) -> str | bool:
    monkeypatch.delenv("EXPLAINSPEC_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return P._cache_file()


def test_parser_cache_lives_in_the_users_cache_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = _cache(monkeypatch, tmp_path)
    assert found == str(tmp_path / "explainspec" / "grammar.lark-cache")
    assert stat.S_IMODE((tmp_path / "explainspec").stat().st_mode) & 0o077 == 0
    monkeypatch.setenv("EXPLAINSPEC_NO_CACHE", "1")
    assert P._cache_file() is False


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_no_parser_cache_where_others_can_write(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mode: int
) -> None:
    """lark's cache is a pickle: a folder others may write in could hold a planted one."""
    folder = tmp_path / "explainspec"
    folder.mkdir()
    folder.chmod(mode)
    assert _cache(monkeypatch, tmp_path) is False


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="chown needs root")
def test_no_parser_cache_in_a_folder_of_another_user(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "explainspec"
    folder.mkdir(mode=0o700)
    os.chown(folder, 12345, 12345)
    assert _cache(monkeypatch, tmp_path) is False
