"""Shared steps of the survey tests: close a complaint after a satisfied callback, send the
due surveys through an SMS adapter that keeps what it was handed, read the link's token."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from careloop import bootstrap
from careloop.notify.adapters import Message
from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake, lifecycle
from careloop.services.surveys import sending
from careloop.services.surveys.read_models import SendReport

LINK = re.compile(r"/s/([A-Za-z0-9_\-]{20,})")


@dataclass
class CapturingSms:
    """The SMS gateway's edge: keeps every message as the gateway would have received it."""

    name: str = "capturing"
    messages: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> None:
        self.messages.append(message)

    def tokens(self) -> list[str]:
        return [m.group(1) for msg in self.messages if (m := LINK.search(msg.body))]


def in_process_events(platform: bootstrap.Platform) -> None:
    """Queued handlers run right after the commit in this process (the default on SQLite);
    on PostgreSQL the queue's worker would run them (tests/integration/events proves it)."""
    platform.events.queue = None


def close_complaint(
    platform: bootstrap.Platform,
    at: datetime,
    phone: str = "13812345678",
    region: str = "C1-K1",
    agent: str = "agent1",
) -> int:
    """Accept, reply, and a satisfied callback: the close that plans a survey."""
    draft = intake.NewComplaint("hotline", phone, "billing.dispute", "多扣了话费", region)
    with platform.unit_of_work() as uow:
        actor = actor_for(uow, agent)
        complaint = intake.accept_complaint(uow, draft, actor, at - timedelta(hours=2)).complaint
        lifecycle.reply(
            uow, complaint.id, actor, complaint.version, at - timedelta(hours=1), "已退还"
        )
        lifecycle.callback(uow, complaint.id, actor, complaint.version, at, True)
        return complaint.id


def send_due(platform: bootstrap.Platform, sms: CapturingSms, now: datetime) -> SendReport:
    adapters: dict[str, Any] = {"sms": sms, "email": sms, "webhook": sms}
    return sending.send_due_surveys(
        platform.session_factory, adapters, now, "https://cs.example.cn"
    )
