"""Spam reports (垃圾短信举报) as the rest of the system sees them.

A report is one person's (or one interception system's) statement that a message was spam.
Enforcement does not look at single reports: it looks at a port's day (reports, distinct
reporters, the classifier's share of spam, serious violations), which is ``PortDayCounts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PortDayCounts:
    """What the reports of one business day (Asia/Shanghai) say about one port.

    ``spam_share`` is None when none of the day's reports was classified; ``serious`` counts
    reports of messages sent after an unsubscribe (``0000``) or without consent.
    """

    port_number: str
    day: date
    reports: int
    distinct_reporters: int
    spam_share: float | None
    serious: int
