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
from tests.integration.web.helpers import csrf_token, post_form, version_of, web_client


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
    Stop("super1", "/csi/studies/{csi_study}"),
    Stop("super1", "/accountability"),
    Stop("super1", "/accountability/rules"),
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
    Stop("super1", "/reply-templates"),
    Stop("agent1", "/customers/{fresh_number}", phone=True),
    # Spam governance: the city's lead works the campaigns and cases, the county's network
    # department acts on its case from a phone, the quality centre keeps the port registry
    # and decides appeals, the regulator's inspector reads (reporters masked).
    Stop("lead1", "/spam"),
    Stop("lead1", "/spam/campaigns/{spam_campaign}"),
    Stop("inspector", "/spam/campaigns/{spam_campaign}"),
    Stop("super1", "/spam/ports"),
    Stop("super1", "/spam/ports/{spam_port}"),
    Stop("inspector", "/spam/ports/{spam_port}"),
    Stop("lead1", "/spam-enforcement"),
    Stop("lead1", "/spam-enforcement/{spam_case_warned}"),
    Stop("super1", "/spam-enforcement/{spam_case_appealed}"),
    Stop("inspector", "/spam-enforcement/{spam_case_appealed}"),
    Stop("net1", "/spam-enforcement", phone=True),
    Stop("net1", "/spam-enforcement/{spam_case_warned}", phone=True),
    Stop("net1", "/spam/campaigns/{spam_campaign}", phone=True),
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
    fresh = create(agent, customer={"phone": "13900000001"})
    ids["fresh"], ids["fresh_number"] = fresh["id"], fresh["number"]

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

    ids.update(_spam(api, clock))
    ids["csi_study"] = _csi_study(server)

    # Two days on: the reply clocks of the open complaints are breached, the SLA sweeper's
    # events are on their trails, and yesterday's reports have data.
    clock.advance(days=2)
    sweep = api.as_("admin").post("/api/v1/sla/sweep")
    assert sweep.status_code in (200, 202), sweep.text
    _spam_burst(api, clock)
    ids["yesterday"] = (clock.now + timedelta(hours=8) - timedelta(days=1)).date().isoformat()
    return ids


SPAM_PORTS = {"106575550001": "甲科技有限公司", "106590001234": "乙营销策划公司"}
SPAM_TEXTS = {
    "106575550001": "【速贷】您有{n}元额度待领取，凭身份证当天放款，详询 t.cn/d{n} 退订回T",
    "106590001234": "【乙营销】尊敬的客户，楼盘{n}号特价房源限时抢购，回复1预约看房",
    # Unregistered ports, left to the unit: one serious (50 people: 24 hours, overdue two
    # days on), one major with its deadline still ahead.
    "106550007777": "【澳门葡京】首充{n}送{n}，注册即领彩金 am{n}.cc",
    "106590005555": "【某招聘】日结{n}元，手机兼职刷单，加微信 jz{n}",
}
SPAM_REPORTERS = {"106550007777": 50}


def _spam(api: Api, clock: MovableClock) -> dict[str, Any]:
    """A morning of spam reports about two registered ports (12321 transfers with serious
    rows, SMS forwarded by the hotline), the day's enforcement cases opened from them: one
    warned by the county, one suspended by the city and appealed by the port's customer."""
    admin, boss = api.as_("admin"), api.as_("super1")
    ports = {
        number: act(admin, "/api/v1/spam/ports", number=number, owner_kind="enterprise",
                    owner_name=owner, owner_code=f"EC{number[-4:]}",
                    allowed_kinds=["notification", "marketing"])
        for number, owner in SPAM_PORTS.items()
    }  # fmt: skip
    first = ports["106575550001"]
    admin.patch(f"/api/v1/spam/ports/{first['id']}", json={"version": first["version"],
                "contract_ref": "HT-2026-0815", "note": "合同约定仅发送通知类短信"})  # fmt: skip
    rows = ["举报编号,举报号码,被举报号码,短信内容,举报时间,地区,违规情形"]
    day = (clock.now + timedelta(hours=8)).date().isoformat()
    for number, text in SPAM_TEXTS.items():
        rule = "退订后仍发送" if number.startswith("10657") else "未经同意发送"
        for i in range(SPAM_REPORTERS.get(number, 12)):
            at = f"{day} 0{i % 9}:1{i % 6}"
            sender = f"{number}{i % 3}" if number in SPAM_PORTS else number  # extension codes
            rows.append(
                f"ZB{number[-4:]}{i:03},139{number[-4:]}{i:04},{sender},"
                f"{text.format(n=1000 + i * 7)},{at},C1-K1,{rule if i < 3 else ''}"
            )
    _transfer(boss, rows)
    received = (clock.now - timedelta(minutes=30)).isoformat()
    forwarded = api.as_("agent1").post("/api/v1/spam/forwarded", json={
        "message_id": "gw-tour-1", "reporter_phone": "13812340000", "sender": "1065755500019",
        "text": SPAM_TEXTS["106575550001"].format(n=5000), "received_at": received,
        "region": "C1-K1"})  # fmt: skip
    assert forwarded.status_code == 201, forwarded.text
    opened = boss.post("/api/v1/spam-enforcement/openings", json={"day": day})
    assert opened.json()["spam_cases_opened"] == len(SPAM_TEXTS), opened.text
    cases = {
        c["port_number"]: c for c in boss.get("/api/v1/spam-enforcement/cases").json()["items"]
    }
    warned, appealed = cases["106590001234"], cases["106575550001"]
    act(api.as_("net1"), f"/api/v1/spam-enforcement/cases/{warned['id']}/sanctions",
        version=warned["version"], action="warn", evidence_ref="12321-ZB-20260928-0042",
        evidence="12 名用户举报楼盘营销短信，3 条未经同意发送")  # fmt: skip
    suspended = act(api.as_("lead1"), f"/api/v1/spam-enforcement/cases/{appealed['id']}/sanctions",
                    version=appealed["version"], action="suspend",
                    evidence="贷款营销短信，3 条为退订后仍发送")  # fmt: skip
    act(api.as_("agent1"), f"/api/v1/spam-enforcement/cases/{appealed['id']}/appeal",
        version=suspended["version"], appellant="甲科技有限公司",
        reason="已停发营销短信并整改退订流程，申请恢复通知类短信")  # fmt: skip
    campaign = boss.get("/api/v1/spam/campaigns?port=106575550001").json()["items"][0]
    return {
        "spam_port": first["id"],
        "spam_campaign": campaign["id"],
        "spam_case_warned": warned["id"],
        "spam_case_appealed": appealed["id"],
    }


def _transfer(boss: Any, rows: list[str]) -> None:
    sent = boss.post(
        "/api/v1/spam/transfers?region=C1-K1",
        content="\n".join(rows).encode(),
        headers={"content-type": "application/octet-stream", "x-filename": "12321.csv"},
    )
    assert sent.status_code == 200 and not sent.json()["errors"], sent.text


def _spam_burst(api: Api, clock: MovableClock) -> None:
    """This morning, a port nobody reported before is reported by 24 people: the same-day
    burst the enforcement list shows above its cases, before any case is opened."""
    day = (clock.now + timedelta(hours=8)).date().isoformat()
    text = "【某网贷】急用钱？{i}分钟到账 wd{i}.cn"
    rows = ["举报编号,举报号码,被举报号码,短信内容,举报时间"] + [
        f"TF{i:03},1370000{i:04},106550008888,{text.format(i=i)},{day} 0{i % 9}:0{i % 6}"
        for i in range(24)
    ]
    _transfer(api.as_("super1"), rows)


def _csi_study(server: LiveServer) -> int:
    """A satisfaction-index study of the shipped survey file, without bootstrap (seconds)."""
    from tests.unit.services.csi.synthetic import SHIPPED_CSV

    web = web_client(server.url, "super1")
    made = web.post(
        "/csi",
        data={"csrf_token": csrf_token(web, "/csi"), "bootstrap": "0", "title": "年度测评",
              "weight": "weight", "strata": "operator"},
        files={"data": ("survey.csv", SHIPPED_CSV.read_bytes(), "text/csv")},
    )  # fmt: skip
    assert made.status_code == 303, made.text
    return int(made.headers["location"].rsplit("/", 1)[1])
