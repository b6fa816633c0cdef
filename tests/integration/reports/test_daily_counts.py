"""Pre-aggregated daily counts (services.daily_counts) equal the live GROUP BY, on both engines.

The test org's clock starts on 2026-09-28 (Asia/Shanghai); complaints are accepted through the
intake service on several days, with the clock moved forward as in production — and then,
like the demo loader or a test, backwards onto a day already counted.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from careloop.domain.indicators.periods import LOCAL_TZ
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake
from careloop.services.indicators.org_tree import OrgTree
from careloop.services.monitoring import daily_counts, reports
from careloop.services.monitoring import early_warning as ews
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Complaint, CountedDay, DailyComplaintCount

FIRST = date(2026, 9, 21)
LAST = date(2026, 9, 27)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _accept(factory, at: datetime, i: int, category: str = "broadband.outage",
            region: str = "C1-K1", product: str = "broadband") -> None:  # fmt: skip
    with UnitOfWork(factory) as uow:
        draft = intake.NewComplaint(
            channel="hotline",
            customer_phone=f"1380000{i:04d}",
            category=category,
            description=f"测试投诉 {i}",
            region_code=region,
            product=product,
        )
        intake.accept_complaint(uow, draft, actor_for(uow, "agent1"), at, None)


def _seed_week(factory) -> int:  # type: ignore[no-untyped-def]
    """Complaints on every day of FIRST..LAST but the 24th, at local midnight's edges too."""
    i = 0
    cells = [
        ("broadband.outage", "C1-K1", "broadband"),
        ("billing.dispute", "C1-K2", "mobile"),
        ("broadband.speed", "C2-K1", "broadband"),
    ]
    for offset in range(7):
        day = FIRST + timedelta(days=offset)
        if day == date(2026, 9, 24):
            continue  # a day without complaints is counted too
        for hour, minute in ((0, 0), (9, 30), (23, 59)):
            for category, region, product in cells[: 1 + offset % 3]:
                i += 1
                _accept(factory, _at(day, hour, minute), i, category, region, product)
    return i


def _units(uow: UnitOfWork) -> list[int]:
    tree = OrgTree.load(uow)
    return tree.within(tree.root())


def _live(uow: UnitOfWork, first: date, last: date) -> Counter[tuple[object, ...]]:
    """The live GROUP BY the early warning used before the counts (the reference)."""
    rows = daily_counts._live(uow, daily_counts._days(first, last), _units(uow))
    return Counter({r[:4]: r[4] for r in rows})


def _counted(uow: UnitOfWork, first: date, last: date) -> Counter[tuple[object, ...]]:
    rows = daily_counts.counts(uow, first, last, _units(uow))
    return Counter({r[:4]: r[4] for r in rows})


def _stored_days(uow: UnitOfWork) -> list[date]:
    return list(uow.session.scalars(select(CountedDay.day).order_by(CountedDay.day)))


def test_counts_equal_the_live_group_by_after_intakes_over_several_days(factory):  # type: ignore[no-untyped-def]
    seeded = _seed_week(factory)
    _accept(factory, _at(date(2026, 9, 28), 9), 900)  # "today": the clock's day
    with UnitOfWork(factory) as uow:
        counted = _counted(uow, FIRST - timedelta(days=3), date(2026, 9, 28))
        live = _live(uow, FIRST - timedelta(days=3), date(2026, 9, 28))
        assert counted == live
        assert sum(counted.values()) == seeded + 1
        # closed days are stored (the empty 24th and the days before any complaint too) ...
        stored = _stored_days(uow)
        assert stored == [FIRST - timedelta(days=3) + timedelta(days=i) for i in range(10)]
        # ... and the early warning reads the same series as before
        series = ews.daily_series(uow, LAST, _units(uow), 7)
        cell = ews.Cell("broadband.outage", "C1-K1", "broadband")
        assert series[cell] == [3, 3, 3, 0, 3, 3, 3]


def test_today_is_never_stored_and_a_day_is_counted_once(factory):  # type: ignore[no-untyped-def]
    _seed_week(factory)
    today = date(2026, 9, 28)
    _accept(factory, _at(today, 0, 30), 901)  # 30 min into the 28th: the 27th is not settled
    with UnitOfWork(factory) as uow:
        assert daily_counts.ensure_counted(uow, FIRST, today) == [
            FIRST + timedelta(days=i) for i in range(6)
        ]
        assert LAST not in _stored_days(uow)
        _counted(uow, FIRST, today)  # the 27th and today: live
        assert _stored_days(uow)[-1] == LAST - timedelta(days=1)
    _accept(factory, _at(today, 9), 902)
    with UnitOfWork(factory) as uow:
        assert daily_counts.ensure_counted(uow, FIRST, today) == [LAST]
        assert daily_counts.ensure_counted(uow, FIRST, today) == []
        rows = uow.session.execute(
            select(DailyComplaintCount.day, func.count()).group_by(DailyComplaintCount.day)
        ).all()
        assert today not in {r[0] for r in rows}
        assert _counted(uow, FIRST, today) == _live(uow, FIRST, today)
    # the job's clock decides for it: at 07:00 the day before is closed, whatever was accepted
    with UnitOfWork(factory) as uow:
        daily_counts.forget(uow.session, LAST, LAST)
        uow.commit()
        assert daily_counts.ensure_counted(uow, LAST, LAST, _at(today, 0, 59)) == []
        assert daily_counts.ensure_counted(uow, LAST, LAST, _at(today, 7)) == [LAST]


def test_a_complaint_accepted_late_onto_a_counted_day_is_counted(factory):  # type: ignore[no-untyped-def]
    """An injected clock (or a replay) puts a complaint on a day already counted: the next
    read sees a complaint newer than the day's count and counts the day again."""
    _seed_week(factory)
    _accept(factory, _at(date(2026, 9, 28), 9), 903)
    with UnitOfWork(factory) as uow:
        before = _counted(uow, FIRST, LAST)
    _accept(factory, _at(date(2026, 9, 24), 12), 904, "spam.sms", "C2-K1", "mobile")
    _accept(factory, _at(FIRST, 12), 905)
    with UnitOfWork(factory) as uow:
        after = _counted(uow, FIRST, LAST)
        assert after == _live(uow, FIRST, LAST)
        assert sum(after.values()) == sum(before.values()) + 2
        assert set(_stored_days(uow)) >= set(daily_counts._days(FIRST, LAST))
    # outside the window read, too: a new count first looks at every counted day
    _accept(factory, _at(FIRST, 13), 906)
    with UnitOfWork(factory) as uow:
        assert daily_counts.ensure_counted(uow, date(2026, 9, 28), date(2026, 9, 28)) == []
        assert daily_counts.ensure_counted(uow, FIRST, FIRST) == [FIRST]
        assert _counted(uow, FIRST, LAST) == _live(uow, FIRST, LAST)


def test_forget_then_recount_after_a_historic_insert(factory, database_url):  # type: ignore[no-untyped-def]
    """A direct writer (SQL, past the services) copies complaints into a counted day with a
    *lower* id than the watermark: only ``forget`` makes the counts right again."""
    _seed_week(factory)
    _accept(factory, _at(date(2026, 9, 28), 9), 907)
    with UnitOfWork(factory) as uow:
        _counted(uow, FIRST, LAST)
        top = uow.session.scalar(select(func.max(Complaint.id)))
        day22 = uow.session.scalars(
            select(Complaint.id).where(
                Complaint.accepted_at >= _at(date(2026, 9, 22), 0),
                Complaint.accepted_at < _at(date(2026, 9, 23), 0),
            )
        ).all()
        # a history load by SQL: the 22nd's complaints again, under ids below the watermark
        columns = [c.name for c in Complaint.__table__.columns]
        values = [
            "-id" if c == "id" else "NULL" if c in ("number", "idempotency_key") else c
            for c in columns
        ]
        uow.session.execute(
            text(
                f"INSERT INTO complaints ({', '.join(columns)}) SELECT {', '.join(values)} "
                f"FROM complaints WHERE id IN ({', '.join(map(str, day22))})"
            )
        )
        uow.commit()
        assert uow.session.scalar(select(func.max(Complaint.id))) == top
        stale = _counted(uow, FIRST, LAST)
        assert stale != _live(uow, FIRST, LAST)  # why forget is needed for such writers
        daily_counts.forget(uow.session, date(2026, 9, 22), date(2026, 9, 22))
        uow.commit()
        assert date(2026, 9, 22) not in _stored_days(uow)
        assert _counted(uow, FIRST, LAST) == _live(uow, FIRST, LAST)
        assert date(2026, 9, 22) in _stored_days(uow)


def test_the_morning_job_counts_yesterday_so_the_report_only_reads(factory):  # type: ignore[no-untyped-def]
    _seed_week(factory)
    now = _at(date(2026, 9, 28), 7)
    with UnitOfWork(factory) as uow:
        daily_counts.ensure_counted(uow, LAST - timedelta(days=40), LAST - timedelta(days=1))
    result = reports.daily_report_job(factory, now)
    assert result["day"] == LAST.isoformat()
    with UnitOfWork(factory) as uow:
        assert _stored_days(uow)[-1] == LAST
        assert _counted(uow, FIRST, LAST) == _live(uow, FIRST, LAST)


def test_counts_rebuild_command_recounts_days_loaded_by_sql(factory, database_url):  # type: ignore[no-untyped-def]
    import json
    import os
    import subprocess
    import sys

    _seed_week(factory)
    _accept(factory, _at(date(2026, 9, 28), 9), 908)
    with UnitOfWork(factory) as uow:
        _counted(uow, FIRST, LAST)
        uow.session.execute(text("UPDATE daily_complaint_counts SET n = n + 100"))  # stale
        uow.commit()
    env = {**os.environ, "CARELOOP_DATABASE_URL": database_url, "CARELOOP_LANG": "en"}
    result = subprocess.run(
        [sys.executable, "-m", "careloop.cli", "counts", "rebuild", "--from", FIRST.isoformat(),
         "--to", LAST.isoformat()],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counted"] == 7
    with UnitOfWork(factory) as uow:
        assert _counted(uow, FIRST, LAST) == _live(uow, FIRST, LAST)
    bad = subprocess.run(
        [sys.executable, "-m", "careloop.cli", "counts", "rebuild", "--from", "yesterday"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 1 and "--from must be YYYY-MM-DD" in bad.stderr
