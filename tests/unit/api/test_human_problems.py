"""4xx answers name fields as people call them and say why in the reader's language."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from careloop.api.problems import validation_details, validation_reason
from careloop.api.schemas import ComplaintIn
from careloop.domain.field_labels import FIELD_LABELS, field_label

CODE = re.compile(r"[a-z]+_[a-z_]+|[a-z]+\.[a-z]+")
"""An internal field code: snake_case or a dotted path."""


def test_known_fields_read_as_their_labels_in_both_languages():
    assert field_label("customer.phone") == "客户电话"
    assert field_label("customer.phone", "en") == "customer phone"
    assert field_label("description", "zh") == "投诉内容"
    assert field_label("due_at", "en") == "due time"
    assert field_label("Idempotency-Key") == "幂等键"
    assert field_label("idempotency-key", "en-GB") == "idempotency key"


def test_list_items_count_from_one_as_people_do():
    assert field_label("items.3.customer.phone") == "第 4 条 客户电话"
    assert field_label("items.3.customer.phone", "en") == "item 4: customer phone"
    assert field_label("items.0", "en") == "item 1"


def test_a_field_without_a_label_reads_as_words_not_as_its_code():
    assert field_label("reply_due_at", "en") == "reply due at"
    assert field_label("reply_due_at") == "reply due at"
    assert field_label("limits.nightly") == "时限 nightly"
    assert field_label(None) == "请求内容" and field_label("", "en") == "request body"


def test_every_label_is_free_of_field_codes():
    for zh, en in FIELD_LABELS.values():
        assert not CODE.search(zh) and not CODE.search(en), (zh, en)


@pytest.mark.parametrize(
    ("error", "zh", "en"),
    [
        ({"type": "missing"}, "必填", "required"),
        (
            {"type": "string_too_long", "ctx": {"max_length": 5000}},
            "最多 5000 字",
            "at most 5000 characters",
        ),
        ({"type": "string_too_short", "ctx": {"min_length": 1}}, "不能为空", "must not be empty"),
        ({"type": "too_long", "ctx": {"max_length": 500}}, "最多 500 项", "at most 500 items"),
        ({"type": "less_than_equal", "ctx": {"le": 200}}, "不能大于 200", "at most 200"),
        ({"type": "greater_than", "ctx": {"gt": 0.0}}, "应大于 0", "must be greater than 0"),
        ({"type": "int_parsing"}, "应为整数", "must be a whole number"),
        ({"type": "bool_parsing"}, "应为 true 或 false", "must be true or false"),
        (
            {"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}},
            "可选：'a' 或 'b'",
            "one of: 'a' or 'b'",
        ),
        ({"type": "extra_forbidden"}, "不是可接受的字段", "not an accepted field"),
        ({"type": "json_invalid", "ctx": {"error": "x"}}, "不是有效的 JSON", "not valid JSON"),
        (
            {"type": "value_error", "ctx": {"error": ValueError("号码 / number")}},
            "号码 / number",
            "号码 / number",
        ),
        ({"type": "something_new"}, "取值无效", "not a valid value"),
    ],
)
def test_pydantic_reasons_are_translated_with_their_limits(error, zh, en):
    assert validation_reason(error, "zh") == zh
    assert validation_reason(error, "en") == en


def test_validation_detail_names_labels_and_keeps_machine_fields():
    with pytest.raises(ValidationError) as caught:
        ComplaintIn.model_validate({"channel": "hotline", "customer": {}, "description": ""})
    detail, errors = validation_details(caught.value.errors(), "zh")
    assert detail.startswith("请检查：")
    assert "客户电话（必填）" in detail and "投诉内容（不能为空）" in detail
    assert not CODE.search(detail) and "customer" not in detail
    assert {"customer.phone", "category", "region", "description"} <= {e["field"] for e in errors}
    assert {"field": "customer.phone", "message": "客户电话：必填"} in errors
    detail_en, errors_en = validation_details(caught.value.errors(), "en")
    assert detail_en.startswith("Please check: ")
    assert "customer phone (required)" in detail_en and "customer.phone" not in detail_en
    assert {"field": "customer.phone", "message": "Customer phone: required"} in errors_en
