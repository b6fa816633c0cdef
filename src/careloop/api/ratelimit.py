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

from careloop.domain.errors import DomainError

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

    def take(self, key: str, now: datetime) -> None:
        """Spend one token for `key` or raise `rate_limited` (429) with the wait in seconds."""
        if self.capacity <= 0:
            return
        t = now.timestamp()
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(self.capacity, t)
            elapsed = max(0.0, t - bucket.updated)
            bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.rate)
            bucket.updated = t
            self._buckets[key] = bucket
            while len(self._buckets) > MAX_KEYS:
                self._buckets.popitem(last=False)
            if bucket.tokens < 1.0:
                wait = max(1, int((1.0 - bucket.tokens) / self.rate) + 1)
                raise DomainError("rate_limited", retry_after=wait)
            bucket.tokens -= 1.0
