"""``python -m hailong``: the same as the ``hailong`` command."""

import sys

from hailong.cli import main

if __name__ == "__main__":
    sys.exit(main())
