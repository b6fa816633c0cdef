"""The words the pages take from the catalogues where they used to pick between two
literals: a policy's limit as the form shows it, a refused field in the banner, the names
a domain table gives in each language."""

from __future__ import annotations

import pytest

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.sla.clocks import SlaLimit, parse_limit_text
from careloop.domain.vocabulary import ROLES
from careloop.web.answers import error_text, in_both, whole_number
from careloop.web.pages.policies import limit_words
from careloop.web.views import choices, in_lang

LIMITS = [
    (SlaLimit.in_days(15, "working"), "15个工作日", "15 working days"),
    (SlaLimit.in_days(30, "calendar"), "30个自然日", "30 calendar days"),
    (SlaLimit(240, "working"), "4工作小时", "4 working hours"),
    (SlaLimit(1440, "calendar"), "24小时", "24 hours"),
    (SlaLimit(90, "working"), "90工作分钟", "90 working minutes"),
    (SlaLimit(45, "calendar"), "45分钟", "45 minutes"),
]


@pytest.mark.parametrize(("limit", "zh", "en"), LIMITS)
def test_a_policy_limit_reads_as_typed_and_back_in_either_language(
    limit: SlaLimit, zh: str, en: str
):
    assert limit_words(limit, "zh") == zh
    assert limit_words(limit, "en") == en
    assert parse_limit_text(zh) == limit
    assert parse_limit_text(en) == limit


def test_a_refused_number_names_the_field_in_the_pages_language():
    with pytest.raises(InvalidInput) as zh:
        whole_number("v3", "version", "zh")
    with pytest.raises(InvalidInput) as en:
        whole_number("v3", "version", "en")
    assert error_text(zh.value, "zh") == "版本号无效：需要整数"
    assert error_text(en.value, "en") == "Field version is invalid: a whole number"


def test_a_message_that_does_not_name_its_field_is_prefixed_with_it():
    refused = DomainError("not_found", field="version", what="complaint", ident=7)
    assert error_text(refused, "zh") == f"版本号：{refused.message('zh')}"
    assert error_text(refused, "en") == f"version: {refused.message('en')}"


def test_errors_carrying_both_languages_get_both_from_the_catalogue():
    assert in_both(lambda t: t("common.whole_number")) == ("需要整数", "a whole number")


def test_a_domain_tables_names_come_in_the_readers_language():
    assert in_lang(ROLES["agent"], "zh") == "热线坐席"
    assert in_lang(ROLES["agent"], "en-GB") == "Hotline agent"
    assert ("admin", "Administrator") in choices(ROLES, "en")
