"""Organisation scoping, read-only inspector, masking, unmask audit and exports."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.conftest import Api
from tests.integration.api.helpers import act, assert_problem, create


def test_county_handler_cannot_read_or_change_another_countys_complaint(api: Api):
    agent = api.as_("agent1")
    east = create(agent, region="C1-K1")
    order = act(
        agent,
        f"/api/v1/complaints/{east['id']}/dispatch",
        version=east["version"],
        unit="C1-K1-NET",
    )
    west_handler = api.as_("net2")  # West district network: another county
    for path in ("", "/events", "/notes", "/attachments"):
        assert_problem(west_handler.get(f"/api/v1/complaints/{east['id']}{path}"), 404, "not_found")
    assert_problem(west_handler.get(f"/api/v1/work-orders/{order['id']}"), 404, "not_found")
    response = west_handler.post(
        f"/api/v1/work-orders/{order['id']}/accept", json={"version": order["version"]}
    )
    assert_problem(response, 404, "not_found")
    response = west_handler.post(
        f"/api/v1/complaints/{east['id']}/notes", json={"text": "不该看到"}
    )
    assert_problem(response, 404, "not_found")
    # Not found looks exactly like a complaint that does not exist at all.
    missing = west_handler.get("/api/v1/complaints/999999")
    assert_problem(missing, 404, "not_found")
    assert west_handler.get("/api/v1/complaints").json()["total"] == 0
    # The east county's own handler sees and works it.
    east_handler = api.as_("net1")
    assert east_handler.get(f"/api/v1/complaints/{east['id']}").status_code == 200
    act(east_handler, f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])


def test_cross_domain_work_order_is_visible_to_both_units(api: Api):
    agent = api.as_("agent1")
    c = create(agent, region="C1-K1")
    order = act(
        agent, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit="C1-K1-NET"
    )
    act(
        api.as_("net1"),
        f"/api/v1/work-orders/{order['id']}/transfer",
        version=order["version"],
        unit="C1-K2-NET",
        reason="用户地址属西区",
    )
    for user in ("net1", "net2", "agent1", "lead1"):
        assert api.as_(user).get(f"/api/v1/complaints/{c['id']}").status_code == 200, user


def test_city_and_province_scopes(api: Api):
    agent = api.as_("agent1")
    c1 = create(agent, region="C1-K1")
    c2 = create(agent, region="C2-K1", customer={"phone": "13900000009"})
    assert api.as_("lead1").get("/api/v1/complaints").json()["total"] == 2
    for user in ("super1", "admin", "inspector"):
        assert api.as_(user).get("/api/v1/complaints").json()["total"] == 2, user
    # net1 (East district) sees the East complaint by region, not the other city's.
    ids = [x["id"] for x in api.as_("net1").get("/api/v1/complaints").json()["items"]]
    assert ids == [c1["id"]]
    assert c2["id"] not in ids


def test_inspector_reads_everything_in_scope_and_changes_nothing(api: Api):
    agent = api.as_("agent1")
    c = create(agent)
    inspector = api.as_("inspector")
    assert inspector.get(f"/api/v1/complaints/{c['id']}").status_code == 200
    assert inspector.get(f"/api/v1/complaints/{c['id']}/events").status_code == 200
    attempts = [
        ("handle", {"version": c["version"]}),
        ("reply", {"version": c["version"], "text": "x"}),
        ("dispatch", {"version": c["version"], "unit": "C1-K1-NET"}),
        ("cancel", {"version": c["version"], "reason": "x"}),
        ("notes", {"text": "检查员备注"}),
        ("unmask", {"reason": "核查"}),
    ]
    for action, body in attempts:
        response = inspector.post(f"/api/v1/complaints/{c['id']}/{action}", json=body)
        assert_problem(response, 403, "role_not_allowed")
    events = agent.get(f"/api/v1/complaints/{c['id']}/events").json()
    assert [e["action"] for e in events] == ["accept"]


def test_personal_data_masked_for_roles_without_the_need(api: Api):
    agent = api.as_("agent1")
    c = create(agent, description="请回电 13812345678，身份证 110101199003071234")
    # The owner sees the number (callback); the inspector does not, anywhere.
    assert agent.get(f"/api/v1/complaints/{c['id']}").json()["customer"]["phone"] == "13812345678"
    seen = api.as_("inspector").get(f"/api/v1/complaints/{c['id']}").json()
    assert seen["customer"]["phone"] == "138****5678"
    assert seen["customer"]["name"] == "孙**"
    assert "13812345678" not in seen["description"] and "138****5678" in seen["description"]
    assert "110101199003071234" not in seen["description"]
    events = api.as_("inspector").get(f"/api/v1/complaints/{c['id']}/events").json()
    assert events[0]["after"]["customer_phone"] == "138****5678"
    listed = api.as_("inspector").get("/api/v1/complaints").json()["items"][0]
    assert listed["customer"]["phone"] == "138****5678"
    # A handler not (yet) working on it sees it masked; once dispatched to them, unmasked.
    net1 = api.as_("net1")
    assert net1.get(f"/api/v1/complaints/{c['id']}").json()["customer"]["phone"] == "138****5678"
    act(agent, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit="C1-K1-NET")
    assert net1.get(f"/api/v1/complaints/{c['id']}").json()["customer"]["phone"] == "13812345678"


def test_unmasking_writes_an_audit_event(api: Api):
    agent = api.as_("agent1")
    c = create(agent)
    net1 = api.as_("net1")
    response = net1.post(f"/api/v1/complaints/{c['id']}/unmask", json={"reason": "上门前确认"})
    assert response.status_code == 200, response.text
    assert response.json()["phone"] == "13812345678"
    events = agent.get(f"/api/v1/complaints/{c['id']}/events").json()
    unmask = events[-1]
    assert unmask["action"] == "unmask" and unmask["actor"] == "net1"
    assert unmask["note"] == "上门前确认"
    assert "13812345678" not in str(unmask)
    # Outside the scope: 404, and nothing recorded.
    assert_problem(
        api.as_("net2").post(f"/api/v1/complaints/{c['id']}/unmask", json={"reason": "x"}),
        404,
        "not_found",
    )
    assert len(agent.get(f"/api/v1/complaints/{c['id']}/events").json()) == len(events)


def test_agents_export_is_masked_and_supervisors_is_not(api: Api):
    agent = api.as_("agent1")
    create(agent)
    create(agent, customer={"phone": "13900000001"}, description='=HYPERLINK("x")')
    response = agent.get("/api/v1/complaints/export", params={"format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Personal-Data"] == "masked"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    phone_col = rows[0].index("客户号码")
    assert sorted(r[phone_col] for r in rows[1:]) == ["138****5678", "139****0001"]
    assert "13812345678" not in response.text
    assert any(r[-1].startswith("'=") for r in rows[1:])  # no formula injection

    xlsx = api.as_("super1").get("/api/v1/complaints/export", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.headers["X-Personal-Data"] == "unmasked"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    phone_col = values[0].index("客户号码")
    assert sorted(r[phone_col] for r in values[1:]) == ["13812345678", "13900000001"]

    inspector = api.as_("inspector").get("/api/v1/complaints/export")
    assert inspector.headers["X-Personal-Data"] == "masked"
    assert_problem(
        agent.get("/api/v1/complaints/export", params={"format": "pdf"}), 422, "invalid_input"
    )
