"""The SLA sweep: warn at 80 %, breach, escalate along the org tree — each exactly once.

"Exactly once" is the database's job, not luck's: every alert is an INSERT into
``sla_alerts`` guarded by UNIQUE (subject, kind) with ON CONFLICT DO NOTHING, and only the
transaction whose INSERT returned a row writes the notifications, in the same transaction,
into the ``notifications`` outbox (itself UNIQUE on ``dedup_key``). Two workers that sweep
the same complaint at once, or a worker that restarts half-way, therefore record and notify
nothing twice. The clocks come from ``services.sla.clocks_for``: the same rule the API shows.

The stored SLA columns on complaints and work orders are derived state, written with plain
UPDATEs that leave ``version`` alone, so a sweep never turns a user's save into a 409.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    and_,
    exists,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from careloop.domain import permissions
from careloop.domain.errors import DomainError
from careloop.domain.events import DomainEvent, event_for_alert
from careloop.domain.privacy import may_unmask
from careloop.domain.sla.escalation import due_alerts, escalation_steps, next_check, step_alert
from careloop.notify.adapters import Adapter, Message
from careloop.notify.quiet_hours import QuietHours
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.access.self_service import ONE_TIME_CODE_KIND
from careloop.services.complaints import work_steps
from careloop.services.sla import clocks as sla
from careloop.services.sla import refresh
from careloop.services.sla.calendar import CalendarBook, calendar_data
from careloop.services.sla.policies import POLICY_ROLES
from careloop.services.sla.read_models import OutboxMessage, outbox_message
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import (
    Complaint,
    Notification,
    OrgUnit,
    SlaAlert,
    SlaPolicy,
    Staff,
    WorkOrder,
)

log = logging.getLogger("careloop.sla.sweep")


@dataclass
class SweepReport:
    examined: int = 0
    alerts: Counter[str] = field(default_factory=Counter)
    notifications: int = 0

    def add(self, other: SweepReport) -> None:
        self.examined += other.examined
        self.alerts.update(other.alerts)
        self.notifications += other.notifications

    def as_dict(self) -> dict[str, Any]:
        return {
            "examined": self.examined,
            "alerts": dict(self.alerts),
            "notifications": self.notifications,
        }


def candidate_ids(uow: UnitOfWork, now: datetime) -> list[int]:
    """Complaints whose clocks need a look now: never evaluated, changed since, or a stored
    next-check time (warning, due, escalation step) that has come. Pauses only ever push
    deadlines later, so a stored time is never later than the real one. A complaint with no
    policy is looked at too: the regulatory outer limits hold it all the same."""
    orders = select(WorkOrder.complaint_id).where(
        or_(WorkOrder.sla_state.is_(None), WorkOrder.sla_warn_at <= now)
    )
    query = (
        select(Complaint.id)
        .where(
            Complaint.accepted_at <= now,
            or_(
                Complaint.sla_evaluated_at.is_(None),
                Complaint.sla_warn_at <= now,
                Complaint.updated_at > Complaint.sla_evaluated_at,
                Complaint.id.in_(orders),
            ),
        )
        .order_by(Complaint.id)
    )
    return list(uow.session.scalars(query))


def _insert_new(
    session: Session,
    model: type[Any],
    rows: Sequence[Mapping[str, Any]],
    unique: Sequence[str],
    returning: Sequence[str],
) -> list[Row[Any]]:
    """INSERT ``rows`` ON CONFLICT (``unique``) DO NOTHING; the rows this statement created.

    One statement per batch, whatever the number of rows: on PostgreSQL the columns travel
    as arrays (``INSERT ... SELECT * FROM unnest(...)``), so the SQL text is constant and
    cheap to parse; on SQLite SQLAlchemy's "insertmanyvalues" batches one cached single-row
    statement. Conflicting rows return nothing: exactly-once stays the database's job.
    """
    if not rows:
        return []
    table = model.__table__
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        names = list(rows[0])
        columns = [table.c[name] for name in names]
        arrays = ", ".join(
            f"CAST(:{name} AS {column.type.compile(connection.dialect)}[])"
            for name, column in zip(names, columns, strict=True)
        )
        sql = text(
            f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(unique)}) DO NOTHING RETURNING {', '.join(returning)}"
        )
        params = {name: [row[name] for row in rows] for name in names}
        return list(connection.execute(sql, params))
    stmt = (
        sqlite.insert(table)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(*(table.c[name] for name in returning))
    )
    return list(connection.execute(stmt, list(rows)))


# --- who hears about a breach: the org tree upwards ---------------------------------------


class OrgDirectory:
    """Units and staff, loaded once per chunk, to walk owner → unit lead → city → province."""

    def __init__(self, session: Session) -> None:
        self.units = {u.id: u for u in session.scalars(select(OrgUnit))}
        self.staff_by_unit: dict[int, list[Staff]] = {}
        self.staff = {}
        self._recipients: dict[tuple[str, str, int, int], list[str]] = {}
        for person in session.scalars(select(Staff).where(Staff.active.is_(True))):
            self.staff_by_unit.setdefault(person.org_unit_id, []).append(person)
            self.staff[person.id] = person

    def _chain(self, unit_id: int) -> list[OrgUnit]:
        """The unit and its ancestors, nearest first."""
        unit = self.units.get(unit_id)
        if unit is None:
            return []
        return [self.units[i] for i in reversed(_ids(unit.path)) if i in self.units]

    def _people(self, unit: OrgUnit, roles: set[str]) -> list[str]:
        return sorted(
            f"staff:{p.username}" for p in self.staff_by_unit.get(unit.id, []) if p.role in roles
        )

    def recipients(self, target: str, owner: str, owner_unit_id: int, region_id: int) -> list[str]:
        """Who hears about a step; remembered per chunk (a backlog repeats the same few)."""
        key = (target, owner, owner_unit_id, region_id)
        found = self._recipients.get(key)
        if found is None:
            found = self._recipients[key] = self._find(target, owner, owner_unit_id, region_id)
        return found

    def _find(self, target: str, owner: str, owner_unit_id: int, region_id: int) -> list[str]:
        if target == "owner":
            return [owner]
        if target == "unit_lead":
            for unit in self._chain(owner_unit_id):
                leads = self._people(unit, {"unit_lead"})
                if leads:
                    return leads
            unit = self.units.get(owner_unit_id)
            return [f"unit:{unit.code}"] if unit else []
        kind = "city" if target == "city" else "province"
        level = next((u for u in self._chain(region_id) if u.kind == kind), None)
        if level is None:
            return []
        people = self._people(level, {"unit_lead", "supervisor"})
        if kind == "province":
            for unit in self.units.values():
                if unit.parent_id == level.id and unit.kind == "department":
                    people += self._people(unit, {"supervisor", "unit_lead"})
        return sorted(set(people)) or [f"unit:{level.code}"]


def _ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


# --- one chunk, one transaction ------------------------------------------------------------


@dataclass
class _Due:
    """An alert whose time has come, waiting for its (batched) INSERT."""

    complaint: Complaint
    view: sla.ClockView
    kind: str
    owner: str
    owner_unit: int


class _Chunk:
    """One transaction's worth of clocks: alerts and notices are written in two batched
    INSERT ... ON CONFLICT DO NOTHING RETURNING statements, so only rows this transaction
    really created produce messages."""

    def __init__(
        self,
        session: Session,
        now: datetime,
        worker: str,
        quiet: QuietHours,
        events: list[DomainEvent],
    ) -> None:
        self.session, self.now, self.worker, self.quiet = session, now, worker, quiet
        self.events = events
        """The unit of work's events: a breach or escalation this chunk really recorded is
        published once the chunk commits (`careloop.complaint.breached`, `…escalated`)."""
        self.report = SweepReport()
        self.directory = OrgDirectory(session)
        self.due: list[_Due] = []
        self.bodies: dict[str, str] = {}

    def owner_of(self, complaint: Complaint, view: sla.ClockView) -> tuple[str, int]:
        if view.work_order_id is None:
            return f"staff:{complaint.first_owner.username}", complaint.owner_unit_id
        order = next(o for o in complaint.work_orders if o.id == view.work_order_id)
        person = self.directory.staff.get(order.owner_id) if order.owner_id else None
        if person is not None:
            return f"staff:{person.username}", order.unit_id
        return f"unit:{order.unit.code}", order.unit_id

    def clock(self, complaint: Complaint, view: sla.ClockView, sent: set[str]) -> datetime | None:
        """Queue the alerts due on this clock; the next time it needs a look."""
        steps = escalation_steps(view.policy)
        kinds = due_alerts(view.state, sent, steps)
        if kinds:
            owner, owner_unit = self.owner_of(complaint, view)
            for kind in kinds:
                self.due.append(_Due(complaint, view, kind, owner, owner_unit))
                sent.add(kind)
        return next_check(view.state, sent, steps, self.now)

    def flush(self) -> None:
        if not self.due:
            return
        self.due.sort(key=lambda d: (d.view.subject, d.kind))  # one lock order for all
        rows = [
            {
                "subject": d.view.subject,
                "kind": d.kind,
                "complaint_id": d.view.complaint_id,
                "work_order_id": d.view.work_order_id,
                "policy_id": d.view.policy.id if d.view.policy else None,
                "at": self.now,
                "due_at": d.view.state.due_at,
                "overrun_minutes": d.view.state.overrun_minutes,
                "recorded_by": self.worker,
            }
            for d in self.due
        ]
        recorded = {
            (subject, kind): alert_id
            for alert_id, subject, kind in _insert_new(
                self.session, SlaAlert, rows, ("subject", "kind"), ("id", "subject", "kind")
            )
        }
        messages: list[dict[str, Any]] = []
        for d in self.due:
            alert_id = recorded.get((d.view.subject, d.kind))
            if alert_id is None:
                continue  # another worker (or an earlier run) recorded it and notified
            self.report.alerts[d.kind.split(":")[0]] += 1
            messages += self.messages(alert_id, d)
            raised = event_for_alert(
                d.kind,
                complaint_id=d.view.complaint_id,
                work_order_id=d.view.work_order_id,
                at=self.now,
            )
            if raised is not None:
                self.events.append(raised)
        if messages:
            created = _insert_new(self.session, Notification, messages, ("dedup_key",), ("id",))
            self.report.notifications += len(created)
        self.due.clear()

    def messages(self, alert_id: int, d: _Due) -> list[dict[str, Any]]:
        policy = d.view.policy
        if d.kind == "warning":
            kind, level = "reminder", None
            channel = policy.reminder_channel if policy else "sms"
            recipients = [d.owner]
        elif d.kind.startswith("escalation:"):
            step = next(s for s in escalation_steps(policy) if step_alert(s) == d.kind)
            kind, level, channel = "escalation", int(step["level"]), step.get("channel", "email")
            recipients = self.directory.recipients(
                step["to"], d.owner, d.owner_unit, d.complaint.region_id
            )
        else:
            return []  # the breach itself is told through the escalation steps
        zone = policy.timezone if policy else self.quiet.timezone
        quiet = QuietHours(self.quiet.start, self.quiet.end, zone, self.quiet.channels)
        # Reminders wait out quiet hours; a breach escalates at once.
        send_after = quiet.next_allowed(self.now, channel) if kind == "reminder" else self.now
        label = {"reminder": "即将超时 / due soon", "escalation": "已超时 / overdue"}[kind]
        body = self.bodies.get(d.view.subject)
        if body is None:  # one text per clock, whichever of its steps fired
            body = self.bodies[d.view.subject] = (
                f"{d.view.explanation('zh')}\n{d.view.explanation('en')}"
            )
        return [
            {
                "dedup_key": f"alert:{alert_id}:{recipient}",
                "kind": kind,
                "channel": channel,
                "recipient": recipient,
                "subject": f"[CareLoop] {label} {d.complaint.number} {d.view.name}"[:200],
                "body": body,
                "complaint_id": d.complaint.id,
                "alert_id": alert_id,
                "level": level,
                "status": "pending",
                "created_at": self.now,
                "send_after": send_after,
            }
            for recipient in dict.fromkeys(recipients)
        ]


def sweep_chunk(
    session_factory: sessionmaker[Session],
    complaint_ids: Sequence[int],
    now: datetime,
    worker: str = "in-process",
    quiet: QuietHours | None = None,
    attempts: int = 3,
) -> SweepReport:
    """Evaluate the clocks of ``complaint_ids`` at ``now`` in one transaction, retrying a
    deadlock or serialization failure (the unique constraints make a retry harmless)."""
    for attempt in range(1, attempts + 1):
        try:
            return _sweep_chunk_once(session_factory, complaint_ids, now, worker, quiet)
        except OperationalError:
            if attempt == attempts:
                raise
            log.warning("sweep chunk retried after a database conflict", exc_info=True)
    raise AssertionError("unreachable")  # pragma: no cover


def _sweep_chunk_once(
    session_factory: sessionmaker[Session],
    complaint_ids: Sequence[int],
    now: datetime,
    worker: str,
    quiet: QuietHours | None,
) -> SweepReport:
    ids = sorted(set(complaint_ids))  # one lock order for every worker: no deadlocks
    with UnitOfWork(session_factory) as uow:
        session = uow.session
        complaints = list(
            session.scalars(
                select(Complaint)
                .where(Complaint.id.in_(ids))
                .options(selectinload(Complaint.work_orders))
                .order_by(Complaint.id)
            )
        )
        chunk = _Chunk(session, now, worker, quiet or QuietHours(), uow.events)
        events = sla.load_events(uow, ids)
        policies = sla.load_policies(uow, (c.sla_policy_id for c in complaints))
        book = CalendarBook(calendar_data(uow))
        clocks = {
            c.id: sla.clocks_for(c, events[c.id], policies.get(c.sla_policy_id or -1), book, now)
            for c in complaints
        }
        sent: dict[str, set[str]] = {}
        for subject, kind in session.execute(
            select(SlaAlert.subject, SlaAlert.kind).where(SlaAlert.complaint_id.in_(ids))
        ):
            sent.setdefault(subject, set()).add(kind)
        complaint_rows: list[dict[str, Any]] = []
        order_rows: list[dict[str, Any]] = []
        for complaint in complaints:
            chunk.report.examined += 1
            views = clocks[complaint.id].clocks
            try:
                next_by_subject = {
                    v.subject: chunk.clock(complaint, v, sent.setdefault(v.subject, set()))
                    for v in views
                }
                policy = clocks[complaint.id].policy
                reply_work, order_work = refresh.handle_minutes(
                    complaint, events[complaint.id], book(policy)
                )
                row = refresh.complaint_row(
                    complaint, views, sent, next_by_subject, now, reply_work
                )
                rows = [refresh.work_order_row(o, views, sent, next_by_subject, now,
                                               order_work[o.id])
                        for o in complaint.work_orders]  # fmt: skip
            except (OverflowError, ValueError):
                # One complaint with a time out of range is skipped, not the province's sweep.
                log.warning("complaint %s skipped by the sweep: a time is out of range",
                            complaint.id)  # fmt: skip
                continue
            complaint_rows.append(row)
            order_rows.extend(r for r in rows if r is not None)
        refresh.store_rows(session, complaint_rows, order_rows, evaluated=True)
        chunk.flush()
        uow.commit()
        return chunk.report


def chunks(ids: Sequence[int], size: int) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def sweep(
    session_factory: sessionmaker[Session],
    now: datetime,
    worker: str = "in-process",
    chunk_size: int = 100,
    quiet: QuietHours | None = None,
) -> SweepReport:
    """The whole sweep in this process (the in-process runner, the CLI, tests)."""
    with UnitOfWork(session_factory) as uow:
        ids = candidate_ids(uow, now)
    report = SweepReport()
    for part in chunks(ids, chunk_size):
        report.add(sweep_chunk(session_factory, part, now, worker, quiet))
    return report


def sweep_round(
    session_factory: sessionmaker[Session],
    adapters: Mapping[str, Adapter],
    now: datetime,
    worker: str,
) -> dict[str, Any]:
    """One round as the scheduler runs it: every clock once, then the outbox's due
    messages; the sweep's counts and how many messages were handed over."""
    report = sweep(session_factory, now, worker=worker)
    with UnitOfWork(session_factory) as uow:  # work steps past due: each announced once
        steps_breached = work_steps.sweep_steps(uow, now)
    delivered = deliver_notifications(session_factory, adapters, now)
    return {**report.as_dict(), "delivered": delivered, "steps_breached": steps_breached}


def sweep_on_request(
    uow: UnitOfWork,
    actor: Actor,
    session_factory: sessionmaker[Session],
    adapters: Mapping[str, Adapter],
    now: datetime,
) -> dict[str, Any]:
    """A round at a commitment manager's request (the worker does this every minute)."""
    if actor.role not in POLICY_ROLES:
        raise DomainError("role_not_allowed", role=actor.role, action="run the SLA sweep")
    # End the caller's transaction first: on SQLite it holds the write lock (BEGIN
    # IMMEDIATE) since the token lookup, and the sweep's own sessions would wait on it.
    uow.rollback()
    return sweep_round(session_factory, adapters, now, worker="api")


# --- delivery from the outbox -------------------------------------------------------------


def deliver_notifications(
    session_factory: sessionmaker[Session],
    adapters: Mapping[str, Adapter],
    now: datetime,
    limit: int = 500,
) -> int:
    """Hand due outbox rows to their channel's adapter; SKIP LOCKED lets workers share it."""
    with UnitOfWork(session_factory) as uow:
        rows = list(
            uow.session.scalars(
                select(Notification)
                .where(Notification.status == "pending", Notification.send_after <= now)
                .order_by(Notification.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            adapter = adapters[row.channel]
            try:
                adapter.send(Message(row.id, row.channel, row.recipient, row.subject, row.body))
            except Exception as exc:  # a gateway error must not stop the other messages
                row.status, row.error = "failed", str(exc)[:2000]
                log.warning("notification %s failed: %s", row.id, exc)
            else:
                row.status, row.sent_at = "sent", now
            row.adapter = adapter.name
        uow.commit()
        return len(rows)


def list_notifications(
    uow: UnitOfWork,
    actor: Actor,
    complaint_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[OutboxMessage]]:
    """The outbox as `actor` may read it (readable_notifications), oldest first; phone and
    ID numbers masked for roles that cannot unmask. Commitment managers and unit leads
    only: the rest learn of their messages where they are delivered."""
    if actor.role not in POLICY_ROLES | {"unit_lead"}:
        raise DomainError("role_not_allowed", role=actor.role, action="read notifications")
    query = select(Notification).where(readable_notifications(actor))
    if complaint_id is not None:
        query = query.where(Notification.complaint_id == complaint_id)
    if kind:
        query = query.where(Notification.kind == kind)
    if status:
        query = query.where(Notification.status == status)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = uow.session.scalars(query.order_by(Notification.id).limit(limit).offset(offset))
    unmasked = may_unmask(actor.role)
    return total, [outbox_message(row, unmasked) for row in rows]


def readable_notifications(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `Notification`: what of the outbox `actor` may read.

    One-time codes never (whoever reads one can sign in as that customer); a message about a
    complaint only if the complaint is visible to the actor (services.scope); one about no
    complaint (a report) only to the province-wide roles.
    """
    about_visible = exists().where(
        Complaint.id == Notification.complaint_id, scope.visible_to(actor)
    )
    readable = (
        or_(Notification.complaint_id.is_(None), about_visible)
        if actor.role in permissions.PROVINCE_WIDE_ROLES
        else about_visible
    )
    return and_(Notification.kind != ONE_TIME_CODE_KIND, readable)


def alerts_of(uow: UnitOfWork, complaint_id: int) -> list[SlaAlert]:
    return list(
        uow.session.scalars(
            select(SlaAlert).where(SlaAlert.complaint_id == complaint_id).order_by(SlaAlert.id)
        )
    )


__all__ = [
    "SlaPolicy",
    "SweepReport",
    "candidate_ids",
    "deliver_notifications",
    "sweep",
    "sweep_chunk",
]
