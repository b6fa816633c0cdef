"""The responsibility-case pages over the real server: the supervisor decides through the
form, the person concerned finds the case under 我的责任认定 and appeals; refusals come
back as a banner with what was typed; others get the not-found page. Chinese first, no codes,
amounts as ¥1,000.00, local times."""

from __future__ import annotations

import re

import pytest

from careloop.services.events import InProcessQueue
from careloop.services.sla import sweep as sla_sweep
from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import create
from tests.integration.web.helpers import csrf_token, version_of, web_client


@pytest.fixture
def case_id(app, server: LiveServer, api: Api, clock: MovableClock) -> int:  # type: ignore[no-untyped-def]
    platform = app.state.platform
    platform.events.queue = InProcessQueue(platform.events)
    create(api.as_("agent1"), escalated=True, category="billing.dispute")
    clock.advance(days=3)
    sla_sweep.sweep(platform.session_factory, clock.now)
    items = api.as_("super1").get("/api/v1/accountability/cases").json()["items"]
    return int(items[0]["id"])


def test_decide_through_the_form_then_the_person_concerned_appeals(
    server: LiveServer, case_id: int
) -> None:
    boss = web_client(server.url, "super1")
    listing = boss.get("/accountability")
    assert listing.status_code == 200 and "越级投诉超时未办结" in listing.text
    page = boss.get(f"/accountability/cases/{case_id}")
    assert "认定处罚" in page.text and "¥2,000.00" in page.text  # the rule's default offered
    path = f"/accountability/cases/{case_id}/decide"
    token = csrf_token(boss, f"/accountability/cases/{case_id}")
    form = {"csrf_token": token, "version": str(version_of(page.text)), "rule": "escalated_overdue"}
    refused = boss.post(path, data={**form, "points": "3", "amount": "1000"})
    assert refused.status_code == 422 and "调整原因" in refused.text
    assert 'value="1000"' in refused.text  # what was typed is kept
    done = boss.post(path, data={**form, "points": "10", "amount": "2000", "veto": "1"})
    assert done.status_code == 303 and done.headers["location"].endswith("done=decided")

    agent = web_client(server.url, "agent1")
    mine = agent.get("/accountability/mine")
    assert mine.status_code == 200 and "我的责任认定" in mine.text
    assert f'/accountability/cases/{case_id}"' in mine.text and "一票否决" in mine.text
    assert "¥2,000.00" in mine.text and "扣 10 分" in mine.text
    html = agent.get(f"/accountability/cases/{case_id}").text
    assert "提出申诉" in html and "申诉截止" in html and "/complaints/" in html
    for code in ("escalated_overdue", "decided", "+00:00", "UTC", "⟦"):
        assert code not in re.sub(r"<[^>]+>", " ", html), code
    appealed = agent.post(
        f"/accountability/cases/{case_id}/appeal",
        data={"csrf_token": csrf_token(agent, f"/accountability/cases/{case_id}"),
              "version": str(version_of(html)), "reason": "计费系统故障所致"},
    )  # fmt: skip
    assert appealed.status_code == 303
    after = agent.get(appealed.headers["location"]).text
    assert "申诉已提交" in after and "申诉中" in after and "王坐席" in after


def test_someone_else_gets_the_not_found_page(server: LiveServer, case_id: int) -> None:
    other = web_client(server.url, "agent2")
    assert other.get(f"/accountability/cases/{case_id}").status_code == 404
    assert "责任认定不存在" in other.get(f"/accountability/cases/{case_id}").text
    assert f"/accountability/cases/{case_id}" not in other.get("/accountability/mine").text
