"""Enforcement as a closed loop on the real databases (SQLite and PostgreSQL), time moved,
no sleeps: thresholds open exactly one case per port; a late case escalates through the
sweep once; a closed port stays blocked and no later action or day reopens it; appeals go
by the permission model; a suspended port is reinstated after rectification (never by
resolving the case) and the registry follows; scope hides other regions' cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from careloop.domain.errors import DomainError
from careloop.domain.events import DomainEvent
from careloop.domain.spam.enforcement import PORT_SANCTIONED
from careloop.domain.spam.reports import PortDayCounts
from careloop.jobs.runner import InProcessRunner
from careloop.services.access.actors import Actor, actor_for
from careloop.services.events import EventRegistry
from careloop.services.spam import enforcement as service
from careloop.services.spam import ports
from careloop.services.unit_of_work import EVENTS_KEY, UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Notification, OrgUnit
from careloop.store.models.spam import SpamPort, SpamPortHistory
from careloop.store.models.spam_enforcement import (
    SpamEnforcementAlert,
    SpamEnforcementCase,
    SpamPortSanctionHistory,
)

MONDAY = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
DAY = date(2026, 9, 28)
PORT = "10657001234"
REGIONS = {PORT: "C1", "10659009999": "C2"}


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def burst(port: str = PORT, reports: int = 500, reporters: int = 300, serious: int = 0):  # type: ignore[no-untyped-def]
    return PortDayCounts(port, DAY, reports, reporters, 0.97, serious)


def open_from(factory, counts, now: datetime = MONDAY) -> service.OpeningReport:  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        return service.open_cases_from_counts(uow, counts, now, region_of=REGIONS.get)


def only_case(factory, username: str = "super1", now: datetime = MONDAY) -> service.CaseView:  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        page = service.list_cases(uow, actor_for(uow, username), "zh", now)
        assert page.total == 1
        return page.items[0]


def act(factory, name: str, username: str, case: service.CaseView, now: datetime, **kw):  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        actor = actor_for(uow, username)
        if name in ("warn", "throttle", "suspend", "close_port"):
            return service.sanction(uow, case.id, name, actor, case.version, now, **kw)
        if name == "appeal":
            return service.appeal(uow, case.id, actor, case.version, now, **kw)
        if name in ("uphold", "lift"):
            return service.decide_appeal(uow, case.id, name, actor, case.version, now, **kw)
        if name == "reinstate":
            return service.reinstate(uow, case.id, actor, case.version, now, **kw)
        return service.resolve(uow, case.id, actor, case.version, now, **kw)


def test_thresholds_open_exactly_one_case_per_port(factory):
    quiet = PortDayCounts("10655000001", DAY, 5, 5, 0.9, 0)
    first = open_from(factory, [burst(), quiet, burst("10659009999", 25, 12)])
    assert (first.examined, first.opened) == (3, 2)
    again = open_from(factory, [burst(), burst()], MONDAY + timedelta(hours=2))
    assert (again.opened, again.reassessed) == (0, 0)
    worse = open_from(factory, [burst("10659009999", 25, 12, serious=4)], MONDAY)
    assert worse.reassessed == 1
    with UnitOfWork(factory) as uow:
        ports = uow.session.scalars(select(SpamEnforcementCase.port_number)).all()
        assert sorted(ports) == [PORT, "10659009999"]
        page = service.list_cases(uow, actor_for(uow, "super1"), "zh", MONDAY)
    # worst first: the 300-reporter campaign is serious, the other rose to major
    assert [(c.port_number, c.severity) for c in page.items] == [
        (PORT, "serious"),
        ("10659009999", "major"),
    ]
    serious = page.items[0]
    assert serious.unit.name == "甲市分公司"  # C1 has no network department of its own
    assert serious.due_at == MONDAY + timedelta(hours=24)
    assert serious.deadline_label == "处理中" and serious.remaining.startswith("剩余")


def test_a_late_case_escalates_through_the_sweep_once(factory, database_url):
    open_from(factory, [burst()])
    late = MONDAY + timedelta(hours=25)
    first = InProcessRunner(database_url).run_once(late)  # the job runner's round
    second = service.sweep(factory, late + timedelta(minutes=5))
    assert first["spam_cases_escalated"] == 1 and second["spam_cases_escalated"] == 0
    case = only_case(factory, now=late)
    assert case.escalation_level == 1 and case.escalated_to is not None
    assert case.escalated_to.name == "某省公司" and case.overdue
    with UnitOfWork(factory) as uow:
        assert uow.session.scalar(select(func.count()).select_from(SpamEnforcementAlert)) == 1
        notes = uow.session.scalars(select(Notification.subject)).all()
        assert any("端口处置超期" in s for s in notes)
        trail = service.case_events(uow, case.id, actor_for(uow, "super1"), "zh")
    assert [e.action for e in trail] == ["open", "escalate"]


def test_closing_blocks_the_port_for_good_and_is_on_the_trail(factory):
    open_from(factory, [burst()])
    case = only_case(factory)
    shot = {"evidence_ref": "file://12321/2026-09-28/campaign.png"}
    suspended = act(factory, "suspend", "lead1", case, MONDAY + timedelta(hours=1), **shot)
    assert suspended.port_blocked and suspended.deadline_state == "met"
    closed = act(factory, "close_port", "super1", suspended, MONDAY + timedelta(hours=2), **shot)
    assert closed.status == "port_closed" and closed.allowed == ()
    with UnitOfWork(factory) as uow:
        assert service.port_is_blocked(uow, "106 5700-1234")
    # no later action reopens it, on this case or through a new one
    with pytest.raises(DomainError) as refused:
        act(factory, "warn", "super1", closed, MONDAY + timedelta(hours=3), **shot)
    assert refused.value.status == 409
    later = open_from(factory, [burst()], MONDAY + timedelta(days=2))
    assert later.opened == 0
    with UnitOfWork(factory) as uow:
        assert service.port_is_blocked(uow, PORT)
        trail = service.case_events(uow, case.id, actor_for(uow, "inspector"), "zh")
        port = service.port_sanction(uow, PORT, actor_for(uow, "super1"), "zh")
        history = uow.session.scalars(select(SpamPortSanctionHistory.state)).all()
    assert [e.action for e in trail] == ["open", "suspend", "close_port"]
    closing = trail[-1]
    assert closing.actor == "周督导" and closing.after is not None
    assert closing.after["port_state"] == "closed" and closing.after["evidence_ref"]
    assert port.state == "closed" and port.blocked and port.state_label == "已关停"
    assert list(history) == ["suspended", "closed"]
    with pytest.raises(DomainError) as never:  # closing is final: no reinstatement either
        act(factory, "reinstate", "super1", closed, MONDAY + timedelta(hours=4), **shot)
    assert never.value.status == 409


def test_a_sanction_needs_evidence_and_the_version_read(factory):
    open_from(factory, [burst()])
    case = only_case(factory)
    with pytest.raises(DomainError) as missing:
        act(factory, "warn", "lead1", case, MONDAY, evidence=" ")
    assert missing.value.code == "enforcement_evidence_required"
    act(factory, "warn", "lead1", case, MONDAY, evidence="多名用户举报贷款营销短信")
    with pytest.raises(DomainError) as stale:
        act(factory, "throttle", "lead1", case, MONDAY, evidence="再次核实")
    assert stale.value.code == "version_conflict" and stale.value.status == 409


def test_appeals_go_by_the_permission_model(factory):
    open_from(factory, [burst()])
    case = only_case(factory)
    suspended = act(factory, "suspend", "super1", case, MONDAY, evidence="核实为营销短信")
    subscriber = Actor(None, "13800000000", "customer", None, "/1/", "/1/")
    with UnitOfWork(factory) as uow, pytest.raises(DomainError) as refused:
        service.appeal(
            uow, case.id, subscriber, suspended.version, MONDAY, appellant="x", reason="y"
        )
    assert refused.value.status == 403
    appealed = act(
        factory,
        "appeal",
        "agent1",
        suspended,
        MONDAY + timedelta(hours=1),
        appellant="某某科技有限公司",
        reason="已整改，申请恢复端口",
    )
    assert appealed.status == "appealed" and appealed.port_blocked
    with pytest.raises(DomainError) as own:
        act(factory, "lift", "super1", appealed, MONDAY, reason="同意")
    assert own.value.code == "own_decision"
    lifted = act(factory, "lift", "admin", appealed, MONDAY + timedelta(hours=2), reason="同意")
    assert lifted.status == "resolved" and not lifted.port_blocked
    with UnitOfWork(factory) as uow:
        assert not service.port_is_blocked(uow, PORT)


def test_cases_of_another_region_are_not_found(factory):
    open_from(factory, [burst()])
    case = only_case(factory)
    with UnitOfWork(factory) as uow:
        net1 = actor_for(uow, "net1")  # a county's handler: the city's case is not theirs
        assert service.list_cases(uow, net1, "zh", MONDAY).total == 0
        with pytest.raises(DomainError) as hidden:
            service.get_case(uow, case.id, net1, "zh", MONDAY)
        assert hidden.value.status == 404
        assert service.list_cases(uow, actor_for(uow, "lead1"), "zh", MONDAY).total == 1


def test_a_days_reports_open_one_case_in_the_region_they_came_from(factory):
    """The contract with the reports: ``port_day_counts`` of a real day of reports, the
    region the smallest one holding all of them (two counties of C1 → the city C1)."""
    from careloop.services.spam import reports

    with UnitOfWork(factory) as uow:
        counties = list(
            uow.session.scalars(select(OrgUnit.id).where(OrgUnit.code.in_(["C1-K1", "C1-K2"])))
        )
        drafts = [
            reports.NewReport(
                source="forwarded",
                key=f"gw-{i}",
                sender="106 5700 1234",
                text=f"【某贷】无抵押秒批，额度 {i} 万，回复 TD 退订",
                received_at=MONDAY - timedelta(hours=1),
                region_id=counties[i % 2],
                reporter_phone=f"1390000{i % 12:04d}",
            )
            for i in range(25)
        ]
        reports.record_reports(uow, drafts, actor_for(uow, "super1"), MONDAY, action="import")
    with UnitOfWork(factory) as uow:
        first = service.open_cases_for_day(uow, DAY, MONDAY)
    with UnitOfWork(factory) as uow:
        again = service.open_cases_for_day(uow, DAY, MONDAY + timedelta(hours=1))
    assert (first.opened, again.opened) == (1, 0)
    case = only_case(factory)
    assert case.port_number == PORT and case.reports == 25 and case.distinct_reporters == 12
    assert case.region.name == "甲市分公司"


def test_a_registered_ports_status_follows_its_sanctions_with_the_case_named(factory):
    """Warned, suspended, reinstated after rectification (the case resolved, the port and
    the registry active again, each with a history row naming the case), then a later
    case closes it."""
    registry = EventRegistry()
    heard: list[DomainEvent] = []
    registry.on(PORT_SANCTIONED, heard.append)
    factory.kw.setdefault("info", {})[EVENTS_KEY] = registry
    with UnitOfWork(factory) as uow:
        draft = ports.PortDraft(PORT, "enterprise", "某贷款公司", "ENT-9", "HT-9", ["marketing"])
        registered = ports.register_port(uow, draft, actor_for(uow, "admin"), MONDAY, "zh")
    open_from(factory, [burst()])
    case = only_case(factory)
    shot = {"evidence_ref": "file://12321/2026-09-28/campaign.png"}
    warned = act(factory, "warn", "lead1", case, MONDAY + timedelta(hours=1), **shot)
    with UnitOfWork(factory) as uow:
        assert ports.get_port(uow, registered.id, actor_for(uow, "super1"), "zh").status == "warned"
    suspended = act(factory, "suspend", "lead1", warned, MONDAY + timedelta(hours=2), **shot)
    assert [a.name for a in suspended.allowed if a.needs_evidence] == ["close_port", "reinstate"]
    # Resolving would leave the port suspended for ever: refused, naming the way out.
    with pytest.raises(DomainError) as stranded:
        act(factory, "resolve", "lead1", suspended, MONDAY + timedelta(hours=3), note="办结")
    assert (stranded.value.status, stranded.value.code) == (409, "illegal_enforcement_transition")
    assert "恢复端口" in stranded.value.message("zh")
    assert "reinstate" in stranded.value.message("en")
    rectified = {"evidence": "企业已清洗名单并补齐用户同意记录"}
    with pytest.raises(DomainError) as handler:  # a handler alone never lifts a suspension
        act(factory, "reinstate", "net1", suspended, MONDAY + timedelta(hours=3), **rectified)
    assert handler.value.status == 403
    with pytest.raises(DomainError) as bare:
        act(factory, "reinstate", "lead1", suspended, MONDAY + timedelta(hours=3), evidence=" ")
    assert bare.value.code == "enforcement_evidence_required"
    back = act(factory, "reinstate", "lead1", suspended, MONDAY + timedelta(days=3), **rectified)
    assert back.status == "resolved" and back.port_state == "active" and not back.port_blocked
    assert back.last_action == "reinstate" and back.decided_by == "lead1"
    assert back.evidence == rectified["evidence"] and back.allowed == ()
    with UnitOfWork(factory) as uow:
        assert not service.port_is_blocked(uow, PORT)
        assert ports.get_port(uow, registered.id, actor_for(uow, "super1"), "zh").status == "active"
        trail = service.case_events(uow, case.id, actor_for(uow, "inspector"), "zh")
    assert [e.action for e in trail] == ["open", "warn", "suspend", "reinstate"]
    assert trail[-1].action_label == "整改完成，恢复端口" and trail[-1].actor == "刘主任"
    assert trail[-1].before == {"status": "suspended", "port_state": "suspended"}
    assert trail[-1].after is not None and trail[-1].after["port_state"] == "active"
    assert [(e.action, e.payload["port_state"]) for e in heard] == [
        ("warn", "warned"),
        ("suspend", "suspended"),
        ("reinstate", "active"),
    ]
    # The port may get a new case on a later bad day; this one closes it for good.
    assert open_from(factory, [burst()], MONDAY + timedelta(days=4)).opened == 1
    with UnitOfWork(factory) as uow:
        later = service.list_cases(
            uow, actor_for(uow, "super1"), "zh", MONDAY + timedelta(days=4), status="open"
        ).items[0]
    closed = act(factory, "close_port", "super1", later, MONDAY + timedelta(days=4), **shot)
    with pytest.raises(DomainError) as final:
        act(factory, "reinstate", "admin", closed, MONDAY + timedelta(days=5), **rectified)
    assert final.value.status == 409
    with UnitOfWork(factory) as uow:
        port = uow.session.scalar(select(SpamPort).where(SpamPort.number == PORT))
        assert port is not None and port.status == "closed"
        history = uow.session.scalars(
            select(SpamPortHistory).where(SpamPortHistory.port_id == port.id)
        ).all()
        sanctions = uow.session.execute(
            select(SpamPortSanctionHistory.action, SpamPortSanctionHistory.state).order_by(
                SpamPortSanctionHistory.id
            )
        ).all()
    followed = [h for h in history if h.action == "enforcement"]
    assert [(h.after or {}).get("status") for h in followed] == [
        "warned",
        "suspended",
        "active",
        "closed",
    ]
    assert [h.note for h in followed] == [f"#{case.id}"] * 3 + [f"#{later.id}"]
    assert [tuple(r) for r in sanctions] == [
        ("warn", "warned"),
        ("suspend", "suspended"),
        ("reinstate", "active"),
        ("close_port", "closed"),
    ]
