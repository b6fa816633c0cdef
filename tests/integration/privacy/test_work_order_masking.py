"""Work-order instructions, results and reasons quote the customer: masked like the complaint.

The inspector (read-only, masked) reads them through the complaint, the work order, the
audit trail and the complaint page; none of those may show a full number. Staff who see the
complaint's personal data still read them in full.
"""

from __future__ import annotations

import httpx

from tests.conftest import Api
from tests.integration.api.helpers import act, create
from tests.integration.privacy.hostile import PERSONAL, leaked


def _worked_complaint(api: Api) -> tuple[int, list[int]]:
    agent = api.as_("agent1")
    c = create(agent, region="C1-K1")
    first = act(
        agent,
        f"/api/v1/complaints/{c['id']}/dispatch",
        version=c["version"],
        unit="C1-K1-NET",
        instructions="上门前先联系 " + PERSONAL,
    )
    second = act(
        api.as_("net1"),
        f"/api/v1/work-orders/{first['id']}/transfer",
        version=first["version"],
        unit="C1-K2-NET",
        reason="用户在西区, " + PERSONAL,
    )
    net2 = api.as_("net2")
    accepted = act(net2, f"/api/v1/work-orders/{second['id']}/accept", version=second["version"])
    act(
        net2,
        f"/api/v1/work-orders/{second['id']}/complete",
        version=accepted["version"],
        result="已修复, 已回电 " + PERSONAL,
    )
    return c["id"], [first["id"], second["id"]]


def _reads(api: Api, user: str, complaint_id: int, orders: list[int]) -> dict[str, str]:
    client = api.as_(user)
    answers = {
        "complaint": client.get(f"/api/v1/complaints/{complaint_id}"),
        "events": client.get(f"/api/v1/complaints/{complaint_id}/events"),
        **{f"work order {o}": client.get(f"/api/v1/work-orders/{o}") for o in orders},
    }
    page = httpx.Client(
        base_url=api.base_url, timeout=30, cookies={"careloop_session": api.token(user) or ""}
    )
    answers["page"] = page.get(f"/complaints/{complaint_id}")
    for name, response in answers.items():
        assert response.status_code == 200, (user, name, response.text[:300])
    return {name: response.text for name, response in answers.items()}


def test_inspector_reads_work_order_texts_masked_in_the_api_and_on_the_page(api: Api):
    complaint_id, orders = _worked_complaint(api)
    for name, text in _reads(api, "inspector", complaint_id, orders).items():
        assert leaked(text) == [], name
    complaint = api.as_("inspector").get(f"/api/v1/complaints/{complaint_id}").json()
    texts = [o["instructions"] or "" for o in complaint["work_orders"]]
    texts += [o["reason"] or "" for o in complaint["work_orders"]]
    texts += [o["result"] or "" for o in complaint["work_orders"]]
    assert sum("139****4321" in t for t in texts) == 4  # instructions ×2, reason, result


def test_a_supervisor_reads_the_work_order_texts_in_full(api: Api):
    complaint_id, orders = _worked_complaint(api)
    reads = _reads(api, "super1", complaint_id, orders)
    assert all(leaked(reads[f"work order {o}"]) for o in orders)
    assert leaked(reads["page"])
