"""Outbound notifications: SMS, e-mail and webhook adapters behind one interface.

Every message first lands in the ``notifications`` table (an outbox). The adapter chosen for
a channel then delivers it; the default is the recording adapter, which delivers nothing and
only marks the row sent, so no real SMS leaves a test or a demo by accident (issue 3).
"""

from careloop.notify.adapters import (
    Adapter,
    EmailAdapter,
    Message,
    RecordingAdapter,
    SmsAdapter,
    WebhookAdapter,
    adapters_from_settings,
)
from careloop.notify.quiet_hours import QuietHours

__all__ = [
    "Adapter",
    "EmailAdapter",
    "Message",
    "QuietHours",
    "RecordingAdapter",
    "SmsAdapter",
    "WebhookAdapter",
    "adapters_from_settings",
]
