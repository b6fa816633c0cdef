"""Pre-aggregated daily complaint counts for the morning early warning (migration 0006).

**Why it may be stored.** Complaints are never deleted, and their category, region and product
never change after intake; intake stamps ``accepted_at`` with the service's ``now``. So once a
local day (Asia/Shanghai) is over, its counts per cell (category × region × product) never
change again, and each closed day is counted once — one set-based ``INSERT … SELECT … GROUP
BY`` into ``daily_complaint_counts``, marked in ``counted_days`` (a day without complaints is
counted too). The early warning then reads 35 days of counts instead of 35 days of complaints.

**Which days are stored** (the rule): a day is *closed* when it ended at least ``SETTLE``
(1 hour) before the reference time — the caller's ``now`` when it has one (the morning job),
else the latest ``accepted_at`` in the database (a report has no clock; intake clocks only move
forward, so a complaint accepted an hour into day D+1 means day D is over). Days not closed —
today above all — are never stored; they are counted live, from the complaints, on every read.
The hour covers intake transactions still in flight at midnight (they stamp ``now`` when they
start and commit within seconds; a batch import within minutes).

**Defence against a late complaint on a counted day** (a test's injected clock, intake replayed
with past clocks) without a single extra statement on the intake paths: every counted day
records ``through_id``, the largest complaint id when it was counted, and ids only grow. Every
read first looks at the complaints with an id above the largest ``through_id`` — those accepted
since the last count, about a day's intake, read by primary key — and a counted day that one of
them falls in is counted again. Writing new marks moves that watermark, so before it moves the
same look is taken over *every* counted day (not only the window read), and the watermark is
read before that look and before the count it stamps (statement order matters under READ
COMMITTED: a complaint committed in between is then seen twice rather than never).

**Direct writers of historic rows** (demo loader, benchmark generator and replicator, an
operator's SQL — ``careloop counts rebuild``) call ``forget`` for the days they wrote, in the
same transaction or after it committed. Materialising and forgetting both take one
transaction-level advisory lock on PostgreSQL, so neither interleaves with the other: a count
that started before the writer's commit has committed (and is then deleted) before ``forget``
proceeds, and a count that waits for the lock reads, under READ COMMITTED (the engine's
default), a new snapshot per statement that already holds the writer's rows. On SQLite every
unit of work is a ``BEGIN IMMEDIATE`` writer (store.database), which serialises them already.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import and_, delete, func, insert, literal, null, or_, select, text, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from careloop.domain.indicators.periods import LOCAL_TZ, local_midnight
from careloop.services.indicators.sql import as_date, local_day
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, CountedDay, DailyComplaintCount

SETTLE: Final = timedelta(hours=1)
"""A day is closed this long after its local midnight (intake transactions in flight)."""
LOCK_KEY: Final = 7_106_110_000_006
"""pg_advisory_xact_lock key shared by materialising and forgetting (any fixed bigint)."""

CountRow = tuple[date, str, int, str, int]
"""(local day, category, region_id, product, complaints)."""


def closed_through(reference: datetime) -> date:
    """The last local day that ended at least ``SETTLE`` before ``reference``."""
    return (reference - SETTLE).astimezone(LOCAL_TZ).date() - timedelta(days=1)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs: one accepted_at range each."""
    runs: list[tuple[date, date]] = []
    for d in sorted(days):
        if runs and d == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _accepted_on(runs: Sequence[tuple[date, date]]) -> ColumnElement[bool]:
    return or_(
        *(
            and_(
                Complaint.accepted_at >= local_midnight(a),
                Complaint.accepted_at < local_midnight(b + timedelta(days=1)),
            )
            for a, b in runs
        )
    )


def _grouped(uow: UnitOfWork, runs: Sequence[tuple[date, date]]) -> Select[Any]:
    """Complaints per local day and cell on the days of ``runs``: the one GROUP BY that both
    the stored counts and the live ones come from (their equality depends on it)."""
    day_col = local_day(uow, Complaint.accepted_at)
    return (
        select(day_col, Complaint.category, Complaint.region_id, Complaint.product, func.count())
        .where(_accepted_on(runs))
        .group_by(day_col, Complaint.category, Complaint.region_id, Complaint.product)
    )


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _between(column: Any, first: date | None, last: date | None) -> list[Any]:
    clauses = []
    if first is not None:
        clauses.append(column >= first)
    if last is not None:
        clauses.append(column <= last)
    return clauses


def forget(session: Session, first: date | None = None, last: date | None = None) -> None:
    """Drop the counts of the days in [first, last] (open-ended where None: all by default).

    For writers of historic complaints; call it in the writing transaction or after it
    committed (module docstring). Does not commit.
    """
    _lock(session)
    session.execute(
        delete(DailyComplaintCount).where(*_between(DailyComplaintCount.day, first, last))
    )
    session.execute(delete(CountedDay).where(*_between(CountedDay.day, first, last)))


def _late_days(uow: UnitOfWork, above: int, runs: Sequence[tuple[date, date]]) -> set[date]:
    """Local days (within ``runs``) of complaints with an id above ``above``."""
    day_col = local_day(uow, Complaint.accepted_at)
    rows = uow.session.scalars(
        select(day_col).where(Complaint.id > above, _accepted_on(runs)).distinct()
    )
    return {as_date(d) for d in rows}


def _forget_late(uow: UnitOfWork) -> set[date]:
    """Forget every counted day that a complaint newer than the watermark falls in."""
    session = uow.session
    watermark, first, last = session.execute(
        select(func.max(CountedDay.through_id), func.min(CountedDay.day), func.max(CountedDay.day))
    ).one()
    if watermark is None:
        return set()
    late = _late_days(uow, watermark, [(as_date(first), as_date(last))])
    if not late:
        return set()
    stale = {
        as_date(d) for d in session.scalars(select(CountedDay.day).where(CountedDay.day.in_(late)))
    }
    for a, b in _runs(stale):
        forget(session, a, b)
    return stale


def ensure_counted(
    uow: UnitOfWork, first: date, last: date, now: datetime | None = None
) -> list[date]:
    """Count the closed days of [first, last] not counted yet; returns the days counted.

    Commits the unit of work (a report's holds no other change): the counts must outlive a
    read-only request, or every request would count again; and the advisory lock is let go.
    """
    session = uow.session
    _lock(session)
    through = session.scalar(select(func.max(Complaint.id))) or 0  # before the look below
    _forget_late(uow)
    reference = now if now is not None else session.scalar(select(func.max(Complaint.accepted_at)))
    counted: list[date] = []
    if reference is not None:
        last = min(last, closed_through(reference))
        if first <= last:
            have = {
                as_date(h)
                for h in session.scalars(
                    select(CountedDay.day).where(CountedDay.day.between(first, last))
                )
            }
            counted = [d for d in _days(first, last) if d not in have]
    if counted:
        session.execute(
            insert(DailyComplaintCount).from_select(
                ["day", "category", "region_id", "product", "n"], _grouped(uow, _runs(counted))
            )
        )
        session.execute(insert(CountedDay), [{"day": d, "through_id": through} for d in counted])
    uow.commit()  # also when nothing was written: lets go of the advisory lock at once
    return counted


def _read(
    uow: UnitOfWork, first: date, last: date, unit_ids: list[int]
) -> tuple[set[date], list[CountRow], int | None]:
    """Counted days in [first, last], their counts in ``unit_ids`` and the watermark, from one
    statement (one snapshot: a concurrent ``forget`` cannot leave marks without counts)."""
    counts = select(
        DailyComplaintCount.day,
        DailyComplaintCount.category,
        DailyComplaintCount.region_id,
        DailyComplaintCount.product,
        DailyComplaintCount.n,
    ).where(
        DailyComplaintCount.day.between(first, last),
        DailyComplaintCount.region_id.in_(unit_ids),
    )
    marks = select(CountedDay.day, null(), null(), null(), literal(-1)).where(
        CountedDay.day.between(first, last)
    )
    watermark = select(null(), null(), null(), null(), func.max(CountedDay.through_id))
    stored: set[date] = set()
    rows: list[CountRow] = []
    top: int | None = None
    result: Any = uow.session.execute(union_all(counts, marks, watermark))
    for day, category, region_id, product, n in result:
        if day is None:
            top = n
        elif category is None:
            stored.add(as_date(day))
        else:
            rows.append((as_date(day), category, region_id, product, n))
    return stored, rows, top


def _live(uow: UnitOfWork, days: Iterable[date], unit_ids: list[int]) -> list[CountRow]:
    """The same counts straight from the complaints (days not stored: today, unclosed)."""
    runs = _runs(days)
    if not runs:
        return []
    result = uow.session.execute(_grouped(uow, runs).where(Complaint.region_id.in_(unit_ids)))
    return [(as_date(d), c, r, p, n) for d, c, r, p, n in result]


def counts(uow: UnitOfWork, first: date, last: date, unit_ids: list[int]) -> list[CountRow]:
    """Complaints per local day and cell in [first, last] for regions ``unit_ids``: counted
    days from the table (counting closed days still missing, once), the rest live. Equal to
    a ``GROUP BY`` over the complaints."""
    window = _days(first, last)
    stored, rows, watermark = _read(uow, first, last, unit_ids)
    todo = False
    if len(stored) < len(window):
        latest = uow.session.scalar(select(func.max(Complaint.accepted_at)))
        todo = latest is not None and any(
            d not in stored and d <= closed_through(latest) for d in window
        )
    if not todo and stored and watermark is not None:
        todo = bool(_late_days(uow, watermark, _runs(stored)) & stored)
    if todo:
        ensure_counted(uow, first, last)
        stored, rows, watermark = _read(uow, first, last, unit_ids)
    return rows + _live(uow, (d for d in window if d not in stored), unit_ids)


def rebuild(
    uow: UnitOfWork,
    first: date | None,
    last: date | None,
    recount: tuple[date, date],
    now: datetime | None = None,
    advance: Callable[[int, int], None] = lambda _done, _total: None,
) -> dict[str, Any]:
    """Forget [first, last] (everything when both are None), then count ``recount`` again
    (the closed days of it); commits. For an operator who loaded history by SQL.

    The days are counted one transaction each (the statement a report runs for a missing
    day), so that ``advance`` hears (days done, days to count) as they go, for a progress
    bar over a long range of a province's history."""
    forget(uow.session, first, last)
    uow.commit()
    days = _days(*recount)
    advance(0, len(days))
    counted: list[date] = []
    for done, day in enumerate(days, 1):
        counted += ensure_counted(uow, day, day, now)
        advance(done, len(days))
    return {
        "forgotten": "all" if first is None and last is None else f"{first or '…'} – {last or '…'}",
        "counted": len(counted),
        "first": counted[0].isoformat() if counted else None,
        "last": counted[-1].isoformat() if counted else None,
    }
