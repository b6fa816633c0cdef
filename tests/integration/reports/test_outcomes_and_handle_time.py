"""Callback and appeal outcomes counted, handle time in working hours, repeats, and an on-time
rate that is the same before and after a sweep — SQL figures against hand-worked values.

The callbacks of local day 2026-09-28 (Monday), worked out by hand:

    a  satisfied                       -> done, satisfied
    b  dissatisfied (reopened)         -> done
    c  customer declined the callback  -> not done, declined
    d  customer unreachable (closed)   -> not done, unreachable
    callbacks done 2, satisfied 1      -> 回访满意率 50 %
    concluded 4, unreachable 1         -> 回访未接通率 25 %

    appeals (regulator transfers) e settled, f informed, g not answered yet
    -> appeals 3: 和解 1, 不认可 0, 知晓 1
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from careloop.domain.indicators import facts as ind
from careloop.domain.indicators.periods import period_of
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake, lifecycle
from careloop.services.indicators import figures as si
from careloop.services.monitoring import reports
from careloop.services.sla import sweep
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Complaint

DAY = date(2026, 9, 28)
T0 = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


@pytest.fixture
def factory(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield make_session_factory(engine)
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


def _replied(uow, phone, region, t, **extra):  # type: ignore[no-untyped-def]
    agent = actor_for(uow, "agent1")
    c = _accept(uow, phone, extra.pop("category", "billing.dispute"), region, t, **extra)
    c = lifecycle.handle(uow, c.id, agent, c.version, t + timedelta(minutes=5))
    return lifecycle.reply(uow, c.id, agent, c.version, t + timedelta(hours=2), "已处理")


def test_callback_and_appeal_outcomes_are_counted_apart(factory):  # type: ignore[no-untyped-def]
    later = T0 + timedelta(hours=3)
    with UnitOfWork(factory) as uow:
        agent = actor_for(uow, "agent1")
        a = _replied(uow, "13800000001", "C1-K1", T0)
        lifecycle.callback(uow, a.id, agent, a.version, later, True)
        b = _replied(uow, "13800000002", "C1-K1", T0)
        lifecycle.callback(uow, b.id, agent, b.version, later, False)
        c = _replied(uow, "13800000003", "C1-K2", T0)
        lifecycle.callback_declined(uow, c.id, agent, c.version, later)
        d = _replied(uow, "13800000004", "C2-K1", T0)
        lifecycle.callback_unreachable(uow, d.id, agent, d.version, later, max_attempts=1)
        e = _replied(uow, "13800000005", "C2-K1", T0, channel="regulator")
        lifecycle.record_appeal_outcome(uow, e.id, agent, e.version, later, "settled")
        f = _replied(uow, "13800000006", "C1-K1", T0, channel="regulator")
        lifecycle.record_appeal_outcome(uow, f.id, agent, f.version, later, "informed")
        _accept(uow, "13800000007", "billing.dispute", "C1-K1", T0, channel="regulator")

        report = si.indicator_report(uow, period_of("day", DAY))
        tally, rows = report.root.tally, report.root.rows
        assert (tally.callbacks, tally.callbacks_satisfied) == (2, 1)
        assert (tally.callbacks_unreachable, tally.callbacks_declined) == (1, 1)
        assert rows["callback_satisfaction"].value.value == pytest.approx(50.0)
        assert rows["callback_unreachable_rate"].value.value == pytest.approx(25.0)
        assert rows["callback_unreachable_rate"].indicator.name_zh == "回访未接通率"
        assert tally.appeals == 3
        assert (tally.appeals_settled, tally.appeals_not_accepted, tally.appeals_informed) == (
            1,
            0,
            1,
        )
        # the complaints one by one, through the domain's own counting
        complaint_facts = list(si.complaint_facts(uow, period_of("day", DAY)))
        assert ind.appeal_outcomes(complaint_facts) == {
            "settled": 1,
            "not_accepted": 0,
            "informed": 1,
        }
        rates = ind.callback_rates(c.callback_outcome for c in complaint_facts)
        assert rates["callback_satisfaction"].value == pytest.approx(50.0)
        assert rates["callback_unreachable_rate"].value == pytest.approx(25.0)

        # the report's outcome table, in words, with the counts and shares above
        table = reports.build_report(uow, "tenday", DAY).table("outcomes")
        shown = {row[0]: row[1:3] for row in table.rows}
        assert shown["满意"] == [1, pytest.approx(50.0)]
        assert shown["多次联系不上"] == [1, pytest.approx(25.0)]
        assert shown["客户拒绝回访"] == [1, pytest.approx(25.0)]
        assert shown["和解"] == [1, pytest.approx(100 / 3)]
        assert shown["用户不认可"] == [0, 0.0]


def test_the_on_time_rate_is_the_same_before_and_after_a_sweep(factory):  # type: ignore[no-untyped-def]
    """A pause pushes the reply limit out; the stored limit moves at resume, not at the next
    sweep, so a reply after the limit stored at intake but within the paused-for one counts
    as on time both before and after the sweep."""
    with UnitOfWork(factory) as uow:
        agent = actor_for(uow, "agent1")
        paused = _accept(uow, "13800000021", "billing.dispute", "C1-K1", T0, escalated=True)
        due_at_intake = paused.reply_due_at
        assert due_at_intake is not None
        c = lifecycle.handle(uow, paused.id, agent, paused.version, T0 + timedelta(minutes=5))
        c = lifecycle.pause(uow, c.id, agent, c.version, T0 + timedelta(hours=1), "等客户资料")
        c = lifecycle.resume(uow, c.id, agent, c.version, T0 + timedelta(days=3, hours=1))
        replied = due_at_intake + timedelta(hours=2)
        lifecycle.reply(uow, c.id, agent, c.version, replied, "已处理")
        plain = _accept(uow, "13800000022", "billing.dispute", "C1-K1", T0, escalated=True)
        plain = lifecycle.handle(uow, plain.id, agent, plain.version, T0 + timedelta(minutes=5))
        lifecycle.reply(uow, plain.id, agent, plain.version, replied, "已处理")  # late

    month = period_of("month", DAY)
    with UnitOfWork(factory) as uow:
        before = si.indicator_report(uow, month).root.rows["on_time_rate"].value
    sweep.sweep(factory, T0 + timedelta(days=10))
    with UnitOfWork(factory) as uow:
        after = si.indicator_report(uow, month).root.rows["on_time_rate"].value
        stored = uow.session.scalar(
            select(Complaint.reply_due_at).where(Complaint.customer_phone == "13800000021")
        )
    assert stored is not None and stored > replied  # the pause moved the limit
    assert (before.numerator, before.denominator) == (1, 2)
    assert (after.numerator, after.denominator) == (before.numerator, before.denominator)


def test_the_repeat_rate_counts_repeats_accepted_in_the_period(factory):  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        # the first complaint in August, its repeat (same customer, same issue, < 30 days)
        # and an unrelated one in September
        _accept(uow, "13800000031", "broadband.outage", "C1-K1", T0 - timedelta(days=29))
        repeat = _accept(uow, "13800000031", "broadband.speed", "C1-K1", T0)
        _accept(uow, "13800000032", "billing.dispute", "C1-K1", T0)
        assert repeat.is_repeat
        september = period_of("month", DAY)
        report = si.indicator_report(uow, september)
        value = report.root.rows["repeat_rate"].value
        assert (value.numerator, value.denominator) == (1, 2)  # the August one is not counted
        complaint_facts = list(si.complaint_facts(uow, september))
        assert value == ind.repeat_rate(complaint_facts)
        august = si.indicator_report(uow, period_of("month", date(2026, 8, 30)))
        assert august.root.rows["repeat_rate"].value.numerator == 0


def test_a_report_on_the_running_month_does_not_veto_a_limit_still_ahead(factory):  # type: ignore[no-untyped-def]
    with UnitOfWork(factory) as uow:
        waiting = _accept(uow, "13800000041", "billing.dispute", "C2-K1", T0, escalated=True)
        assert waiting.reply_due_at is not None
        month = period_of("month", DAY)
        now = waiting.reply_due_at - timedelta(hours=1)  # not answered, not late yet
        cards = {c.subject_code: c.card for c in si.unit_scorecards(uow, month, as_of=now)}
        assert not any("越级" in reason for reason in cards["C2"].veto_reasons)
        later = waiting.reply_due_at + timedelta(hours=1)  # now it is late
        cards = {c.subject_code: c.card for c in si.unit_scorecards(uow, month, as_of=later)}
        assert any("越级" in reason for reason in cards["C2"].veto_reasons)
