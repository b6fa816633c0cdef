"""The `careloop` command: one Typer app with a sub-app per context."""

from careloop.cli.main import app

__all__ = ["app"]
