"""The closed loop through the real HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, assert_problem, create


def test_full_loop_with_reopen_ends_archived_with_the_same_owner(api: Api, clock: MovableClock):
    agent, net, supervisor = api.as_("agent1"), api.as_("net1"), api.as_("super1")
    c = create(agent)
    cid = c["id"]
    assert c["status"] == "accepted" and c["first_owner"] == "agent1"
    assert c["number"].startswith("TS20260928")

    clock.advance(minutes=5)
    order = act(
        agent,
        f"/api/v1/complaints/{cid}/dispatch",
        version=c["version"],
        unit="C1-K1-NET",
        due_hours=24,
        instructions="请上门检修光猫",
    )
    assert order["status"] == "dispatched" and order["unit"]["code"] == "C1-K1-NET"
    clock.advance(hours=1)
    order = act(net, f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])
    assert order["owner_id"] is not None
    clock.advance(hours=3)
    act(
        net,
        f"/api/v1/work-orders/{order['id']}/complete",
        version=order["version"],
        result="更换光猫后恢复正常",
    )
    c = agent.get(f"/api/v1/complaints/{cid}").json()
    assert c["status"] == "in_progress"
    clock.advance(minutes=30)
    c = act(agent, f"/api/v1/complaints/{cid}/reply", version=c["version"], text="已修复，请试用")
    assert c["status"] == "replied" and c["reply_text"] == "已修复，请试用"

    # Dissatisfied callback reopens: back to handling, counted, same owner.
    clock.advance(days=1)
    c = act(
        agent,
        f"/api/v1/complaints/{cid}/callback",
        version=c["version"],
        satisfied=False,
        comment="晚上还是掉线",
    )
    assert c["status"] == "in_progress" and c["reopen_count"] == 1
    assert c["callback_satisfied"] is False

    order2 = act(
        agent, f"/api/v1/complaints/{cid}/dispatch", version=c["version"], unit="C1-K1-NET"
    )
    order2 = act(
        net,
        f"/api/v1/work-orders/{order2['id']}/complete",
        version=order2["version"],
        result="更换入户光缆",
    )
    c = agent.get(f"/api/v1/complaints/{cid}").json()
    c = act(agent, f"/api/v1/complaints/{cid}/reply", version=c["version"], text="已更换光缆")
    c = act(agent, f"/api/v1/complaints/{cid}/callback", version=c["version"], satisfied=True)
    assert c["status"] == "closed" and c["closed_at"]
    c = act(supervisor, f"/api/v1/complaints/{cid}/archive", version=c["version"])
    assert c["status"] == "archived"
    assert c["first_owner"] == "agent1"
    assert [w["seq"] for w in c["work_orders"]] == [1, 2]

    actions = [e["action"] for e in agent.get(f"/api/v1/complaints/{cid}/events").json()]
    assert actions == [
        "accept",
        "dispatch",
        "work_order_dispatched",
        "work_order_accept",
        "work_order_complete",
        "reply",
        "reopen",
        "dispatch",
        "work_order_dispatched",
        "work_order_complete",
        "reply",
        "callback_satisfied",
        "archive",
    ]


def test_every_change_is_an_event_with_before_and_after(api: Api, clock: MovableClock):
    agent = api.as_("agent1")
    c = create(agent)
    clock.advance(minutes=1)
    c = act(
        agent,
        f"/api/v1/complaints/{c['id']}/pause",
        version=c["version"],
        reason="等待客户提供账单截图",
    )
    clock.advance(hours=2)
    c = act(agent, f"/api/v1/complaints/{c['id']}/resume", version=c["version"])
    events = agent.get(f"/api/v1/complaints/{c['id']}/events").json()
    accept, pause, resume = events
    assert accept["before"] is None and accept["after"]["status"] == "accepted"
    assert accept["after"]["customer_phone"] == "13812345678"
    assert pause["before"] == {"status": "accepted"}
    assert pause["after"] == {"status": "pending_customer"}
    assert pause["note"] == "等待客户提供账单截图"
    assert resume["before"] == {"status": "pending_customer"}
    assert resume["after"] == {"status": "in_progress"}
    assert all(e["actor"] == "agent1" and e["role"] == "agent" for e in events)
    assert pause["at"] < resume["at"]


def test_illegal_transition_is_refused_with_problem_json(api: Api):
    agent = api.as_("agent1", lang="en")
    c = create(agent)
    response = agent.post(
        f"/api/v1/complaints/{c['id']}/callback", json={"version": c["version"], "satisfied": True}
    )
    problem = assert_problem(response, 409, "illegal_transition")
    assert "'Accepted'" in problem["detail"]  # the status by its label, not its code
    assert agent.get(f"/api/v1/complaints/{c['id']}").json()["status"] == "accepted"


def test_transition_by_the_wrong_role_is_refused(api: Api):
    agent = api.as_("agent1")
    c = create(agent)
    c = act(agent, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已解释资费")
    c = act(agent, f"/api/v1/complaints/{c['id']}/callback", version=c["version"], satisfied=True)
    # A back-office handler may not archive, and the regulator's inspector may change nothing.
    for username in ("net1", "inspector"):
        response = api.as_(username).post(
            f"/api/v1/complaints/{c['id']}/archive", json={"version": c["version"]}
        )
        problem = assert_problem(response, 403, "role_not_allowed")
        assert "「归档」" in problem["detail"]  # the action in words, in the caller's language
    response = api.as_("inspector").post(
        "/api/v1/complaints",
        json={
            "channel": "hotline",
            "customer": {"phone": "13812345678"},
            "category": "other.general",
            "region": "C1",
            "description": "检查员不能受理",
        },
    )
    assert_problem(response, 403, "role_not_allowed")
    assert agent.get(f"/api/v1/complaints/{c['id']}").json()["status"] == "closed"


def test_unknown_user_is_refused(api: Api):
    response = api.as_("nobody").get("/api/v1/complaints")
    assert_problem(response, 401, "unknown_actor")
    response = api.client.get("/api/v1/complaints")
    assert_problem(response, 401, "unknown_actor")


def test_first_question_owner_survives_dispatch_transfer_and_return(api: Api):
    agent, net1, net2 = api.as_("agent1"), api.as_("net1"), api.as_("net2")
    c = create(agent)
    cid = c["id"]
    order = act(agent, f"/api/v1/complaints/{cid}/dispatch", version=c["version"], unit="C1-K1-NET")
    moved = act(
        net1,
        f"/api/v1/work-orders/{order['id']}/transfer",
        version=order["version"],
        unit="C1-K2-NET",
        reason="用户地址属西区",
    )
    assert moved["transferred_from_id"] == order["id"] and moved["status"] == "dispatched"
    assert moved["due_at"] == order["due_at"]
    returned = act(
        net2,
        f"/api/v1/work-orders/{moved['id']}/return",
        version=moved["version"],
        reason="非网络问题，属计费争议",
    )
    assert returned["status"] == "returned" and returned["reason"] == "非网络问题，属计费争议"
    c = agent.get(f"/api/v1/complaints/{cid}").json()
    assert c["first_owner"] == "agent1" and c["owner_unit_id"] == c["owner_unit_id"]
    assert [w["status"] for w in c["work_orders"]] == ["transferred", "returned"]
    events = agent.get(f"/api/v1/complaints/{cid}/events").json()
    assert not any("first_owner_id" in (e["after"] or {}) for e in events[1:])
    transfer = next(e for e in events if e["action"] == "work_order_transfer")
    assert transfer["actor"] == "net1" and transfer["note"] == "用户地址属西区"


def test_reply_is_refused_while_a_work_order_is_open(api: Api):
    agent = api.as_("agent1", lang="en")
    c = create(agent)
    act(agent, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit="C1-BILL")
    c = agent.get(f"/api/v1/complaints/{c['id']}").json()
    response = agent.post(
        f"/api/v1/complaints/{c['id']}/reply", json={"version": c["version"], "text": "已处理"}
    )
    assert_problem(response, 409, "work_orders_open")


def test_merge_closes_the_duplicate_and_records_it_on_both(api: Api):
    agent = api.as_("agent1")
    first = create(agent)
    second = create(agent, customer={"phone": "13900001111"})
    merged = act(
        agent,
        f"/api/v1/complaints/{second['id']}/merge",
        version=second["version"],
        into=first["id"],
        reason="同一故障",
    )
    assert merged["status"] == "merged" and merged["merged_into_id"] == first["id"]
    events = agent.get(f"/api/v1/complaints/{first['id']}/events").json()
    assert events[-1]["action"] == "merged_in"
    assert events[-1]["after"] == {"merged_from_id": second["id"]}
    response = agent.post(
        f"/api/v1/complaints/{first['id']}/merge", json={"version": 99, "into": first["id"]}
    )
    assert_problem(response, 409, "merge_into_self")


def test_cancel_and_reject_need_a_reason_and_finish_the_complaint(api: Api):
    agent = api.as_("agent1")
    a, b = create(agent), create(agent, customer={"phone": "13900002222"})
    response = agent.post(
        f"/api/v1/complaints/{a['id']}/cancel", json={"version": a["version"], "reason": ""}
    )
    assert_problem(response, 422, "invalid_input")
    assert (
        act(
            agent,
            f"/api/v1/complaints/{a['id']}/cancel",
            version=a["version"],
            reason="客户来电撤诉",
        )["status"]
        == "cancelled"
    )
    assert (
        act(
            agent,
            f"/api/v1/complaints/{b['id']}/reject",
            version=b["version"],
            reason="咨询类来电，非投诉",
        )["status"]
        == "rejected"
    )


def test_notes_and_attachments_are_kept_and_audited(api: Api):
    agent = api.as_("agent1")
    c = create(agent)
    note = act(agent, f"/api/v1/complaints/{c['id']}/notes", text="客户要求下午联系")
    assert note["author"] == "agent1"
    att = act(
        agent,
        f"/api/v1/complaints/{c['id']}/attachments",
        filename="账单.jpg",
        content_type="image/jpeg",
        size_bytes=20480,
    )
    assert att["filename"] == "账单.jpg"
    assert [n["text"] for n in agent.get(f"/api/v1/complaints/{c['id']}/notes").json()] == [
        "客户要求下午联系"
    ]
    actions = [e["action"] for e in agent.get(f"/api/v1/complaints/{c['id']}/events").json()]
    assert actions == ["accept", "note", "attach"]
