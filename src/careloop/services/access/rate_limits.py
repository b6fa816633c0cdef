"""Rate limits that hold across processes: token buckets in the database, or in Redis.

A limit is a bucket per key (a client address, a member of staff, a phone number's hash)
holding up to ``capacity`` tokens that refill evenly over ``period``; a request spends one
token (a batch one per item), all or none, or is refused with ``rate_limited`` (429) and
the wait in seconds. Every API process reads and spends the same buckets, so a limit means
what it says however many processes (``careloop serve --workers N``, several hosts) serve.

- ``DatabaseLimiter`` (the default): one row per key in ``rate_limit_buckets``, refilled
  and spent by one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), the same
  SQL on SQLite and PostgreSQL: one round trip, no read-then-write race. On PostgreSQL it
  runs on its own autocommitted connection, so a hot key's row is locked for one statement,
  not for the caller's transaction; on SQLite, which has one writer at a time, it runs in
  the caller's unit of work (a second connection would wait for that unit's write lock)
  and commits at once, so a refused or failed request has spent its token either way.
- ``RedisLimiter`` (``CARELOOP_REDIS_URL`` set): the same bucket as a Lua script, one
  ``EVALSHA`` per request. If Redis cannot be reached the request passes and an error is
  logged: a limiter outage must not stop complaint intake, and the database-held defences
  (login back-off, one-time-code attempt caps) still hold.
- ``LocalLimiter``: the bucket in this process's memory, for tests and tools that run one.

Time is the caller's ``now`` (the app's clock), never the database's or Redis's.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine, Float, bindparam, case, delete, event, literal
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from careloop.domain.errors import DomainError, InvalidInput
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine
from careloop.store.models.access import RateLimitBucket
from careloop.store.upsert import insert_for

log = logging.getLogger(__name__)

MAX_LOCAL_KEYS = 50_000
"""Buckets one process keeps; the least recently used go first, so a flood of addresses
can't fill memory."""

PRUNE_EVERY = 1000
"""Takes between two clean-ups of a database limiter's idle rows."""


@dataclass(frozen=True, slots=True)
class Rate:
    """``capacity`` requests per ``period``, in bursts of up to ``capacity``; 0: no limit."""

    capacity: int
    period: timedelta = timedelta(minutes=1)

    @property
    def per_second(self) -> float:
        return self.capacity / self.period.total_seconds()

    @property
    def off(self) -> bool:
        return self.capacity <= 0

    def check_cost(self, cost: int) -> None:
        if cost > self.capacity:
            raise InvalidInput(
                "items",
                f"超过每分钟 {self.capacity} 条的限额，请拆分 / more than the limit of "
                f"{self.capacity} per minute; split the batch",
            )

    def refused(self, tokens: float, cost: int) -> DomainError:
        wait = max(1, int((cost - tokens) / self.per_second) + 1)
        return DomainError("rate_limited", retry_after=wait)


class Limiter(Protocol):
    def take(self, key: str, now: datetime, cost: int = 1, uow: UnitOfWork | None = None) -> None:
        """Spend ``cost`` tokens of ``key``'s bucket or raise ``rate_limited``.

        ``uow``: the caller's unit of work, before it has written anything (see module doc).
        """


class LocalLimiter:
    """The bucket in this process's memory: each process has its own."""

    def __init__(self, rate: Rate) -> None:
        self.rate = rate
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: datetime, cost: int = 1, uow: UnitOfWork | None = None) -> None:
        if self.rate.off:
            return
        self.rate.check_cost(cost)
        t = now.timestamp()
        with self._lock:
            tokens, updated = self._buckets.pop(key, None) or (float(self.rate.capacity), t)
            tokens = min(self.rate.capacity, tokens + max(0.0, t - updated) * self.rate.per_second)
            granted = tokens >= cost
            self._buckets[key] = (tokens - cost if granted else tokens, max(t, updated))
            while len(self._buckets) > MAX_LOCAL_KEYS:
                self._buckets.popitem(last=False)
        if not granted:
            raise self.rate.refused(tokens, cost)


def _spend_statement(dialect: str) -> Executable:
    """Refill the bucket for the time passed, spend ``cost`` if it holds that many, and
    say whether it did: one statement, atomic under concurrent callers on both engines."""
    table = RateLimitBucket.__table__
    t = bindparam("t", type_=Float())
    cap = bindparam("cap", type_=Float())
    rate = bindparam("rate", type_=Float())
    cost = bindparam("cost", type_=Float())
    # SET expressions read the row as it was, so every CASE below sees the old tokens.
    elapsed = case((t > table.c.updated, t - table.c.updated), else_=literal(0.0, Float()))
    raw = table.c.tokens + elapsed * rate
    refilled = case((raw > cap, cap), else_=raw)
    granted = refilled >= cost
    insert = insert_for(dialect)
    return (
        insert(table)
        .values(key=bindparam("key"), tokens=cap - cost, updated=t, granted=True)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "tokens": case((granted, refilled - cost), else_=refilled),
                "updated": case((t > table.c.updated, t), else_=table.c.updated),
                "granted": granted,
            },
        )
        .returning(table.c.granted, table.c.tokens)
    )


def limiter_engine(engine: Engine) -> Engine:
    """The engine the database limiters of an app share, disposed with ``engine``.

    SQLite: ``engine`` itself. PostgreSQL: a small pool of its own, autocommitted (one
    statement, one round trip, the row locked for that statement only), without the
    pre-ping (a round trip per checkout; a dropped connection is retried once instead) and
    with ``synchronous_commit`` off: a crash may forget the last fraction of a second of
    spent tokens, which costs nothing, and the statement waits for no WAL flush.
    """
    if engine.dialect.name == "sqlite":
        return engine
    own = make_engine(
        engine.url.render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,
        pool_size=4,
        max_overflow=8,
        connect_args={"options": "-c synchronous_commit=off"},
    )
    event.listen(engine, "engine_disposed", lambda _engine: own.dispose())
    return own


class DatabaseLimiter:
    """Buckets in ``rate_limit_buckets``, shared by every process on the database.

    ``engine``: from ``limiter_engine`` (several limiters of an app share one).
    """

    def __init__(self, engine: Engine, name: str, rate: Rate) -> None:
        self.rate = rate
        self.name = name
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._statement = _spend_statement(engine.dialect.name)
        self._takes = 0

    def take(self, key: str, now: datetime, cost: int = 1, uow: UnitOfWork | None = None) -> None:
        if self.rate.off:
            return
        self.rate.check_cost(cost)
        t = now.timestamp()
        params = {
            "key": f"{self.name}:{key}"[:200],
            "t": t,
            "cap": float(self.rate.capacity),
            "rate": self.rate.per_second,
            "cost": float(cost),
        }
        granted, tokens = self._run(self._statement, params, uow)
        self._takes += 1
        if self._takes % PRUNE_EVERY == 1:
            self.prune(now, uow)
        if not granted:
            raise self.rate.refused(tokens, cost)

    def prune(self, now: datetime, uow: UnitOfWork | None = None) -> None:
        """Drop this limiter's rows untouched for a whole period: their buckets are full
        again, which is what a missing row means."""
        table = RateLimitBucket.__table__
        idle = now.timestamp() - self.rate.period.total_seconds()
        statement = delete(table).where(
            table.c.updated < idle, table.c.key.startswith(f"{self.name}:", autoescape=True)
        )
        self._run(statement, {}, uow, rows=False)

    def _run(
        self, statement: Any, params: dict[str, Any], uow: UnitOfWork | None, rows: bool = True
    ) -> Any:
        if self._sqlite and uow is not None:
            result = uow.session.execute(statement, params)
            found = result.one() if rows else None
            uow.commit()
            return found
        for retry in (False, True):
            try:
                with self._engine.begin() as conn:
                    result = conn.execute(statement, params)
                    return result.one() if rows else None
            except DBAPIError as exc:
                if retry or not exc.connection_invalidated:
                    raise
        return None  # pragma: no cover (the loop returns or raises)


_REDIS_BUCKET = """
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(bucket[1])
local updated = tonumber(bucket[2])
if tokens == nil or updated == nil then
  tokens = cap
  updated = t
end
local elapsed = t - updated
if elapsed < 0 then elapsed = 0 end
tokens = math.min(cap, tokens + elapsed * rate)
if t > updated then updated = t end
local granted = 0
if tokens >= cost then
  tokens = tokens - cost
  granted = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(updated))
redis.call('EXPIRE', KEYS[1], ttl)
if granted == 1 then return {1, tostring(tokens)} end
return {0, tostring(tokens)}
"""


class RedisLimiter:
    """Buckets in Redis (a hash per key, expiring once full again), one script call each."""

    def __init__(self, client: Any, name: str, rate: Rate, prefix: str = "careloop:") -> None:
        self.rate = rate
        self.name = name
        self._prefix = f"{prefix}rate:{name}:"
        self._script = client.register_script(_REDIS_BUCKET)
        self._ttl = int(rate.period.total_seconds()) + 1

    def take(self, key: str, now: datetime, cost: int = 1, uow: UnitOfWork | None = None) -> None:
        import redis

        if self.rate.off:
            return
        self.rate.check_cost(cost)
        args = [self.rate.capacity, self.rate.per_second, now.timestamp(), cost, self._ttl]
        try:
            granted, tokens = self._script(keys=[self._prefix + key], args=args)
        except redis.RedisError as exc:
            log.error("rate limiter %s: Redis unreachable, request let through: %s", self.name, exc)
            return
        if int(granted) != 1:
            raise self.rate.refused(float(tokens), cost)


def redis_client(url: str) -> Any:
    """A Redis client with short timeouts: a limiter must not hold a request for long."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def shared_limiter(
    engine: Engine, name: str, rate: Rate, redis: Any = None, prefix: str = "careloop:"
) -> Limiter:
    """Redis when a client is given (CARELOOP_REDIS_URL), else the database."""
    if redis is not None:
        return RedisLimiter(redis, name, rate, prefix)
    return DatabaseLimiter(engine, name, rate)


def limiter_factory(
    engine: Engine, redis_url: str | None = None, prefix: str = "careloop:"
) -> Callable[[str, Rate], Limiter]:
    """Makes an app's shared limiters by name: in Redis when ``redis_url`` is set, else in
    the database, all on one limiter engine (``limiter_engine``) disposed with ``engine``."""
    redis = redis_client(redis_url) if redis_url else None
    buckets = limiter_engine(engine) if redis is None else engine

    def limiter(name: str, rate: Rate) -> Limiter:
        return shared_limiter(buckets, name, rate, redis, prefix)

    return limiter
