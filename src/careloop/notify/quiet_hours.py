"""Quiet hours: reminders by SMS wait for the morning (the peers' users hated midnight texts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class QuietHours:
    """No SMS between ``start`` and ``end`` local time (default 21:00–08:00 Shanghai)."""

    start: time = time(21)
    end: time = time(8)
    timezone: str = "Asia/Shanghai"
    channels: frozenset[str] = frozenset({"sms"})

    def next_allowed(self, now: datetime, channel: str) -> datetime:
        """``now`` if a message on ``channel`` may go out now, else when quiet hours end (UTC)."""
        if channel not in self.channels or self.start == self.end:
            return now.astimezone(UTC)
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        clock = local.time()
        if self.start < self.end:
            quiet = self.start <= clock < self.end
            end_day = local.date()
        else:  # crosses midnight, the usual case
            quiet = clock >= self.start or clock < self.end
            end_day = local.date() + timedelta(days=1) if clock >= self.start else local.date()
        if not quiet:
            return now.astimezone(UTC)
        return datetime.combine(end_day, self.end, tzinfo=zone).astimezone(UTC)
