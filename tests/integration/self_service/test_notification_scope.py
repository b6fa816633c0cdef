"""The outbox list is scoped in its query: messages about complaints the reader can see,
messages about no complaint (reports) only for the province-wide roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from careloop.services.org import setup as org
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from careloop.store.models import Complaint, Notification, OrgUnit
from tests.conftest import TEST_PASSWORD_HASH, Api, MovableClock
from tests.integration.api.helpers import create


def _seed(database_url: str, now: datetime, complaint_ids: list[int]) -> None:
    """A lead of the other city, one complaint moved wholly into that city, and one
    escalation per complaint plus a report mail about none."""
    engine = make_engine(database_url)
    with UnitOfWork(make_session_factory(engine)) as uow:
        org.add_staff(uow, "lead2", "乙主任", "unit_lead", "C2", password_hash=TEST_PASSWORD_HASH)
        c2 = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == "C2-K1"))
        moved = uow.session.get(Complaint, complaint_ids[1])
        moved.region_id = moved.owner_unit_id = c2.id
        for n, complaint_id in enumerate([*complaint_ids, None]):
            uow.session.add(
                Notification(
                    dedup_key=f"test:{n}",
                    kind="escalation" if complaint_id else "report",
                    channel="email",
                    recipient=f"staff:lead{n}",
                    subject=f"message {n}",
                    body=f"about {complaint_id}",
                    complaint_id=complaint_id,
                    status="sent",
                    created_at=now,
                    send_after=now,
                )
            )
        uow.commit()
    engine.dispose()


def _subjects(api: Api, user: str) -> set[str]:
    page = api.as_(user).get("/api/v1/sla/notifications")
    assert page.status_code == 200, page.text
    assert page.json()["total"] == len(page.json()["items"])
    return {item["subject"] for item in page.json()["items"]}


def test_each_reader_sees_the_messages_of_their_scope(
    api: Api, database_url: str, clock: MovableClock
):
    agent = api.as_("agent1")
    ids = [create(agent)["id"], create(agent, customer={"phone": "13900000009"})["id"]]
    _seed(database_url, clock.now, ids)
    assert _subjects(api, "lead1") == {"message 0"}
    assert _subjects(api, "lead2") == {"message 1"}
    for province_wide in ("super1", "admin"):
        assert _subjects(api, province_wide) == {"message 0", "message 1", "message 2"}
    # Asking for another city's complaint by id finds nothing, not its messages.
    page = api.as_("lead1").get(f"/api/v1/sla/notifications?complaint_id={ids[1]}")
    assert page.json() == {"total": 0, "items": []}
