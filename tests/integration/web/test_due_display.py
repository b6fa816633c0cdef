"""A deadline at midnight reads as the end of the day before on the complaint page, as the
law states a period's last day: 2026-09-20 10:00 + 15 days is due "2026-10-08 24:00"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.conftest import Api, LiveServer, MovableClock
from tests.integration.api.helpers import create
from tests.integration.web.helpers import web_client

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_fifteen_day_answer_reads_as_the_end_of_its_last_day(
    api: Api, clock: MovableClock, server: LiveServer
):
    clock.now = datetime(2026, 9, 20, 10, tzinfo=SHANGHAI)
    c = create(api.as_("agent1"))
    answer = api.as_("agent1").get(f"/api/v1/complaints/{c['id']}").json()
    reply = next(k for k in answer["sla"]["clocks"] if k["clock"] == "reply")
    assert datetime.fromisoformat(reply["due_at"]) == datetime(2026, 10, 9, tzinfo=SHANGHAI)

    page = web_client(server.url, "agent1").get(f"/complaints/{c['id']}").text
    assert "2026-10-08 24:00" in page
    assert "2026-10-09 00:00" not in page
