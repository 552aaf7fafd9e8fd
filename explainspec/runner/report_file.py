"""Reading a JSON report file, which may be hostile (an artifact of another run, a file of an
untrusted checkout): its size is bounded before it is read, a file that is not a regular file is
not opened, nor one reached through a link out of the checkout (the rule for spec files), and what is not a JSON document (bad UTF-8, bad JSON, nesting deeper than the JSON
parser's recursion) is a :class:`ReportFileError` with a plain message, never a crash.

Numpy-free: ``explainspec diff`` and ``explainspec docs --results`` read reports with it;
:func:`explainspec.world_from_report` has the same limit.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

#: the largest JSON report explainspec reads (bytes)
REPORT_BYTES = 256 * 1024 * 1024


class ReportFileError(ValueError):
    """A file that cannot be read as a JSON document (the message says why, with the path)."""


def read_report_file(path: str | os.PathLike[str], *, limit: int | None = None) -> Any:
    """The JSON document in the file at ``path`` (any JSON value: the caller checks its shape),
    of at most ``limit`` bytes (default :data:`REPORT_BYTES`).

    >>> try:
    ...     read_report_file("/nonexistent/report.json")
    ... except ReportFileError as e:
    ...     print(e)
    cannot read the report /nonexistent/report.json: No such file or directory
    """
    p = Path(path)
    most = REPORT_BYTES if limit is None else limit
    from explainspec.lang.loader import link_out

    why = link_out(p)  # the rule for spec files: a checkout's link
    if why is not None:
        raise ReportFileError(
            f"{p} {why}: not read (a checkout is untrusted; name the file itself)"
        )
    try:
        info = p.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device could block or never end
            raise ReportFileError(f"{p} is not a regular file")
        if info.st_size > most:
            raise ReportFileError(f"{p}: the report has {info.st_size} bytes; the limit is {most}")
        with p.open("rb") as fh:
            data = fh.read(most + 1)  # a size of 0 (/proc) is not believed
        if len(data) > most:
            raise ReportFileError(f"{p}: the report has more than {most} bytes")
        return json.loads(data.decode("utf-8"))
    except ReportFileError:
        raise
    except OSError as e:
        raise ReportFileError(f"cannot read the report {p}: {e.strerror or e}") from None
    except RecursionError:
        raise ReportFileError(f"{p} is not a JSON report: it is nested too deeply") from None
    except json.JSONDecodeError as e:
        raise ReportFileError(
            f"{p} is not a JSON report (line {e.lineno}, column {e.colno}: not JSON: {e.msg})"
        ) from None
    except ValueError as e:  # UnicodeDecodeError
        raise ReportFileError(f"{p} is not a JSON report: {str(e)[:200]}") from None
