"""``python -m explainspec``: the command line."""

import sys

from explainspec.cli import main

sys.exit(main())
