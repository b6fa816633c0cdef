"""One unit of work per use case (cosmicpython): commit all of it or none of it.

It also carries the use case's domain events: every audit row written in it (an `Event`
added to the session, or inserted in bulk by intake) becomes a `DomainEvent`, handed to the
registry of the session factory (bootstrap.py puts it in the factory's `info`) only after
a successful commit; a rollback drops them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any
from weakref import WeakSet

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from careloop.domain.events import DomainEvent, event_for
from careloop.services.events import Publisher
from careloop.store.models import Event

EVENTS_KEY = "careloop.events"
"""Where a session factory's `info` keeps the registry its units of work publish to."""
_UOW_KEY = "careloop.unit_of_work"
_listening: WeakSet[sessionmaker[Session]] = WeakSet()


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self.session: Session
        self.events: list[DomainEvent] = []
        """Raised in the current transaction, published when it commits."""

    def __enter__(self) -> UnitOfWork:
        _listen(self._session_factory)
        self.session = self._session_factory()
        self.session.info[_UOW_KEY] = self
        self.events = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.session.rollback()
            self.events.clear()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
        raised, self.events = self.events, []
        publisher: Publisher | None = self.session.info.get(EVENTS_KEY)
        if raised and publisher is not None:
            publisher.publish(raised)

    def rollback(self) -> None:
        self.session.rollback()
        self.events.clear()

    def expire_all(self) -> None:
        """Forget what was read, so the next read shows what the use case just wrote."""
        self.session.expire_all()

    def in_transaction(self) -> bool:
        """Whether a transaction is open: closing then rolls back, a database round trip."""
        return self.session.in_transaction()

    def close(self) -> None:
        """End the use case without leaving the ``with`` block (a request's unit of work is
        closed by its dependency, not by a block); anything uncommitted is rolled back."""
        self.session.close()

    def add_event(self, values: Mapping[str, Any]) -> None:
        """The domain event of one audit row (its column values), if it stands for one."""
        raised = event_for(
            str(values.get("action")),
            complaint_id=values.get("complaint_id"),
            work_order_id=values.get("work_order_id"),
            at=values["at"],
            actor_id=values.get("actor_id"),
            payload={**(values.get("after") or {}), "note": values.get("note")},
        )
        if raised is not None:
            self.events.append(raised)


# --- collecting the audit rows of a transaction ------------------------------------------
# Listeners go on the session factory once (per unit of work they would cost more than a
# small use case); they find their unit of work in the session's `info`.


def _listen(factory: sessionmaker[Session]) -> None:
    if factory in _listening:
        return
    event.listen(factory, "after_flush", _collect_added)
    event.listen(factory, "do_orm_execute", _collect_inserted)
    event.listen(factory, "after_rollback", _drop)
    _listening.add(factory)


def _unit_of(session: Session) -> UnitOfWork | None:
    return session.info.get(_UOW_KEY)


def _drop(session: Session) -> None:
    uow = _unit_of(session)
    if uow is not None:
        uow.events.clear()


def _collect_added(session: Session, _flush: UOWTransaction) -> None:
    uow = _unit_of(session)
    if uow is None:
        return
    for row in session.new:
        if isinstance(row, Event):
            uow.add_event(
                {
                    "action": row.action,
                    "complaint_id": row.complaint_id,
                    "work_order_id": row.work_order_id,
                    "at": row.at,
                    "actor_id": row.actor_id,
                    "after": row.after,
                    "note": row.note,
                }
            )


def _collect_inserted(state: ORMExecuteState) -> None:
    """Intake writes its audit rows with one bulk INSERT, past the session's unit of work."""
    if not (state.is_insert and getattr(state.statement, "table", None) is Event.__table__):
        return
    uow = _unit_of(state.session)
    if uow is None:
        return
    params = state.parameters
    rows: Sequence[Mapping[str, Any]] = (
        params if isinstance(params, Sequence) else [params] if params else []
    )
    for values in rows:
        uow.add_event(values)
