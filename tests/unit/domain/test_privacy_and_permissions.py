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
