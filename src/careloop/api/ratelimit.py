"""A small in-process token bucket per key (login per address and username, intake per user).

Enough for one API process. Several processes behind a load balancer each keep their own
buckets, so the effective limit multiplies by the number of processes: such deployments
need a shared limiter (the proxy's, or one in Redis/PostgreSQL), see docs/security.md.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from careloop.domain.errors import DomainError, InvalidInput

MAX_KEYS = 50_000
"""Buckets kept; the least recently used go first, so a flood of addresses can't fill memory."""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucket:
    """`per_minute` requests per key, with bursts up to the same number; 0 means no limit."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: datetime, cost: int = 1) -> None:
        """Spend `cost` tokens for `key` (all or none) or raise `rate_limited` (429) with the
        wait in seconds. A batch costs one token per item, as the same items one by one."""
        if self.capacity <= 0:
            return
        if cost > self.capacity:
            raise InvalidInput(
                "items",
                f"超过每分钟 {int(self.capacity)} 条的限额，请拆分 / more than the limit of "
                f"{int(self.capacity)} per minute; split the batch",
            )
        t = now.timestamp()
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(self.capacity, t)
            elapsed = max(0.0, t - bucket.updated)
            bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.rate)
            bucket.updated = t
            self._buckets[key] = bucket
            while len(self._buckets) > MAX_KEYS:
                self._buckets.popitem(last=False)
            if bucket.tokens < cost:
                wait = max(1, int((cost - bucket.tokens) / self.rate) + 1)
                raise DomainError("rate_limited", retry_after=wait)
            bucket.tokens -= cost
