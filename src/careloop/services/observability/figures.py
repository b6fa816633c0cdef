"""The figures ``/metrics`` reads at scrape time, from the database every process shares.

Complaint states are the workbench's: open is the list's ``open_term``; warning and
breached are judged by ``services.sla.states`` exactly as the supervisor's dashboard counts
them (the sweeper's clock rule, a complaint counted once at its worst clock), over the whole
province rather than one person's scope. No figure carries a name, number or id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, text

from careloop.services.complaints import queries
from careloop.services.observability.job_runs import JobRunView, job_runs
from careloop.services.sla import states as sla_states
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Notification


@dataclass(frozen=True)
class ComplaintFigures:
    open: int
    warning: int
    """Open complaints whose worst clock is past its warning share, none breached."""
    breached: int
    """Open complaints with at least one breached clock."""


@dataclass(frozen=True)
class Figures:
    complaints: ComplaintFigures
    outbox: dict[str, int]
    """Outbox messages not yet handed over: ``pending`` (all) and ``due`` (sendable now)."""
    queue: dict[tuple[str, str], int]
    """Queued jobs by (queue, status), PostgreSQL only (Procrastinate's table)."""
    jobs: list[JobRunView]


def complaint_figures(uow: UnitOfWork, now: datetime) -> ComplaintFigures:
    """Open, warning and breached complaints at ``now``: the dashboard's counting, unscoped."""
    queries.interactive_reads(uow)
    open_count = (
        uow.session.scalar(select(func.count()).select_from(Complaint).where(queries.open_term()))
        or 0
    )
    at_risk = or_(
        sla_states.sla_candidates(uow, "warning", now, queries.open_term()),
        sla_states.sla_candidates(uow, "breached", now, queries.open_term()),
    )
    sure = sla_states.certainly(sla_states.sla_certainly_breached(uow, now))
    candidates = uow.session.execute(
        select(Complaint.id, sure).where(queries.open_term(), at_risk)
    ).all()
    verdicts: dict[int, frozenset[str]] = {}
    sla_states.judge(uow, [cid for cid, certain in candidates if not certain], now, verdicts)
    warning = breached = 0
    for cid, certain in candidates:
        states = verdicts.get(cid, frozenset())
        if certain or "breached" in states:
            breached += 1
        elif "warning" in states:
            warning += 1
    return ComplaintFigures(open_count, warning, breached)


def outbox_backlog(uow: UnitOfWork, now: datetime) -> dict[str, int]:
    pending = Notification.status == "pending"
    count = select(func.count()).select_from(Notification)
    return {
        "pending": uow.session.scalar(count.where(pending)) or 0,
        "due": uow.session.scalar(count.where(pending, Notification.send_after <= now)) or 0,
    }


def queue_backlog(uow: UnitOfWork) -> dict[tuple[str, str], int]:
    """Procrastinate's jobs by queue and status (todo, doing, failed …); empty on SQLite."""
    if uow.session.get_bind().dialect.name != "postgresql":
        return {}
    rows = uow.session.execute(
        text(
            "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs "
            "GROUP BY queue_name, status"
        )
    )
    return {(queue, status): int(n) for queue, status, n in rows}


def figures(uow: UnitOfWork, now: datetime) -> Figures:
    """Everything ``/metrics`` shows from the database, in one read-only transaction."""
    return Figures(
        complaint_figures(uow, now),
        outbox_backlog(uow, now),
        queue_backlog(uow),
        job_runs(uow.session),
    )
