"""Login back-off per (username, client address): guessing from one address never locks the
account's owner out elsewhere; unknown usernames answer as known ones; administrators lift
locks; every lock and unlock is a security event."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime

import pytest
from sqlalchemy import select

from careloop.domain.errors import DomainError
from careloop.services.access import auth
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import SecurityEvent
from tests.conftest import TEST_PASSWORD, Api, MovableClock
from tests.integration.api.helpers import assert_problem

ELSEWHERE = "203.0.113.9"


def _attempt(database_url: str, username: str, password: str, now: datetime, client: str) -> str:
    """One login through the service from `client`: the error code, or 'ok'."""
    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            try:
                auth.login_session(uow, username, password, now, client)
            except DomainError as exc:
                return f"{exc.code}:{exc.params.get('until', '')}"
            return "ok"
    finally:
        engine.dispose()


def _events(database_url: str, username: str) -> list[SecurityEvent]:
    engine = make_engine(database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as uow:
            query = select(SecurityEvent).where(SecurityEvent.username == username)
            return list(uow.session.scalars(query.order_by(SecurityEvent.id)))
    finally:
        engine.dispose()


def test_guessing_from_elsewhere_does_not_lock_the_owner_out(
    api: Api, database_url: str, clock: MovableClock
):
    answers = [_attempt(database_url, "admin", "guess", clock.now, ELSEWHERE) for _ in range(6)]
    assert [a.split(":")[0] for a in answers] == ["login_failed"] * 4 + ["account_locked"] * 2
    # The owner, from their own address, is not held back; the guesser still is.
    assert api.login("admin").status_code == 200
    assert _attempt(database_url, "admin", TEST_PASSWORD, clock.now, ELSEWHERE).startswith(
        "account_locked"
    )
    locks = [e for e in _events(database_url, "admin") if e.kind == "account_locked"]
    assert len(locks) == 1 and locks[0].client == ELSEWHERE


def test_an_unknown_username_answers_as_a_known_one(database_url: str, clock: MovableClock):
    known = [_attempt(database_url, "agent2", "guess", clock.now, ELSEWHERE) for _ in range(6)]
    unknown = [_attempt(database_url, "nobody", "guess", clock.now, ELSEWHERE) for _ in range(6)]
    assert known == unknown
    assert known[-1].startswith("account_locked")


def test_an_unknown_username_costs_the_same_password_check(
    database_url: str, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
):
    checks: list[str] = []
    real = auth._hasher

    class Counting:
        def verify(self, hash_: str, password: str) -> bool:
            checks.append(hash_)
            return real.verify(hash_, password)

    monkeypatch.setattr(auth, "_hasher", Counting())
    _attempt(database_url, "agent2", "guess", clock.now, ELSEWHERE)
    _attempt(database_url, "nobody", "guess", clock.now, ELSEWHERE)
    assert len(checks) == 2 and checks[1] == auth._dummy_hash()


def test_each_further_lock_of_a_pair_lasts_twice_as_long(database_url: str, clock: MovableClock):
    for _ in range(5):
        first = _attempt(database_url, "net2", "guess", clock.now, ELSEWHERE)
    clock.advance(minutes=16)
    for _ in range(5):
        second = _attempt(database_url, "net2", "guess", clock.now, ELSEWHERE)
    assert first.startswith("account_locked") and second.startswith("account_locked")
    clock.advance(minutes=29)
    assert _attempt(database_url, "net2", TEST_PASSWORD, clock.now, ELSEWHERE).startswith(
        "account_locked"
    )
    clock.advance(minutes=2)
    assert _attempt(database_url, "net2", TEST_PASSWORD, clock.now, ELSEWHERE) == "ok"


def test_an_administrator_lifts_a_lock_and_it_is_audited(api: Api, database_url: str):
    for _ in range(5):
        api.login("net1", "wrong-password")
    assert_problem(api.login("net1"), 423, "account_locked")
    body = {"username": "net1"}
    assert_problem(
        api.as_("super1").post("/api/v1/auth/unlock", json=body), 403, "role_not_allowed"
    )
    answer = api.as_("admin").post("/api/v1/auth/unlock", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"username": "net1", "cleared": 1}
    assert api.login("net1").status_code == 200
    (unlocked,) = [e for e in _events(database_url, "net1") if e.kind == "account_unlocked"]
    assert unlocked.detail == {"by": "admin", "pairs": 1}


def test_the_unlock_command_lifts_a_lock(database_url: str, clock: MovableClock):
    for _ in range(5):
        _attempt(database_url, "bill1", "guess", clock.now, ELSEWHERE)
    env = {**os.environ, "CARELOOP_DATABASE_URL": database_url, "CARELOOP_LANG": "en"}
    result = subprocess.run(
        [sys.executable, "-m", "careloop.cli", "unlock", "bill1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "unlocked bill1" in result.stdout
    assert _attempt(database_url, "bill1", TEST_PASSWORD, clock.now, ELSEWHERE) == "ok"
    kinds = [e.kind for e in _events(database_url, "bill1")]
    assert kinds.count("account_locked") == 1 and kinds.count("account_unlocked") == 1


def test_setting_a_password_lifts_the_locks(database_url: str, clock: MovableClock):
    for _ in range(5):
        _attempt(database_url, "agent2", "guess", clock.now, ELSEWHERE)
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        auth.set_password(uow, "agent2", "a-new-password", clock.now)
    engine.dispose()
    assert _attempt(database_url, "agent2", "a-new-password", clock.now, ELSEWHERE) == "ok"
    (unlocked,) = [e for e in _events(database_url, "agent2") if e.kind == "account_unlocked"]
    assert unlocked.detail == {"by": "set-password", "pairs": 1}
