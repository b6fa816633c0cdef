"""Repeat complaints escalate, end to end over the real HTTP API on both engines: a
policy for repeats, a customer who complains again about the same issue within 30 days,
the second complaint linked to the first, held to the repeat policy, raised a priority
step, its unit lead told through the outbox, and the repeat rate counting it."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem, complaint_body, create

REPEAT_POLICY: dict[str, Any] = {
    "name": "重复投诉4小时答复",
    "rank": 10,
    "match_repeat": True,
    "limits": {"reply": {"minutes": 240, "basis": "calendar"}},
    "escalation": [{"level": 1, "to": "unit_lead", "after_minutes": 0, "channel": "sms"}],
}
PHONE = "13812345678"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _repeat_rate(client: httpx.Client, day: str) -> tuple[int, int, float]:
    """(repeats, complaints, rate %) of the month containing ``day``, as the monthly report
    the centre downloads states them."""
    response = client.get("/api/v1/reports/monthly", params={"date": day, "format": "xlsx"})
    assert response.status_code == 200, response.text
    rows = load_workbook(io.BytesIO(response.content))["indicators"].iter_rows(values_only=True)
    header = next(rows)
    row = next(dict(zip(header, r, strict=True)) for r in rows if r[0] == "repeat_rate")
    return row["分子"], row["分母"], row["本期值"]


def _repeat_notices(client: httpx.Client, complaint_id: int) -> list[dict[str, Any]]:
    response = client.get(
        "/api/v1/sla/notifications", params={"complaint_id": complaint_id, "kind": "repeat"}
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _link_event(client: httpx.Client, complaint_id: int) -> dict[str, Any]:
    events = client.get(f"/api/v1/complaints/{complaint_id}/events").json()
    assert [e["action"] for e in events] == ["accept", "link_repeat"]
    return events[1]


def test_a_repeat_is_linked_held_to_the_repeat_policy_raised_and_its_lead_told(
    api: Api, clock: MovableClock
):
    admin, agent, lead = api.as_("admin"), api.as_("agent1"), api.as_("lead1")
    saved = admin.put("/api/v1/sla/policies/REPEAT-4H", json=REPEAT_POLICY)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["match_repeat"], saved.json()["match_area"]) == (True, None)

    first = create(agent, category="broadband.outage")
    assert first["is_repeat"] is False and first["priority"] == "normal"
    assert first["sla"]["policy"]["code"] != "REPEAT-4H"
    assert _repeat_notices(lead, first["id"]) == []

    # Two days later the same customer calls about the same issue, in other words.
    clock.advance(days=2)
    second = create(agent, category="broadband.speed", customer={"phone": "+86 138-1234-5678"})
    assert second["is_repeat"] is True and second["repeat_of_id"] == first["id"]
    assert second["priority"] == "high"
    assert second["sla"]["policy"]["code"] == "REPEAT-4H"
    due = _at(second["reply_due_at"])
    assert due == _at(second["accepted_at"]) + timedelta(minutes=240)
    # Read back, not only as intake answered: the stored complaint says the same.
    stored = agent.get(f"/api/v1/complaints/{second['id']}").json()
    assert (stored["priority"], stored["reply_due_at"]) == ("high", second["reply_due_at"])

    link = _link_event(agent, second["id"])
    assert link["before"] == {"priority": "normal"}
    assert link["after"] == {
        "repeat_of_id": first["id"],
        "priority": "high",
        "notified": ["staff:lead1"],
    }
    assert "「普通」升为「高」" in link["note"] and "30" in link["note"]

    (notice,) = _repeat_notices(lead, second["id"])
    assert (notice["recipient"], notice["channel"], notice["status"]) == (
        "staff:lead1",
        "sms",
        "pending",
    )
    assert PHONE not in notice["body"] and "138****5678" in notice["body"]
    zh, en = notice["body"].split("\n")
    assert second["number"] in zh and first["number"] in zh and "宽带网速慢" in zh
    assert "2026-09-30 14:00（北京时间）" in zh  # 10:00 Beijing time + 4 h
    assert "Broadband too slow" in en and "priority raised from normal to high" in en

    # The notify adapters deliver it like any alert: the recording adapter by default.
    assert admin.post("/api/v1/sla/sweep").status_code == 200
    (delivered,) = _repeat_notices(lead, second["id"])
    assert (delivered["status"], delivered["adapter"]) == ("sent", "recording")

    # The centre's repeat rate counts it: one repeat of two complaints this month.
    assert _repeat_rate(api.as_("super1"), "2026-09-30") == (1, 2, 50)


def test_bulk_intake_escalates_repeats_of_earlier_complaints_and_of_its_own_items(
    api: Api, clock: MovableClock
):
    admin, agent, lead = api.as_("admin"), api.as_("agent1"), api.as_("lead1")
    assert admin.put("/api/v1/sla/policies/REPEAT-4H", json=REPEAT_POLICY).status_code == 200
    earlier = create(agent, category="broadband.outage")
    clock.advance(days=29)
    items = [
        # repeats `earlier`, 29 days on: normal → high
        complaint_body(category="broadband.repair_delay", idempotency_key="b-1"),
        # a new customer, then the same customer again within this very batch
        complaint_body(customer={"phone": "13900001111"}, priority="high", idempotency_key="b-2"),
        complaint_body(customer={"phone": "13900001111"}, priority="high", idempotency_key="b-3"),
        # already urgent: stays urgent, still told
        complaint_body(customer={"phone": "13900001111"}, priority="urgent", idempotency_key="b-4"),
    ]
    answer = agent.post("/api/v1/complaints/batch", json={"items": items})
    assert answer.status_code == 200, answer.text
    refs = [r["complaint"] for r in answer.json()["items"]]
    assert [r["is_repeat"] for r in refs] == [True, False, True, True]
    assert refs[0]["repeat_of_id"] == earlier["id"]
    assert refs[2]["repeat_of_id"] == refs[1]["id"] and refs[3]["repeat_of_id"] == refs[2]["id"]
    full = [agent.get(f"/api/v1/complaints/{r['id']}").json() for r in refs]
    assert [c["priority"] for c in full] == ["high", "high", "urgent", "urgent"]
    policies = [c["sla"]["policy"]["code"] for c in full]
    assert policies[1] != "REPEAT-4H" and {policies[0], policies[2], policies[3]} == {"REPEAT-4H"}
    for c in (full[0], full[2], full[3]):
        assert _at(c["reply_due_at"]) == _at(c["accepted_at"]) + timedelta(minutes=240)

    assert _link_event(agent, refs[2]["id"])["after"]["priority"] == "urgent"
    urgent = _link_event(agent, refs[3]["id"])
    assert urgent["before"] == {"priority": "urgent"} and "已是最高" in urgent["note"]
    told = {ref["id"]: _repeat_notices(lead, ref["id"]) for ref in refs}
    assert [len(told[ref["id"]]) for ref in refs] == [1, 0, 1, 1]
    assert {n["recipient"] for ref in refs for n in told[ref["id"]]} == {"staff:lead1"}
    assert "138****5678" in told[refs[0]["id"]][0]["body"]
    in_batch = told[refs[2]["id"]][0]["body"]
    assert "139****1111" in in_batch and "13900001111" not in in_batch
    # It names the earlier item of the same batch by its number, known only after the insert.
    assert f"{refs[2]['number']} 重复 {refs[1]['number']}" in in_batch
    # Re-sending the batch replays it: no second message, no second raise.
    again = agent.post("/api/v1/complaints/batch", json={"items": items}).json()
    assert again["replayed"] == 4
    assert len(_repeat_notices(lead, refs[2]["id"])) == 1
    # 29 days on is still October: the repeat rate of October counts the three repeats.
    assert _repeat_rate(api.as_("super1"), "2026-10-27") == (3, 4, 75)


def test_repeat_and_area_matching_refused_in_words_people_understand(api: Api):
    admin = api.as_("admin")
    bad_area = admin.put("/api/v1/sla/policies/RURAL", json={**REPEAT_POLICY, "match_area": "town"})
    problem = assert_problem(bad_area, 422, "invalid_input")
    assert "适用城乡" in problem["detail"] and "urban（城市）" in problem["detail"]
    assert "match_area" not in problem["detail"]
    bad_repeat = admin.put(
        "/api/v1/sla/policies/RURAL", json={**REPEAT_POLICY, "match_repeat": "sometimes"}
    )
    problem = assert_problem(bad_repeat, 422, "invalid_input")
    assert "适用重复投诉" in problem["detail"] and "match_repeat" not in problem["detail"]
    english = api.as_("admin", lang="en").put(
        "/api/v1/sla/policies/RURAL", json={**REPEAT_POLICY, "match_area": "town"}
    )
    assert "urban or rural matched" in assert_problem(english, 422, "invalid_input")["detail"]
    rural = admin.put("/api/v1/sla/policies/RURAL", json={**REPEAT_POLICY, "match_area": "rural"})
    assert rural.status_code == 200 and rural.json()["match_area"] == "rural"


def test_intake_matches_the_region_urban_or_rural_kind_inherited_down_the_tree(
    api: Api, clock: MovableClock
):
    admin, agent = api.as_("admin"), api.as_("agent1")
    for code, area in (("C1", "urban"), ("C1-K2", "rural")):
        marked = admin.put(f"/api/v1/org-units/{code}/area", json={"area": area})
        assert marked.status_code == 200, marked.text
    rural = {
        "name": "农村72小时答复",
        "rank": 10,
        "match_area": "rural",
        "limits": {"reply": {"minutes": 72 * 60, "basis": "calendar"}},
    }
    assert admin.put("/api/v1/sla/policies/RURAL-72H", json=rural).status_code == 200
    assert admin.put("/api/v1/sla/policies/REPEAT-4H", json=REPEAT_POLICY).status_code == 200

    in_town = create(agent, region="C1-K1")  # a county of an urban city: urban
    in_country = create(agent, region="C1-K2", customer={"phone": "13900002222"})
    assert in_town["sla"]["policy"]["code"] not in ("RURAL-72H", "REPEAT-4H")
    assert in_country["sla"]["policy"]["code"] == "RURAL-72H"
    due = _at(in_country["reply_due_at"]) - _at(in_country["accepted_at"])
    assert due == timedelta(hours=72)

    # The same rule in bulk. At equal rank the policy naming more terms wins: a rural
    # repeat is held to the one for rural repeats, an urban repeat to the repeat policy.
    both = {**REPEAT_POLICY, "name": "农村重复投诉2小时", "match_area": "rural",
            "limits": {"reply": {"minutes": 120, "basis": "calendar"}}}  # fmt: skip
    assert admin.put("/api/v1/sla/policies/RURAL-REPEAT", json=both).status_code == 200
    clock.advance(hours=1)
    items = [
        complaint_body(region="C1-K2", customer={"phone": "13900003333"}, idempotency_key="a-1"),
        complaint_body(region="C1-K2", customer={"phone": "13900002222"}, idempotency_key="a-2"),
        complaint_body(region="C1-K1", customer={"phone": PHONE}, idempotency_key="a-3"),
    ]
    refs = [
        r["complaint"]
        for r in agent.post("/api/v1/complaints/batch", json={"items": items}).json()["items"]
    ]
    codes = [agent.get(f"/api/v1/complaints/{r['id']}").json()["sla"]["policy"]["code"]
             for r in refs]  # fmt: skip
    assert codes == ["RURAL-72H", "RURAL-REPEAT", "REPEAT-4H"]
    assert [r["is_repeat"] for r in refs] == [False, True, True]


def test_a_repeat_at_night_reaches_the_lead_by_sms_after_quiet_hours(api: Api, clock: MovableClock):
    admin, agent, lead = api.as_("admin"), api.as_("agent1"), api.as_("lead1")
    assert admin.put("/api/v1/sla/policies/REPEAT-4H", json=REPEAT_POLICY).status_code == 200
    clock.now = datetime.fromisoformat("2026-09-28T14:00:00+00:00")  # 22:00 Beijing time
    create(agent, category="broadband.outage")
    clock.advance(hours=1)
    repeat = create(agent, category="broadband.speed")
    (notice,) = _repeat_notices(lead, repeat["id"])
    assert notice["channel"] == "sms"
    assert _at(notice["send_after"]) == _at("2026-09-29T00:00:00Z")  # 08:00 Beijing time
    assert admin.post("/api/v1/sla/sweep").status_code == 200
    assert _repeat_notices(lead, repeat["id"])[0]["status"] == "pending"
    clock.now = datetime.fromisoformat("2026-09-29T00:01:00+00:00")
    assert admin.post("/api/v1/sla/sweep").status_code == 200
    assert _repeat_notices(lead, repeat["id"])[0]["status"] == "sent"
