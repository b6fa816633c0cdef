"""The web pages through a real server: identification, intake, actions, masking, scale."""

from __future__ import annotations

import re

from sqlalchemy import event

from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import act, create
from tests.integration.web.helpers import post_form, version_of, web_client

INTAKE = {
    "phone": "138 1234 5678",
    "name": "孙女士",
    "category": "broadband.outage",
    "region": "C1-K1",
    "channel": "hotline",
    "product": "broadband",
    "tier": "gold",
    "priority": "normal",
    "description": "家中宽带断网，请回电 13812345678",
}


def test_pages_need_a_session_and_a_wrong_password_shows_a_banner(server: LiveServer):
    anonymous = web_client(server.url)
    response = anonymous.get("/unit/queue")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Funit%2Fqueue"
    response = post_form(anonymous, "/login", username="agent1", password="wrong-one")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text and 'role="alert"' in response.text
    response = post_form(anonymous, "/login", username="net1", password="careloop-test")
    assert response.status_code == 303 and response.headers["location"] == "/unit/queue"
    cookie = response.headers["set-cookie"]
    assert "careloop_session=" in cookie and "HttpOnly" in cookie


def test_intake_form_is_idempotent_and_makes_the_agent_first_owner(server: LiveServer):
    agent = web_client(server.url, "agent1")
    form = agent.get("/agent/intake").text
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form)
    assert key, "the form carries a hidden idempotency key"
    first = post_form(agent, "/agent/intake", **INTAKE, idempotency_key=key.group(1))
    again = post_form(agent, "/agent/intake", **INTAKE, idempotency_key=key.group(1))
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    page = agent.get(first.headers["location"]).text
    assert "王坐席" in page and "13812345678" in page  # the owner sees the number in full
    queue = agent.get("/agent/queue").text
    assert queue.count("data-complaint=") == 1


def test_intake_errors_come_back_on_the_form_with_what_was_typed(server: LiveServer):
    agent = web_client(server.url, "agent1")
    response = post_form(agent, "/agent/intake", **{**INTAKE, "phone": "12345"})
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "家中宽带断网" in response.text


def test_customer_lookup_lists_earlier_complaints_and_warns_of_a_repeat(
    server: LiveServer, api: Api
):
    create(api.as_("agent1"))
    agent = web_client(server.url, "agent2")
    found = agent.get("/agent/customer", params={"phone": "13812345678"}).text
    assert 'data-testid="repeat-warning"' in found and "TS2026" in found
    nobody = agent.get("/agent/customer", params={"phone": "13900000000"}).text
    assert 'data-testid="no-history"' in nobody


def test_category_search_narrows_the_picker(server: LiveServer):
    agent = web_client(server.url, "agent1")
    options = agent.get("/agent/categories", params={"q": "宽带"}).text
    assert 'value="broadband.outage"' in options and 'value="billing.dispute"' not in options


def _forms(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def test_complaint_page_offers_only_the_callers_allowed_actions(server: LiveServer, api: Api):
    c = create(api.as_("agent1"))
    page = f"/complaints/{c['id']}"
    agent = _forms(web_client(server.url, "agent1").get(page).text)
    assert {"handle", "dispatch", "reply", "merge", "note", "reject"} <= agent
    assert "archive" not in agent and "callback_satisfied" not in agent
    handler = _forms(web_client(server.url, "net1").get(page).text)
    assert "dispatch" not in handler and "merge" not in handler
    assert _forms(web_client(server.url, "inspector").get(page).text) == set()


def test_personal_data_is_masked_by_role(server: LiveServer, api: Api):
    c = create(api.as_("agent1"), description="请回电 13812345678")
    page = f"/complaints/{c['id']}"
    inspector = web_client(server.url, "inspector").get(page).text
    assert "13812345678" not in inspector and "138****5678" in inspector
    assert "孙**" in inspector
    # A billing handler of the same city sees the complaint but is not involved in it.
    uninvolved = web_client(server.url, "bill1").get(page).text
    assert "13812345678" not in uninvolved and "138****5678" in uninvolved
    colleague = web_client(server.url, "agent2").get(page).text  # same hotline: owner unit
    assert "13812345678" in colleague
    supervisor = web_client(server.url, "super1").get(page).text
    assert "13812345678" in supervisor


def test_actions_through_the_page_and_a_stale_version_is_a_banner(server: LiveServer, api: Api):
    c = create(api.as_("agent1"))
    agent = web_client(server.url, "agent1")
    page = f"/complaints/{c['id']}"
    version = version_of(agent.get(page).text)
    done = post_form(agent, f"{page}/actions/handle", version=version)
    assert done.status_code == 303 and done.headers["location"] == f"{page}?done=handle"
    stale = post_form(agent, f"{page}/actions/reply", version=version, text="已处理")
    assert stale.status_code == 409 and "版本" in stale.text
    note = post_form(agent, f"{page}/actions/note", text="客户要求晚上联系")
    assert note.status_code == 303
    assert "客户要求晚上联系" in agent.get(page).text


def test_unit_queue_accepts_returns_and_completes(server: LiveServer, api: Api):
    agent_api = api.as_("agent1")
    c = create(agent_api)
    act(agent_api, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit="C1-K1-NET")
    handler = web_client(server.url, "net1")
    queue = handler.get("/unit/queue").text
    order_id = int(re.search(r'data-work-order="(\d+)"', queue).group(1))
    assert _forms(queue) == {"accept", "complete", "return"}
    accepted = post_form(handler, f"/unit/work-orders/{order_id}/accept", version=version_of(queue))
    assert accepted.status_code == 303
    queue = handler.get("/unit/queue").text
    missing_reason = post_form(
        handler, f"/unit/work-orders/{order_id}/return", version=version_of(queue), text=""
    )
    assert missing_reason.status_code == 422 and 'role="alert"' in missing_reason.text
    completed = post_form(
        handler,
        f"/unit/work-orders/{order_id}/complete",
        version=version_of(queue),
        text="更换光猫",
    )
    assert completed.status_code == 303
    assert 'data-work-order="' not in handler.get("/unit/queue").text
    # Another county's network department never sees it.
    assert 'data-work-order="' not in web_client(server.url, "net2").get("/unit/queue").text


def test_dashboard_numbers_link_to_lists_with_the_same_totals(
    server: LiveServer, api: Api, clock: MovableClock
):
    agent = api.as_("agent1")
    create(agent)
    create(agent, category="billing.dispute", escalated=True, customer={"phone": "13900001111"})
    clock.advance(days=20)  # past the reply limit: breached
    create(agent, category="billing.unknown_deduction", customer={"phone": "13900002222"})
    supervisor = web_client(server.url, "super1")
    board = supervisor.get("/supervisor").text
    links = re.findall(
        r'<a (?:class="[^"]*" )?href="(/complaints\?[^"]+)"[^>]*>\s*(?:<span class="n">)?(\d+)',
        board,
    )
    assert links, "every number is a link"
    for href, number in links:
        listed = supervisor.get(href.replace("&amp;", "&")).text
        total = re.search(r'data-testid="total">[^0-9]*(\d+)', listed)
        assert total and total.group(1) == number, href
    assert "<svg" in board and board.count('<rect class="bar"') >= 90


def test_dashboard_offers_the_periodic_reports_to_download_with_the_web_session(
    server: LiveServer, api: Api, clock: MovableClock
):
    create(api.as_("agent1"))
    clock.advance(days=1)
    supervisor = web_client(server.url, "super1")
    board = supervisor.get("/supervisor").text
    form = re.search(r'<form method="get" data-testid="reports">(.*?)</form>', board, re.S)
    assert form, "the supervisor sees the report form"
    day = re.search(r'name="date" value="([0-9-]+)"', form.group(1))
    assert day is not None
    actions = re.findall(r'formaction="([^"]+)"', form.group(1))
    kinds = ("daily", "weekly", "tenday", "monthly")
    assert actions == [f"/api/v1/reports/{k}" for k in kinds]
    for action in actions:
        reply = supervisor.get(action, params={"date": day.group(1), "format": "xlsx"})
        assert reply.status_code == 200, reply.text
        assert reply.content.startswith(b"PK")  # an XLSX is a zip file
        assert "attachment" in reply.headers["content-disposition"]
    agent_board = web_client(server.url, "agent1").get("/supervisor")
    assert 'data-testid="reports"' not in agent_board.text


def test_pages_issue_the_same_number_of_queries_for_few_and_many_rows(
    server: LiveServer, api: Api, app
):
    agent = api.as_("agent1")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", count)
    clients = {
        "agent1": web_client(server.url, "agent1"),
        "net1": web_client(server.url, "net1"),
        "super1": web_client(server.url, "super1"),
    }
    pages = [
        ("agent1", "/agent/queue"),
        ("net1", "/unit/queue"),
        ("super1", "/supervisor"),
        ("super1", "/complaints?open=1"),
        ("agent1", "/agent/customer?phone=13812345678"),
    ]

    def measure() -> dict[str, int]:
        result = {}
        for user, path in pages:
            statements.clear()
            assert clients[user].get(path).status_code == 200
            result[path] = len(statements)
        return result

    def add(n: int) -> None:
        for _ in range(n):
            c = create(agent)
            path = f"/api/v1/complaints/{c['id']}/dispatch"
            act(agent, path, version=c["version"], unit="C1-K1-NET")

    add(2)
    few = measure()
    add(6)
    many = measure()
    event.remove(app.state.engine, "before_cursor_execute", count)
    assert few == many


def test_language_switch_on_every_page_keeps_the_page(server: LiveServer):
    agent = web_client(server.url, "agent1")
    page = agent.get("/agent/queue").text
    assert 'href="/lang/en?next=/agent/queue"' in page and "我的待办" in page
    switched = agent.get("/lang/en", params={"next": "/agent/queue"})
    assert switched.status_code == 303 and switched.headers["location"] == "/agent/queue"
    assert "careloop_lang=en" in switched.headers["set-cookie"]
    agent.cookies.set("careloop_lang", "en")
    assert "My queue" in agent.get("/agent/queue").text
    assert agent.get("/lang/en", params={"next": "//evil.example"}).headers["location"] == "/"
