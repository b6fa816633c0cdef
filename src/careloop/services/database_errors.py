"""The database failures a channel answers in its own words, named without the store.

Channels map these to their answers (the API: 503 ``database_unavailable`` with
Retry-After, or 422 for a value out of the database's range) without importing the
database toolkit: the exception classes are listed here, where the store is known.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.exc import DataError, InterfaceError, OperationalError, StatementError

UNAVAILABLE: Final[tuple[type[Exception], ...]] = (OperationalError, InterfaceError)
"""The database could not be reached or dropped the connection: nothing was changed."""

REFUSED_VALUE: Final[tuple[type[Exception], ...]] = (DataError, StatementError)
"""A statement failed on a value; ``is_out_of_range`` tells the caller's mistake (a value
the database cannot hold) from a fault of ours."""


def is_out_of_range(exc: BaseException) -> bool:
    """A value the database cannot hold (an id beyond 64 bits, a date past year 9999): the
    caller's mistake, answered 422, never 500."""
    orig = getattr(exc, "orig", None)
    return isinstance(exc, DataError | OverflowError) or isinstance(orig, OverflowError)
