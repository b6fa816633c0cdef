"""The one composition root: engine, sessions, notify adapters and event handlers.

Channels (API, web, CLI, jobs) hold a `Platform` and ask it for units of work; they never
build an engine or import the store themselves. `build` makes one for a database (the API
app, a test); `platform` is the per-process one the CLI and the job workers share.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from careloop.config import Settings
from careloop.domain import events as domain_events
from careloop.domain.events import DomainEvent
from careloop.notify.adapters import Adapter, adapters_from_settings
from careloop.services.events import EventRegistry
from careloop.services.unit_of_work import EVENTS_KEY, UnitOfWork
from careloop.store.database import make_engine, make_session_factory

log = logging.getLogger("careloop.events")


@dataclass
class Platform:
    """Everything a process needs to run use cases against one database."""

    database_url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    adapters: dict[str, Adapter]
    events: EventRegistry = field(default_factory=EventRegistry)

    @property
    def backend(self) -> str:
        """`sqlite` or `postgresql`: which job queue and which SQL shortcuts apply."""
        return backend_of(self.database_url)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def check_database(self) -> None:
        """Raise if the database does not answer (the health endpoint's probe)."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def backend_of(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


def redacted(database_url: str) -> str:
    """The URL as it may be printed: the password masked."""
    return make_url(database_url).render_as_string(hide_password=True)


def queue_conninfo(database_url: str) -> str:
    """psycopg's connection string for a SQLAlchemy URL (postgresql+psycopg://...)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("the job queue needs PostgreSQL; use the in-process runner on SQLite")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def build(
    database_url: str | None = None,
    *,
    engine: Engine | None = None,
    adapters: dict[str, Adapter] | None = None,
    events: EventRegistry | None = None,
    settings: Settings | None = None,
) -> Platform:
    """A platform for `database_url` (default: the settings'); the keyword parts replace
    what would be built (a test's recording adapters, its own registry, the app's settings
    that choose the notify adapters)."""
    settings = settings or Settings.from_env()
    url = database_url or settings.database_url
    engine = engine if engine is not None else make_engine(url)
    adapters = adapters if adapters is not None else adapters_from_settings(settings)
    events = events if events is not None else EventRegistry()
    if events.queue is None and backend_of(url) == "postgresql":
        events.queue = _ProcrastinateQueue(url)
    session_factory = make_session_factory(engine)
    # Every unit of work from this factory, whoever builds it, publishes to this registry.
    session_factory.configure(info={EVENTS_KEY: events})
    register_handlers(events)
    register_use_case_handlers(events, session_factory)
    register_survey_planner(events, session_factory)
    register_spam_complaint_recorder(events, session_factory)
    return Platform(url, engine, session_factory, adapters, events)


class _ProcrastinateQueue:
    """Queued handlers go through Procrastinate on PostgreSQL, as the SLA jobs do; loaded
    on the first queued delivery, so a process without one never imports the queue."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def defer(self, handler: str, event: DomainEvent) -> None:
        from careloop.jobs.queue import defer_event

        defer_event(self.database_url, handler, event)

    def defer_all(self, jobs: list[tuple[str, DomainEvent]]) -> None:
        from careloop.jobs.queue import defer_events

        defer_events(self.database_url, jobs)


@lru_cache(maxsize=4)
def _platform(database_url: str) -> Platform:
    return build(database_url)


def platform(database_url: str | None = None) -> Platform:
    """The per-process platform of the CLI and the job workers, one per database."""
    return _platform(database_url or Settings.from_env().database_url)


def migrate(platform: Platform, revision: str = "heads") -> None:
    """Create or upgrade the schema (Alembic)."""
    from careloop.store.migrate import upgrade

    upgrade(platform.database_url, revision)


# --- event handlers ------------------------------------------------------------------------


def log_closed_complaint(event: DomainEvent) -> None:
    """The operations log keeps one line per closed loop (a satisfied callback)."""
    log.info("complaint %s closed by staff %s at %s", event.complaint_id, event.actor_id, event.at)


def register_handlers(events: EventRegistry) -> None:
    """Every listener of every domain event, in one place."""
    events.on(domain_events.COMPLAINT_CLOSED, log_closed_complaint)


def register_use_case_handlers(
    events: EventRegistry, session_factory: sessionmaker[Session]
) -> None:
    """Listeners that run a use case of their own on this platform's database (queued)."""
    from careloop.services.supervision.accountability import CaseOpener, listens_to

    opener = CaseOpener(session_factory)
    for name in listens_to():
        events.on(name, opener, queued=True)


def register_survey_planner(events: EventRegistry, session_factory: sessionmaker[Session]) -> None:
    """A complaint closed after a satisfied callback gets a post-service survey planned
    (services.surveys.sending), queued: it runs after the close committed, in a worker."""
    from careloop.services.surveys.sending import SurveyPlanner

    events.on(domain_events.COMPLAINT_CLOSED, SurveyPlanner(session_factory), queued=True)


def register_spam_complaint_recorder(
    events: EventRegistry, session_factory: sessionmaker[Session]
) -> None:
    """A complaint in a ``spam.*`` category is also a spam report (services.spam.reports):
    a filter on every accepted complaint passes only those on, queued, so other intakes
    queue nothing and a slow grouping never holds one."""
    from careloop.services.spam.reports import SPAM_COMPLAINT, SpamComplaintRecorder, spam_only

    events.on(SPAM_COMPLAINT, SpamComplaintRecorder(session_factory), queued=True)
    events.on(domain_events.COMPLAINT_ACCEPTED, spam_only(events))
