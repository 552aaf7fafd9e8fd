"""Spec text on its way into the published Markdown: shown as written, never as markup.

A spec file (and the JSON report made from it) is untrusted input; the cards are published as a
web site. Everything a spec says in words -- titles, questions, statements, assumptions,
references, names, parameter values, counterexample texts, error messages -- enters a card
through exactly one of these functions:

:func:`text`
    prose and table cells. HTML's special characters become entities (so ``<script>``, an
    ``<img onerror=...>`` or an autolink ``<javascript:...>`` is text), and every character that
    Markdown or an extension of the site reads as syntax is backslash-escaped: links and images
    (``[x](javascript:...)``, reference definitions), attribute lists (``{: onclick=...}``),
    emphasis, code, headings, list and block markers, table pipes. The text then renders as
    exactly the characters the spec wrote.
:func:`code`
    inline code (a check, a world field, a value): Markdown escapes the inside of a code span by
    itself; the fence is longer than any run of backticks in the text, so the text cannot close
    it.
:func:`fence`
    a fenced block (the spec's source, a command line), with the same rule for its fence.
:func:`attribute`
    a value inside an HTML attribute the cards write themselves (an anchor's ``id``).

:func:`code` and :func:`fence` read every line break as Python-Markdown does (a carriage
return too), and escape pymdownx.snippets notation (``--8<--``), which the site's Markdown reads
inside code as well (with the snippets' own escape, a ``;`` that the site removes).

The cards never build Markdown from spec text any other way (``tests/docgen`` checks hostile
texts through every field of a card, and ``tests/browser`` loads such a card in a browser).

Examples
--------
>>> print(text("<script>alert(1)</script> [x](javascript:alert(1))"))
&lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:alert(1))
>>> code("a `b` c")
'`` a `b` c ``'
"""

from __future__ import annotations

import html
import re

__all__ = ["attribute", "code", "fence", "text"]

#: characters that Markdown (Python-Markdown with the site's extensions: tables, attr_list,
#: admonition, superfences, snippets) reads as syntax wherever they are, and that a backslash
#: escapes: code, emphasis, links and images, attribute lists, table pipes
_ALWAYS = re.compile(r"([\\`*\[\]{}|])")
#: an underscore at the edge of a word (``_x_`` is emphasis; ``x_i`` inside a word is not)
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_BACKTICKS = re.compile("`+")
#: what Python-Markdown reads as a line break: it turns a lone carriage return into a newline
#: before it parses blocks, so a ``\r`` that stayed in a code span or a fence line started a
#: line of Markdown (``a\r<script>`` in a table cell was a ``<script>`` element)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: pymdownx.snippets notation, as its preprocessor reads it (``RE_ALL_SNIPPETS`` and
#: ``RE_SNIPPET_SECTION`` of pymdownx 10-13) before any block is parsed, fences included: a line
#: that is a snippet marker (``--8<-- "file"`` includes a file of the site, a lone ``--8<--``
#: starts a block whose every line is a path: the rest of the page vanished) and a section
#: marker anywhere in a line (``--8<-- [start:x]``: the whole line vanished). Its escape is a
#: ``;`` before the marker, which the preprocessor removes: the line renders as written.
_SNIPPET_LINE = re.compile(
    r"""(?x)
    ^(?P<space>[ \t]*)
    (?P<escape>;*)
    (?P<all>
        (?P<inline_marker>-{1,}8<-{1,}[ \t]+)
        (?P<snippet>(?:"(?:\\"|[^"\n\r])+?"|'(?:\\'|[^'\n\r])+?'))(?![ \t]) |
        (?P<block_marker>-{1,}8<-{1,})(?![ \t])
    )\r?$
    """
)
_SNIPPET_SECTION = re.compile(
    r"""(?xi)
    ^(?P<pre>.*?)
    (?<!;)(?!(?<=-)-)
    (?P<escape>;*)
    (?P<inline_marker>-{1,}8<-{1,}[ \t]+)
    (?P<section>\[[ \t]*(?P<type>start|end)[ \t]*:[ \t]*(?P<name>[a-z][-_0-9a-z]*)[ \t]*\])
    (?P<post>.*?)$
    """
)


def text(value: object) -> str:
    """``value`` as Markdown that renders as exactly its characters (see the module docs).

    The text becomes one line (prose is one paragraph; a line of its own could start a heading,
    a list, a fence or a block), and what a line's start would make syntax is escaped there.

    Examples
    --------
    >>> print(text("f(x) = x_0 * 2 for _all_ x"))
    f(x) = x_0 \\* 2 for \\_all\\_ x
    >>> print(text("a & b <b>"), text("# not a heading"), text("1. not a list"), sep="\\n")
    a &amp; b &lt;b&gt;
    \\# not a heading
    1\\. not a list
    """
    s = html.escape(" ".join(str(value).split()), quote=False)
    s = _ALWAYS.sub(r"\\\1", s)
    s = _EDGE_UNDERSCORE.sub(r"\\_", s)
    number = re.match(r"\d+\.(?=\s|$)", s)
    if number:  # an ordered list
        s = s[: number.end() - 1] + "\\" + s[number.end() - 1 :]
    elif s[:1] in ("#", "!") or re.match(r"[-+](\s|-|$)", s):  # heading, admonition, list, rule
        s = "\\" + s
    elif s[:1] == "~":  # a fence (a backslash does not escape "~" in Python-Markdown)
        s = "&#126;" + s[1:]
    return s


def code(value: object) -> str:
    """``value`` as inline code; its text cannot end the code span (one line).

    Examples
    --------
    >>> code("phi[0] == 1"), code("``x``")
    ('`phi[0] == 1`', '``` ``x`` ```')
    """
    s = _no_section(" ".join(_LINE_BREAK.split(str(value))))
    longest = max((len(m) for m in _BACKTICKS.findall(s)), default=0)
    tick = "`" * (longest + 1)
    if not s.strip():
        return tick + " " + tick if s else tick + tick
    pad = " " if s.startswith("`") or s.endswith("`") or longest else ""
    return f"{tick}{pad}{s}{pad}{tick}"


def fence(body: str, lang: str = "") -> list[str]:
    """``body`` as a fenced code block (the lines of Markdown, without a blank line after).

    The fence is longer than any run of backticks in ``body``, so no line of it closes the block.

    Examples
    --------
    >>> fence("x\\n```\\n<b>", "text")
    ['````text', 'x', '```', '<b>', '````']
    """
    longest = max((len(m) for m in _BACKTICKS.findall(body)), default=0)
    tick = "`" * max(3, longest + 1)
    lines = _LINE_BREAK.split(body.rstrip("\r\n"))
    return [f"{tick}{lang}", *(_no_snippet(line) for line in lines), tick]


def _no_snippet(line: str) -> str:
    """A whole line of Markdown whose snippet notation (if any) is escaped.

    >>> _no_snippet('--8<-- "secret.md"'), _no_snippet("  --8<--"), _no_snippet("x --8<-- y")
    (';--8<-- "secret.md"', '  ;--8<--', 'x --8<-- y')
    """
    m = _SNIPPET_LINE.match(line)
    if m:
        return line[: m.end("space")] + ";" + line[m.end("space") :]
    return _no_section(line)


def _no_section(s: str) -> str:
    """``s`` with its first snippet section marker escaped (the one the preprocessor reads).

    >>> _no_section("a = --8<-- [start:x] b")
    'a = ;--8<-- [start:x] b'
    """
    m = _SNIPPET_SECTION.match(s) if "8<-" in s else None
    if m is None:
        return s
    return s[: m.start("escape")] + ";" + s[m.start("escape") :]


def attribute(value: object) -> str:
    """``value`` for a double-quoted HTML attribute the cards write themselves.

    >>> attribute('a"><script>')
    'a&quot;&gt;&lt;script&gt;'
    """
    return html.escape(str(value), quote=True)
