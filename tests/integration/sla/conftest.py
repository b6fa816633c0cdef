"""Fixtures for the SLA tests: services on a real database, a policy with a short limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from careloop.services.access.actors import actor_for
from careloop.services.sla import policies as sla_policies
from careloop.services.sla.policies import PolicyVersion
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Complaint, OrgUnit, Staff

SHORT_ESCALATION = [
    {"level": 1, "to": "owner", "after_minutes": 0, "channel": "email"},
    {"level": 2, "to": "unit_lead", "after_minutes": 0, "channel": "email"},
    {"level": 3, "to": "city", "after_minutes": 0, "channel": "email"},
    {"level": 4, "to": "province", "after_minutes": 0, "channel": "email"},
]


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def short_policy(
    factory: sessionmaker[Session], now: datetime, minutes: int = 60, code: str = "short"
) -> PolicyVersion:
    """Only a reply limit (calendar minutes), escalating to all four levels at once."""
    with UnitOfWork(factory) as uow:
        return sla_policies.save_policy(
            uow,
            code,
            sla_policies.PolicySpec(
                name="test: short reply limit",
                limits={"reply": {"minutes": minutes, "basis": "calendar"}},
                rank=1000,
                escalation=SHORT_ESCALATION,
                reminder_channel="sms",
            ),
            actor_for(uow, "admin"),
            now,
        )


def bulk_complaints(
    factory: sessionmaker[Session], policy_id: int, count: int, accepted_at: datetime
) -> None:
    """Many complaints in one INSERT (the intake path is tested elsewhere)."""
    with UnitOfWork(factory) as uow:
        owner = uow.session.scalar(select(Staff).where(Staff.username == "agent1"))
        region = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == "C1-K1"))
        assert owner is not None and region is not None
        rows = [
            {
                "number": f"TS{accepted_at:%Y%m%d}{i:07d}",
                "version": 1,
                "status": "in_progress",
                "channel": "hotline",
                "customer_phone": f"138{i:08d}",
                "customer_tier": "standard",
                "category": "broadband.outage",
                "category_l1": "broadband",
                "product": "broadband",
                "region_id": region.id,
                "description": "宽带无法上网",
                "priority": "normal",
                "escalated": False,
                "regulator_transfer": False,
                "is_repeat": False,
                "reopen_count": 0,
                "first_owner_id": owner.id,
                "owner_unit_id": owner.org_unit_id,
                "accepted_at": accepted_at + timedelta(seconds=i % 50),
                "reply_due_at": accepted_at + timedelta(hours=1),
                "updated_at": accepted_at,
                "sla_policy_id": policy_id,
                "sla_state": "running",
            }
            for i in range(count)
        ]
        uow.session.execute(insert(Complaint), rows)
        uow.commit()
