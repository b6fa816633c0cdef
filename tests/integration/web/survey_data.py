"""Surveys behind the survey pages' tests, made the way production makes them: complaints
closed after a satisfied callback through the API, the survey planned and sent by the
services the job runs (the SMS lands in a capturing gateway), answered through the one-time
link's service."""

from __future__ import annotations

import re
from typing import Any

from careloop.services.surveys.answers import answer_survey
from careloop.services.surveys.sending import plan_survey, send_due_surveys
from careloop.services.unit_of_work import UnitOfWork
from tests.conftest import Api, MovableClock
from tests.integration.api.helpers import act, create

_LINK = re.compile(r"/s/([A-Za-z0-9_-]+)")


class CapturingSms:
    """The SMS gateway's stand-in: the survey's link lands here."""

    name = "capture"

    def __init__(self) -> None:
        self.messages: list[Any] = []

    def send(self, message: Any) -> None:
        self.messages.append(message)


def closed_complaint(
    api: Api, who: str, phone: str, region: str = "C1-K1", unit: str | None = None
) -> dict[str, Any]:
    """A complaint closed after a satisfied callback (dispatched to ``unit`` and completed
    by its handler first, when given)."""
    client = api.as_(who)
    c = create(client, customer={"phone": phone}, region=region)
    if unit is not None:
        order = act(
            client, f"/api/v1/complaints/{c['id']}/dispatch", version=c["version"], unit=unit
        )
        handler = api.as_({"C1-K1-NET": "net1", "C1-K2-NET": "net2"}[unit])
        order = act(handler, f"/api/v1/work-orders/{order['id']}/accept", version=order["version"])
        act(
            handler,
            f"/api/v1/work-orders/{order['id']}/complete",
            version=order["version"],
            result="已修复",
        )
        c = client.get(f"/api/v1/complaints/{c['id']}").json()
    c = act(client, f"/api/v1/complaints/{c['id']}/reply", version=c["version"], text="已处理")
    return act(
        client, f"/api/v1/complaints/{c['id']}/callback", version=c["version"], satisfied=True
    )


def send_surveys(app: Any, clock: MovableClock, complaint_ids: list[int]) -> dict[str, str]:
    """Plan (idempotent: the closed event may have planned them already) and send the
    complaints' surveys half an hour on; returns each customer's link token by phone."""
    factory = app.state.session_factory
    for cid in complaint_ids:
        with UnitOfWork(factory) as uow:
            plan_survey(uow, cid, clock.now)
    clock.advance(minutes=31)
    sms = CapturingSms()
    send_due_surveys(factory, {"sms": sms}, clock.now)
    tokens = {}
    for message in sms.messages:
        found = _LINK.search(message.body)
        assert found, message.body
        tokens[message.recipient.removeprefix("tel:")] = found.group(1)
    return tokens


def answer(app: Any, clock: MovableClock, token: str, **answers: str) -> None:
    with UnitOfWork(app.state.session_factory) as uow:
        answer_survey(uow, token, answers, clock.now)
