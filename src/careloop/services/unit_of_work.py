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

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from careloop.domain.events import DomainEvent, event_for
from careloop.services.events import Publisher
from careloop.store.models import Event

EVENTS_KEY = "careloop.events"
"""Where a session factory's `info` keeps the registry its units of work publish to."""


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self.session: Session
        self.events: list[DomainEvent] = []
        """Raised in the current transaction, published when it commits."""

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.events = []
        event.listen(self.session, "after_flush", self._collect_added)
        event.listen(self.session, "do_orm_execute", self._collect_inserted)
        event.listen(self.session, "after_rollback", self._drop)
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

    def _drop(self, _session: Session) -> None:
        self.events.clear()

    # --- collecting the audit rows of this transaction -------------------------------------

    def _collect_added(self, session: Session, _flush: UOWTransaction) -> None:
        for row in session.new:
            if isinstance(row, Event):
                self._add(_row_values(row))

    def _collect_inserted(self, state: ORMExecuteState) -> None:
        statement = state.statement
        if not (state.is_insert and getattr(statement, "table", None) is Event.__table__):
            return
        params = state.parameters
        rows: Sequence[Mapping[str, Any]] = (
            params if isinstance(params, Sequence) else [params] if params else []
        )
        for values in rows:
            self._add(values)

    def _add(self, values: Mapping[str, Any]) -> None:
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


def _row_values(row: Event) -> dict[str, Any]:
    return {
        "action": row.action,
        "complaint_id": row.complaint_id,
        "work_order_id": row.work_order_id,
        "at": row.at,
        "actor_id": row.actor_id,
        "after": row.after,
        "note": row.note,
    }
