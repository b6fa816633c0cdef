"""The port registry and enforcement tell one story (SQLite and PostgreSQL): a port a case
suspended or closed is not reopened by hand or by import — only the case (appeal granted,
or reinstatement after rectification) lifts a suspension, and a closure is final — and a
status set by hand while a case for the port is open is written on that case's trail; a
port suspended by hand is blocked too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from careloop.domain.errors import DomainError
from careloop.domain.spam.reports import PortDayCounts
from careloop.services.access.actors import actor_for
from careloop.services.spam import enforcement as service
from careloop.services.spam import ports
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory

MONDAY = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
SUSPENDED_PORT = "10657001234"
CLOSED_PORT = "10657005678"
UNREGISTERED_PORT = "10659007777"
SHOT = {"evidence_ref": "file://12321/2026-09-28/campaign.png"}


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _status(factory, port_id: int, status: str, at: datetime) -> ports.PortView:  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        admin = actor_for(uow, "admin")
        version = ports.get_port(uow, port_id, admin, "en").version
        return ports.update_port(
            uow, port_id, ports.PortChanges(version, status=status), admin, at, "en"
        )


def _refused(factory, port_id: int, status: str) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        _status(factory, port_id, status, MONDAY + timedelta(hours=5))
    return refused.value


def _case(factory, port: str) -> service.CaseView:  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        page = service.list_cases(uow, actor_for(uow, "super1"), "zh", MONDAY)
        return next(c for c in page.items if c.port_number == port)


def _act(factory, name: str, who: str, case_id: int, at: datetime, **kw) -> service.CaseView:  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        actor = actor_for(uow, who)
        version = service.get_case(uow, case_id, actor, "zh", at).version
        if name == "appeal":
            return service.appeal(uow, case_id, actor, version, at, **kw)
        if name == "lift":
            return service.decide_appeal(uow, case_id, "lift", actor, version, at, **kw)
        return service.sanction(uow, case_id, name, actor, version, at, **kw)


def test_a_port_a_case_holds_is_not_reopened_by_hand_or_import_and_hand_changes_reach_the_case(
    factory, tmp_path: Path
):
    with UnitOfWork(factory) as uow:
        admin = actor_for(uow, "admin")
        registered = {
            number: ports.register_port(
                uow, ports.PortDraft(number, "enterprise", owner), admin, MONDAY, "zh"
            ).id
            for number, owner in ((SUSPENDED_PORT, "甲贷款公司"), (CLOSED_PORT, "乙推广公司"))
        }
        counts = [
            PortDayCounts(n, date(2026, 9, 28), 500, 300, 0.97, 0)
            for n in (*registered, UNREGISTERED_PORT)
        ]
        opened = service.open_cases_from_counts(uow, counts, MONDAY, region_of=lambda _: "C1")
        assert opened.opened == 3
    suspended_case = _case(factory, SUSPENDED_PORT)
    unregistered_case = _case(factory, UNREGISTERED_PORT)
    _act(factory, "close_port", "super1", unregistered_case.id, MONDAY + timedelta(hours=1), **SHOT)
    closing_case = _case(factory, CLOSED_PORT)

    # A suspension by the case: the registry may not lift it, in words naming the case.
    _act(factory, "suspend", "lead1", suspended_case.id, MONDAY + timedelta(hours=1), **SHOT)
    for milder in ("active", "throttled"):
        refused = _refused(factory, registered[SUSPENDED_PORT], milder)
        assert (refused.status, refused.code) == (409, "port_suspended")
        assert suspended_case.number in refused.message("en")
        assert "appeal" in refused.message("en") and "申诉" in refused.message("zh")
    # The case's appeal decision does, and the registry follows.
    _act(factory, "appeal", "agent1", suspended_case.id, MONDAY + timedelta(hours=2),
         appellant="甲贷款公司", reason="验证码通道被误封")  # fmt: skip
    _act(factory, "lift", "super1", suspended_case.id, MONDAY + timedelta(hours=3), reason="属实")
    with UnitOfWork(factory) as uow:
        port = ports.get_port(uow, registered[SUSPENDED_PORT], actor_for(uow, "super1"), "zh")
        assert port.status == "active" and not service.port_is_blocked(uow, SUSPENDED_PORT)

    # Suspended by hand while the other port's case is open: blocked, and on the trail.
    _status(factory, registered[CLOSED_PORT], "suspended", MONDAY + timedelta(hours=1))
    with UnitOfWork(factory) as uow:
        assert service.port_is_blocked(uow, CLOSED_PORT)
        trail = service.case_events(uow, closing_case.id, actor_for(uow, "lead1"), "en")
    noted = trail[-1]
    assert (noted.action, noted.action_label, noted.actor) == (
        "registry_status",
        "port status changed by hand in the registry",
        "管理员",
    )
    assert (noted.before, noted.after) == (
        {"port_status": "active"},
        {"port_status": "suspended", "via": "edit"},
    )

    # Closed through the case: final for the registry's hand and for its import.
    _act(factory, "close_port", "super1", closing_case.id, MONDAY + timedelta(hours=4), **SHOT)
    refused = _refused(factory, registered[CLOSED_PORT], "active")
    assert (refused.status, refused.code) == (409, "port_closed")
    assert closing_case.number in refused.message("en") and "final" in refused.message("en")
    reopening = tmp_path / "ports.csv"
    reopening.write_text(
        f"端口号码,归属客户,状态\n10659000111,丙公司,\n{CLOSED_PORT},乙推广公司,正常\n",
        encoding="utf-8",
    )
    keeping = tmp_path / "ports-kept.csv"
    keeping.write_text(
        f"端口号码,归属客户,状态\n{CLOSED_PORT},乙推广公司（新名）,\n{UNREGISTERED_PORT},丁公司,\n",
        "utf-8",
    )
    with UnitOfWork(factory) as uow:
        admin = actor_for(uow, "admin")
        result = ports.import_ports(uow, reopening, admin, MONDAY + timedelta(hours=6), "zh")
        assert [(e.row, e.column) for e in result.errors] == [(3, "status")]
        assert closing_case.number in result.errors[0].reason and "关停" in result.errors[0].reason
        assert (result.created, result.updated) == (0, 0)
        kept = ports.import_ports(uow, keeping, admin, MONDAY + timedelta(hours=6), "zh")
        assert (kept.errors, kept.updated, kept.created) == ([], 1, 1)
        port = ports.get_port(uow, registered[CLOSED_PORT], admin, "zh")
        assert (port.status, port.owner_name) == ("closed", "乙推广公司（新名）")
        listed = {p.number: p.status for p in ports.list_ports(uow, admin, "zh").items}
        assert listed[UNREGISTERED_PORT] == "closed" and len(listed) == 3  # a case's state
        assert service.port_is_blocked(uow, CLOSED_PORT)
