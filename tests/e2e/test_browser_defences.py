"""The strict Content-Security-Policy in a real browser: every page loads, and htmx works,
without a single violation; a form on another site cannot post into CareLoop."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, Api, LiveServer
from tests.e2e.conftest import CapturingSms
from tests.integration.api.helpers import act, create

pytestmark = pytest.mark.e2e

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""
"""Injected by the browser driver before any page script (not subject to the page's CSP)."""


class Watched:
    """A browser context that records every CSP violation and console error of its pages."""

    def __init__(self, browser: Any, base: str, lang: str = "zh-CN") -> None:
        self.context = browser.new_context(base_url=base, locale=lang)
        self.context.add_init_script(WATCH_CSP)
        self.console: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console.append(f"pageerror {exc}"))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.console.append(f"{message.type} {message.text}")

    def visit(self, path: str) -> Any:
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")
        self.assert_clean(path)
        return self.page

    def assert_clean(self, where: str) -> None:
        violations = self.page.evaluate("() => window.__cspViolations || []")
        csp_console = [m for m in self.console if "Content Security Policy" in m]
        assert violations == [] and csp_console == [], (where, violations, csp_console)

    def login(self, username: str) -> None:
        self.page.goto("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", TEST_PASSWORD)
        self.page.press("#password", "Enter")
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, self.page.url


def test_every_page_loads_under_the_strict_policy_without_a_violation(
    browser: Any, server: LiveServer, api: Api, app: Any
):
    sms = CapturingSms()
    app.state.notify_adapters = {"sms": sms, "email": sms, "webhook": sms}
    agent_api = api.as_("agent1")
    c = create(agent_api)
    worked = create(agent_api, customer={"phone": "13900001111"})
    act(
        agent_api,
        f"/api/v1/complaints/{worked['id']}/dispatch",
        version=worked["version"],
        unit="C1-K1-NET",
    )
    replied = act(
        agent_api, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已处理"
    )
    assert replied["status"] == "replied"

    anonymous = Watched(browser, server.url)
    for path in ("/login", "/self-service", "/login?lang=en"):
        anonymous.visit(path)
    # Self-service through all its steps: code, the customer's list with a rating form.
    page = anonymous.visit("/self-service")
    page.fill("#phone", "13812345678")
    page.click("button.primary")
    page.wait_for_selector("#code")
    anonymous.assert_clean("self-service code step")
    code = re.search(r"\b(\d{6})\b", sms.messages[-1].body)
    assert code
    page.fill("#code", code.group(1))
    page.press("#code", "Enter")
    page.wait_for_selector("li[data-complaint] form.rate")
    anonymous.assert_clean("self-service list")

    agent = Watched(browser, server.url)
    agent.login("agent1")
    for path in (
        "/agent/queue",
        f"/complaints/{c['id']}",
        f"/complaints/{worked['id']}",
        "/complaints?open=1",
        "/complaints/999999",
        "/docs",
    ):
        agent.visit(path)
    agent.page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)  # the explorer runs
    agent.assert_clean("/docs rendered")
    # htmx: the live look-ups of the intake form swap content in under the policy.
    page = agent.visit("/agent/intake")
    page.fill("#phone", "13812345678")
    page.wait_for_selector('[data-testid="repeat-warning"]')
    page.fill("#category-search", "宽带断网")
    page.wait_for_function("() => document.querySelectorAll('#category option').length === 1")
    agent.assert_clean("intake with htmx swaps")

    handler = Watched(browser, server.url)
    handler.login("net1")
    handler.visit("/unit/queue")
    supervisor = Watched(browser, server.url, lang="en-US")
    supervisor.login("super1")
    for path in ("/supervisor", "/calendar", "/complaints?sla=breached", f"/complaints/{c['id']}"):
        supervisor.visit(path)
    for watched in (anonymous, agent, handler, supervisor):
        assert not [m for m in watched.console if "Refused" in m], watched.console


def test_a_form_on_another_site_cannot_post_into_careloop(
    browser: Any, server: LiveServer, api: Api
):
    """The agent is logged in; a page of another origin submits a copy of the intake form.
    The browser sends it (with or without the cookie): CareLoop refuses it, nothing is
    written, and the agent sees a readable page saying why."""
    agent = Watched(browser, server.url)
    agent.login("agent1")
    evil = "http://evil.test"
    forged_form = f"""<!doctype html><meta charset="utf-8"><title>prize</title>
    <form method="post" action="{server.url}/agent/intake">
      <input name="phone" value="13812345678"><input name="category" value="broadband.outage">
      <input name="region" value="C1-K1"><input name="description" value="forged">
      <input name="csrf_token" value="guessed">
      <button id="go" type="submit">claim your prize</button>
    </form>"""
    agent.context.route(
        f"{evil}/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=forged_form),
    )
    page = agent.page
    page.goto(f"{evil}/prize")
    page.click("#go")
    page.wait_for_load_state()
    assert page.url.startswith(server.url)
    body = page.inner_text("body")
    assert "来自其他网站" in body and "cross_site_request" not in body, body
    listed = api.as_("super1").get("/api/v1/complaints", params={"limit": 1}).json()
    assert listed["total"] == 0
