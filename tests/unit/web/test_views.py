"""How a page words a deadline: overrun, met, paused or the time left."""

from __future__ import annotations

from datetime import UTC, datetime

from careloop.i18n import Translator
from careloop.services.complaints.page_views import ClockReading
from careloop.web.views import clock_of

DUE = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def reading(state: str, remaining: int = 0, overrun: int = 0) -> ClockReading:
    return ClockReading("reply", None, state, DUE, remaining, overrun, "why")


def test_a_breached_clock_says_by_how_much_it_is_overrun():
    clock = clock_of(reading("breached", remaining=-1500, overrun=1500), Translator("en"))
    assert clock.state == "breached" and clock.due_at == DUE
    assert clock.text == Translator("en")(
        "clock.overrun", d=Translator("en")("duration.dh", d=1, h=1)
    )
    assert clock.explanation == "why"


def test_a_breached_clock_without_overrun_minutes_shows_the_time_left():
    t = Translator("zh")
    clock = clock_of(reading("breached", remaining=0, overrun=0), t)
    assert clock.text == t("clock.remaining", d=t("duration.m", m=0))


def test_met_paused_and_running_clocks():
    t = Translator("en")
    assert clock_of(reading("met"), t).text == t("clock.state.met")
    assert clock_of(reading("paused", remaining=90), t).text == t(
        "clock.paused", d=t("duration.hm", h=1, m=30)
    )
    assert clock_of(reading("running", remaining=45), t).text == t(
        "clock.remaining", d=t("duration.m", m=45)
    )


def test_no_clock_is_a_dash():
    clock = clock_of(None, Translator("zh"))
    assert (clock.state, clock.due_at, clock.text) == ("none", None, "—")
