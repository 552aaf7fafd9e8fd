"""A Pygments lexer for the explainspec DSL (``.espec`` files).

Registered under the ``pygments.lexers`` entry point, so Markdown code fences tagged ``espec``
are highlighted by any Pygments-based tool (mkdocs-material's ``pymdownx.highlight``, Sphinx,
``pygmentize -l espec``). The lexer is deliberately shallow: it colours keywords, claim kinds,
question types, quantities, calls, strings, numbers and comments; it never rejects input, because
a highlighter must render even a spec with a syntax error.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from explainspec.lang import semantics

__all__ = ["EspecLexer"]

#: Structural keywords of a spec file (declarations and clauses).
STRUCTURE = (
    "spec",
    "method",
    "output",
    "estimates",
    "references",
    "question",
    "world",
    "claim",
    "assume",
    "example",
    "check",
    "let",
)

#: The three claim kinds.
CLAIM_KINDS = ("answers", "does_not_answer", "holds")

#: Operators spelled as words inside check expressions.
WORD_OPERATORS = ("and", "or", "not", "implies", "within", "relative", "for", "all", "some", "in")

#: The quantities a check may name: the semantic checker's list (see ARCHITECTURE.md, "Check
#: expressions"), so the highlighter cannot fall behind the language.
QUANTITIES = tuple(sorted(semantics.QUANTITIES))


class EspecLexer(RegexLexer):
    """Pygments lexer for explainspec's ``.espec`` specification language.

    Examples
    --------
    >>> from pygments import highlight
    >>> from pygments.formatters import NullFormatter
    >>> highlight('claim c holds "s" { check sum(phi) == 0 }', EspecLexer(), NullFormatter())
    'claim c holds "s" { check sum(phi) == 0 }\\n'
    """

    name = "explainspec"
    aliases = ["espec", "explainspec"]
    filenames = ["*.espec"]
    mimetypes = ["text/x-espec"]
    url = "https://github.com/explainspec/explainspec"

    tokens = {
        "root": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            # `claim NAME KIND [QUESTION_TYPE]`: the name is a declaration, the question type a label
            (
                r"(claim)(\s+)([A-Za-z_]\w*)(\s+)(answers|does_not_answer)(\s+)([A-Za-z_]\w*)",
                bygroups(
                    Keyword.Declaration,
                    Whitespace,
                    Name.Label,
                    Whitespace,
                    Keyword.Type,
                    Whitespace,
                    Name.Tag,
                ),
            ),
            (
                r"(spec|claim|assume|example)(\s+)([A-Za-z_]\w*)",
                bygroups(Keyword.Declaration, Whitespace, Name.Label),
            ),
            (words(CLAIM_KINDS, suffix=r"\b"), Keyword.Type),
            (words(STRUCTURE, suffix=r"\b"), Keyword.Declaration),
            (words(WORD_OPERATORS, suffix=r"\b"), Operator.Word),
            (r"(true|false)\b", Keyword.Constant),
            (r'"', String.Double, "string"),
            (r"\d+\.\d*([eE][+-]?\d+)?(?!\.)", Number.Float),
            (r"\.\d+([eE][+-]?\d+)?", Number.Float),
            (r"\d+[eE][+-]?\d+", Number.Float),
            (r"\d+", Number.Integer),
            (r"\.\.", Operator),
            (r"[A-Za-z_]\w*(?=\s*\()", Name.Function),
            (words(QUANTITIES, prefix=r"\b", suffix=r"\b(?!\s*=[^=])"), Name.Builtin),
            (r"(\.)([A-Za-z_]\w*)", bygroups(Punctuation, Name.Attribute)),
            (r"[A-Za-z_]\w*", Name),
            (r"\*\*|==|!=|<=|>=|[-+*/@<>=]", Operator),
            (r"[{}()\[\],:;.]", Punctuation),
            (r".", Text),
        ],
        "string": [
            (r'\\["\\nt]', String.Escape),
            (r'[^"\\]+', String.Double),
            (r'"', String.Double, "#pop"),
        ],
    }
