"""The stamp behind the cached SLA policies and calendar moves with every change (0007)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import text

from careloop.services.access.actors import actor_for
from careloop.services.complaints import intake
from careloop.services.sla import reference_versions
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.integration.store import test_store


def _draft(phone: str) -> intake.NewComplaint:
    return replace(test_store._draft(), customer_phone=phone)


def test_hand_written_sql_moves_the_stamps(database_url: str):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)

    def current() -> tuple[object, object]:
        with UnitOfWork(factory) as uow:
            return reference_versions.stamps(uow)

    changes = [
        ("calendar", "INSERT INTO calendar_days (day, kind, name, source, updated_at, updated_by) "
         "VALUES (:day, 'holiday', 'test', 'operator', :at, 'test')"),
        ("calendar", "UPDATE calendar_days SET name = 'renamed' WHERE day = :day"),
        ("calendar", "DELETE FROM calendar_days WHERE day = :day"),
        ("policy", "UPDATE sla_policies SET active = active"),
    ]  # fmt: skip
    for which, statement in changes:
        policy, calendar = current()
        with engine.begin() as conn:
            conn.execute(text(statement), {"day": date(2031, 5, 6), "at": datetime.now(UTC)})
        after_policy, after_calendar = current()
        if which == "calendar":
            assert after_calendar != calendar and after_policy == policy, statement
        else:
            assert after_policy != policy and after_calendar == calendar, statement
    engine.dispose()


def test_intake_sees_a_policy_retired_by_hand_at_once(database_url: str):
    """The policy set is cached per process; a change made outside CareLoop still counts."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    with UnitOfWork(factory) as uow:
        first = intake.accept_complaint(uow, _draft("13800000001"), actor_for(uow, "agent1"), now)
    assert first.complaint.sla_policy_id is not None
    with engine.begin() as conn:
        conn.execute(text("UPDATE sla_policies SET active = :no"), {"no": False})
    with UnitOfWork(factory) as uow:
        second = intake.accept_complaint(uow, _draft("13800000002"), actor_for(uow, "agent1"), now)
    assert second.complaint.sla_policy_id is None
    # Without a policy the reply is due when the law's 15 days run out (Civil Code count).
    assert second.complaint.reply_due_at == second.complaint.outer_due_at
    assert second.complaint.reply_due_at >= now + intake.LEGAL_REPLY_LIMIT.duration
    engine.dispose()
