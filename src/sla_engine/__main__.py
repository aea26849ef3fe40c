"""``python -m sla_engine`` runs the ``sla-engine`` command."""

import sys

from sla_engine.cli import main

sys.exit(main())
