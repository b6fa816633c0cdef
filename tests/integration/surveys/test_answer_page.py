"""The customer answers through the real HTTP page (both engines): once, without a login;
the answer shows on the complaint, in the unit's results and in its callback satisfaction."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from careloop.domain.indicators.periods import period_of
from careloop.services.access.actors import actor_for
from careloop.services.indicators import figures
from careloop.store.models import Event
from careloop.store.models.surveys import Survey
from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.surveys.helpers import (
    CapturingSms,
    close_complaint,
    in_process_events,
    send_due,
)
from tests.integration.web.helpers import web_client

_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
ANSWERS = {"result": "no", "timeliness": "2", "attitude": "6", "suggestion": "上门太慢"}


def customer(server: LiveServer, lang: str = "zh-CN") -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30, headers={"Accept-Language": lang})


def submit(client: httpx.Client, path: str, answers: dict[str, str]) -> httpx.Response:
    page = client.get(path)
    found = _TOKEN.search(page.text)
    assert found, page.text[:500]
    return client.post(path, data={"csrf_token": found.group(1), **answers})


def sent_survey(app: Any, clock: MovableClock) -> tuple[int, str]:
    platform = app.state.platform
    in_process_events(platform)
    complaint_id = close_complaint(platform, clock.now)
    sms = CapturingSms()
    assert send_due(platform, sms, clock.advance(minutes=30)).sent == 1
    [token] = sms.tokens()
    return complaint_id, token


def test_the_customer_answers_once_and_the_unit_sees_it(
    app: Any, server: LiveServer, api: Api, clock: MovableClock
) -> None:
    complaint_id, token = sent_survey(app, clock)
    browser = customer(server)
    form = browser.get(f"/s/{token}")
    assert form.status_code == 200
    assert "您对本次投诉的处理结果是否满意？" in form.text
    assert "不再接收满意度调查短信" in form.text
    clock.advance(hours=2)
    answered = submit(browser, f"/s/{token}", ANSWERS)
    assert answered.status_code == 303
    thanks = browser.get(answered.headers["location"])
    assert "感谢您的评价" in thanks.text
    # A double tap, or the customer coming back: the same thanks, nothing changes.
    clock.advance(minutes=5)
    again = submit(browser, f"/s/{token}", {**ANSWERS, "result": "yes"})
    assert again.status_code == 303
    platform = app.state.platform
    with platform.unit_of_work() as uow:
        survey = uow.session.scalars(select(Survey)).one()
        assert (survey.satisfied, survey.answered_at) == (False, clock.now - timedelta(minutes=5))
        assert survey.answers == {"result": False, "timeliness": 2, "attitude": 6,
                                  "suggestion": "上门太慢"}  # fmt: skip
        answered_events = uow.session.scalar(
            select(func.count()).where(
                Event.complaint_id == complaint_id, Event.action == "survey_answered"
            )
        )
        assert answered_events == 1

    # The complaint's surveys, for its owner: the answer in words, no phone number.
    shown = api.as_("agent1").get(f"/api/v1/complaints/{complaint_id}/surveys")
    assert shown.status_code == 200, shown.text
    [view] = shown.json()
    assert (view["status"], view["satisfied"], view["unit_code"]) == ("answered", False, "C1-HOT")
    assert [a["shown"] for a in view["answers"]][:3] == ["否", "2 分（满分 5）", "6 分（满分 10）"]
    assert "13812345678" not in shown.text
    # The complaint page's trail names each step in words, no codes.
    page = web_client(server.url, "agent1").get(f"/complaints/{complaint_id}")
    assert "满意度调查已发送" in page.text and "客户填写满意度调查" in page.text
    assert "survey_" not in page.text
    # Outside the caller's scope the complaint does not exist.
    assert api.as_("net2").get(f"/api/v1/complaints/{complaint_id}/surveys").status_code == 404

    # The results per unit and per agent.
    day = clock.now.date().isoformat()
    results = api.as_("super1").get("/api/v1/surveys/results", params={"date": day})
    assert results.status_code == 200, results.text
    [row] = results.json()["rows"]
    assert (row["key"], row["sent"], row["answered"], row["satisfaction"]) == ("C1-HOT", 1, 1, 0.0)
    by_agent = api.as_("super1").get("/api/v1/surveys/results", params={"date": day, "by": "agent"})
    assert [r["key"] for r in by_agent.json()["rows"]] == ["agent1"]
    refused = api.as_("agent1").get("/api/v1/surveys/results", params={"date": day})
    assert refused.status_code == 403 and "无权" in refused.json()["detail"]

    # The indicator: the satisfied callback and the dissatisfied survey are two evaluations.
    with platform.unit_of_work() as uow:
        report = figures.indicator_report(
            uow, period_of("month", clock.now.date()), None, actor_for(uow, "super1")
        )
        value = report.root.rows["callback_satisfaction"].value
        assert (value.numerator, value.denominator, value.value) == (1, 2, 50.0)
        survey_value = report.root.rows["survey_satisfaction"].value
        assert (survey_value.numerator, survey_value.denominator) == (0, 1)
        assert report.root.rows["survey_response_rate"].value.value == 100.0


def test_a_wrong_answer_is_shown_again_with_what_was_wrong(
    app: Any, server: LiveServer, clock: MovableClock
) -> None:
    _, token = sent_survey(app, clock)
    browser = customer(server)
    refused = submit(browser, f"/s/{token}", {"result": "yes", "timeliness": "4"})
    assert refused.status_code == 422
    assert "「您对工作人员的服务态度打几分？（1分最差，10分最好）」请作答" in refused.text
    assert 'value="4" checked' in refused.text  # what was given stays chosen


def test_unknown_and_expired_links_get_a_page_not_an_error(
    app: Any, server: LiveServer, clock: MovableClock
) -> None:
    _, token = sent_survey(app, clock)
    browser = customer(server)
    unknown = browser.get("/s/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert unknown.status_code == 404 and "该调查链接无效" in unknown.text
    assert browser.get("/s/" + "x" * 500).status_code == 404
    english = customer(server, "en-US").get("/s/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert "This survey link is not valid" in english.text
    assert "Link not valid" in browser.get("/s/AAAAAAAAAAAAAAAAAAAAAAAA?lang=en").text
    clock.advance(days=7)
    expired = browser.get(f"/s/{token}")
    assert expired.status_code == 410
    assert "该调查已过期" in expired.text and "调查已结束" in expired.text


def test_opting_out_on_the_page_stops_every_later_survey(
    app: Any, server: LiveServer, clock: MovableClock
) -> None:
    complaint_id, token = sent_survey(app, clock)
    browser = customer(server)
    page = browser.get(f"/s/{token}")
    csrf = _TOKEN.search(page.text)
    assert csrf
    done = browser.post(f"/s/{token}/opt-out", data={"csrf_token": csrf.group(1)})
    assert done.status_code == 200 and "您已退订满意度调查" in done.text
    # Forty days later, a new complaint of the same number closes: no survey goes out.
    platform = app.state.platform
    later = clock.advance(days=40)
    second = close_complaint(platform, later)
    sms = CapturingSms()
    report = send_due(platform, sms, clock.advance(minutes=30))
    assert (report.sent, report.reasons) == (0, {"opted_out": 1})
    with platform.unit_of_work() as uow:
        notes = uow.session.scalars(
            select(Event.note).where(
                Event.complaint_id.in_([complaint_id, second]), Event.action.like("survey_%")
            )
        ).all()
    assert "客户已退订满意度调查，今后不再发送" in notes
    assert "跳过：客户已退订调查" in notes


def test_a_form_without_its_anti_forgery_token_is_refused(
    app: Any, server: LiveServer, clock: MovableClock
) -> None:
    _, token = sent_survey(app, clock)
    browser = customer(server)
    browser.get(f"/s/{token}")
    refused = browser.post(f"/s/{token}", data=ANSWERS)
    assert refused.status_code == 403
    with app.state.platform.unit_of_work() as uow:
        assert uow.session.scalars(select(Survey)).one().answered_at is None


def test_too_many_posts_from_one_address_get_a_page_saying_so(
    app: Any, server: LiveServer, clock: MovableClock
) -> None:
    from careloop.api.ratelimit import TokenBucket

    _, token = sent_survey(app, clock)
    app.state.survey_limiter = TokenBucket(1)
    browser = customer(server)
    assert submit(browser, f"/s/{token}", {"result": "yes"}).status_code == 422
    refused = submit(browser, f"/s/{token}", ANSWERS)
    assert refused.status_code == 429
    assert "暂时无法提交" in refused.text and "请求过于频繁" in refused.text
