"""Rate limits held in the database (or Redis) are one budget for every process."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import timedelta

import httpx
import pytest

from careloop.api.app import create_app
from careloop.config import Settings
from careloop.domain.errors import DomainError
from careloop.services.access.rate_limits import (
    DatabaseLimiter,
    Rate,
    RedisLimiter,
    limiter_engine,
    redis_client,
)
from careloop.store.database import make_engine
from tests.conftest import LiveServer, MovableClock
from tests.integration.api.helpers import assert_problem, complaint_body

REDIS_URL = os.environ.get("CARELOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("CARELOOP_REQUIRE_POSTGRES") == "1"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_prefix() -> str:
    """A Redis key prefix of this test's own; skip without Redis unless CI demands it."""
    if not _redis_reachable():
        if REQUIRE_SERVICES:
            pytest.fail("Redis is required in CI but unreachable on 127.0.0.1:6379")
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    return f"careloop-test:{uuid.uuid4().hex}:"


def _login(url: str, n: int) -> int:
    return httpx.post(
        f"{url}/api/v1/auth/login", json={"username": f"guess{n}", "password": "x"}, timeout=30
    ).status_code


def _two_servers_share_the_login_budget(settings: Settings, clock: MovableClock) -> None:
    apps = [create_app(settings, clock=clock) for _ in range(2)]
    try:
        with LiveServer(apps[0]) as one, LiveServer(apps[1]) as two:
            urls = [one.url, two.url]
            statuses = [_login(urls[n % 2], n) for n in range(20)]
            assert statuses == [401] * 20
            assert _login(one.url, 20) == 429 and _login(two.url, 21) == 429
            clock.advance(minutes=1)
            assert _login(two.url, 22) == 401
    finally:
        for app in apps:
            app.state.engine.dispose()


def test_two_app_instances_on_one_database_share_one_login_budget(
    database_url: str, clock: MovableClock
):
    _two_servers_share_the_login_budget(Settings(database_url=database_url), clock)


def test_two_app_instances_share_one_intake_budget(database_url: str, clock: MovableClock):
    settings = Settings(database_url=database_url, intake_rate_per_minute=3)
    apps = [create_app(settings, clock=clock) for _ in range(2)]
    try:
        with LiveServer(apps[0]) as one, LiveServer(apps[1]) as two:
            token = httpx.post(
                f"{one.url}/api/v1/auth/login",
                json={"username": "agent1", "password": "careloop-test"},
                timeout=30,
            ).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}

            def intake(url: str, n: int) -> httpx.Response:
                body = complaint_body(source_ref=f"CALL-{n}")
                return httpx.post(
                    f"{url}/api/v1/complaints", json=body, headers=headers, timeout=30
                )

            assert [
                intake(u, n).status_code for n, u in enumerate([one.url, two.url, one.url])
            ] == [201] * 3
            limited = intake(two.url, 3)
            assert_problem(limited, 429, "rate_limited")
            assert int(limited.headers["Retry-After"]) >= 1
    finally:
        for app in apps:
            app.state.engine.dispose()


def test_the_database_limiter_spends_atomically(database_url: str, clock: MovableClock):
    engine = make_engine(database_url)
    limiter = DatabaseLimiter(limiter_engine(engine), "test", Rate(10))
    granted: list[bool] = []
    barrier = threading.Barrier(16)

    def take() -> None:
        barrier.wait()
        try:
            limiter.take("same-key", clock.now)
            granted.append(True)
        except DomainError:
            granted.append(False)

    threads = [threading.Thread(target=take) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 10 and granted.count(False) == 6
    clock.advance(seconds=6)  # 10 a minute: one token back every 6 s
    limiter.take("same-key", clock.now)
    with pytest.raises(DomainError) as refused:
        limiter.take("same-key", clock.now)
    assert refused.value.code == "rate_limited" and refused.value.params["retry_after"] >= 1
    limiter.prune(clock.now + timedelta(minutes=2))
    for _ in range(10):  # pruned: a full bucket again
        limiter.take("same-key", clock.now + timedelta(minutes=2))
    engine.dispose()


def test_the_redis_limiter_is_one_budget_for_every_client(redis_prefix: str, clock: MovableClock):
    limiters = [RedisLimiter(redis_client(REDIS_URL), "test", Rate(5), redis_prefix) for _ in "ab"]
    for n in range(5):
        limiters[n % 2].take("same-key", clock.now)
    for limiter in limiters:
        with pytest.raises(DomainError) as refused:
            limiter.take("same-key", clock.now)
        assert refused.value.params["retry_after"] == 13  # 5 a minute: 12 s per token
    limiters[0].take("other-key", clock.now)
    clock.advance(seconds=12)
    limiters[1].take("same-key", clock.now)


def test_two_app_instances_with_redis_share_one_login_budget(
    database_url: str, clock: MovableClock, redis_prefix: str
):
    settings = Settings(database_url=database_url, redis_url=REDIS_URL, redis_prefix=redis_prefix)
    _two_servers_share_the_login_budget(settings, clock)


def test_an_unreachable_redis_lets_requests_through(clock: MovableClock):
    limiter = RedisLimiter(redis_client("redis://127.0.0.1:1/0"), "test", Rate(1))
    for _ in range(3):
        limiter.take("key", clock.now)


def test_the_database_limiter_survives_a_dropped_connection(database_url: str, clock: MovableClock):
    """Its PostgreSQL pool has no pre-ping (a round trip per request): a connection the
    server dropped (a restart, a failover) is retried once on a fresh one."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to drop")
    import psycopg

    from tests.conftest import PG_ADMIN_URL

    engine = make_engine(database_url)
    limiter = DatabaseLimiter(limiter_engine(engine), "test", Rate(10))
    limiter.take("key", clock.now)
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
    limiter.take("key", clock.now)
    engine.dispose()
