"""The port-enforcement pages in a real browser on a phone-sized screen: the county's
network department finds the case on its list with the deadline in Beijing time, is refused
a warning without evidence (nothing typed is lost), warns with evidence; the city's lead
closes the port, which then shows as closed for good with the closure on the trail. The
pages fit the screen, every control is labelled, no code shows."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from careloop.domain.spam.reports import PortDayCounts
from careloop.services.spam import enforcement as service
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.conftest import LiveServer, MovableClock
from tests.e2e.test_rectification_pages import _looks_right, _phone

pytestmark = pytest.mark.e2e


def test_a_case_is_warned_with_evidence_and_the_port_closed(
    browser: Any, server: LiveServer, database_url: str, clock: MovableClock
):
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        counts = [PortDayCounts("10657001234", date(2026, 9, 28), 60, 40, 0.9, 2)]
        service.open_cases_from_counts(
            uow, counts, clock.now, region_of={"10657001234": "C1-K1"}.get
        )
    engine.dispose()

    unit = _phone(browser, server, "net1")
    unit.click("nav >> text=端口处置")
    unit.wait_for_url(re.compile(r"/spam-enforcement$"))
    row = unit.inner_text("[data-testid=spam-cases]")
    assert "10657001234" in row and "较重" in row and "剩余" in row and "退订后仍发送" in row
    _looks_right(unit, "spam-enforcement-list")
    unit.click("text=10657001234")
    unit.wait_for_url(re.compile(r"/spam-enforcement/\d+$"))
    path = unit.url.replace(server.url, "")
    unit.fill("#evidence-ref", "  ")
    unit.click("button[data-action=warn]")
    assert "处置端口必须附依据" in unit.inner_text('[role="alert"]')
    unit.fill("#evidence", "40 名用户举报贷款营销短信，2 条为退订后仍发送")
    unit.click("button[data-action=warn]")
    unit.wait_for_url(re.compile(r"done=spam_warn"))
    assert unit.inner_text("[data-testid=spam-status]") == "已警告"
    assert "警告 · 张网络" in unit.inner_text("[data-testid=spam-evidence]")
    assert unit.locator("button[data-action=suspend]").count() == 0  # a handler may not
    _looks_right(unit, "spam-enforcement-case")

    lead = _phone(browser, server, "lead1")
    lead.goto(path)
    lead.fill("#evidence-ref", "12321-ZB-20260928-0042")
    lead.click("button[data-action=close_port]")
    lead.wait_for_url(re.compile(r"done=spam_close_port"))
    assert lead.inner_text("[data-testid=spam-port-state]") == "已关停"
    trail = lead.inner_text("[data-testid=spam-trail]")
    assert "关停端口" in trail and "刘主任" in trail and "警告" in trail
    assert lead.locator("[data-testid=spam-sanction]").count() == 0
    _looks_right(lead, "spam-enforcement-closed")
