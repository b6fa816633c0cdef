"""The app's rate limits: which budgets there are, and where their buckets live.

Every budget is shared by all the app's processes (services.rate_limits): in the database by
default, in Redis when CARELOOP_REDIS_URL is set. See docs/security.md, "Limits".
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from careloop.bootstrap import Platform
from careloop.config import Settings
from careloop.services.access.rate_limits import LocalLimiter, Rate, limiter_factory

__all__ = ["TokenBucket", "install"]


class TokenBucket(LocalLimiter):
    """`per_minute` requests per key in this process only (tests, single-process tools)."""

    def __init__(self, per_minute: int) -> None:
        super().__init__(Rate(per_minute))


def install(app: FastAPI, settings: Settings, platform: Platform) -> None:
    """Put the app's limiters on ``app.state`` (tests may swap one for a ``TokenBucket``)."""
    limiter = limiter_factory(platform.engine, settings.redis_url, settings.redis_prefix)

    hour = timedelta(hours=1)
    state = app.state
    # Login attempts per client address; also one-time-code tries per client address.
    state.login_limiter = limiter("login", Rate(settings.login_rate_per_minute))
    state.intake_limiter = limiter("intake", Rate(settings.intake_rate_per_minute))
    state.batch_limiter = limiter("batch", Rate(settings.batch_items_per_minute))
    state.otp_phone_limiter = limiter("otp-phone", Rate(settings.otp_codes_per_phone_hour, hour))
    state.otp_client_limiter = limiter("otp-client", Rate(settings.otp_codes_per_client_hour, hour))
