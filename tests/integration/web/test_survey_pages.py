"""The supervisors' survey pages: templates, sending rules, results per unit and agent, the
answered surveys behind a row, and the survey on the complaint page — on both engines,
through the real server, as a browser posts its forms."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from careloop.store.models import SecurityEvent
from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.web.helpers import post_form, web_client
from tests.integration.web.survey_data import answer, closed_complaint, send_surveys
from tests.integration.web.test_visible_text import visible_text


@pytest.fixture
def answered(app: Any, api: Api, clock: MovableClock) -> dict[str, Any]:
    """Two answered surveys in City One (east district's network unit, 王坐席's complaints)
    and one in City Two (taken at the province's quality department by 周督导)."""
    east_a = closed_complaint(api, "agent1", "13900000101", unit="C1-K1-NET")
    east_b = closed_complaint(api, "agent1", "13900000102", unit="C1-K1-NET")
    north = closed_complaint(api, "super1", "13900000103", region="C2-K1")
    tokens = send_surveys(app, clock, [east_a["id"], east_b["id"], north["id"]])
    assert len(tokens) == 3, tokens
    answer(app, clock, tokens["13900000101"], result="yes", timeliness="5", attitude="10",
           suggestion="师傅很专业，有事打我电话13900000101")  # fmt: skip
    answer(app, clock, tokens["13900000102"], result="no", timeliness="2", attitude="4")
    answer(app, clock, tokens["13900000103"], result="yes", timeliness="4", attitude="8")
    return {"east_a": east_a, "east_b": east_b, "north": north}


def _row(html: str, name: str) -> str:
    found = re.search(rf"<tr data-key=[^>]*>\s*<th[^>]*>(?:<a[^>]*>)?{name}.*?</tr>", html, re.S)
    assert found, f"no row for {name}"
    return visible_text(found.group(0))


def test_a_city_lead_sees_only_the_units_and_agents_of_their_city(
    server: LiveServer, answered: dict[str, Any]
):
    lead = web_client(server.url, "lead1")
    by_unit = lead.get("/surveys/results")
    assert by_unit.status_code == 200, by_unit.text
    assert "东区网络部" in by_unit.text
    assert "省服务质量部" not in by_unit.text  # City Two's survey, counted at the province
    row = _row(by_unit.text, "东区网络部")
    assert "2 2 100.0% 50.0%" in row, row  # sent, answered, response rate, satisfaction
    by_agent = lead.get("/surveys/results?by=agent").text
    assert "王坐席" in by_agent and "周督导" not in by_agent
    drill = lead.get("/surveys/results/answers?by=unit&key=P-QA")
    assert drill.status_code == 200 and "no-answers" in drill.text

    supervisor = web_client(server.url, "super1")
    everything = supervisor.get("/surveys/results").text
    assert "东区网络部" in everything and "省服务质量部" in everything
    assert "3 3 100.0% 66.7%" in visible_text(everything.split("<tfoot>")[1])


def test_the_results_list_the_worst_unit_first_and_open_its_answered_surveys(
    server: LiveServer, answered: dict[str, Any]
):
    supervisor = web_client(server.url, "super1")
    html = supervisor.get("/surveys/results").text
    keys = re.findall(r'<tr data-key="([^"]+)"', html)
    assert keys == ["C1-K1-NET", "P-QA"], keys  # 50 % before 100 %
    drill = supervisor.get("/surveys/results/answers?by=unit&key=C1-K1-NET").text
    text = visible_text(drill)
    assert answered["east_a"]["number"] in text and answered["east_b"]["number"] in text
    assert "师傅很专业，有事打我电话13900000101" in text  # a supervisor reads it whole
    assert "5 分（满分 5）" in text and "不满意" in text

    inspector = web_client(server.url, "inspector")
    masked = visible_text(inspector.get("/surveys/results/answers?by=unit&key=C1-K1-NET").text)
    assert "13900000101" not in masked and "师傅很专业" in masked


def test_the_results_export_as_the_page_shows_them_and_the_export_is_logged(
    app: Any, server: LiveServer, answered: dict[str, Any]
):
    supervisor = web_client(server.url, "super1")
    csv = supervisor.get("/surveys/results/export.csv?by=agent")
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("首问坐席,已发送,已填写,回复率,满意率,")
    assert any(line.startswith("王坐席,2,2,100.0,50.0") for line in lines), lines
    assert lines[-1].startswith("合计,3,3,100.0,66.7")
    xlsx = supervisor.get("/surveys/results/export.xlsx")
    assert xlsx.content[:2] == b"PK"
    with app.state.session_factory() as session:
        logged = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "export")).all()
    assert [(e.username, e.detail["what"], e.detail["format"]) for e in logged] == [
        ("super1", "survey_results", "csv"),
        ("super1", "survey_results", "xlsx"),
    ]


def test_a_refused_template_comes_back_filled_with_the_reason_in_words(server: LiveServer):
    supervisor = web_client(server.url, "super1")
    page = supervisor.get("/surveys/templates").text
    assert "第 1 版" in page and "1–5分" in page and "是/否" in page
    form = {
        "purpose": "complaint_closed",
        "count": "5",
        "name_zh": "投诉处理满意度调查",
        "name_en": "Complaint handling satisfaction survey",
        "overall": "0",
        "q0_key": "result", "q0_kind": "yes_no", "q0_required": "1",
        "q0_text_zh": "您对处理结果是否满意？", "q0_text_en": "Satisfied with the result?",
        "q1_key": "attitude", "q1_kind": "score10", "q1_required": "1",
        "q1_text_zh": "服务态度打几分？", "q1_text_en": "",
        "q1_satisfied_from": "9",
        "q4_kind": "choice", "q4_required": "1",
        "q4_text_zh": "您是通过哪个渠道联系我们的？", "q4_text_en": "How did you reach us?",
        "q4_choices": "热线 | Hotline\n营业厅 | Shop",
    }  # fmt: skip
    refused = post_form(supervisor, "/surveys/templates", **form)
    assert refused.status_code == 422
    assert "调查模板无效：第 2 个问题的英文不能为空" in visible_text(refused.text)
    # Nothing typed is lost: the form is open and holds every field as sent.
    assert '<details class="edit-template" open>' in refused.text
    assert "服务态度打几分？" in refused.text and 'value="9"' in refused.text
    assert "营业厅 | Shop" in refused.text
    assert "第 1 版" in refused.text and "第 2 版" not in refused.text

    form["q1_text_en"] = "Score our attitude"
    saved = post_form(supervisor, "/surveys/templates", **form)
    assert saved.status_code == 303, saved.text
    page = supervisor.get(saved.headers["location"]).text
    text = visible_text(page)
    assert "第 2 版" in text and "调查模板已保存为新版本" in text
    assert "9 分及以上（满分 10 分）" not in text  # attitude is not the overall question
    assert "选项：热线、营业厅" in text and "历史版本（共 2 个）" in text


def test_saving_a_sending_rule_shows_it_in_words_and_refuses_a_stale_form(server: LiveServer):
    supervisor = web_client(server.url, "super1")
    page = supervisor.get("/surveys/rules").text
    assert "（默认）" in page and "尚未保存过" in page
    fields = {
        "region": "", "version": "0", "enabled": "1", "delay_minutes": "60",
        "quiet_days": "15", "daily_cap": "200", "link_days": "5", "channel": "sms",
        "night_start": "22:00", "night_end": "08:30", "template_purpose": "complaint_closed",
    }  # fmt: skip
    saved = post_form(supervisor, "/surveys/rules", **fields)
    assert saved.status_code == 303, saved.text
    text = visible_text(supervisor.get("/surveys/rules").text)
    assert "结案后 60 分钟发送 · 15 天内不重复调查 · 每日最多 200 条" in text
    assert "22:00–08:30（北京时间）不发送" in text and "由 周督导 保存" in text

    stale = post_form(supervisor, "/surveys/rules", **fields | {"quiet_days": "7"})
    assert stale.status_code == 409
    assert "数据已被他人修改" in visible_text(stale.text)
    assert 'value="7"' in stale.text  # the refused value stays in the form

    bad = post_form(supervisor, "/surveys/rules", **fields | {"version": "1", "quiet_days": "abc"})
    assert bad.status_code == 422
    assert "不重复调查天数应为整数" in visible_text(bad.text) and 'value="abc"' in bad.text

    city = {**fields, "region": "C1", "new": "1", "version": "0", "daily_cap": ""}
    assert post_form(supervisor, "/surveys/rules", **city).status_code == 303
    text = visible_text(supervisor.get("/surveys/rules").text)
    assert "甲市分公司" in text and "每日不限量" in text


def test_staff_without_the_right_are_told_so_in_words(server: LiveServer):
    agent = web_client(server.url, "agent1")
    refused = agent.get("/surveys/results")
    assert refused.status_code == 403
    assert "无权查看或修改满意度调查" in visible_text(refused.text)
    assert 'href="/surveys/results"' not in refused.text  # no menu entry for the desk
    lead = web_client(server.url, "lead1")
    assert post_form(lead, "/surveys/rules", region="", quiet_days="1").status_code == 403
    assert 'href="/surveys/results"' in lead.get("/supervisor").text


def test_the_complaint_page_shows_its_survey_and_the_answers(
    server: LiveServer, answered: dict[str, Any]
):
    agent = web_client(server.url, "agent1")
    text = visible_text(agent.get(f"/complaints/{answered['east_b']['id']}").text)
    assert "满意度调查 调查状态 客户已填写" in text
    assert "不满意" in text and "2 分（满分 5）" in text


def test_the_pages_speak_english_when_asked(server: LiveServer, answered: dict[str, Any]):
    supervisor = web_client(server.url, "super1", lang="en")
    words = {
        "/surveys/results": "East district network 2 2 100.0% 50.0%",
        "/surveys/templates": "score 1–5 · required",
        "/surveys/rules": "sent 30 minutes after the close · not again within 30 days",
    }
    for path, expected in words.items():
        text = visible_text(supervisor.get(path).text)
        assert expected in text, (path, text)
        # Only names the data holds are Chinese (staff, the seed's org units).
        leftovers = re.findall(r"[\u4e00-\u9fff]+", text)
        assert set(leftovers) <= {"中文", "周督导", "王坐席"}, (path, leftovers)
    refused = post_form(supervisor, "/surveys/rules", region="", version="0", quiet_days="x")
    assert "The sending rule is not valid: the quiet days must be a whole number" in refused.text
