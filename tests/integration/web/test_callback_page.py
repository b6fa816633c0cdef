"""Callback outcomes and the appeal outcome on the complaint page and the agent's queue."""

from __future__ import annotations

import re

from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import act, create
from tests.integration.web.helpers import post_form, version_of, web_client


def _forms(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def _replied(api: Api, clock: MovableClock, **overrides) -> dict:  # type: ignore[no-untyped-def]
    agent = api.as_("agent1")
    c = create(agent, **overrides)
    clock.advance(minutes=30)  # replied 10:30 Beijing time
    return act(agent, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已处理")


def test_the_page_offers_the_callback_outcomes_and_shows_when_to_call_again(
    server: LiveServer, api: Api, clock: MovableClock
):
    c = _replied(api, clock)
    page = f"/complaints/{c['id']}"
    agent = web_client(server.url, "agent1")
    html = agent.get(page).text
    forms = _forms(html)
    assert {"callback_satisfied", "reopen", "callback_unreachable", "callback_declined"} <= forms
    assert "close_unreachable" not in forms and "appeal_outcome" not in forms
    assert "回访未接通" in html and "客户拒绝回访" in html

    clock.advance(hours=1)  # 11:30: the next try is due at 15:30
    done = post_form(agent, f"{page}/actions/callback_unreachable", version=version_of(html))
    assert done.status_code == 303, done.text
    html = agent.get(page).text
    callback = re.search(r'data-testid="callback">(.*?)</dl>', html, re.S)
    assert callback, html
    assert "下次回访时间" in callback.group(1) and "2026-09-28 15:30" in callback.group(1)
    assert "未接通次数" in callback.group(1)
    queue = agent.get("/agent/queue").text
    assert "下次回访 09-28 15:30" in queue

    early = post_form(agent, f"{page}/actions/callback_unreachable", version=version_of(html))
    assert early.status_code == 409 and "15:30" in early.text

    declined = post_form(
        agent, f"{page}/actions/callback_declined", version=version_of(html), text="不需要"
    )
    assert declined.status_code == 303
    html = agent.get(page).text
    assert "客户拒绝回访" in re.search(r'data-testid="callback">(.*?)</dl>', html, re.S).group(1)
    assert "declined" not in html  # the outcome in words, never its code


def test_a_regulator_appeal_takes_its_outcome_from_a_select_in_words(
    server: LiveServer, api: Api, clock: MovableClock
):
    c = _replied(api, clock, regulator_transfer=True)
    page = f"/complaints/{c['id']}"
    agent = web_client(server.url, "agent1")
    html = agent.get(page).text
    assert "appeal_outcome" in _forms(html)
    select = re.search(r'<select id="outcome-\d+" name="outcome"[^>]*>(.*?)</select>', html, re.S)
    assert select, html
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', select.group(1))
    assert options == [
        ("settled", "和解"),
        ("not_accepted", "用户不认可"),
        ("informed", "用户知晓"),
    ]

    done = post_form(
        agent, f"{page}/actions/appeal_outcome", version=version_of(html), outcome="informed"
    )
    assert done.status_code == 303, done.text
    html = agent.get(page).text
    assert "用户知晓" in re.search(r'data-testid="callback">(.*?)</dl>', html, re.S).group(1)

    bad = post_form(
        agent, f"{page}/actions/appeal_outcome", version=version_of(html), outcome="resolved"
    )
    assert bad.status_code == 422 and "申诉处理结果" in bad.text
