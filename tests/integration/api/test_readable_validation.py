"""A refused complaint says what to fix in the reader's words, never by field codes."""

from __future__ import annotations

import re

from tests.conftest import Api
from tests.integration.api.helpers import assert_problem, complaint_body

FIELD_CODE = re.compile(r"[A-Za-z_]+[._][A-Za-z_]+|\b(customer|phone|description|region)\b")


def _bad_complaint() -> dict[str, object]:
    body = complaint_body(customer={"name": "孙女士"}, description="长" * 6000)
    del body["region"]
    return body


def test_a_bad_complaint_is_refused_naming_fields_in_chinese(api: Api):
    response = api.as_("agent1").post("/api/v1/complaints", json=_bad_complaint())
    problem = assert_problem(response, 422, "invalid_input")
    detail = problem["detail"]
    assert detail.startswith("请检查：")
    assert "客户电话（必填）" in detail and "地区（必填）" in detail
    assert not FIELD_CODE.search(detail), detail
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert fields["customer.phone"] == "客户电话：必填"
    assert fields["region"] == "地区：必填"


def test_a_bad_complaint_is_refused_naming_fields_in_english(api: Api):
    response = api.as_("agent1", lang="en").post("/api/v1/complaints", json=_bad_complaint())
    problem = assert_problem(response, 422, "invalid_input")
    detail = problem["detail"]
    assert detail.startswith("Please check: ")
    assert "customer phone (required)" in detail and "region (required)" in detail
    assert "customer.phone" not in detail
    assert {"field": "customer.phone", "message": "Customer phone: required"} in problem["errors"]
    assert {"field": "region", "message": "Region: required"} in problem["errors"]


def test_a_refused_query_parameter_is_named_by_its_label(api: Api):
    response = api.as_("agent1").get("/api/v1/complaints", params={"limit": 0})
    problem = assert_problem(response, 422, "invalid_input")
    assert problem["detail"] == "请检查：每页条数（不能小于 1）"
    assert [e["field"] for e in problem["errors"]] == ["limit"]
