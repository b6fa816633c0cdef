"""The port-enforcement case page through the appeal, over the real server: the hotline
records the customer's appeal through the form, the quality centre sees the decision form
and lifts the suspension (the unit lead is offered the reinstatement after rectification);
a refusal comes back as a banner with what was typed; another
county gets the not-found page. Chinese first, no codes."""

from __future__ import annotations

from datetime import date

from careloop.domain.spam.reports import PortDayCounts
from careloop.services.spam import enforcement as service
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.web.helpers import csrf_token, version_of, web_client

PORT = "10657001234"


def test_an_appeal_through_the_forms(
    server: LiveServer, api: Api, database_url: str, clock: MovableClock
) -> None:
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        counts = [PortDayCounts(PORT, date(2026, 9, 28), 40, 20, 0.9, 0)]
        service.open_cases_from_counts(uow, counts, clock.now, region_of={PORT: "C1-K1"}.get)
    engine.dispose()
    case = api.as_("lead1").get("/api/v1/spam-enforcement/cases").json()["items"][0]
    suspended = api.as_("lead1").post(
        f"/api/v1/spam-enforcement/cases/{case['id']}/sanctions",
        json={"version": case["version"], "action": "suspend", "evidence": "营销短信"},
    )
    assert suspended.status_code == 200, suspended.text
    path = f"/spam-enforcement/{case['id']}"

    # The unit lead may reinstate the port once rectified, on evidence; the hotline may not.
    lead = web_client(server.url, "lead1")
    page = lead.get(path)
    assert 'data-action="reinstate"' in page.text and "整改完成，恢复端口" in page.text
    form = {"csrf_token": csrf_token(lead, path), "version": str(version_of(page.text))}
    bare = lead.post(f"{path}/reinstate", data={**form, "evidence_ref": " "})
    assert bare.status_code == 422 and "恢复端口必须附依据" in bare.text

    hotline = web_client(server.url, "agent1")
    page = hotline.get(path)
    assert page.status_code == 200 and "登记客户申诉" in page.text and "已暂停" in page.text
    assert 'data-action="reinstate"' not in page.text
    token = csrf_token(hotline, path)
    form = {"csrf_token": token, "version": str(version_of(page.text)), "appellant": "某某科技"}
    refused = hotline.post(f"{path}/appeal", data=form)
    assert refused.status_code == 422 and 'value="某某科技"' in refused.text
    assert "申诉理由" in refused.text
    done = hotline.post(f"{path}/appeal", data={**form, "reason": "已整改，申请恢复"})
    assert done.status_code == 303 and "done=spam_appeal" in done.headers["location"]

    boss = web_client(server.url, "super1")
    page = boss.get(path)
    assert "申诉成立，解除暂停" in page.text and "申诉不成立，维持暂停" in page.text
    token = csrf_token(boss, path)
    lifted = boss.post(
        f"{path}/lift",
        data={"csrf_token": token, "version": str(version_of(page.text)), "reason": "同意"},
    )
    assert lifted.status_code == 303
    page = boss.get(lifted.headers["location"])
    assert "申诉成立，已解除暂停" in page.text and "已办结" in page.text
    assert "port_closed" not in page.text and "lift" not in page.text.split("<main")[1]

    other = web_client(server.url, "net2").get(path)
    assert other.status_code == 404 and "某某科技" not in other.text
