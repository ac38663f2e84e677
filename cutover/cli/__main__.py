"""`python -m cutover.cli`: the console script from a checkout."""

import sys

from cutover.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
