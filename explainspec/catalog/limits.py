"""The documented limits on every size a spec can set, as plain data (no numpy import here).

A spec file is untrusted input: every size it can choose (features, rows, levels, widths, the
length of a range in a check, an array constructor's shape, ...) is bounded here, in one table.
The same table is read

- by ``lang/semantics`` (and ``explainspec check``): a size that is known statically and over
  its limit is refused with a diagnostic naming the limit;
- by ``worlds/`` and ``expr/`` at run time: a size that is only known when a world is drawn or a
  check is evaluated (a product of sizes, a computed range) is refused before anything is
  allocated;
- by the docs (``docs/concepts/security.md`` lists the table) and ``explainspec list limits``.

A limit is never written as a literal anywhere else: read it with :func:`limit`.

>>> limit("features")
100
>>> LIMITS["range"].doc.split(";")[0]
'length of a range(...) or a quantifier domain in a check'
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class Limit:
    """One bound: ``name`` as used in messages, the largest allowed ``value``, what it bounds."""

    name: str
    value: int
    doc: str


_TABLE: tuple[Limit, ...] = (
    # ---- reading a file (refused while parsing: ES102, ES106, ES111, ES112)
    # 512 KiB (was 5 MB): PyYAML's pure-Python scanner reads about 1 MB/s, so this bounds the
    # reading of a YAML file to about half a second; the library's largest spec is 9 KB.
    Limit("file_bytes", 512 * 1024, "size of a spec file in bytes"),
    Limit(
        "tokens",
        50_000,
        "lexical tokens of a DSL file (comments excluded), or nodes of a YAML "
        "document plus the tokens of its expression strings; bounds the parsing time (about "
        "1 s at the limit); the library's largest spec has about 1 000",
    ),
    Limit("nesting", 120, "depth of brackets or of an expression tree"),
    Limit("literal_items", 10_000, "elements of one list literal, in total over its nesting"),
    Limit("string_chars", 10_000, "characters of one string literal"),
    Limit("integer_digits", 100, "decimal digits of an integer literal"),
    Limit(
        "integer_bits", 4096, "bits of an integer computed in a check (a larger result is refused)"
    ),
    # ---- worlds (refused by `check` and by the world resolver: ES228)
    Limit("features", 100, "features d of a world (`features = ...`, explicit rows, cov)"),
    Limit("rows", 100_000, "rows of a finite distribution or of a data sample (`n`, levels ** d)"),
    # The search's own bound on the rows of a grid-like distribution (levels ** d): the numbers
    # of features whose grid is larger are skipped, and a world with none left is refused.
    Limit(
        "finite_rows",
        4096,
        "rows of a grid, dependent or binary distribution the world "
        "search builds (levels ** d); larger feature counts are skipped",
    ),
    Limit(
        "cells", 10_000_000, "numbers in one array a world or a check builds (rows x features, ...)"
    ),
    Limit("levels", 64, "points per marginal of a grid-like distribution"),
    # 64 (was 1 000): the world search already refused more than 64 drawn points (max_points)
    Limit(
        "points",
        64,
        "points x of a world (drawn: `points = k`; explicit: rows of `points = [[...]]`)",
    ),
    # 1 000 (was 256; issue 21, realistic sizes): users explain with backgrounds of hundreds of
    # rows. The exact oracles stay bounded: term-wise and tree Shapley values are linear in the
    # rows, black-box enumeration evaluates 2**d hybrid rows per distinct background row
    # (d <= 16) in chunks of fixed size, and every claim has its time budget and memory cap.
    Limit(
        "background",
        1_000,
        "background rows handed to a method (`sample(k)`, `kmeans(k)`, `rows(...)`)",
    ),
    Limit("grid", 1_000, "evaluation points of a curve method (`grid = m`)"),
    Limit("width", 256, "hidden units per layer of a network family"),
    Limit("depth", 16, "layers of a network family, depth of a tree family"),
    Limit("terms", 1_000, "terms of a polynomial or interaction family"),
    Limit("order", 100, "interaction order of a family or an oracle"),
    # ---- checks and methods (refused by `check` when the size is written as literals: ES228)
    Limit(
        "range",
        1_000_000,
        "length of a range(...) or a quantifier domain in a check; nested quantifiers multiply",
    ),
    Limit(
        "samples",
        1_000_000,
        "a method's sample or evaluation count (`nsamples`, "
        "`num_samples`, `max_evals`, `steps`, ...)",
    ),
    Limit("claims", 1_000, "claims in one spec"),
)

#: Every limit by name (read-only).
LIMITS: Final = MappingProxyType({lim.name: lim for lim in _TABLE})


def limit(name: str) -> int:
    """The value of the limit ``name`` (a ``KeyError`` names an unknown limit)."""
    return LIMITS[name].value


class LimitExceeded(ValueError):
    """A size known only at run time (a drawn world, a computed value) is over its limit.

    The runner reports it as the verdict ``invalid`` (ES342), naming the limit."""

    def __init__(self, name: str, value: int, what: str) -> None:
        self.name, self.value, self.what = name, int(value), what
        super().__init__(f"{what} would be {int(value):,}, over the limit {name} = {limit(name):,}")


def check_size(name: str, value: float, what: str) -> None:
    """Refuse, before anything is allocated, a run-time size over the limit ``name``.

    >>> check_size("rows", 10, "rows of the data")
    >>> check_size("cells", 10**8, "rows x features of the data")
    Traceback (most recent call last):
    ...
    explainspec.catalog.limits.LimitExceeded: rows x features of the data would be 100,000,000, over the limit cells = 10,000,000
    """
    if value > limit(name):
        raise LimitExceeded(name, int(value), what)
