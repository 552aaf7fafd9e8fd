"""Diagnostics: what is wrong with a spec, where, and how to fix it.

Every problem found while reading or checking a spec becomes a :class:`Diagnostic` with a stable
code (``ES1xx`` syntax and file structure, ``ES2xx`` semantics, ``ES3xx`` run). Loading raises a
:class:`SpecError` carrying all diagnostics found in one pass. The codes are listed in
``docs/reference/errors.md`` and in :data:`CODES`; tests assert that both agree.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from explainspec.lang.ir import Span

#: Characters that are commands to a terminal or reorder text, never prose: C0 controls but tab,
#: newline and carriage return; DEL; C1 controls; the bidirectional marks, embeddings, overrides
#: and isolates ("Trojan Source"). A spec's strings may not hold them (ES109, :func:`control`);
#: :func:`visible` shows them (and carriage return) escaped wherever untrusted text reaches a
#: terminal. Compiled on first use: most text is printable and never needs them.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(chars: str, *, group: bool = True) -> re.Pattern[str]:
    if chars not in _PATTERNS:
        _PATTERNS[chars] = re.compile(f"[{chars}]" if group else chars)
    return _PATTERNS[chars]


def control(text: str) -> re.Match[str] | None:
    r"""The first control character of ``text`` (see ``_CONTROL``; tab, newline and carriage
    return are text), or ``None``.

    >>> control("a\tb\n") is None, control("a\x1b[8m").group() == "\x1b"
    (True, True)
    """
    return None if text.isprintable() else _pattern(_CONTROL).search(text)


def visible(text: str, *, same_width: bool = False) -> str:
    r"""``text`` with every control character (:func:`control`, and carriage return) shown as its
    escape (``\x1b``), or as U+FFFD when ``same_width`` (a source line above a caret); newline and
    tab are kept. Untrusted text (a spec file's lines and names, a report's texts, the messages of
    a run) goes through it on its way to a terminal.

    >>> print(visible("a\x1b[8mb\u202ec\r"))
    a\x1b[8mb\u202ec\r
    >>> visible("a\x1bb", same_width=True) == "a\ufffdb"
    True
    """
    if text.isprintable():
        return text
    unshown = _pattern("\r" + _CONTROL)
    if same_width:
        return unshown.sub("\ufffd", text)
    return unshown.sub(lambda m: repr(m.group())[1:-1], text)


def source_lines(source: str, file: str | None = None) -> list[str]:
    r"""The lines of a spec file as its reader numbers them (a span's ``line`` indexes this list
    from 1): the DSL's lexer breaks lines at ``\n`` only (a ``\r`` before it is not shown), a
    YAML file (``file`` ending in ``.yaml``/``.yml``) also at ``\r``, U+0085, U+2028 and U+2029.
    Not :meth:`str.splitlines`, which also breaks at a form feed and other characters: one of
    them in a comment would show every later diagnostic under the wrong line.

    >>> source_lines("a\x0cb\r\nc"), source_lines("a\x85b", "s.espec.yaml")
    (['a\x0cb', 'c'], ['a', 'b'])
    """
    return list(_lines(source, file is not None and file.endswith((".yaml", ".yml"))))


@functools.lru_cache(maxsize=4)  # every diagnostic of a file renders a line of the same text
def _lines(source: str, yaml: bool) -> tuple[str, ...]:
    if yaml:
        return tuple(_pattern("\r\n|[\r\n\x85\u2028\u2029]", group=False).split(source))
    return tuple(line.removesuffix("\r") for line in source.split("\n"))


#: Every code with a one-line summary (the docs table is checked against this mapping).
CODES: Final[Mapping[str, str]] = {
    # ---- ES1xx: reading and syntax
    "ES101": "the file cannot be read (missing, a folder, or not UTF-8)",
    "ES102": "the file is larger than the size limit",
    "ES103": "unexpected character",
    "ES104": "unexpected token",
    "ES105": "unexpected end of input",
    "ES106": "nesting too deep",
    "ES107": "a required item is missing",
    "ES108": "an item is given twice",
    "ES109": "invalid string escape or literal",
    "ES110": "a positional argument follows a keyword argument",
    "ES111": "a literal is larger than its limit (integer digits, string characters, list items)",
    "ES112": "the file has more tokens (YAML: nodes) than the limit",
    "ES120": "invalid YAML",
    "ES121": "unsupported YAML tag (a spec cannot construct objects)",
    "ES122": "a YAML value has the wrong type",
    "ES123": "unknown YAML key",
    "ES124": "unsupported `explainspec:` version",
    # ---- ES2xx: semantics
    "ES201": "unknown method",
    "ES202": "unknown function family",
    "ES203": "unknown data distribution",
    "ES204": "unknown name in a check",
    "ES205": "unknown question type",
    "ES206": "an answers/does_not_answer claim names no question type",
    "ES207": "wrong number of arguments",
    "ES208": "unknown or repeated keyword argument",
    "ES209": "unknown world field",
    "ES210": "a range `lo..hi` outside a world value",
    "ES211": "unknown output kind",
    "ES212": "duplicate name (claim, assumption, example, world field)",
    "ES213": "the spec has no claims",
    "ES214": "`==`/`!=` between real numbers without `within`",
    "ES215": "a quantifier variable shadows another name",
    "ES216": "a quantifier variable is not used in its body",
    "ES217": "`within` on an ordering comparison",
    "ES218": "`within mc(...)` on a method that is not randomized",
    "ES219": "the check does not fit the method's output kind",
    "ES220": "unknown attribute",
    "ES221": "the declared output differs from the method's output",
    "ES222": "unknown statistic in `estimates`",
    "ES223": "invalid tolerance",
    "ES224": "a method parameter that is not a literal value",
    "ES225": "a check (or an operand of and/or/not/implies, a quantifier body) is not a condition",
    "ES226": "an empty range `lo..hi` (lo > hi)",
    "ES227": "a method parameter of the wrong type or value",
    "ES228": "a size over its documented limit",
    "ES229": "a world value the world resolver refuses",
    "ES230": "a quantifier domain or variable misused",
    "ES260": "a `let` name shadows another name (a quantity, oracle, builtin or the spec's let)",
    "ES261": "a `let` name is not used (a warning)",
    "ES262": "a subset operation on a value that is not a subset (`{0.5}`, `1 in 2`, `S | 3`)",
    # ---- assumptions and probing (explainspec probe)
    "ES390": "an assumption's condition reads the method (phi, explain)",
    # ---- command line (not about one spec)
    "ES250": "a --plugin module cannot be imported (or is a file path)",
    "ES251": "an output file cannot be written",
    "ES259": "internal error (a bug in explainspec or a plugin)",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in a spec.

    Parameters
    ----------
    code : str
        Stable code, e.g. ``"ES204"`` (see :data:`CODES`).
    message : str
        What is wrong, naming the thing and showing its value.
    span : Span or None
        Where it is.
    hint : str or None
        How to fix it.
    severity : {"error", "warning"}
        Warnings are printed but do not make a spec invalid.
    """

    code: str
    message: str
    span: Span | None = None
    hint: str | None = None
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        s = self.span
        return (s.file or "", s.line, s.column, self.code) if s else ("", 0, 0, self.code)

    def render(self, source: str | None = None) -> str:
        """``file:line:col: ES204 message`` plus the source line, a caret and the hint.

        Parameters
        ----------
        source : str, optional
            The text of the file the span points into; without it no source line is shown.

        Examples
        --------
        >>> d = Diagnostic("ES204", "unknown name 'shapely'", Span(file="a.espec", line=1, column=7))
        >>> print(d.render("check shapely(f, x, P) == phi"))
        a.espec:1:7: ES204 unknown name 'shapely'
            check shapely(f, x, P) == phi
                  ^
        """
        where = str(self.span) if self.span else "<spec>"
        label = "" if self.is_error else "warning: "
        lines = [visible(f"{where}: {self.code} {label}{self.message}")]
        if source is not None and self.span is not None and self.span.line > 0:
            src_lines = source_lines(source, self.span.file)
            if self.span.line <= len(src_lines):
                text = visible(src_lines[self.span.line - 1].expandtabs(1), same_width=True)
                col = max(self.span.column, 1)
                end = col + 1
                if self.span.end_line == self.span.line and self.span.end_column > col:
                    end = self.span.end_column
                # a window of at most 200 characters around the start of the span
                first = max(0, col - 100) if len(text) > 200 else 0
                shown = text[first : first + 200]
                prefix = "... " if first else ""
                suffix = " ..." if first + 200 < len(text) else ""
                lines.append("    " + prefix + shown + suffix)
                start = col - first
                width = max(1, min(end - col, len(shown) - start + 1))
                lines.append("    " + " " * (len(prefix) + start - 1) + "^" * width)
        if self.hint:
            lines.append(visible(f"    hint: {self.hint}"))
        return "\n".join(lines)


class SpecError(Exception):
    """A spec could not be loaded; carries every diagnostic found (sorted by location).

    Parameters
    ----------
    diagnostics : iterable of Diagnostic
    sources : mapping of str to str, optional
        File name -> text, used to show source lines when rendering.
    """

    def __init__(
        self, diagnostics: Iterable[Diagnostic], sources: Mapping[str, str] | None = None
    ) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(
            sorted(diagnostics, key=Diagnostic.sort_key)
        )
        self.sources: dict[str, str] = dict(sources or {})
        super().__init__(self.render())

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def render(self) -> str:
        return render_all(self.diagnostics, self.sources)


def render_all(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str] | None = None) -> str:
    """Render diagnostics one after the other (see :meth:`Diagnostic.render`)."""
    sources = sources or {}
    out = []
    for d in diagnostics:
        key = (d.span.file or "<string>") if d.span else None
        out.append(d.render(sources.get(key) if key else None))
    return "\n".join(out)
