"""A port's report burst is flagged by the early warning the same day, on SQLite and
PostgreSQL, time moved: two weeks of quiet mornings for three ports, then at 11:00 one port
is reported by twelve people — the bursts API and the daily report's "端口举报突增" table show
it, the job flags it once and tells its owner unit; the quiet port and the customer who
reports one port twenty times are not flagged; another city's lead sees none of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from careloop.jobs.runner import InProcessRunner
from careloop.services.access.actors import SYSTEM, actor_for
from careloop.services.monitoring import reports as daily_reports
from careloop.services.spam import ports as port_service
from careloop.services.spam.reports import NewReport, record_reports
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Notification, OrgUnit, SpamEvent
from careloop.store.models.spam_bursts import SpamPortBurst
from tests.conftest import Api
from tests.integration.api.helpers import assert_problem
from tests.integration.privacy.test_export_privacy import security_events

TODAY = date(2026, 9, 30)
ELEVEN = datetime(2026, 9, 30, 3, 0, tzinfo=UTC)  # 11:00 Beijing
BURST = "10657001234"  # reported in City Two
QUIET = "10659009999"  # City One, one reporter a morning as ever
REPEAT = "10655000777"  # City One, one customer reporting it twenty times today
SECRET = "13812345678"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def _record(database_url: str, rows: list[tuple[str, str, str, datetime, str]]) -> None:
    """Forwarded reports (port, region, reporter, received, key), quoting the customer."""
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        regions = dict(uow.session.execute(select(OrgUnit.code, OrgUnit.id)).all())
        drafts = [
            NewReport(
                source="forwarded",
                key=key,
                sender=port,
                text=f"【优惠】{key} 办理贷款请回电 {SECRET} 退订回T",
                received_at=at,
                region_id=regions[region],
                reporter_phone=phone,
            )
            for port, region, phone, at, key in rows
        ]
        record_reports(uow, drafts, SYSTEM, ELEVEN, action="test_seed")
    engine.dispose()


def _seed(database_url: str) -> None:
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        port_service.register_port(
            uow,
            port_service.PortDraft(BURST, "enterprise", "甲科技公司"),
            actor_for(uow, "super1"),
            ELEVEN,
            "zh",
        )
    engine.dispose()
    rows = []
    ports = ((BURST, "C2-K1"), (QUIET, "C1-K1"), (REPEAT, "C1-K1"))
    for back in range(1, 15):
        day = TODAY - timedelta(days=back)
        for i, (port, region) in enumerate(ports):
            rows.append((port, region, f"1390{i}{back:02d}0001", _at(day, 9), f"{port}-{back}-a"))
            # afternoons do not count against a morning: the baseline is by the clock
            for n in range(4):
                phone = f"1391{i}{back:02d}{n:04d}"
                rows.append((port, region, phone, _at(day, 15, n), f"{port}-{back}-p{n}"))
    for n in range(12):
        rows.append((BURST, "C2-K1", f"1370000{n:04d}", _at(TODAY, 8, 4 * n), f"burst-{n}"))
    rows.append((QUIET, "C1-K1", "13900000099", _at(TODAY, 9), "quiet-today"))
    for n in range(20):
        rows.append((REPEAT, "C1-K1", "13600000001", _at(TODAY, 9, n), f"angry-{n}"))
    _record(database_url, rows)


def _bursts(api: Api, who: str, query: str = "") -> dict:  # type: ignore[type-arg]
    response = api.as_(who).get(f"/api/v1/spam/bursts{query}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_ports_report_burst_is_flagged_by_the_early_warning_the_same_day(
    api: Api, app, clock, database_url
):
    clock.now = ELEVEN
    _seed(database_url)

    # the early warning at 11:00, before any job: the burst, nothing else
    seen = _bursts(api, "super1")
    assert seen["partial"] and seen["day"] == "2026-09-30" and seen["tested"] == 3
    assert [b["port_number"] for b in seen["items"]] == [BURST]
    burst = seen["items"][0]
    assert (burst["reporters"], burst["reports"], burst["basis"]) == (12, 12, "test")
    assert burst["owner"] == "甲科技公司" and burst["first_report_local"] == "2026-09-30 08:00"
    assert burst["baseline_days"] == 14 and burst["baseline_mean"] == 1.0  # mornings only
    assert burst["flagged_at"] is None and burst["case"] is None
    assert SECRET in burst["sample_text"]  # a supervisor sees personal data
    masked = _bursts(api, "inspector")["items"][0]["sample_text"]
    assert SECRET not in masked and "138****5678" in masked
    reads = [  # the supervisor's unmasked sample is a read of that report, the inspector's not
        (user, detail["via"], len(detail.get("spam_reports", [])))
        for _kind, user, detail in security_events(database_url, "personal_data_read")
    ]
    assert reads == [("super1", "GET /api/v1/spam/bursts", 1)]
    assert _bursts(api, "lead1")["items"] == []  # City One sees neither its ports nor City Two's

    # the job flags it once, with its owner unit told through the outbox
    runner = InProcessRunner(database_url)
    assert runner.run_once(ELEVEN)["spam_bursts_flagged"] == 1
    assert runner.run_once(ELEVEN + timedelta(minutes=5))["spam_bursts_flagged"] == 0
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        rows = uow.session.scalars(select(SpamPortBurst)).all()
        assert [(r.port_number, r.day, r.reporters) for r in rows] == [(BURST, TODAY, 12)]
        notes = uow.session.scalars(
            select(Notification).where(Notification.kind == "spam_burst")
        ).all()
        assert [n.recipient for n in notes] == ["unit:C2-K1-NET"]
        assert BURST in notes[0].subject and SECRET not in notes[0].body
        audit = uow.session.scalar(
            select(func.count()).select_from(SpamEvent).where(SpamEvent.action == "port_burst")
        )
        assert audit == 1
        # the daily report's early warning section, as the scheduled report reads it
        report = daily_reports.build_report(uow, "daily", TODAY, now=ELEVEN)
        table = next(t for t in report.tables if t.name == "port_bursts")
        assert [row[1] for row in table.rows] == [BURST]
        assert SECRET not in str(table.rows) and "截至" in table.note
        assert any("端口举报突增" in line and BURST in line for line in report.summary)
    engine.dispose()
    flagged = _bursts(api, "super1", "?day=2026-09-30")["items"][0]
    assert flagged["flagged_at"] is not None and flagged["owner_unit"] == "北区网络部"

    # the reports API serves the same table
    html = api.as_("super1").get("/api/v1/reports/daily?date=2026-09-30&format=html")
    assert html.status_code == 200, html.text[:300]
    assert "端口举报突增" in html.text and BURST in html.text and QUIET not in html.text

    # a past day is judged whole; a day still ahead and nonsense are refused in words
    assert _bursts(api, "super1", "?day=2026-09-29")["items"] == []
    ahead = api.as_("super1").get("/api/v1/spam/bursts?day=2026-10-02")
    assert "尚未到来" in assert_problem(ahead, 422, "invalid_input")["detail"]
    assert api.as_("super1").get("/api/v1/spam/bursts?day=yesterday").status_code == 422
    assert api.as_("super1").get("/api/v1/spam/bursts?day=1900-01-01").status_code == 422

    # a burst in the day's last minutes is flagged, on its own day, by the round after midnight
    _record(
        database_url,
        [(QUIET, "C1-K1", f"1350000{n:04d}", _at(TODAY, 23, 50), f"late-{n}") for n in range(20)],
    )
    after_midnight = _at(TODAY + timedelta(days=1), 0, 5)
    assert runner.run_once(after_midnight)["spam_bursts_flagged"] == 1
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        late = uow.session.scalars(select(SpamPortBurst).order_by(SpamPortBurst.id)).all()
        assert [(r.port_number, r.day) for r in late] == [(BURST, TODAY), (QUIET, TODAY)]
    engine.dispose()
