"""The cookies both channels read: the web login sets the session, the API accepts it."""

from __future__ import annotations

from typing import Final

SESSION_COOKIE: Final = "careloop_session"
"""The login's token as an HttpOnly cookie: the pages' session, an API credential too."""
