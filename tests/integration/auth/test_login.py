"""Accounts: password login, bearer token and cookie, logout, lock-out, rate limit."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from careloop.services.access import auth
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import ApiToken, SecurityEvent
from tests.conftest import TEST_PASSWORD, Api, MovableClock
from tests.integration.api.helpers import assert_problem


def _security_events(database_url: str) -> list[tuple[str, str]]:
    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            rows = uow.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id))
            return [(e.kind, e.username) for e in rows]
    finally:
        engine.dispose()


def test_login_returns_a_bearer_token_and_an_httponly_cookie(api: Api):
    response = api.login("agent1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["username"] == "agent1" and body["role"] == "agent" and body["expires_at"]
    cookie = response.headers["set-cookie"]
    assert "careloop_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    bearer = httpx.Client(
        base_url=api.base_url, timeout=30, headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert bearer.get("/api/v1/auth/me").json()["username"] == "agent1"
    # The web sends the same token as the cookie.
    web = httpx.Client(
        base_url=api.base_url, timeout=30, cookies={"careloop_session": body["token"]}
    )
    assert web.get("/api/v1/complaints").status_code == 200


def test_the_old_user_header_no_longer_identifies_anyone(api: Api):
    response = api.client.get("/api/v1/complaints", headers={"X-CareLoop-User": "admin"})
    assert_problem(response, 401, "unknown_actor")


def test_token_is_stored_hashed_and_logout_ends_it(api: Api, database_url: str):
    token = api.login("agent1").json()["token"]
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        hashes = list(uow.session.scalars(select(ApiToken.token_hash)))
    engine.dispose()
    assert token not in hashes and auth.token_hash(token) in hashes
    client = httpx.Client(
        base_url=api.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    )
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert_problem(client.get("/api/v1/complaints"), 401, "unknown_actor")


def test_session_expires(api: Api, clock: MovableClock):
    token = api.login("agent1").json()["token"]
    client = httpx.Client(
        base_url=api.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    )
    assert client.get("/api/v1/auth/me").status_code == 200
    clock.advance(hours=13)
    assert_problem(client.get("/api/v1/auth/me"), 401, "unknown_actor")


def test_wrong_password_and_unknown_user_look_the_same(api: Api):
    wrong = api.login("agent1", "not-the-password")
    unknown = api.login("nobody-here", "not-the-password")
    assert_problem(wrong, 401, "login_failed")
    assert_problem(unknown, 401, "login_failed")
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_five_wrong_passwords_lock_the_account_for_a_while(
    api: Api, clock: MovableClock, database_url: str
):
    for _ in range(4):
        assert_problem(api.login("net1", "wrong-password"), 401, "login_failed")
    assert_problem(api.login("net1", "wrong-password"), 423, "account_locked")
    # Locked: even the right password is refused, and other accounts are unaffected.
    assert_problem(api.login("net1", TEST_PASSWORD), 423, "account_locked")
    assert api.login("net2").status_code == 200
    clock.advance(minutes=14)
    assert_problem(api.login("net1", TEST_PASSWORD), 423, "account_locked")
    clock.advance(minutes=2)
    assert api.login("net1", TEST_PASSWORD).status_code == 200
    kinds = [kind for kind, user in _security_events(database_url) if user == "net1"]
    assert kinds.count("login_failed") == 5
    assert kinds.count("account_locked") == 1
    assert kinds.count("login_refused_locked") == 2
    assert kinds[-1] == "login"


def test_a_successful_login_resets_the_count(api: Api):
    for _ in range(4):
        api.login("net2", "wrong-password")
    assert api.login("net2").status_code == 200
    for _ in range(4):
        assert_problem(api.login("net2", "wrong-password"), 401, "login_failed")


def test_login_is_rate_limited_per_address(api: Api, clock: MovableClock):
    statuses = [api.login(f"guess{i}", "x").status_code for i in range(25)]
    assert statuses[:20] == [401] * 20
    limited = api.login("agent1")
    problem = assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1 and problem["detail"]
    clock.advance(minutes=1)
    assert api.login("agent1").status_code == 200
