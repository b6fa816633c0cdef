"""`python -m careloop`: the same command as the `careloop` entry point, for hosts where
the console script is not on the PATH (a container's exec, a scheduler's job line)."""

import sys

from careloop.cli.main import app

sys.exit(app())
