"""SQL-fed indicator figures equal hand-computed values on a small hand-made data set.

The data set (test org, local day 2026-09-28, Asia/Shanghai), worked out by hand:

    c1  C1-K1  broadband  reply on time, callback satisfied  -> closed, first-time resolved
    c2  C1-K1  escalated  reply on time, callback dissatisfied -> reopened, not closed
    c3  C1-K2  billing    work order due in 1 h, finished after 3 h (late); reply on time;
                          callback satisfied -> closed, first-time resolved
    c4  C2-K1  regulator transfer (an appeal, therefore escalated); only accepted

    complaints 4; escalated 2 (c2, c4); appeals 1 (c4); repeats 0
    stages: 3 replies on time + 1 late work order  -> on time 3/4 = 75 %
    closed 2 (c1, c3), both first-time             -> first-contact resolution 100 %
    callbacks 3 (c1 ✓, c2 ✗, c3 ✓)                 -> satisfaction 2/3 = 66.67 %
    handle time: the one work order, 3 h           -> 3.0 h
    users: C1 200 000 + C2 100 000 = 300 000 (same definition)
        appeals per million   1 / 300 000 × 10⁶ = 3.333…
        escalated per million 2 / 300 000 × 10⁶ = 6.666…
        complaints per 10k    4 / 300 000 × 10⁴ = 0.1333…
    city C1 alone: complaints 3, escalated 1 -> 33.33 %; per 10k 3 / 200 000 × 10⁴ = 0.15
    the day before (环比): nothing -> every rate "no data" (None), never 0
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from careloop.domain.indicators.periods import (
    Period,
    period_of,
    previous_period,
    same_period_last_year,
)
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake, lifecycle, work_orders
from careloop.services.indicators import figures as si
from careloop.services.indicators import objectives, subscribers
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory

DAY = date(2026, 9, 28)
T0 = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
DEFINITION = "phone + broadband users"


@pytest.fixture
def uow(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as unit:
        yield unit
    engine.dispose()


def _accept(uow, phone, category, region, t, **extra):  # type: ignore[no-untyped-def]
    draft = intake.NewComplaint(
        channel=extra.pop("channel", "hotline"),
        customer_phone=phone,
        category=category,
        description="测试投诉",
        region_code=region,
        product=extra.pop("product", "broadband"),
        **extra,
    )
    return intake.accept_complaint(uow, draft, actor_for(uow, "agent1"), t, None).complaint


def _reply_and_callback(uow, c, t, satisfied):  # type: ignore[no-untyped-def]
    agent = actor_for(uow, "agent1")
    c = lifecycle.reply(uow, c.id, agent, c.version, t, "已处理")
    return lifecycle.callback(uow, c.id, agent, c.version, t + timedelta(hours=1), satisfied)


def _seed(uow) -> None:  # type: ignore[no-untyped-def]
    agent = actor_for(uow, "agent1")
    c1 = _accept(uow, "13800000001", "broadband.outage", "C1-K1", T0)
    c1 = lifecycle.handle(uow, c1.id, agent, c1.version, T0 + timedelta(minutes=5))
    _reply_and_callback(uow, c1, T0 + timedelta(hours=2), True)

    c2 = _accept(uow, "13800000002", "broadband.speed", "C1-K1", T0, escalated=True)
    c2 = lifecycle.handle(uow, c2.id, agent, c2.version, T0 + timedelta(minutes=5))
    _reply_and_callback(uow, c2, T0 + timedelta(hours=3), False)

    c3 = _accept(uow, "13800000003", "billing.dispute", "C1-K2", T0, product="mobile")
    c3 = lifecycle.handle(uow, c3.id, agent, c3.version, T0 + timedelta(minutes=5))
    dispatched = T0 + timedelta(minutes=10)
    order = work_orders.dispatch(
        uow, c3.id, agent, c3.version, dispatched, "C1-K2-NET", "查", due_hours=1
    )
    net = actor_for(uow, "net2")
    order = work_orders.accept(uow, order.id, net, order.version, dispatched + timedelta(minutes=5))
    work_orders.complete(uow, order.id, net, order.version, dispatched + timedelta(hours=3), "好")
    uow.session.expire_all()
    c3 = lifecycle.load_complaint(uow, c3.id, agent)
    _reply_and_callback(uow, c3, T0 + timedelta(hours=4), True)

    _accept(uow, "13800000004", "billing.dispute", "C2-K1", T0, channel="regulator",
            product="mobile")  # fmt: skip

    subscribers.import_subscribers(
        uow,
        [
            subscribers.SubscriberRow("C1", date(2026, 9, 1), 200_000, DEFINITION),
            subscribers.SubscriberRow("C2", date(2026, 9, 1), 100_000, DEFINITION),
        ],
        source="test",
        by="test",
        now=T0,
    )


def test_sql_fed_indicators_equal_the_hand_computed_values(uow):  # type: ignore[no-untyped-def]
    _seed(uow)
    report = si.indicator_report(uow, period_of("day", DAY))
    assert report.root.node.code == "P"
    rows = report.root.rows
    value = {k: r.value.value for k, r in rows.items()}
    assert report.root.tally.complaints == 4
    assert value["escalated_rate"] == pytest.approx(50.0)
    assert value["repeat_rate"] == pytest.approx(0.0)
    assert value["on_time_rate"] == pytest.approx(75.0)
    assert value["first_contact_resolution"] == pytest.approx(100.0)
    assert value["callback_satisfaction"] == pytest.approx(200 / 3)
    assert value["average_handle_time"] == pytest.approx(3.0, abs=1e-3)
    assert value["appeals_per_million"] == pytest.approx(1 / 300_000 * 1e6)
    assert value["escalated_per_million"] == pytest.approx(2 / 300_000 * 1e6)
    assert value["complaints_per_10k"] == pytest.approx(4 / 300_000 * 1e4)
    # the denominator's definition travels with the value
    assert rows["appeals_per_million"].value.denominator == 300_000
    assert rows["appeals_per_million"].value.denominator_definition == DEFINITION
    # per-user objectives are per year: the day's value is annualised before judging
    assert rows["appeals_per_million"].judged_value == pytest.approx(1 / 0.3 * 365)
    assert rows["appeals_per_million"].status == "breached"  # > 50 per million per year

    c1 = next(n for n in report.children if n.node.code == "C1")
    assert c1.tally.complaints == 3
    assert c1.rows["escalated_rate"].value.value == pytest.approx(100 / 3)
    assert c1.rows["complaints_per_10k"].value.value == pytest.approx(0.15)

    # empty previous day: no data, not zero, and no 环比
    assert rows["on_time_rate"].previous is not None
    assert rows["on_time_rate"].previous.value is None
    assert rows["on_time_rate"].period_on_period is None
    assert rows["on_time_rate"].status == "breached"  # 75 < threshold 90


def test_aggregates_agree_with_the_domain_formulas(uow):  # type: ignore[no-untyped-def]
    from careloop.domain.indicators import facts as ind

    _seed(uow)
    period = period_of("day", DAY)
    facts = list(si.complaint_facts(uow, period))
    report = si.indicator_report(uow, period)
    rows = report.root.rows
    assert rows["escalated_rate"].value.value == ind.escalated_rate(facts).value
    assert rows["repeat_rate"].value.value == ind.repeat_rate(facts).value
    assert rows["complaints_per_10k"].value.value == pytest.approx(
        ind.complaints_per_10k(facts, 300_000).value
    )


def test_kpi_scorecards_show_the_veto_reason(uow):  # type: ignore[no-untyped-def]
    _seed(uow)
    cards = {c.subject_code: c.card for c in si.unit_scorecards(uow, period_of("day", DAY))}
    # C2: one appeal over 100 000 users in a day is far above 50 per million per year
    assert cards["C2"].vetoed and cards["C2"].score == 0.0
    assert any("50" in reason for reason in cards["C2"].veto_reasons)
    staff = {c.subject_code: c.card for c in si.staff_scorecards(uow, period_of("day", DAY))}
    assert "agent1" in staff


def test_catalogue_objectives_are_editable_data(uow):  # type: ignore[no-untyped-def]
    cat = objectives.catalogue(uow)
    assert cat["appeals_per_million"].threshold == 50.0
    was = cat["on_time_rate"]
    objectives.set_objective(uow, "on_time_rate", target=95.0, threshold=85.0, by="admin", now=T0)
    assert objectives.catalogue(uow)["on_time_rate"].target == 95.0
    # Every change is on the audit trail, with what it was before.
    from sqlalchemy import select

    from careloop.store.models import SecurityEvent

    event = uow.session.scalars(
        select(SecurityEvent).where(SecurityEvent.kind == "indicator_objective_set")
    ).one()
    assert event.username == "admin"
    assert event.detail["indicator"] == "on_time_rate"
    assert event.detail["before"]["target"] == was.target
    assert event.detail["after"] == {"target": 95.0, "threshold": 85.0, "tolerance": 0.0}


def test_ten_day_periods_split_the_month_1_10_11_20_21_end():
    assert period_of("tenday", date(2026, 2, 25)) == Period(
        "tenday", date(2026, 2, 21), date(2026, 2, 28)
    )
    assert period_of("tenday", date(2026, 3, 11)).end == date(2026, 3, 20)
    assert previous_period(period_of("tenday", date(2026, 3, 5))).start == date(2026, 2, 21)
    assert same_period_last_year(period_of("month", date(2028, 2, 29))).start == date(2027, 2, 1)
