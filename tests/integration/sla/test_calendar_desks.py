"""A seven-day desk through the real HTTP API on SQLite and PostgreSQL: a policy with hours
on every day counts its weekend, and its ``holiday`` hours are a policy's choice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import assert_problem, create

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERY_DAY = {str(wd): [["08:00", "20:00"]] for wd in range(7)}


def _reply_due(api: Api, complaint_id: int) -> datetime:
    answer = api.as_("agent1").get(f"/api/v1/complaints/{complaint_id}").json()
    reply = next(k for k in answer["sla"]["clocks"] if k["clock"] == "reply")
    return datetime.fromisoformat(reply["due_at"]).astimezone(SHANGHAI)


def _desk(api: Api, hours: dict) -> None:
    response = api.as_("admin").put(
        "/api/v1/sla/policies/seven-day-desk",
        json={
            "name": "七天营业台席",
            "limits": {"reply": {"minutes": 600, "basis": "working"}},
            "rank": 900,
            "hours": hours,
        },
    )
    assert response.status_code == 200, response.text


def test_a_seven_day_desk_is_due_on_saturday_evening(api: Api, clock: MovableClock):
    # Sat 2026-10-17 09:00 + 600 working minutes of 08:00–20:00 = Sat 19:00 (the weekend
    # used to be skipped: Mon 18:00).
    clock.now = datetime(2026, 10, 17, 9, tzinfo=SHANGHAI)
    _desk(api, EVERY_DAY)

    c = create(api.as_("agent1"))

    assert _reply_due(api, c["id"]) == datetime(2026, 10, 17, 19, tzinfo=SHANGHAI)


def test_a_hotline_works_national_day_only_with_holiday_hours(api: Api, clock: MovableClock):
    # Thu 2026-10-01 09:00 (National Day). Without holiday hours the desk is closed Oct 1–7
    # and opens Thu Oct 8 08:00 → 18:00; with them it is due the same evening, 19:00.
    clock.now = datetime(2026, 10, 1, 9, tzinfo=SHANGHAI)
    _desk(api, EVERY_DAY)
    closed = create(api.as_("agent1"))
    _desk(api, {**EVERY_DAY, "holiday": [["08:00", "20:00"]]})
    open_on_holidays = create(api.as_("agent1"))

    assert _reply_due(api, closed["id"]) == datetime(2026, 10, 8, 18, tzinfo=SHANGHAI)
    assert _reply_due(api, open_on_holidays["id"]) == datetime(2026, 10, 1, 19, tzinfo=SHANGHAI)


def test_hours_under_an_unknown_key_are_refused_with_a_message(api: Api):
    response = api.as_("admin").put(
        "/api/v1/sla/policies/seven-day-desk",
        json={
            "name": "七天营业台席",
            "limits": {"reply": {"minutes": 600, "basis": "working"}},
            "hours": {"weekend": [["08:00", "20:00"]]},
        },
    )

    problem = assert_problem(response, 422, "invalid_input")
    assert "holiday" in problem["detail"]
