"""No figure depends on whether a sweep has run: the stored due times move at every
transition, pause and resume (services.sla.refresh), through the real HTTP API, on SQLite
and PostgreSQL.

Eight complaints from Monday 2026-11-02 09:00 Beijing time (01:00 UTC). Escalated ones are
held to the seeded "escalated" policy (reply within 48 h, calendar time from the instant;
work order 24 h); the others to "default" (reply within 15 calendar days). Hours are after
the start:

======  ===========================================================  ==================
 name    what happens                                                  reply stage
======  ===========================================================  ==================
 A       escalated, replied at 10 h                                    on time
 B       escalated, replied at 60 h                                    late (due 48 h)
 C       escalated, paused 1–25 h, replied at 60 h                     on time (due 72 h)
 D       escalated, paused 1–25 h, replied at 80 h                     late (due 72 h)
 E       escalated, paused 2–30 h and 40–50 h, replied at 70 h         on time (due 86 h)
 F       escalated, work order 1–10 h (on time), replied at 20 h       on time, order too
 G       default, replied on day 5                                     on time
 H       default, paused 1 h – day 3, replied on day 17                late: the law's 15
                                                                       days cannot pause
======  ===========================================================  ==================

Nine stages, six on time. Before this rule the stored reply due time of C and E stayed at
intake's 48 h until a sweep moved it, so the rate changed when a sweep ran.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from careloop.domain.indicators.periods import period_of
from careloop.services.indicators import figures
from careloop.services.sla import sweep as sla_sweep
from careloop.store.models import Complaint, WorkOrder
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, create

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _on_time(app) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    with app.state.platform.unit_of_work() as uow:
        report = figures.indicator_report(uow, period_of("month", date(2026, 11, 2)))
        value = report.root.rows["on_time_rate"].value
        return value.numerator, value.denominator


def test_the_on_time_rate_is_the_same_before_and_after_a_sweep(api: Api, clock: MovableClock, app):  # type: ignore[no-untyped-def]
    agent, net = api.as_("agent1"), api.as_("net1")
    clock.now = T0
    ids = {name: create(agent, escalated=True)["id"] for name in "ABCDEF"}
    ids |= {name: create(agent)["id"] for name in "GH"}

    def do(name: str, action: str, **body: object) -> dict:  # type: ignore[type-arg]
        current = agent.get(f"/api/v1/complaints/{ids[name]}").json()
        return act(
            agent, f"/api/v1/complaints/{ids[name]}/{action}", version=current["version"], **body
        )

    def at(hours: float) -> None:
        clock.now = T0 + timedelta(hours=hours)

    at(1)
    for name in "CDH":
        do(name, "pause", reason="等待用户提供材料")
    order = do("F", "dispatch", unit="C1-K1-NET")
    at(2)
    do("E", "pause", reason="等待用户提供材料")
    at(10)
    do("A", "reply", text="已处理")
    order = act(net, f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])
    act(net, f"/api/v1/work-orders/{order['id']}/complete", version=order["version"], result="好")
    at(20)
    do("F", "reply", text="已修复")
    at(25)
    do("C", "resume")
    do("D", "resume")
    at(30)
    do("E", "resume")
    at(40)
    do("E", "pause", reason="再次等待用户")
    at(50)
    do("E", "resume")
    at(60)
    do("B", "reply", text="已处理")
    do("C", "reply", text="已处理")
    at(70)
    do("E", "reply", text="已处理")
    at(72)
    do("H", "resume")
    at(80)
    do("D", "reply", text="已处理")
    at(5 * 24)
    do("G", "reply", text="已处理")
    at(17 * 24)
    do("H", "reply", text="已处理")

    at(18 * 24)
    before = _on_time(app)
    sla_sweep.sweep(app.state.session_factory, clock.now)
    after = _on_time(app)
    assert before == after == (6, 9)

    # Handle time in working minutes (08:30–17:30 Beijing), stored at each transition:
    # A 09:00–17:30 Monday; C Monday 09:00–10:00 and Tuesday 10:00 (resumed) to Wednesday
    # 21:00; F's work order Monday 10:00–17:30 (finished 19:00).
    with app.state.session_factory() as session:
        minutes = {
            name: session.get(Complaint, ids[name]).reply_work_minutes  # type: ignore[union-attr]
            for name in "AC"
        }
        [work] = session.scalars(select(WorkOrder.work_minutes))
    assert minutes == {"A": 510, "C": 60 + 450 + 540} and work == 450
