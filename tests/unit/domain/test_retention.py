"""The retention rule without a database: what is due, and what anonymised text keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from careloop.domain import retention
from careloop.domain.errors import DomainError

NOW = datetime(2029, 10, 1, 2, 0, tzinfo=UTC)
CUSTOMER = retention.Customer("13812345678", "王芳", "ACC77004321")


def test_due_only_when_archived_longer_than_the_period_and_not_yet_anonymised():
    cutoff = retention.cutoff(NOW, 1095)
    assert cutoff == NOW - timedelta(days=1095)
    day = timedelta(days=1)
    assert retention.is_due("archived", cutoff - day, None, cutoff)
    assert not retention.is_due("archived", cutoff, None, cutoff)
    assert not retention.is_due("archived", cutoff + day, None, cutoff)
    assert not retention.is_due("archived", cutoff - day, NOW, cutoff)
    for status in ("closed", "cancelled", "rejected", "merged", "in_progress"):
        assert not retention.is_due(status, cutoff - day, None, cutoff)


def test_the_default_period_is_three_years():
    assert retention.DEFAULT_RETENTION_DAYS == 3 * 365


def test_a_period_below_one_day_is_invalid():
    with pytest.raises(DomainError) as refused:
        retention.cutoff(NOW, 0)
    assert refused.value.code == "invalid_input"
    assert "retention" in refused.value.message("en")


@pytest.mark.parametrize("role", ["agent", "handler", "unit_lead", "supervisor", "inspector"])
def test_only_the_administrator_may_purge(role: str):
    retention.check_may_purge("admin")
    with pytest.raises(DomainError) as refused:
        retention.check_may_purge(role)
    assert refused.value.code == "role_not_allowed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请回电 13812345678", "请回电 ***"),  # the customer's own number, as typed
        ("另一号码 139 1234 5678", "另一号码 ***********"),  # any other number: every digit
        ("身份证 11010119900101987X", "身份证 ******************"),
        ("固话 0571-88123456", "固话 ************"),
        ("我是王芳", "我是***"),
        ("邮箱 wangfang88@example.com", "邮箱 ***@example.com"),
        ("账号 ACC77004321 欠费", "账号 *** 欠费"),
        ("住在翠苑小区3栋2单元501室", "住在***"),
        ("杭州市西湖区文三路12号", "***"),
        ("小区宽带很慢，网络不稳定", "小区宽带很慢，网络不稳定"),  # a place with no number
        ("投诉单号 TS2026092800000012 已办结", "投诉单号 TS2026092800000012 已办结"),
    ],
)
def test_free_text_loses_what_identifies_a_person(text: str, expected: str):
    assert retention.anonymise_text(text, CUSTOMER) == expected


def test_anonymising_twice_changes_nothing():
    text = "王芳 13812345678 住翠苑小区3栋 证件 11010119900101987X 其他 13998765432"
    once = retention.anonymise_text(text, CUSTOMER)
    assert retention.anonymise_text(once, CUSTOMER) == once
    after = retention.Customer(retention.anonymous_phone("13812345678"), None, None)
    assert retention.anonymise_text(once, after) == once


def test_a_snapshot_keeps_its_shape_and_loses_the_customer():
    snapshot = {
        "customer_phone": "13812345678",
        "customer_name": "王芳",
        "customer_account": "ACC77004321",
        "customer_tier": "gold",
        "category": "broadband.outage",
        "region_id": 4,
        "escalated": False,
        "description": "王芳说 13812345678 断网",
        "nested": [{"text": "联系 13812345678"}],
    }
    assert retention.anonymise_value(snapshot, CUSTOMER) == {
        "customer_phone": "***********",
        "customer_name": None,
        "customer_account": None,
        "customer_tier": "gold",
        "category": "broadband.outage",
        "region_id": 4,
        "escalated": False,
        "description": "***说 *** 断网",
        "nested": [{"text": "联系 ***"}],
    }


def test_a_customer_label_in_the_trail_loses_its_number():
    assert retention.anonymised_label("customer:138****5678", "customer") == "customer"
    assert retention.anonymised_label("agent1", "agent") == "agent1"
