"""Repeat complaints escalate: one priority step up, the nearest unit leads told, a
message they can read with the customer's number masked (domain.repeats)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from careloop.domain import repeats
from careloop.domain.vocabulary import PRIORITIES


@pytest.mark.parametrize(
    ("before", "after"),
    [("low", "normal"), ("normal", "high"), ("high", "urgent"), ("urgent", "urgent")],
)
def test_a_repeat_raises_the_priority_one_step_and_the_top_step_stays(before, after):
    assert repeats.raised_priority(before) == after


def test_every_priority_of_the_vocabulary_has_a_raise_within_the_vocabulary():
    for priority in PRIORITIES:
        assert repeats.raised_priority(priority) in PRIORITIES


def test_an_unknown_priority_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        repeats.raised_priority("critical")


def test_the_audit_note_says_what_was_raised_and_why_chinese_first():
    note = repeats.escalate("normal").audit_note(41)
    assert note.index("重复投诉") < note.index("repeat of complaint 41")
    assert "「普通」升为「高」" in note
    assert "from normal to high" in note
    assert "30" in note


def test_an_urgent_repeat_is_not_raised_but_still_says_why():
    escalation = repeats.escalate("urgent")
    assert not escalation.raised
    assert "已是最高「紧急」" in escalation.audit_note(7)


def test_the_nearest_unit_with_a_lead_answers_for_its_county():
    county, city, province = 17, 4, 2
    leads = {city: ["lead_city"], province: ["lead_province"]}
    assert repeats.nearest_leads([county, city, province], leads) == ["lead_city"]
    assert repeats.nearest_leads([county], leads) == []


def test_region_lead_and_owner_unit_lead_each_told_once_region_first():
    leads = {4: ["city_lead"], 9: ["hotline_lead"]}
    assert repeats.leads_to_tell([17, 4], [9, 4], leads) == ["city_lead", "hotline_lead"]
    assert repeats.leads_to_tell([17, 4], [4], leads) == ["city_lead"]


def test_the_channel_is_the_one_the_policy_uses_to_reach_the_unit_lead():
    steps = [
        {"level": 1, "to": "owner", "channel": "email"},
        {"level": 2, "to": "unit_lead", "channel": "sms"},
    ]
    assert repeats.notice_channel(steps) == "sms"
    assert repeats.notice_channel([{"level": 1, "to": "city"}]) == "email"


def _facts(**overrides: object) -> repeats.RepeatNoticeFacts:
    values: dict[str, object] = {
        "number": "TS202609280000012",
        "repeat_of_id": 3,
        "earlier_number": "TS202609160000003",
        "customer_phone": "13812345678",
        "category": "broadband.speed",
        "escalation": repeats.escalate("normal"),
        "reply_due_at": datetime(2026, 9, 28, 6, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return repeats.RepeatNoticeFacts(**values)  # type: ignore[arg-type]


def test_the_lead_reads_chinese_first_with_the_phone_masked_and_local_time():
    subject, body = repeats.repeat_notice(_facts())
    assert "13812345678" not in subject + body
    assert "138****5678" in body
    zh, en = body.split("\n")
    assert "宽带网速慢" in zh and "TS202609160000003" in zh and "「普通」升为「高」" in zh
    assert "2026-09-28 14:00（北京时间）" in zh
    assert "Broadband too slow" in en and "2026-09-28 14:00 Beijing time" in en
    assert subject.index("重复投诉") < subject.index("repeat complaint")
    assert "TS202609280000012" in subject and "高" in subject


def test_a_notice_without_an_earlier_number_names_the_earlier_id_and_no_due_time():
    _, body = repeats.repeat_notice(_facts(earlier_number=None, reply_due_at=None))
    assert "#3" in body and "须于" not in body and "due by" not in body


def test_a_time_outside_beijing_time_is_called_local_time():
    _, body = repeats.repeat_notice(_facts(timezone="Asia/Urumqi"))
    assert "当地时间" in body and "local time" in body
