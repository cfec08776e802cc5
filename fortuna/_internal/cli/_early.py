"""Imported first by ``import fortuna``: arms the stop-signal handler in the ``fortuna``
process itself, before any heavy import (see :mod:`fortuna._internal.cli.stopping`)."""

from fortuna._internal.cli.stopping import arm_if_cli

arm_if_cli()
