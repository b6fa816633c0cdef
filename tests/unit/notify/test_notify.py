"""Quiet hours and adapter selection: nothing is sent for real unless asked for twice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from careloop.config import Settings
from careloop.notify import (
    Message,
    QuietHours,
    RecordingAdapter,
    SmsAdapter,
    adapters_from_settings,
)

SH = ZoneInfo("Asia/Shanghai")


def test_sms_reminder_at_night_waits_until_eight_in_the_morning():
    quiet = QuietHours()
    assert quiet.next_allowed(datetime(2026, 9, 29, 23, 30, tzinfo=SH), "sms") == datetime(
        2026, 9, 30, 8, tzinfo=SH
    )
    assert quiet.next_allowed(datetime(2026, 9, 30, 2, 0, tzinfo=SH), "sms") == datetime(
        2026, 9, 30, 8, tzinfo=SH
    )


def test_daytime_sms_and_night_email_go_at_once():
    quiet = QuietHours()
    noon = datetime(2026, 9, 29, 12, tzinfo=SH)
    night = datetime(2026, 9, 29, 23, tzinfo=SH)
    assert quiet.next_allowed(noon, "sms") == noon
    assert quiet.next_allowed(night, "email") == night


def test_recording_adapter_is_the_default_for_every_channel():
    assert Settings.model_fields["notify"].default == "recording"
    settings = Settings(notify="recording", sms_gateway_url="http://gw.invalid/send")
    adapters = adapters_from_settings(settings)
    assert {a.name for a in adapters.values()} == {"recording"}
    RecordingAdapter().send(Message(1, "sms", "staff:agent1", "s", "b"))  # sends nothing


def test_live_sending_needs_the_mode_and_an_address():
    live = adapters_from_settings(
        Settings(notify="live", sms_gateway_url="http://gw.invalid/send", smtp_host="")
    )
    assert isinstance(live["sms"], SmsAdapter)
    assert live["email"].name == "recording"
