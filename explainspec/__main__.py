"""``python -m explainspec``: the command line."""

import sys

from explainspec.cli import entry

sys.exit(entry())
