"""``python -m fortuna``: the same as the ``fortuna`` command."""

import sys

from fortuna._internal.cli import main

sys.exit(main())
