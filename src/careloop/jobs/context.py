"""One engine per worker process, built from the settings (nothing here reads the clock)."""

from __future__ import annotations

import os
import socket
from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from careloop.notify.adapters import Adapter, adapters_from_env
from careloop.store.database import make_engine, make_session_factory


@lru_cache(maxsize=4)
def session_factory(database_url: str) -> sessionmaker[Session]:
    return make_session_factory(make_engine(database_url))


def adapters() -> dict[str, Adapter]:
    return adapters_from_env(os.environ)


def worker_name() -> str:
    """Recorded on every alert, so the log shows which worker fired it."""
    return f"{socket.gethostname()}:{os.getpid()}"
