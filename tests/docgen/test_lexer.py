"""The highlighter keeps up with the grammar: every keyword of the language is coloured."""

from __future__ import annotations

import re

from pygments.token import Keyword, Name, Operator

from explainspec.docgen.lexer import EspecLexer
from explainspec.resources import grammar_path

#: keywords of the grammar that are spelled like calls and names on purpose: `within mc(z = 5)`
CALL_LIKE = {"mc", "z"}


def _grammar_words() -> set[str]:
    return set(re.findall(r"\"([a-z_]+)\"", grammar_path().read_text(encoding="utf-8")))


def test_the_grammar_has_the_keywords_this_test_expects() -> None:
    words = _grammar_words()
    assert {"spec", "claim", "holds", "within", "implies", "true"} <= words
    assert words >= CALL_LIKE


def test_every_keyword_of_the_grammar_is_highlighted_as_a_keyword() -> None:
    lexer = EspecLexer()
    for word in sorted(_grammar_words() - CALL_LIKE):
        tokens = [(t, v) for t, v in lexer.get_tokens(word) if v.strip()]
        assert len(tokens) == 1, (word, tokens)
        kind = tokens[0][0]
        assert kind in Keyword or kind is Operator.Word, (word, kind)


def test_mc_reads_as_a_call() -> None:
    tokens = [(t, v) for t, v in EspecLexer().get_tokens("x within mc(z = 5)") if v.strip()]
    assert (Name.Function, "mc") in tokens
