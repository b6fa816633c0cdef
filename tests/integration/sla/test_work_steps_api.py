"""Service commitments with their own work steps, through the real HTTP API on both engines:
repair limits by urban/rural region, a broadband visit's arrival recorded by the technician,
an installation's feasibility reply (domain.sla.steps, services.complaints.work_steps)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from careloop.domain.sla.steps import COMMITMENTS
from careloop.services.complaints import work_steps
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, assert_problem, create
from tests.integration.web.helpers import post_form, version_of, web_client

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _commit(admin: httpx.Client, code: str) -> None:
    """Enter one of the seeded commitments through the policy API, as an operator would."""
    c = next(c for c in COMMITMENTS if c.code == code)
    body: dict[str, Any] = {
        "name": c.name_zh,
        "limits": {k: dict(v) for k, v in c.limits.items()},
        "rank": c.rank,
        "match_category": c.match_category,
        "match_tier": c.match_tier,
        "match_area": c.match_area,
    }
    response = admin.put(f"/api/v1/sla/policies/{code}", json=body)
    assert response.status_code == 200, response.text


def _set_area(admin: httpx.Client, unit: str, area: str | None) -> dict[str, Any]:
    response = admin.put(f"/api/v1/org-units/{unit}/area", json={"area": area})
    assert response.status_code == 200, response.text
    return response.json()


def _dispatch(api: Api, region: str, unit: str, **extra: Any) -> dict[str, Any]:
    agent = api.as_("agent1")
    c = create(agent, region=region, **{k: v for k, v in extra.items() if k == "category"})
    body = {k: v for k, v in extra.items() if k != "category"}
    return act(
        agent, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit=unit, **body
    )


def _step(order: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in order["steps"] if s["kind"] == kind)


def test_a_repair_in_a_rural_county_gets_72_hours_and_in_an_urban_one_48(api: Api):
    admin = api.as_("admin")
    _commit(admin, "repair_urban")
    _commit(admin, "repair_rural")
    _set_area(admin, "C1", "urban")  # the city and, by inheritance, its districts
    rural = _set_area(admin, "C1-K2", "rural")
    assert rural["area"] == "rural"

    urban_order = _dispatch(api, "C1-K1", "C1-K1-NET")
    rural_order = _dispatch(api, "C1-K2", "C1-K2-NET")

    for order, hours, code in (
        (urban_order, 48, "repair_urban"),
        (rural_order, 72, "repair_rural"),
    ):
        restore = _step(order, "restore")
        assert _at(restore["due_at"]) == _at(order["dispatched_at"]) + timedelta(hours=hours)
        assert restore["limit_minutes"] == hours * 60 and restore["anchor"] == "dispatch"
        assert restore["state"] == "open" and restore["label"] == "恢复服务"
        # No appointment given: no visit to be on time for.
        assert [s["kind"] for s in order["steps"]] == ["restore"]
        complaint = api.as_("agent1").get(f"/api/v1/complaints/{order['complaint_id']}").json()
        assert complaint["sla"]["policy"]["code"] == code


def test_a_broadband_visit_is_due_30_minutes_after_the_appointment_and_late_shows(
    api: Api, clock: MovableClock, database_url: str, server: Any
):
    admin = api.as_("admin")
    _commit(admin, "repair")
    appointment = (clock.now + timedelta(hours=2)).astimezone(SHANGHAI)
    order = _dispatch(
        api,
        "C1-K1",
        "C1-K1-NET",
        appointment_at=appointment.isoformat(),
        category="broadband.outage",
    )
    arrival = _step(order, "arrival")
    assert arrival["anchor"] == "appointment"
    assert _at(arrival["due_at"]) == appointment + timedelta(minutes=30)

    net1, lead1 = api.as_("net1"), api.as_("lead1")
    path = f"/api/v1/work-orders/{order['id']}"
    # Only once accepted, and only by the technician who accepted it.
    assert_problem(
        net1.post(f"{path}/arrive", json={"version": order["version"]}),
        409,
        "illegal_work_order_transition",
    )
    accepted = act(net1, f"{path}/accept", version=order["version"])
    assert_problem(
        lead1.post(f"{path}/arrive", json={"version": accepted["version"]}), 403, "not_assignee"
    )

    # Past its due time and not recorded: overdue at once, no sweep needed.
    clock.advance(hours=2, minutes=45)
    now_seen = net1.get(path).json()
    assert _step(now_seen, "arrival")["state"] == "overdue"
    assert _step(now_seen, "arrival")["late"] is True and now_seen["late_steps"] == 1

    future = (clock.now + timedelta(minutes=5)).isoformat()
    assert_problem(
        net1.post(f"{path}/arrive", json={"version": accepted["version"], "arrived_at": future}),
        422,
        "invalid_input",
    )
    arrived_at = appointment + timedelta(minutes=40)
    done = act(
        net1, f"{path}/arrive", version=accepted["version"], arrived_at=arrived_at.isoformat()
    )
    step = _step(done, "arrival")
    assert step["state"] == "late" and step["late"] is True and step["state_label"] == "超时完成"
    assert _at(step["done_at"]) == arrived_at and done["version"] == accepted["version"] + 1
    assert done["status"] == "accepted" and done["late_steps"] == 1
    assert_problem(
        net1.post(f"{path}/arrive", json={"version": done["version"]}), 409, "no_open_step"
    )
    events = net1.get(f"/api/v1/complaints/{order['complaint_id']}/events").json()
    arrive = next(e for e in events if e["action"] == "work_order_arrive")
    assert arrive["actor"] == "net1" and arrive["after"]["state"] == "late"

    # The complaint page shows the step with its due time in local time, in Chinese.
    page = web_client(server.url, "agent1").get(f"/complaints/{order['complaint_id']}").text
    due_local = (appointment + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    assert "上门到场" in page and f"到期 {due_local}" in page and "超时完成" in page

    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            counts = work_steps.step_counts(uow, clock.now, kind="arrival")
        assert (counts.total, counts.late, counts.on_time, counts.overdue) == (1, 1, 0, 0)
    finally:
        engine.dispose()


def test_an_arrival_on_time_is_on_time_and_an_overdue_step_is_announced_once(
    api: Api, clock: MovableClock
):
    _commit(api.as_("admin"), "repair")
    appointment = clock.now + timedelta(hours=1)
    on_time = _dispatch(api, "C1-K1", "C1-K1-NET", appointment_at=appointment.isoformat())
    missed = _dispatch(api, "C1-K1", "C1-K1-NET", appointment_at=appointment.isoformat())
    net1 = api.as_("net1")
    accepted = act(net1, f"/api/v1/work-orders/{on_time['id']}/accept", version=on_time["version"])
    act(net1, f"/api/v1/work-orders/{missed['id']}/accept", version=missed["version"])
    clock.advance(hours=1, minutes=20)
    done = act(net1, f"/api/v1/work-orders/{on_time['id']}/arrive", version=accepted["version"])
    assert _step(done, "arrival")["state"] == "on_time" and done["late_steps"] == 0

    clock.advance(minutes=20)  # 10 minutes past the missed visit's due time
    admin = api.as_("admin")
    assert admin.post("/api/v1/sla/sweep").json()["steps_breached"] == 1
    assert admin.post("/api/v1/sla/sweep").json()["steps_breached"] == 0
    events = net1.get(f"/api/v1/complaints/{missed['complaint_id']}/events").json()
    breached = [e for e in events if e["action"] == "work_order_step_breached"]
    assert len(breached) == 1 and breached[0]["after"]["step"] == "arrival"
    assert breached[0]["after"]["overrun_minutes"] == 10


def test_an_installation_feasibility_reply_is_due_24_hours_after_dispatch(
    api: Api, clock: MovableClock
):
    _commit(api.as_("admin"), "installation")
    paid = clock.now - timedelta(days=1)  # Sunday 27 September, 10:00 in Shanghai
    order = _dispatch(
        api,
        "C1-K1",
        "C1-K1-NET",
        category="installation.new_line",
        paid_at=paid.isoformat(),
    )
    feasibility, installation = order["steps"]
    assert feasibility["kind"] == "feasibility" and feasibility["label"] == "装机可行性答复"
    assert _at(feasibility["due_at"]) == _at(order["dispatched_at"]) + timedelta(hours=24)
    assert installation["anchor"] == "payment"
    # 15 days as the Civil Code counts them: from the next day, due at the end of the
    # 15th (Monday 12 October), not 15 × 24 h from the payment's instant.
    assert _at(installation["due_at"]) == datetime(2026, 10, 13, tzinfo=SHANGHAI)
    assert installation["limit_minutes"] == 15 * 1440 and installation["basis"] == "cal_days"

    net1 = api.as_("net1")
    path = f"/api/v1/work-orders/{order['id']}"
    clock.advance(hours=3)
    replied = act(
        net1,
        f"{path}/feasibility-reply",
        version=order["version"],
        feasible=True,
        answer="端口充足",
    )
    step = _step(replied, "feasibility")
    assert step["state"] == "on_time" and step["note"] == "可以装机：端口充足"
    assert _step(replied, "installation")["state"] == "open"
    clock.advance(days=4)
    completed = act(net1, f"{path}/complete", version=replied["version"], result="已装机开通")
    assert _step(completed, "installation")["state"] == "on_time"
    assert _at(_step(completed, "installation")["done_at"]) == clock.now


def test_a_late_feasibility_reply_is_late_and_a_return_cancels_open_steps(
    api: Api, clock: MovableClock
):
    _commit(api.as_("admin"), "installation")
    order = _dispatch(api, "C1-K1", "C1-K1-NET", category="installation.move")
    net1 = api.as_("net1")
    path = f"/api/v1/work-orders/{order['id']}"
    clock.advance(hours=25)
    replied = act(net1, f"{path}/feasibility-reply", version=order["version"], feasible=False)
    step = _step(replied, "feasibility")
    assert step["state"] == "late" and step["note"] == "不具备装机条件"
    returned = act(net1, f"{path}/return", version=replied["version"], reason="不具备装机条件")
    assert _step(returned, "installation")["state"] == "cancelled"
    assert (
        returned["late_steps"] == 1
    )  # the late reply stays late; the cancelled step does not count


def test_a_transfer_moves_open_steps_with_their_clocks(api: Api, clock: MovableClock):
    _commit(api.as_("admin"), "repair")
    order = _dispatch(api, "C1-K1", "C1-K1-NET")
    due = _step(order, "restore")["due_at"]
    clock.advance(hours=1)
    moved = act(
        api.as_("super1"),
        f"/api/v1/work-orders/{order['id']}/transfer",
        version=order["version"],
        unit="C1-K2-NET",
        reason="应由西区处理",
    )
    assert [s["kind"] for s in moved["steps"]] == ["restore"]
    assert _step(moved, "restore")["due_at"] == due
    old = api.as_("super1").get(f"/api/v1/work-orders/{order['id']}").json()
    assert old["steps"] == []


def test_step_actions_on_an_order_whose_commitment_sets_none_are_refused(api: Api):
    order = _dispatch(api, "C1-K1", "C1-K1-NET")  # the default policy: no steps
    assert order["steps"] == [] and order["late_steps"] == 0
    response = api.as_("net1").post(
        f"/api/v1/work-orders/{order['id']}/feasibility-reply",
        json={"version": order["version"], "feasible": True},
    )
    problem = assert_problem(response, 409, "no_open_step")
    assert "装机可行性答复" in problem["detail"]


def test_business_customers_get_a_first_response_within_three_hours(api: Api):
    _commit(api.as_("admin"), "enterprise_first_response")
    c = create(api.as_("agent1"), customer={"phone": "13812345678", "tier": "enterprise"})
    assert c["sla"]["policy"]["code"] == "enterprise_first_response"
    first = next(k for k in c["sla"]["clocks"] if k["clock"] == "first_contact")
    assert first["limit_minutes"] == 180
    assert _at(first["due_at"]) == _at(c["accepted_at"]) + timedelta(hours=3)


@pytest.mark.parametrize(
    ("who", "unit", "area", "status", "code"),
    [
        ("agent1", "C1-K1", "rural", 403, "role_not_allowed"),
        ("admin", "C1-K1-NET", "rural", 422, "invalid_input"),
        ("admin", "NOPE", "rural", 404, "not_found"),
    ],
)
def test_only_an_administrator_sets_a_region_urban_or_rural(
    api: Api, who: str, unit: str, area: str, status: int, code: str
):
    response = api.as_(who).put(f"/api/v1/org-units/{unit}/area", json={"area": area})
    assert_problem(response, status, code)


def test_an_unknown_area_is_refused_and_a_region_can_inherit_again(api: Api):
    admin = api.as_("admin")
    response = admin.put("/api/v1/org-units/C1-K1/area", json={"area": "suburban"})
    assert response.status_code == 422
    _set_area(admin, "C1-K1", "rural")
    back = _set_area(admin, "C1-K1", None)
    assert back["area"] is None
    units = {u["code"]: u for u in admin.get("/api/v1/org-units").json()}
    assert units["C1-K1"]["area"] is None


def test_the_technician_records_arrival_from_the_unit_queue_page(
    api: Api, clock: MovableClock, server: Any
):
    """The unit queue offers the arrival form only while the visit is owed, and the time
    typed there is read in the operator's local time."""
    _commit(api.as_("admin"), "repair")
    appointment = (clock.now + timedelta(hours=1)).astimezone(SHANGHAI)
    order = _dispatch(api, "C1-K1", "C1-K1-NET", appointment_at=appointment.isoformat())
    act(api.as_("net1"), f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])
    browser = web_client(server.url, "net1")
    queue = browser.get("/unit/queue").text
    action = f"/unit/work-orders/{order['id']}/arrive"
    assert action in queue and "上门到场" in queue
    assert f"/unit/work-orders/{order['id']}/feasibility_reply" not in queue  # not owed
    clock.advance(hours=1, minutes=10)
    arrived = appointment + timedelta(minutes=5)
    response = post_form(
        browser, action, version=version_of(queue), at=arrived.strftime("%Y-%m-%dT%H:%M")
    )
    assert response.status_code == 303, response.text
    step = _step(api.as_("net1").get(f"/api/v1/work-orders/{order['id']}").json(), "arrival")
    assert _at(step["done_at"]) == arrived and step["state"] == "on_time"
    assert action not in browser.get("/unit/queue").text


def test_a_steps_answer_quoting_the_customer_is_masked_for_the_inspector(api: Api, server: Any):
    _commit(api.as_("admin"), "installation")
    order = _dispatch(api, "C1-K1", "C1-K1-NET", category="installation.new_line")
    secret = "请回电 13812345678 约装机"
    act(
        api.as_("net1"),
        f"/api/v1/work-orders/{order['id']}/feasibility-reply",
        version=order["version"],
        feasible=True,
        answer=secret,
    )
    inspector = api.as_("inspector")
    reads = {
        "work order": inspector.get(f"/api/v1/work-orders/{order['id']}").text,
        "complaint": inspector.get(f"/api/v1/complaints/{order['complaint_id']}").text,
        "events": inspector.get(f"/api/v1/complaints/{order['complaint_id']}/events").text,
        "page": web_client(server.url, "inspector")
        .get(f"/complaints/{order['complaint_id']}")
        .text,
    }
    for name, text in reads.items():
        assert "13812345678" not in text, name
    step = _step(inspector.get(f"/api/v1/work-orders/{order['id']}").json(), "feasibility")
    assert step["note"] is not None and "138****5678" in step["note"]
    full = _step(api.as_("super1").get(f"/api/v1/work-orders/{order['id']}").json(), "feasibility")
    assert "13812345678" in full["note"]
