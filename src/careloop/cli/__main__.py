"""`python -m careloop.cli`: the same command as the `careloop` entry point."""

import sys

from careloop.cli.main import app

sys.exit(app())
