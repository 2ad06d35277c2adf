"""Entry point of ``python -m gis``."""

import sys

from gis.cli import main

if __name__ == "__main__":
    sys.exit(main())
