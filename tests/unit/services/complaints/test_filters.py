"""The one declared complaint filter: the API's and the web form's spellings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.lifecycle.tickets import OPEN_STATUSES
from careloop.services.complaints import filters
from careloop.services.complaints.filters import ComplaintFilter


def test_every_filter_parameter_has_a_label_for_error_messages() -> None:
    for field in filters.FIELDS:
        zh, en = field.label
        assert zh and en


def test_every_filter_field_sets_one_complaint_filter_attribute() -> None:
    attrs = [f.attr for f in filters.FIELDS]
    assert len(set(attrs)) == len(attrs)
    assert set(attrs) <= set(ComplaintFilter.__dataclass_fields__)


def test_api_values_are_checked_in_declaration_order() -> None:
    with pytest.raises(DomainError) as raised:
        filters.from_api(created_from=datetime(2026, 1, 1), escalated="maybe")
    assert raised.value.field == "created_from"


def test_api_flags_accept_true_false_words_and_refuse_others() -> None:
    assert filters.from_api(escalated="Yes", repeat="0") == ComplaintFilter(
        escalated=True, repeat=False
    )
    with pytest.raises(InvalidInput):
        filters.from_api(repeat="maybe")


def test_api_status_is_repeated_not_split() -> None:
    assert filters.from_api(status=["accepted,replied"]).status == ["accepted,replied"]
    assert filters.from_api(status=None).status == []


def test_api_phone_is_normalised_and_times_move_to_utc() -> None:
    chosen = filters.from_api(
        phone="+86 138-0000-0000", created_from=datetime(2026, 1, 1, 8, tzinfo=UTC)
    )
    assert chosen.customer_phone == "13800000000"
    assert chosen.created_from == datetime(2026, 1, 1, 8, tzinfo=UTC)


def test_api_refuses_a_parameter_that_is_no_filter() -> None:
    with pytest.raises(TypeError):
        filters.from_api(page="2")


def test_form_open_selects_every_open_status() -> None:
    chosen = filters.from_form({"open": "1", "status": "closed"})
    assert chosen.status == sorted(s.value for s in OPEN_STATUSES)


def test_form_spells_statuses_with_commas_and_flags_with_one() -> None:
    chosen = filters.from_form({"status": "accepted,replied", "escalated": "1", "repeat": "0"})
    assert chosen == ComplaintFilter(status=["accepted", "replied"], escalated=True, repeat=False)


def test_form_ignores_what_the_pages_do_not_offer() -> None:
    chosen = filters.from_form({"phone": "13800000000", "due_to": "x", "page": "2", "q": ""})
    assert chosen == ComplaintFilter()


def test_form_times_are_iso_8601_with_an_offset() -> None:
    chosen = filters.from_form({"created_from": "2026-01-01T08:00:00+08:00"})
    assert chosen.created_from == datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput) as raised:
        filters.from_form({"created_to": "yesterday"})
    assert raised.value.field == "created_to"


def test_chips_show_labels_and_link_to_the_list_without_them() -> None:
    found = filters.chips({"sla": "breached", "open": "1", "x": "", "region": "GZ"}, "en")
    assert [(c.param, c.value, c.label_key, c.value_key) for c in found] == [
        ("sla", "breached", "filter.sla", "filter.sla.breached"),
        ("open", "1", "filter.open", "common.yes"),
        ("region", "GZ", "filter.region", None),
    ]
    assert found[0].remove_query == "open=1&region=GZ"
