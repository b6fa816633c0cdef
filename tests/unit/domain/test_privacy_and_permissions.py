"""Masking rules and org scopes (pure domain)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from careloop.api.ratelimit import TokenBucket
from careloop.domain import permissions, privacy
from careloop.domain.errors import DomainError

CHAIN = [("group", "/1/"), ("province", "/1/2/"), ("city", "/1/2/3/"), ("department", "/1/2/3/9/")]


def test_phone_masks_like_138_stars_5678():
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_name("孙女士") == "孙**"
    assert privacy.mask_account("ACC-2026-7788") == "*********7788"


def test_numbers_inside_free_text_are_masked_but_order_numbers_are_not():
    text = (
        "请回电 138-1234-5678 或 0571-88886666，身份证 11010119900307123X，工单 TS2026092800000012"
    )
    masked = privacy.mask_text(text)
    assert masked is not None
    assert "138****5678" in masked and "0571****6666" in masked
    assert "110101********123X" in masked
    assert "TS2026092800000012" in masked


def test_who_sees_personal_data():
    assert privacy.may_see_personal_data("supervisor")
    assert not privacy.may_see_personal_data("agent")  # no context: masked
    assert privacy.may_see_personal_data("agent", owns=True)
    assert privacy.may_see_personal_data("handler", handles=True)
    assert not privacy.may_see_personal_data("inspector", owns=True, handles=True)
    assert not privacy.may_unmask("inspector") and privacy.may_unmask("agent")
    assert not privacy.may_export_personal_data("agent")
    assert privacy.may_export_personal_data("admin")


def test_scopes_follow_the_org_tree():
    assert permissions.scope_path("supervisor", CHAIN) == "/1/2/"
    assert permissions.scope_path("inspector", CHAIN[:2]) == "/1/2/"
    assert permissions.scope_path("admin", CHAIN[:1]) == "/1/"
    # A city department serves its city.
    assert permissions.scope_path("agent", CHAIN) == "/1/2/3/"
    assert permissions.scope_path("unit_lead", CHAIN[:3]) == "/1/2/3/"


def test_report_and_export_rights_are_data():
    permissions.check_permission("complaint.export", "agent")
    permissions.check_permission("report.read", "inspector")
    with pytest.raises(DomainError) as err:
        permissions.check_permission("report.read", "agent")
    assert err.value.status == 403


def test_token_bucket_refills_with_time():
    bucket = TokenBucket(per_minute=3)
    t0 = datetime(2026, 9, 28, tzinfo=UTC)
    for _ in range(3):
        bucket.take("u", t0)
    with pytest.raises(DomainError) as err:
        bucket.take("u", t0)
    assert err.value.code == "rate_limited" and err.value.status == 429
    bucket.take("other", t0)
    bucket.take("u", t0 + timedelta(seconds=21))
    TokenBucket(per_minute=0).take("u", t0)  # 0: no limit


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0086-13812345678", "138****5678"),
        ("（+86）13812345678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("010 1234 5678", "010****5678"),
        ("（0571）8888 6666", "0571****6666"),
        ("11010119900307123X", "110101********123X"),
        ("6222 0212 3456 7890", "6222********7890"),
        ("6222021234567890123", "6222***********0123"),
        ("sun.li@example.com", "s***@example.com"),
    ],
)
def test_free_text_masks_every_way_a_number_is_written(written: str, masked: str):
    assert privacy.mask_text(f"请联系 {written} 谢谢") == f"请联系 {masked} 谢谢"


def test_free_text_keeps_what_is_not_personal():
    text = "2026-09-28 10:00 第 12 户, 电费 123.45 元, 工单 TS2026092800000012, 邮箱见附件"
    assert privacy.mask_text(text) == text


def test_one_function_masks_every_kind_unless_the_reader_may_see_it():
    assert privacy.shown("13812345678", "phone", unmasked=False) == "138****5678"
    assert privacy.shown("孙丽", "name", unmasked=False) == "孙*"
    assert privacy.shown("ACC-7788", "account", unmasked=False) == "****7788"
    assert privacy.shown("请回电 138 1234 5678", "text", unmasked=False) == "请回电 138****5678"
    assert privacy.shown("请回电 138 1234 5678", "text", unmasked=True) == "请回电 138 1234 5678"
    assert privacy.shown(None, "text", unmasked=False) is None


def test_only_roles_that_may_unmask_may_search_by_personal_data():
    assert privacy.may_search_personal_data("agent")
    assert privacy.may_search_personal_data("supervisor")
    assert not privacy.may_search_personal_data("inspector")


@pytest.mark.parametrize(
    "value", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠x"]
)
def test_a_cell_that_a_spreadsheet_would_run_is_quoted(value: str):
    from careloop.reports.cells import spreadsheet_cell

    assert spreadsheet_cell(value) == "'" + value


def test_a_cell_holds_only_characters_a_file_can_hold():
    from careloop.reports.cells import MAX_CELL_CHARS, spreadsheet_cell

    assert spreadsheet_cell("a\x00b\x01\x0b\x1b\u200b\u202ec\ufeff\ud800\uffff") == "abc"
    assert spreadsheet_cell("行一\n行二\t列") == "行一\n行二\t列"
    assert spreadsheet_cell(12.5) == 12.5
    assert len(spreadsheet_cell("x" * 100_000)) == MAX_CELL_CHARS
