"""Reports become campaigns and are attributed to ports, on SQLite and PostgreSQL: the
acceptance campaign (500 near-identical messages from 300 customers → one campaign with 300
reporters on the right port), unrelated messages kept apart, the port registry's history,
import and optimistic locking, and the per-port day counts enforcement reads."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from careloop.domain.errors import DomainError
from careloop.services.access.actors import actor_for
from careloop.services.spam import ports, reports
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.unit.domain.spam.messages import UNRELATED, campaign_message

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
PORT = "106575551234"


@pytest.fixture
def uow_factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    yield lambda: UnitOfWork(factory)
    engine.dispose()


def _register(new_uow, number: str = PORT, owner: str = "某某科技有限公司") -> ports.PortView:  # type: ignore[no-untyped-def]
    with new_uow() as uow:
        admin = actor_for(uow, "super1")
        draft = ports.PortDraft(number, "enterprise", owner, "ENT-001", "HT-2026-01", ["marketing"])
        return ports.register_port(uow, draft, admin, NOW, "zh")


def _region_id(new_uow, code: str) -> int:  # type: ignore[no-untyped-def]
    with new_uow() as uow:
        return reports.region_for(uow, code, actor_for(uow, "admin")).id


def test_five_hundred_varied_messages_from_300_customers_are_one_campaign_on_the_port(
    uow_factory,
):
    port = _register(uow_factory)
    _register(uow_factory, "13812345678", "个人号码")
    c1, k1 = _region_id(uow_factory, "C1"), _region_id(uow_factory, "C1-K1")
    rng = random.Random(17)
    customers = [f"139{n:08d}" for n in range(300)]
    drafts = []
    for i in range(500):
        phone = customers[i] if i < 300 else rng.choice(customers)
        drafts.append(
            reports.NewReport(
                source="forwarded",
                key=f"sms-{i}",
                # The port's extension digits vary (a department per batch).
                sender=f"{PORT}{rng.randint(0, 99):02d}" if i % 3 else PORT,
                text=campaign_message(rng),
                received_at=NOW - timedelta(minutes=500 - i),
                region_id=c1 if i % 2 else k1,
                reporter_phone=phone,
            )
        )
    unrelated = [
        reports.NewReport(
            "forwarded", f"other-{i}", "13812345678", text, NOW, c1, reporter_phone="13900000001"
        )
        for i, text in enumerate(UNRELATED)
    ]
    # Arriving in two batches and one by one must not matter: the lookup finds the campaign.
    with uow_factory() as uow:
        system = actor_for(uow, "admin")
        reports.record_reports(uow, drafts[:200], system, NOW, action="test")
    with uow_factory() as uow:
        reports.record_reports(uow, [*drafts[200:], *unrelated], system, NOW, action="test")
    with uow_factory() as uow:
        page = reports.list_campaigns(uow, actor_for(uow, "admin"), "zh", limit=100)
        assert page.total == 1 + len(UNRELATED)
        top = page.items[0]
        assert (top.reports, top.reporters, top.port_id, top.port_number) == (
            500,
            300,
            port.id,
            PORT,
        )
        assert top.port_owner == "某某科技有限公司"
        assert all(item.reports == 1 for item in page.items[1:])
        assert {item.sample_text for item in page.items[1:]} == set(UNRELATED)
        # The west district sees none of it; the east district its half.
        assert reports.list_campaigns(uow, actor_for(uow, "net2"), "zh").total == 0
        east = reports.get_campaign(uow, top.id, actor_for(uow, "net1"), "zh")
        assert east.reports == 250
        with pytest.raises(DomainError) as missing:
            reports.get_campaign(uow, top.id, actor_for(uow, "net2"), "zh")
        assert missing.value.status == 404
    # The same batch again stores nothing.
    with uow_factory() as uow:
        again = reports.record_reports(uow, drafts, system, NOW, action="test")
        assert (again.created, again.duplicates) == ([], 500)


def test_reporters_are_masked_for_roles_without_need_and_scoped_by_region(uow_factory):
    with uow_factory() as uow:
        agent = actor_for(uow, "agent1")
        report_id, created = reports.record_forwarded(
            uow,
            reporter_phone="13912345678",
            sender="10657000111",
            text="【贷款】无抵押当天放款，回复1申请",
            received_at=NOW,
            region="C1-K1",
            key="gw-1",
            actor=agent,
            now=NOW,
        )
        assert created
    with uow_factory() as uow:
        shown = reports.get_report(uow, report_id, actor_for(uow, "super1"), "zh")
        assert shown.reporter_phone == "13912345678"
        masked = reports.get_report(uow, report_id, actor_for(uow, "inspector"), "en")
        assert masked.reporter_phone == "139****5678" and masked.source_label.startswith("SMS")
        with pytest.raises(DomainError):
            reports.get_report(uow, report_id, actor_for(uow, "net2"), "zh")
    with uow_factory() as uow:
        again = reports.record_forwarded(
            uow,
            reporter_phone="13912345678",
            sender="10657000111",
            text="【贷款】无抵押当天放款，回复1申请",
            received_at=NOW,
            region="C1-K1",
            key="gw-1",
            actor=actor_for(uow, "agent1"),
            now=NOW,
        )
        assert again == (report_id, False)


def test_port_edits_need_the_version_read_keep_history_and_a_closed_port_stays_closed(
    uow_factory,
):
    port = _register(uow_factory)
    with uow_factory() as uow:
        editor = actor_for(uow, "admin")
        changed = ports.update_port(
            uow, port.id, ports.PortChanges(port.version, status="closed"), editor, NOW, "zh"
        )
        assert changed.status_label == "已关停"
    with uow_factory() as uow, pytest.raises(DomainError) as stale:
        ports.update_port(
            uow, port.id, ports.PortChanges(port.version, owner_name="新名"), editor, NOW, "zh"
        )
    assert stale.value.status == 409
    with uow_factory() as uow, pytest.raises(DomainError) as reopened:
        ports.update_port(
            uow, port.id, ports.PortChanges(changed.version, status="active"), editor, NOW, "en"
        )
    assert reopened.value.status == 409 and "closed" in reopened.value.message("en")
    with uow_factory() as uow:
        history = ports.port_history(uow, port.id, editor, "zh")
        assert [h.action for h in history] == ["register", "edit"]
        assert history[1].changes == ["状态: 正常 → 已关停"]
    with uow_factory() as uow, pytest.raises(DomainError) as refused:
        ports.register_port(
            uow, ports.PortDraft("10657555", "enterprise", "x"), actor_for(uow, "agent1"), NOW, "zh"
        )
    assert refused.value.status == 403


def test_port_import_names_bad_rows_in_words_and_imports_nothing_until_fixed(
    uow_factory, tmp_path: Path
):
    bad = tmp_path / "ports.csv"
    bad.write_text(
        "端口号码,归属客户,归属类型,允许的短信类型,状态\n"
        "106575551234,甲公司,集团客户,营销类、通知类,正常\n"
        "10651234567,乙公司,集团客户,,\n"
        "106590001111,,SP,,\n"
        "106575551234,丙公司,集团客户,,\n",
        encoding="utf-8",
    )
    with uow_factory() as uow:
        admin = actor_for(uow, "admin")
        result = ports.import_ports(uow, bad, admin, NOW, "zh")
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "number"),
        (4, "owner_name"),
        (5, "number"),
    ]
    assert "10657、10655、10659 或 1069" in result.errors[0].reason
    assert "重复" in result.errors[2].reason and result.created == 0
    good = tmp_path / "ports-fixed.csv"
    good.write_text(
        "端口号码,归属客户,归属类型,允许的短信类型\n"
        "106575551234,甲公司,集团客户,营销类、通知类\n"
        "106590001111,丁SP,SP,验证码\n",
        encoding="utf-8",
    )
    with uow_factory() as uow:
        first = ports.import_ports(uow, good, admin, NOW, "zh")
    with uow_factory() as uow:
        second = ports.import_ports(uow, good, admin, NOW, "zh")
        listed = ports.list_ports(uow, admin, "zh")
    assert (first.created, first.updated, second.created, second.unchanged) == (2, 0, 0, 2)
    assert [p.allowed_kinds for p in listed.items] == [
        ["marketing", "notification"],
        ["verification"],
    ]
    assert listed.items[1].operator_label == "中国电信"


def test_port_day_counts_add_up_the_business_day_per_port(uow_factory):
    _register(uow_factory)
    c1 = _region_id(uow_factory, "C1")
    local_midnight = datetime(2026, 9, 27, 16, 0, tzinfo=UTC)  # 2026-09-28 00:00 Beijing
    texts = ["您的积分即将清零，请登录兑换", "回复TD退订无效，仍在发送贷款广告"]
    drafts = [
        reports.NewReport(
            "forwarded", "a", PORT + "01", texts[0], local_midnight, c1, "13900000001"
        ),
        reports.NewReport("forwarded", "b", PORT, texts[1], local_midnight, c1, "13900000001"),
        reports.NewReport("forwarded", "c", PORT, texts[0], local_midnight, c1, "13900000002"),
        reports.NewReport(
            "forwarded", "d", PORT, texts[0], local_midnight - timedelta(seconds=1), c1, "139"
        ),
        reports.NewReport("forwarded", "e", "13700000000", texts[0], NOW, c1, "13900000003"),
    ]
    with uow_factory() as uow:
        reports.record_reports(uow, drafts, actor_for(uow, "admin"), NOW, action="test")
    with uow_factory() as uow:
        counts = reports.port_day_counts(uow, date(2026, 9, 28))
    by_port = {c.port_number: c for c in counts}
    assert set(by_port) == {PORT, "13700000000"}
    day = by_port[PORT]
    assert (day.reports, day.distinct_reporters, day.serious) == (3, 2, 1)
    assert day.spam_share is None or 0.0 <= day.spam_share <= 1.0
