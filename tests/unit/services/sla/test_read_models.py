"""The outbox as a reader sees it: plain values, personal data masked by role."""

from __future__ import annotations

from datetime import UTC, datetime

from careloop.services.sla.read_models import outbox_message
from careloop.store.models import Notification

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _row() -> Notification:
    return Notification(
        id=7,
        kind="reminder",
        channel="sms",
        recipient="13812345678",
        subject="SLA",
        body="请联系 13812345678",
        complaint_id=3,
        level=None,
        status="pending",
        adapter=None,
        created_at=AT,
        send_after=AT,
        sent_at=None,
    )


def test_outbox_message_masks_phone_numbers_for_roles_that_cannot_unmask() -> None:
    message = outbox_message(_row(), unmasked=False)
    assert "13812345678" not in message.recipient
    assert "13812345678" not in message.body
    assert message.subject == "SLA"


def test_outbox_message_shows_the_text_in_full_to_roles_that_may_unmask() -> None:
    message = outbox_message(_row(), unmasked=True)
    assert message.recipient == "13812345678"
    assert message.body == "请联系 13812345678"
