"""A draft from text fields (the intake form, an import sheet): blanks take the defaults."""

from __future__ import annotations

import pytest

from careloop.domain.errors import InvalidInput
from careloop.services.complaints.intake import NewComplaint, draft_from_fields


def test_blank_fields_take_the_defaults_and_the_given_channel() -> None:
    draft = draft_from_fields(
        {"phone": "13812345678", "category": "billing.dispute", "region": "C1", "name": ""},
        "hotline",
    )
    assert draft == NewComplaint(
        channel="hotline",
        customer_phone="13812345678",
        category="billing.dispute",
        description="",
        region_code="C1",
    )


def test_flags_read_yes_and_no_words_and_a_checkbox_one() -> None:
    assert draft_from_fields({"escalated": "1"}, "web").escalated is True
    assert draft_from_fields({"escalated": "是", "regulator_transfer": "no"}, "web").escalated
    assert draft_from_fields({"escalated": ""}, "web").escalated is False


def test_a_flag_that_is_neither_yes_nor_no_is_refused_by_its_field_name() -> None:
    with pytest.raises(InvalidInput) as refused:
        draft_from_fields({"regulator_transfer": "maybe"}, "web")
    assert refused.value.field == "regulator_transfer"
