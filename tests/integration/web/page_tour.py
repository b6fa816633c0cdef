"""Every staff page, with complaints in many states behind it: the tour that the visible-text
test (``test_visible_text``) and the accessibility test (``tests/e2e/test_accessibility``)
walk. A page added to CareLoop is added to ``PAGES`` below, once, and both tests cover it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import act, create
from tests.integration.web.helpers import post_form, version_of, web_client


@dataclass(frozen=True)
class Stop:
    """One page of the tour: who looks (None: nobody logged in) and where; ``{name}`` in
    the path is filled from the scenario (a complaint's id, yesterday's date …)."""

    who: str | None
    path: str
    phone: bool = False
    """Also checked at the phone size by the accessibility test (the agents' daily pages)."""


PAGES: list[Stop] = [
    Stop(None, "/login"),
    Stop(None, "/self-service"),
    Stop("agent1", "/agent/queue", phone=True),
    Stop("agent1", "/agent/intake", phone=True),
    Stop("agent1", "/complaints"),
    Stop("agent1", "/complaints/{fresh}", phone=True),
    Stop("agent1", "/complaints/{dispatched}"),
    Stop("agent1", "/complaints/{unit_accepted}"),
    Stop("agent1", "/complaints/{returned}"),
    Stop("agent1", "/complaints/{completed}", phone=True),
    Stop("agent1", "/complaints/{replied}"),
    Stop("agent1", "/complaints/{closed}"),
    Stop("agent1", "/complaints/{reopened}"),
    Stop("agent1", "/complaints/{paused}"),
    Stop("agent1", "/complaints/{appealed}"),
    Stop("agent1", "/complaints/{unreachable}"),
    Stop("agent1", "/complaints/{merged}"),
    Stop("agent1", "/complaints/{cancelled}"),
    Stop("agent1", "/complaints/{incident_linked}"),
    Stop("agent1", "/complaints/999999"),
    Stop("net1", "/unit/queue", phone=True),
    Stop("net1", "/complaints/{unit_accepted}"),
    Stop("super1", "/supervisor"),
    Stop("super1", "/complaints?sla=breached"),
    Stop("super1", "/complaints?open=1"),
    Stop("super1", "/complaints/{archived}"),
    Stop("super1", "/incidents"),
    Stop("super1", "/incidents/new"),
    Stop("super1", "/incidents/{incident}"),
    Stop("net2", "/inspections", phone=True),
    Stop("net2", "/inspections/{inspection_planned}", phone=True),
    Stop("super1", "/inspections/{inspection}"),
    Stop("super1", "/inspections/rankings", phone=True),
    Stop("super1", "/inspections/import", phone=True),
    Stop("admin", "/policies"),
    Stop("admin", "/calendar"),
    Stop("super1", "/csi", phone=True),
    Stop("super1", "/accountability"),
    Stop("super1", "/accountability/cases/{case}"),
    Stop("agent1", "/accountability/mine", phone=True),
    Stop("agent1", "/accountability/cases/{case}", phone=True),
    Stop("super1", "/surveys/results", phone=True),
    Stop("super1", "/surveys/results?by=agent"),
    Stop("super1", "/surveys/results/answers?by=unit&key=C1-K1-NET", phone=True),
    Stop("super1", "/surveys/templates", phone=True),
    Stop("super1", "/surveys/rules", phone=True),
    Stop("lead1", "/surveys/results"),
    Stop("net1", "/rectifications", phone=True),
    Stop("net1", "/rectifications/{rectification}", phone=True),
    Stop("super1", "/rectifications/{rectification_submitted}"),
    Stop("super1", "/social-supervisors", phone=True),
    Stop("super1", "/social-supervisors/submissions", phone=True),
    Stop("net1", "/social-supervisors/submissions/{supervision_submission}", phone=True),
    # Reports as their HTML pages (the dashboard's download buttons, the web session).
    Stop("super1", "/api/v1/reports/daily?date={yesterday}&format=html"),
    Stop("super1", "/api/v1/reports/weekly?date={yesterday}&format=html"),
    Stop("super1", "/api/v1/reports/tenday?date={yesterday}&format=html"),
    Stop("super1", "/api/v1/reports/monthly?date={yesterday}&format=html"),
    Stop("super1", "/api/v1/incidents/{incident}/report?format=html"),
]
"""Pages other work adds (a customer's page, saved views …) go here, as one line each."""


def _dispatch(agent: Any, c: dict[str, Any], unit: str = "C1-K1-NET") -> dict[str, Any]:
    return act(agent, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit=unit)


def _get(client: Any, cid: int) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/v1/complaints/{cid}").json()
    return found


def build(server: LiveServer, api: Api, clock: MovableClock) -> dict[str, Any]:
    """Complaints in every state a page shows, made through the API and the pages as staff
    would; returns what the paths of ``PAGES`` name."""
    agent, net1, net2 = api.as_("agent1"), api.as_("net1"), api.as_("net2")
    ids: dict[str, Any] = {}
    ids["fresh"] = create(agent, customer={"phone": "13900000001"})["id"]

    c = create(agent, customer={"phone": "13900000002"})
    _dispatch(agent, c)
    ids["dispatched"] = c["id"]

    c = create(agent, customer={"phone": "13900000003"})
    order = _dispatch(agent, c)
    act(net1, f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])
    ids["unit_accepted"] = c["id"]

    c = create(agent, customer={"phone": "13900000004"})
    order = _dispatch(agent, c)
    moved = act(
        net1,
        f"/api/v1/work-orders/{order['id']}/transfer",
        version=order["version"],
        unit="C1-K2-NET",
        reason="用户地址属西区",
    )
    act(
        net2,
        f"/api/v1/work-orders/{moved['id']}/return",
        version=moved["version"],
        reason="非网络问题",
    )
    ids["returned"] = c["id"]

    def completed(phone: str) -> dict[str, Any]:
        c = create(agent, customer={"phone": phone})
        order = _dispatch(agent, c)
        clock.advance(minutes=20)
        order = act(net1, f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])
        act(
            net1,
            f"/api/v1/work-orders/{order['id']}/complete",
            version=order["version"],
            result="更换光猫",
        )
        return _get(agent, c["id"])

    ids["completed"] = completed("13900000005")["id"]

    def replied(phone: str, **overrides: Any) -> dict[str, Any]:
        c = create(agent, customer={"phone": phone}, **overrides)
        return act(
            agent, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已处理"
        )

    c = completed("13900000006")
    act(agent, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已修复")
    ids["replied"] = c["id"]

    c = replied("13900000007")
    act(agent, f"/api/v1/complaints/{c['id']}/callback", version=c["version"], satisfied=True)
    ids["closed"] = c["id"]

    c = replied("13900000008")
    c = act(agent, f"/api/v1/complaints/{c['id']}/callback", version=c["version"], satisfied=True)
    act(api.as_("super1"), f"/api/v1/complaints/{c['id']}/archive", version=c["version"])
    ids["archived"] = c["id"]

    c = replied("13900000009")
    act(
        agent,
        f"/api/v1/complaints/{c['id']}/callback",
        version=c["version"],
        satisfied=False,
        comment="晚上还是掉线",
    )
    ids["reopened"] = c["id"]

    c = create(agent, customer={"phone": "13900000010"})
    c = act(agent, f"/api/v1/complaints/{c['id']}/handle", version=c["version"])
    act(agent, f"/api/v1/complaints/{c['id']}/pause", version=c["version"], reason="等用户回电")
    ids["paused"] = c["id"]

    web = web_client(server.url, "agent1")
    c = replied("13900000011", regulator_transfer=True)
    page = f"/complaints/{c['id']}"
    post_form(web, f"{page}/actions/appeal_outcome", version=c["version"], outcome="informed")
    ids["appealed"] = c["id"]

    c = replied("13900000012")
    clock.advance(hours=1)
    post_form(web, f"/complaints/{c['id']}/actions/callback_unreachable", version=c["version"])
    ids["unreachable"] = c["id"]

    target = create(agent, customer={"phone": "13900000013"})
    c = create(agent, customer={"phone": "13900000013"})
    html = web.get(f"/complaints/{c['id']}").text
    post_form(
        web,
        f"/complaints/{c['id']}/actions/merge",
        version=version_of(html),
        into=target["number"],
        text="同一故障",
    )
    post_form(web, f"/complaints/{target['id']}/actions/note", text="用户要求晚上联系")
    ids["merged"] = c["id"]

    c = create(agent, customer={"phone": "13900000014"})
    act(agent, f"/api/v1/complaints/{c['id']}/cancel", version=c["version"], reason="用户撤销")
    ids["cancelled"] = c["id"]

    incident = api.as_("super1").post(
        "/api/v1/incidents",
        json={
            "kind": "network_outage",
            "title": "东区宽带大面积中断",
            "prepared_answer": "东区光缆中断，正在抢修，预计今晚恢复。",
            "regions": ["C1-K1"],
            "categories": ["broadband"],
            "starts_at": (clock.now - timedelta(hours=1)).isoformat(),
        },
    )
    assert incident.status_code == 201, incident.text
    ids["incident"] = incident.json()["id"]
    ids["incident_linked"] = create(agent, customer={"phone": "13900000015"})["id"]

    # A quarter's store visits: 西区's staff sent to 东区's store (planned), 东区's staff to
    # 西区's store (submitted, with a failed item), for the inspection pages.
    for code, name, unit in (
        ("C1-K1-S1", "东区解放路营业厅", "C1-K1"),
        ("C1-K2-S1", "西区文三路营业厅", "C1-K2"),
    ):
        act(
            api.as_("super1"),
            "/api/v1/inspections/subjects",
            kind="store",
            code=code,
            name_zh=name,
            unit=unit,
        )
    day = clock.now.date()
    act(
        api.as_("super1"),
        "/api/v1/inspections/plans",
        name="九月营业厅明察暗访",
        kind="store_visit",
        cadence="quarterly",
        starts_on=(day - timedelta(days=20)).isoformat(),
        ends_on=day.isoformat(),
        inspectors=["net1", "net2"],
    )
    ids["inspection_planned"] = net2.get("/api/v1/inspections?mine=true").json()["items"][0]["id"]
    visit = net1.get("/api/v1/inspections?mine=true").json()["items"][0]
    checklist = net1.get("/api/v1/checklists/store_visit").json()
    items = [
        {
            "code": i["code"],
            "awarded": 0 if i["code"] == "waiting_time" else i["weight"],
            **{k: f"{k}-{i['code']}" for k in i["evidence"]},
        }
        for i in checklist["items"]
    ]
    act(net1, f"/api/v1/inspections/{visit['id']}/submit", version=visit["version"], items=items)
    ids["inspection"] = visit["id"]

    # A responsibility case against the hotline agent, decided: the page offers the appeal.
    case = act(api.as_("super1"), "/api/v1/accountability/cases", source={
        "kind": "inspection", "id": 1, "item": "S-01"}, unit="C1-HOT", staff="agent1",
        rule="service_attitude", summary="暗访发现坐席服务用语不规范")  # fmt: skip
    act(api.as_("super1"), f"/api/v1/accountability/cases/{case['id']}/decide",
        version=case["version"], points=2, amount="300.00", veto=False)  # fmt: skip
    ids["case"] = case["id"]

    # Rectification tasks (one open, one submitted with evidence) and a social supervisor
    # whose failed observation waits for the unit's answer.
    boss = api.as_("super1")
    for item in ("A1", "A2"):
        task = act(boss, "/api/v1/rectifications", source={"kind": "inspection", "id": 3,
                   "item": item}, unit="C1-K1-NET", title=f"营业厅检查项 {item} 不合格",
                   detail="暗访发现资费公示牌缺失")  # fmt: skip
        ids["rectification" if item == "A1" else "rectification_submitted"] = task["id"]
    act(net1, f"/api/v1/rectifications/{task['id']}/submit", version=task["version"],
        actions_taken="已补挂公示牌", evidence_ref="photo://东区营业厅/公示牌.jpg")  # fmt: skip
    watcher = act(boss, "/api/v1/social-supervisors", name="郑监督",
                  contact_phone="13812345678", area_unit="C1", term_start="2026-01-01",
                  term_end="2027-12-31")  # fmt: skip
    said = act(boss, "/api/v1/social-supervisors/submissions", supervisor_id=watcher["id"],
               submission_kind="observation", target_kind="unit", target_unit="C1-K1-NET",
               score=55, observation="装维人员未按约上门", observed_at=clock.now.isoformat(),
               open_rectification=True)  # fmt: skip
    ids["supervision_submission"] = said["id"]

    # Two days on: the reply clocks of the open complaints are breached, the SLA sweeper's
    # events are on their trails, and yesterday's reports have data.
    clock.advance(days=2)
    sweep = api.as_("admin").post("/api/v1/sla/sweep")
    assert sweep.status_code in (200, 202), sweep.text
    ids["yesterday"] = (clock.now + timedelta(hours=8) - timedelta(days=1)).date().isoformat()
    return ids
