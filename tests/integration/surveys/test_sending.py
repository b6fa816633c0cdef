"""A closed complaint's survey on a real database (both engines): planned by the closed
event's handler, throttled and sent by the sender with time moved, each decision on the
complaint's trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from careloop import bootstrap
from careloop.domain import events
from careloop.services.access.actors import actor_for
from careloop.services.surveys import rules
from careloop.store.models import Event, Notification, SecurityEvent
from careloop.store.models.surveys import Survey
from tests.integration.surveys.helpers import (
    CapturingSms,
    close_complaint,
    in_process_events,
    send_due,
)

CLOSED = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
"""10:00 Beijing time."""


@pytest.fixture
def platform(database_url: str) -> Iterator[bootstrap.Platform]:
    built = bootstrap.build(database_url)
    in_process_events(built)
    yield built
    built.dispose()


def trail(platform: bootstrap.Platform, complaint_id: int) -> list[tuple[str, str | None]]:
    with platform.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(Event)
            .where(Event.complaint_id == complaint_id, Event.action.like("survey_%"))
            .order_by(Event.id)
        )
        return [(e.action, e.note) for e in rows]


def test_the_survey_planner_listens_to_the_closed_event_through_the_queue(
    platform: bootstrap.Platform,
) -> None:
    assert "careloop.services.surveys.sending:SurveyPlanner" in platform.events.handlers(
        events.COMPLAINT_CLOSED
    )


def test_a_satisfied_callback_gets_a_survey_sent_after_the_delay(
    platform: bootstrap.Platform,
) -> None:
    sms = CapturingSms()
    complaint_id = close_complaint(platform, CLOSED)
    assert send_due(platform, sms, CLOSED + timedelta(minutes=29)).sent == 0
    report = send_due(platform, sms, CLOSED + timedelta(minutes=30))
    assert (report.sent, report.reasons) == (1, {"sent": 1})
    [message] = sms.messages
    assert message.recipient == "tel:13812345678"
    [token] = sms.tokens()
    assert message.body.startswith("感谢您对投诉处理的耐心配合")
    with platform.unit_of_work() as uow:
        survey = uow.session.scalars(select(Survey)).one()
        outbox = uow.session.get(Notification, survey.notification_id)
        assert outbox is not None
        # The token lives in the SMS alone: the outbox keeps the link blanked, the number masked.
        assert token not in outbox.body and "/s/••••" in outbox.body
        assert "13812345678" not in outbox.recipient
        assert survey.token_hash != token and survey.status == "sent"
        assert survey.expires_at == CLOSED + timedelta(minutes=30, days=7)
    assert [a for a, _ in trail(platform, complaint_id)] == ["survey_sent"]
    # Nothing is sent twice: the next round finds nothing due.
    assert send_due(platform, sms, CLOSED + timedelta(hours=1)).sent == 0


def test_a_close_late_in_the_evening_is_surveyed_the_next_morning(
    platform: bootstrap.Platform,
) -> None:
    sms = CapturingSms()
    evening = datetime(2026, 11, 27, 12, 45, tzinfo=UTC)  # 20:45 Beijing: due 21:15, night
    complaint_id = close_complaint(platform, evening)
    report = send_due(platform, sms, evening + timedelta(minutes=30))
    assert (report.sent, report.scheduled) == (0, 1)
    assert trail(platform, complaint_id) == [
        ("survey_scheduled", "夜间免打扰，改于 08:00（北京时间）发送")
    ]
    assert send_due(platform, sms, datetime(2026, 11, 27, 23, 59, tzinfo=UTC)).sent == 0
    assert send_due(platform, sms, datetime(2026, 11, 28, 0, 0, tzinfo=UTC)).sent == 1


def test_the_same_customer_is_not_surveyed_twice_within_thirty_days(
    platform: bootstrap.Platform,
) -> None:
    sms = CapturingSms()
    close_complaint(platform, CLOSED)
    send_due(platform, sms, CLOSED + timedelta(minutes=30))
    later = CLOSED + timedelta(days=12)
    second = close_complaint(platform, later)
    report = send_due(platform, sms, later + timedelta(minutes=30))
    assert (report.sent, report.skipped) == (0, 1)
    assert trail(platform, second) == [("survey_skipped", "跳过：12 天前已调查过")]
    # Thirty days on, the same number is surveyed again.
    month = CLOSED + timedelta(days=30)
    third = close_complaint(platform, month)
    assert send_due(platform, sms, month + timedelta(minutes=30)).sent == 1
    assert [a for a, _ in trail(platform, third)] == ["survey_sent"]


def test_a_regions_daily_cap_skips_the_rest_of_the_day(platform: bootstrap.Platform) -> None:
    sms = CapturingSms()
    with platform.unit_of_work() as uow:
        rules.save_sending_rule(uow, actor_for(uow, "super1"), "C1", {"daily_cap": 1}, CLOSED)
    with platform.unit_of_work() as uow:
        audit = uow.session.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == "survey_rule_saved")
        ).one()
        assert (audit.username, audit.detail["region"]) == ("super1", "C1")
    close_complaint(platform, CLOSED, phone="13800000001")
    capped = close_complaint(platform, CLOSED, phone="13800000002")
    elsewhere = close_complaint(platform, CLOSED, phone="13800000003", region="C2-K1")
    report = send_due(platform, sms, CLOSED + timedelta(minutes=30))
    assert (report.sent, report.skipped) == (2, 1)
    assert trail(platform, capped) == [("survey_skipped", "跳过：今日发送已达上限 1 条")]
    assert [a for a, _ in trail(platform, elsewhere)] == ["survey_sent"]


def test_the_planner_running_twice_plans_one_survey(platform: bootstrap.Platform) -> None:
    from careloop.services.surveys.sending import plan_survey

    complaint_id = close_complaint(platform, CLOSED)
    with platform.unit_of_work() as uow:
        assert plan_survey(uow, complaint_id, CLOSED) is None
    with platform.unit_of_work() as uow:
        assert len(uow.session.scalars(select(Survey)).all()) == 1
