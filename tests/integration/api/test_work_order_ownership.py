"""Only the unit that owns a work order (or those above it) may work on it."""

from __future__ import annotations

from tests.conftest import Api
from tests.integration.api.helpers import act, assert_problem, create


def _dispatched(api: Api, unit: str = "C1-K1-NET", region: str = "C1-K1") -> dict:  # type: ignore[type-arg]
    agent = api.as_("agent1")
    c = create(agent, region=region)
    return act(agent, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit=unit)


def test_a_unit_that_sees_the_complaint_but_not_the_order_cannot_act_on_it(api: Api):
    """The city's billing department sees the city's complaints, not the county's work."""
    order = _dispatched(api)
    bill1 = api.as_("bill1")
    assert bill1.get(f"/api/v1/complaints/{order['complaint_id']}").status_code == 200
    for action, body in (
        ("accept", {}),
        ("complete", {"result": "已处理"}),
        ("return", {"reason": "不归我管"}),
        ("transfer", {"unit": "C1-BILL", "reason": "我来办"}),
    ):
        response = bill1.post(
            f"/api/v1/work-orders/{order['id']}/{action}",
            json={"version": order["version"], **body},
        )
        assert_problem(response, 404, "not_found")
    unchanged = api.as_("net1").get(f"/api/v1/work-orders/{order['id']}").json()
    assert unchanged["status"] == "dispatched" and unchanged["version"] == order["version"]


def test_a_neighbouring_county_handler_cannot_accept_an_order_of_its_region(api: Api):
    """net2's county is the complaint's region, but the work was sent to net1's unit."""
    order = _dispatched(api, unit="C1-K1-NET", region="C1-K2")
    net2 = api.as_("net2")
    assert net2.get(f"/api/v1/complaints/{order['complaint_id']}").status_code == 200
    response = net2.post(
        f"/api/v1/work-orders/{order['id']}/accept", json={"version": order["version"]}
    )
    assert_problem(response, 404, "not_found")


def test_the_owning_unit_its_lead_and_the_province_may_act(api: Api):
    order = _dispatched(api)
    accepted = act(
        api.as_("net1"), f"/api/v1/work-orders/{order['id']}/accept", version=order["version"]
    )
    assert accepted["status"] == "accepted"
    # The city's unit lead sits above the county's network department.
    done = act(
        api.as_("lead1"),
        f"/api/v1/work-orders/{order['id']}/complete",
        version=accepted["version"],
        result="已更换光猫",
    )
    assert done["status"] == "completed"
    other = _dispatched(api)
    moved = act(
        api.as_("super1"),
        f"/api/v1/work-orders/{other['id']}/transfer",
        version=other["version"],
        unit="C1-K2-NET",
        reason="应由西区处理",
    )
    assert moved["unit"]["code"] == "C1-K2-NET"
