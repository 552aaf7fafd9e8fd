"""The errors of bound sources (``ES360``-``ES369``): bad models, bad tables, bad bindings.

Plain Python (no numpy import), so the command line and the docs can list the codes cheaply. Every
error names the file (and the column, where there is one); ``explainspec audit`` prints it and
exits with status 2 before anything is run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

#: every code of a bound source with its one-line meaning (``docs/reference/errors.md`` lists them)
SOURCE_CODES: Final[Mapping[str, str]] = {
    "ES360": "the model cannot be used: unknown file type or model type, or the file does not load",
    "ES361": "the model's prediction fails on the data, or returns the wrong shape or non-finite values",
    "ES362": "a data column is not numeric (text or categorical): encode it first",
    "ES363": "a data column has missing values (NaN or empty cells)",
    "ES364": "the data is empty: no rows or no feature columns",
    "ES365": "the data's columns do not match the model's features (their number or names)",
    "ES366": "the data file is larger than a limit (its bytes, its columns): refused before "
    "loading",
    "ES367": "a binding or audit option is invalid (NAME=FILE syntax, a name bound twice, an "
    "unknown target or group column, groups that do not partition the features, an output "
    "scale the model does not have)",
    "ES368": "a .skops file contains types that are not trusted: pass them with --trust TYPE "
    "after reading the list",
    "ES369": "a pickle or joblib file is refused without --trust-pickle (loading it runs code)",
}


#: the longest message (and hint) of a :class:`SourceError`: the rest is cut (a data file's cell
#: of 3 MB, shown as an example of a text column, was 3 MB of the CI log)
MESSAGE_CHARS = 2000


class SourceError(ValueError):
    """A bound model or table that cannot be used, with its stable code.

    Examples
    --------
    >>> print(SourceError("ES363", "column 'bmi' has 2 missing values", path="d.csv"))
    d.csv: ES363 column 'bmi' has 2 missing values
    """

    def __init__(
        self, code: str, message: str, *, path: str | None = None, hint: str | None = None
    ) -> None:
        if code not in SOURCE_CODES:
            raise ValueError(f"unknown source error code {code!r}")
        message = _cut(message)  # a cell or a header of a hostile file, echoed
        hint = None if hint is None else _cut(hint)
        self.code, self.message, self.path, self.hint = code, message, path, hint
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.path}: " if self.path else ""
        text = f"{head}{self.code} {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


def _cut(text: str) -> str:
    """``text`` cut to :data:`MESSAGE_CHARS`, saying how much was left out."""
    if len(text) <= MESSAGE_CHARS:
        return text
    return f"{text[:MESSAGE_CHARS]}... ({len(text) - MESSAGE_CHARS} more characters)"


def refuse_linked_outside(path: str, code: str) -> None:
    """``SourceError(code)`` when a symbolic link leads the model, data or groups file ``path``
    outside both the working directory and the link's own folder: the rule for spec files
    (:func:`explainspec.lang.loader.read_source`). A checkout's ``data/train.csv`` linked to
    ``~/.netrc`` printed the file's first line, as the table's column names, in the audit's
    error (the CI log) and its card."""
    from explainspec.lang.loader import link_out

    why = link_out(path)
    if why is not None:
        raise SourceError(
            code,
            f"{why}: not read",
            path=path,
            hint="a checkout is untrusted: a link in it could make explainspec read and print a "
            "file of the machine; name the file itself",
        )
