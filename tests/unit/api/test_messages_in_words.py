"""Messages people read say things in their language: no codes, no English in Chinese."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from careloop.api import problems
from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.web.answers import error_text


def test_a_missing_record_is_named_in_the_readers_words():
    assert NotFound("work order", 7).message("zh") == "工单不存在：7"
    assert NotFound("work order", 7).message("en") == "Work order not found: 7"
    assert NotFound("something new", 7).message("zh") == "记录不存在：7"


def test_a_refusal_names_the_role_and_what_was_refused():
    refused = DomainError("role_not_allowed", role="agent", action="personal_data.unmask")
    assert refused.message("zh") == "角色「热线坐席」无权执行「查看完整个人信息」"
    assert refused.params == {"role": "agent", "action": "personal_data.unmask"}


def test_a_reason_written_for_both_readers_is_shown_in_one_language():
    both = InvalidInput("version", "需要整数 / a whole number")
    assert both.message("zh") == "版本号无效：需要整数"
    assert "a whole number" in both.message("en") and "需要" not in both.message("en")
    typed = InvalidInput("reason", "见附件 / 详情")  # two Chinese halves: as written
    assert "见附件 / 详情" in typed.message("zh")


def test_a_web_banner_names_the_field_never_its_code():
    refused = DomainError("merge_into_self", field="into")
    assert error_text(refused, "zh") == "合并到的投诉：投诉不能合并到自身"


def test_the_frameworks_own_refusals_read_in_the_callers_language():
    app = FastAPI()
    problems.install(app)
    client = TestClient(app)
    missing = client.get("/nowhere", headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 404
    assert missing.json()["detail"] == "未找到" and missing.json()["code"] == "http_404"
    assert client.get("/nowhere", headers={"Accept-Language": "en"}).json()["detail"] == (
        "Not found"
    )
