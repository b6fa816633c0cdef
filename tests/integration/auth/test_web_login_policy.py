"""The login form honours the configured lock-out and session length, as the API does: a
site that sets CARELOOP_MAX_FAILED_LOGINS=2, CARELOOP_LOCKOUT_MINUTES=30 and
CARELOOP_SESSION_HOURS=1 gets exactly that on its web login too."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from careloop.api.app import create_app
from careloop.config import Settings
from tests.conftest import TEST_PASSWORD, LiveServer, MovableClock
from tests.integration.web.helpers import post_form


@pytest.fixture
def strict_server(database_url: str, clock: MovableClock) -> Iterator[LiveServer]:
    settings = Settings(
        database_url=database_url, max_failed_logins=2, lockout_minutes=30, session_hours=1
    )
    application = create_app(settings, clock=clock)
    with LiveServer(application) as live:
        yield live
    application.state.engine.dispose()


def _login(base_url: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=30, cookies={"careloop_lang": "zh"}) as c:
        return post_form(c, "/login", username="agent1", password=password)


def test_the_web_login_locks_after_the_configured_failures(
    strict_server: LiveServer, clock: MovableClock
) -> None:
    assert _login(strict_server.url, "wrong-1").status_code == 401
    # The second failure reaches the configured limit (the default is five) and locks: the
    # right password is refused too, for the configured 30 minutes (the default is 15).
    assert _login(strict_server.url, "wrong-2").status_code == 423
    locked = _login(strict_server.url, TEST_PASSWORD)
    assert locked.status_code == 423, locked.text
    clock.advance(minutes=20)
    assert _login(strict_server.url, TEST_PASSWORD).status_code == 423
    clock.advance(minutes=11)
    assert _login(strict_server.url, TEST_PASSWORD).status_code == 303


def test_the_web_session_lasts_the_configured_hours(
    strict_server: LiveServer, clock: MovableClock
) -> None:
    with httpx.Client(
        base_url=strict_server.url, timeout=30, cookies={"careloop_lang": "zh"}
    ) as browser:
        response = post_form(browser, "/login", username="agent1", password=TEST_PASSWORD)
        assert response.status_code == 303
        assert "Max-Age=3600" in response.headers["set-cookie"]
        assert browser.get("/complaints").status_code == 200
        clock.advance(minutes=59)
        assert browser.get("/complaints").status_code == 200
        clock.advance(minutes=2)
        # The server ends the session after one hour (the default is twelve), whatever the
        # browser does with its cookie.
        expired = browser.get("/complaints")
        assert expired.status_code == 303
        assert expired.headers["location"].startswith("/login")
