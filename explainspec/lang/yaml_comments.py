"""The canonical YAML text of a spec with the comments of the file it was read from.

``explainspec fmt`` on a ``.espec.yaml`` file: the canonical text is :func:`~explainspec.lang.
yamlform.to_yaml`'s; when the file has comments, both texts are read with ruamel.yaml's round
trip (which keeps comments), the comments are carried from the file's tree to the canonical tree
key by key, and the canonical tree is written back. ruamel.yaml writes a comment-free canonical
tree exactly as PyYAML wrote it (tested on every YAML spec of the repository), so a file without
comments is formatted the same way either way.

Where ruamel keeps a comment decides where it goes: the comments before the first key (the
``# yaml-language-server: $schema=...`` line editors read) stay at the top; a comment at the end of
a line stays with that line's key; a comment on a line of its own travels with the key *before*
it (ruamel's model), which is the next key's place unless the canonical order moves keys around.

Reading with ruamel.yaml never builds Python objects from tags: only its round-trip loader of
plain mappings, sequences and scalars is used, on a document the safe reader has accepted before.
"""

from __future__ import annotations

import io
from typing import Any

from explainspec.lang import ir

__all__ = ["canonical_yaml", "has_comments"]


def _yaml(*, verbatim: bool = False) -> Any:
    """ruamel.yaml's round trip, writing as :func:`to_yaml` does.

    With ``verbatim``, numbers, booleans and nulls are kept as the text they were written with
    and written back unchanged: ruamel.yaml re-prints floats from their digits, and
    ``4.039098282693031e+161`` came back as ``4.039098282693030e+161`` (a different number).
    """
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 10**9  # as to_yaml: never fold a line
    y.indent(mapping=2, sequence=2, offset=0)
    if verbatim:
        for tag in ("float", "int", "bool", "null"):
            y.constructor.add_constructor(f"tag:yaml.org,2002:{tag}", _verbatim)
        y.representer.add_representer(_Verbatim, _represent_verbatim)
    return y


class _Verbatim(str):
    """A scalar that is not a string, as written (its tag in ``tag``)."""

    __slots__ = ("tag",)
    tag: str


def _verbatim(constructor: Any, node: Any) -> _Verbatim:
    value = _Verbatim(node.value)
    value.tag = node.tag
    return value


def _represent_verbatim(representer: Any, value: _Verbatim) -> Any:
    return representer.represent_scalar(value.tag, str(value))


def _comment_tokens(node: Any) -> int:
    """How many comment tokens ruamel attached anywhere in ``node`` (0: no comments)."""
    count = 0
    stack = [node]
    while stack:
        n = stack.pop()
        ca = getattr(n, "ca", None)
        if ca is not None:
            count += _tokens(ca.comment) + _tokens(getattr(ca, "end", None))
            count += sum(_tokens(v) for v in ca.items.values())
        if isinstance(n, dict):
            stack += list(n.values())
        elif isinstance(n, list):
            stack += n
    return count


def _tokens(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, list):
        return sum(_tokens(v) for v in value)
    return 1


def has_comments(text: str) -> bool:
    """Whether a YAML document has comments (a ``#`` that ruamel.yaml reads as one)."""
    if "#" not in text:
        return False
    return _comment_tokens(_yaml().load(text)) > 0


def _carry(source: Any, target: Any) -> None:
    """Attach ``source``'s comments to the same keys (items) of ``target``, recursively."""
    src, dst = getattr(source, "ca", None), getattr(target, "ca", None)
    if src is None or dst is None:
        return
    if src.comment:
        dst.comment = src.comment
    if getattr(src, "end", None):
        dst.end = src.end
    if isinstance(source, dict) and isinstance(target, dict):
        for key, comment in src.items.items():
            if key in target:
                dst.items[key] = comment
        for key, value in source.items():
            if key in target:
                _carry(value, target[key])
    elif isinstance(source, list) and isinstance(target, list):
        for index, comment in src.items.items():
            if isinstance(index, int) and index < len(target):
                dst.items[index] = comment
        for value, other in zip(source, target, strict=False):
            _carry(value, other)


def canonical_yaml(spec: ir.Spec, original: str) -> str:
    """The canonical YAML text of ``spec`` (read from ``original``), with ``original``'s
    comments. A comment holding a control character is refused (``SpecError`` ES103: ``fmt``
    prints comments, see :func:`explainspec.lang.diagnostics.control`).

    Examples
    --------
    >>> from explainspec.lang import load_text
    >>> text = '''# yaml-language-server: $schema=espec.schema.json
    ... explainspec: 1
    ... spec: s   # the name
    ... title: S
    ... method: {use: reference.shapley}
    ... output: attribution
    ... question: Q?
    ... claims: {}
    ... '''
    >>> print(canonical_yaml(load_text(text, form="yaml"), text), end="")
    # yaml-language-server: $schema=espec.schema.json
    explainspec: 1
    spec: s   # the name
    title: S
    method:
      use: reference.shapley
    output: attribution
    question: Q?
    claims: {}
    """
    from explainspec.lang.diagnostics import Diagnostic, SpecError, control, source_lines
    from explainspec.lang.yamlform import to_yaml

    bad = control(original)
    if bad is not None:  # the strings were refused when read (ES109): this one is in a comment
        file = spec.source or "<string>.espec.yaml"
        before = source_lines(original[: bad.start()], file)
        span = ir.Span(file=file, line=len(before), column=len(before[-1]) + 1)
        raise SpecError(
            [
                Diagnostic(
                    "ES103",
                    f"unexpected character {bad.group()!r} in a comment",
                    span,
                    "a spec file is text: remove the control character",
                )
            ],
            {file: original},
        )
    plain = to_yaml(spec)
    if "#" not in original:
        return plain
    y = _yaml()
    source = y.load(original)
    if _comment_tokens(source) == 0:
        return plain
    writer = _yaml(verbatim=True)
    target = writer.load(plain)
    _carry(source, target)
    out = io.StringIO()
    writer.dump(target, out)
    return out.getvalue()
