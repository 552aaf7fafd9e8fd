"""``python -m explainspec``: the command line.

``python -m`` puts the working directory first on ``sys.path`` (unless ``-P`` or
``PYTHONSAFEPATH`` is given). It is taken off before anything else is imported, so the checkout
being verified cannot stand in for numpy or the standard library. Python itself imports a few
modules (``__future__``, ``contextlib``, ``pathlib``, ``typing``, ``warnings``) before this file
runs, so in an untrusted checkout run ``explainspec`` (the console script, which never has the
working directory on ``sys.path``) or ``python -P -m explainspec``.
"""

import os
import sys

if not sys.flags.safe_path and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from explainspec.cli import entry  # noqa: E402 - after the working directory left sys.path

sys.exit(entry())
