"""A refusal is titled and explained in the language the caller's Accept-Language prefers,
its q-values weighed: the API's own words come from the `problems` and `api` catalogues."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Api
from tests.integration.api.helpers import assert_problem

LANGUAGES = [
    pytest.param("zh-CN", "zh", id="zh-CN"),
    pytest.param("en-US,en;q=0.9", "en", id="en-US"),
    pytest.param("zh;q=0.1, en;q=0.8", "en", id="en-preferred-by-q"),
]


def _anonymous(api: Api, accept_language: str) -> httpx.Client:
    return httpx.Client(
        base_url=api.base_url, timeout=30, headers={"Accept-Language": accept_language}
    )


@pytest.mark.parametrize(("accept_language", "lang"), LANGUAGES)
def test_a_missing_record_is_not_found_in_the_callers_language(
    api: Api, accept_language: str, lang: str
):
    response = api.as_("agent1", lang=accept_language).get("/api/v1/complaints/987654")
    problem = assert_problem(response, 404, "not_found")
    expected = {
        "zh": ("未找到", "投诉不存在：987654"),
        "en": ("Not found", "Complaint not found: 987654"),
    }
    assert (problem["title"], problem["detail"]) == expected[lang]


@pytest.mark.parametrize(("accept_language", "lang"), LANGUAGES)
def test_an_unknown_address_is_titled_and_explained_in_the_callers_language(
    api: Api, accept_language: str, lang: str
):
    """The framework's English reason phrase never reaches the caller: the status's title,
    in their language, is the detail too."""
    with _anonymous(api, accept_language) as client:
        response = client.get("/api/v1/no-such-resource")
    problem = assert_problem(response, 404, "http_404")
    expected = {"zh": "未找到", "en": "Not found"}[lang]
    assert problem["title"] == expected and problem["detail"] == expected


@pytest.mark.parametrize(("accept_language", "lang"), LANGUAGES)
def test_a_refused_value_is_explained_in_the_callers_language(
    api: Api, accept_language: str, lang: str
):
    response = api.as_("agent1", lang=accept_language).get(
        "/api/v1/complaints", params={"limit": 0}
    )
    problem = assert_problem(response, 422, "invalid_input")
    expected = {
        "zh": ("输入无效", "请检查：每页条数（不能小于 1）", "每页条数：不能小于 1"),
        "en": ("Invalid input", "Please check: page size (at least 1)", "Page size: at least 1"),
    }
    title, detail, message = expected[lang]
    assert (problem["title"], problem["detail"]) == (title, detail)
    assert problem["errors"] == [{"field": "limit", "message": message}]


@pytest.mark.parametrize(("accept_language", "lang"), LANGUAGES)
def test_an_anonymous_caller_is_not_identified_in_their_language(
    api: Api, accept_language: str, lang: str
):
    with _anonymous(api, accept_language) as client:
        response = client.get("/api/v1/complaints")
    problem = assert_problem(response, 401, "unknown_actor")
    expected = {
        "zh": ("未识别身份", "请先登录：请求未带登录凭据"),
        "en": ("Not identified", "Sign in first: the request carries no credentials"),
    }
    title, detail_start = expected[lang]
    assert problem["title"] == title
    assert problem["detail"] == detail_start


@pytest.mark.parametrize(("accept_language", "lang"), LANGUAGES)
def test_an_oversized_body_is_refused_in_the_callers_language(
    api: Api, accept_language: str, lang: str
):
    response = api.as_("agent1", lang=accept_language).post(
        "/api/v1/complaints",
        content=b"x" * (3 * 1024 * 1024),
        headers={"content-type": "application/json"},
    )
    problem = assert_problem(response, 413, "request_too_large")
    limit = 2 * 1024 * 1024
    expected = {
        "zh": ("请求过大", f"请求体超过 {limit} 字节"),
        "en": ("Request too large", f"Request body larger than {limit} bytes"),
    }
    assert (problem["title"], problem["detail"]) == expected[lang]


@pytest.mark.parametrize(("accept_language", "lang"), LANGUAGES)
def test_an_empty_upload_is_refused_in_the_callers_language(
    api: Api, accept_language: str, lang: str
):
    response = api.as_("super1", lang=accept_language).post(
        "/api/v1/spam/ports/import", content=b""
    )
    problem = assert_problem(response, 422, "invalid_input")
    expected = {
        "zh": ("输入无效", "文件无效：文件为空"),
        "en": ("Invalid input", "Field file is invalid: the file is empty"),
    }
    assert (problem["title"], problem["detail"]) == expected[lang]
    assert [e["field"] for e in problem["errors"]] == ["file"]


@pytest.mark.parametrize(("accept_language", "lang"), LANGUAGES)
def test_a_backwards_period_is_refused_in_the_callers_language(
    api: Api, accept_language: str, lang: str
):
    response = api.as_("super1", lang=accept_language).get(
        "/api/v1/inspections/scores", params={"start": "2026-09-30", "end": "2026-07-01"}
    )
    problem = assert_problem(response, 422, "invalid_input")
    expected = {
        "zh": "结束日期无效：结束日期须不早于开始日期，且跨度不超过两年",
        "en": "Field last day is invalid: the end must not lie before the start, "
        "nor more than two years after it",
    }
    assert problem["detail"] == expected[lang]
