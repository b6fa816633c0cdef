"""The demo operator's service commitments (服务承诺) as policies: the ones DOMAIN.md §3
quotes from the field (``domain.sla.steps.COMMITMENTS``), entered through the same service an
operator uses, so the demo's installation, repair and business complaints are held to them
and their work orders carry the steps they time."""

from __future__ import annotations

from datetime import datetime

from careloop.domain.sla.steps import COMMITMENTS
from careloop.services.access.actors import Actor
from careloop.services.sla import policies
from careloop.services.unit_of_work import UnitOfWork


def seed_commitments(uow: UnitOfWork, admin: Actor, at: datetime) -> list[str]:
    """Enter each commitment not entered yet (by code), escalating as the ordinary-complaint
    policy does; the codes entered, in order."""
    current = {p.code: p for p in policies.list_policies(uow)}
    ordinary = current.get("default")
    entered = []
    for c in COMMITMENTS:
        if c.code in current:
            continue
        policies.save_policy(
            uow,
            c.code,
            policies.PolicySpec(
                name=c.name_zh,
                limits={stage: dict(limit) for stage, limit in c.limits.items()},
                rank=c.rank,
                match_category=c.match_category,
                match_tier=c.match_tier,
                match_area=c.match_area,
                escalation=list(ordinary.escalation) if ordinary else [],
                reminder_channel=ordinary.reminder_channel if ordinary else "sms",
            ),
            admin,
            at,
        )
        entered.append(c.code)
    return entered
