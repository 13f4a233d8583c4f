"""``python -m sim`` runs the ``tradesim`` command line."""

import sys

from sim.cli import main

sys.exit(main())
