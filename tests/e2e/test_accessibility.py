"""axe-core over every page of the tour (``tests/integration/web/page_tour``), reports
included: no serious or critical violation, at the desktop size and, for the agents' daily
pages, at the phone size.

axe-core (MPL-2.0) comes inside the ``axe-playwright-python`` package (MIT), injected into
the page by Playwright: nothing is downloaded at run time. One browser context per person
and size, logged in once, keeps the walk to a few seconds per page.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer, MovableClock
from tests.integration.web import page_tour

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
BLOCKING = frozenset({"serious", "critical"})


def _context(browser: Any, base: str, who: str | None, viewport: dict[str, int]) -> Any:
    context = browser.new_context(base_url=base, viewport=viewport, locale="zh-CN")
    # A period's report is computed on its first request: allow it more than a page.
    context.set_default_navigation_timeout(180_000)
    if who is not None:
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", who)
        page.fill("#password", TEST_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_load_state()
        page.close()
    return context


def _violations(axe: Any, page: Any) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['impact']} {v['id']}: {v['help']} — "
        + "; ".join(str(node.get("target")) for node in v.get("nodes", [])[:3])
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


def test_no_page_has_a_serious_or_critical_accessibility_violation(
    browser: Any, server: LiveServer, api: Api, clock: MovableClock
):
    axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = axe_playwright.Axe()
    ids = page_tour.build(server, api, clock)
    contexts: dict[tuple[str | None, str], Any] = {}
    found: dict[str, list[str]] = {}
    walk = [(stop, "desktop", DESKTOP) for stop in page_tour.PAGES]
    walk += [(stop, "phone", PHONE) for stop in page_tour.PAGES if stop.phone]
    try:
        for stop, size, viewport in walk:
            key = (stop.who, size)
            if key not in contexts:
                contexts[key] = _context(browser, server.url, stop.who, viewport)
            page = contexts[key].new_page()
            path = stop.path.format(**ids)
            page.goto(path)
            page.wait_for_load_state()
            problems = _violations(axe, page)
            if problems:
                found[f"{size} {stop.who} {path}"] = problems
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert not found, "\n".join(f"{where}:\n  " + "\n  ".join(v) for where, v in found.items())
