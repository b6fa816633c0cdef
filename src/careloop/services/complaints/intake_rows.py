"""Writing accepted complaints: the rows and their `accept` events, set-based, for single
intake (services.complaints) and bulk intake (services.intake_batch) alike.

Plain SQLAlchemy Core, not ORM units of work: intake is the hottest write path
and the ORM's flush of one complaint (insert, then an update for its number, then the
events) cost more Python than the SQL itself. Both callers thus write the same rows: a
complaint leaves intake at version 2 with its number (writing the number is the row's
second version, as it always was), and with its `accept` (and `link_repeat`) event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, text, update

from careloop.domain import complaints as rules
from careloop.domain.categories import first_level
from careloop.domain.lifecycle.tickets import Status
from careloop.domain.repeats import RepeatPlan
from careloop.services.access.actors import Actor
from careloop.services.complaints import audit
from careloop.services.sla import clocks as sla
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Event

SNAPSHOT_FIELDS = (
    "number",
    "status",
    "channel",
    "source_ref",
    "customer_phone",
    "customer_name",
    "customer_account",
    "customer_tier",
    "category",
    "product",
    "region_id",
    "description",
    "priority",
    "escalated",
    "regulator_transfer",
    "is_repeat",
    "repeat_of_id",
    "first_owner_id",
    "owner_unit_id",
    "accepted_at",
    "reply_due_at",
)
"""What the `accept` event records as `after`: the complaint as it was accepted."""


def snapshot_of(values: Mapping[str, Any]) -> dict[str, object]:
    """The `accept` snapshot of a complaint's row as intake writes it."""
    return {name: audit.jsonable(values.get(name)) for name in SNAPSHOT_FIELDS}


@dataclass
class NewRow:
    """One complaint to write: its column values and, for a batch, the position (in the
    same write) of an earlier new complaint it repeats (that id is known only here)."""

    values: dict[str, Any]
    repeat_of_position: int | None = None
    repeat: RepeatPlan | None = None
    """A repeat's escalation (priority raised, leads told): its `link_repeat` event says so."""


def row_values(
    draft: Any,
    *,
    key: str | None,
    request_hash: str,
    region_id: int,
    repeat_of_id: int | None,
    repeats_new_row: bool,
    terms: sla.IntakeTerms,
    actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    """The complaint's columns as intake writes them (`draft` is a validated NewComplaint)."""
    return {
        "version": 1,
        "idempotency_key": key,
        "request_hash": request_hash,
        "status": Status.ACCEPTED.value,
        "channel": draft.channel,
        "source_ref": draft.source_ref,
        "customer_phone": draft.customer_phone,
        "customer_name": draft.customer_name,
        "customer_account": draft.customer_account,
        "customer_tier": draft.customer_tier,
        "category": draft.category,
        "category_l1": first_level(draft.category),
        "product": draft.product,
        "region_id": region_id,
        "description": draft.description,
        "reply_text": None,
        "priority": draft.priority,
        "escalated": draft.escalated,
        "regulator_transfer": draft.regulator_transfer,
        "is_repeat": repeat_of_id is not None or repeats_new_row,
        "repeat_of_id": repeat_of_id,
        "merged_into_id": None,
        "reopen_count": 0,
        "callback_satisfied": None,
        "first_owner_id": actor.staff_id,
        "owner_unit_id": actor.org_unit_id,
        "accepted_at": now,
        "reply_due_at": terms.reply_due_at,
        "outer_due_at": terms.outer_due_at(draft.regulator_transfer),
        "outer_state": "running",
        "replied_at": None,
        "closed_at": None,
        "archived_at": None,
        "updated_at": now,
        "sla_policy_id": terms.policy.id if terms.policy else None,
        "sla_state": "running" if terms.policy else None,
        "sla_overrun_minutes": 0,
    }


def _link_repeat(repeat_of: int, plan: RepeatPlan | None) -> dict[str, Any]:
    """The `link_repeat` event's fields: the link, and with an escalation the priority it
    raised, why, and whom it told (domain.repeats)."""
    if plan is None:
        return {
            "before": None,
            "after": {"repeat_of_id": repeat_of},
            "note": f"重复投诉 / repeat of complaint {repeat_of}",
        }
    escalation = plan.escalation
    return {
        "before": {"priority": escalation.priority_before},
        "after": {
            "repeat_of_id": repeat_of,
            "priority": escalation.priority_after,
            "notified": list(plan.recipients),
        },
        "note": escalation.audit_note(repeat_of),
    }


_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('complaints', 'id')) FROM generate_series(1, :n)"
)


def _number(rows: list[NewRow], ids: list[int], now: datetime) -> None:
    """Give each row its id, its number and the id of the new row it repeats."""
    for row, new_id in zip(rows, ids, strict=True):
        row.values["id"] = new_id
        row.values["number"] = rules.complaint_number(new_id, now)
        row.values["version"] = 2
        if row.repeat_of_position is not None:
            row.values["repeat_of_id"] = rows[row.repeat_of_position].values["id"]


def insert_accepted(
    uow: UnitOfWork, rows: list[NewRow], actor: Actor, now: datetime
) -> list[dict[str, Any]]:
    """Insert the complaints with their numbers (the number contains the id), then their
    events; returns the events' column values (in order: each complaint's `accept`, then
    its `link_repeat` if it repeats one).

    PostgreSQL: the ids are taken from the complaints' id sequence first (one query for all
    rows), so every row is inserted complete, number and repeat link included, in one
    pipelined executemany (a multi-row VALUES or unnest() insert measured slower with
    psycopg: its query or array text costs more Python than the pipeline). SQLite has no
    sequence: there the rows are inserted, their ids returned, and the numbers written by
    one bulk update. A taken idempotency key raises IntegrityError: the caller decides.
    """
    session = uow.session
    table = cast(Table, Complaint.__table__)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.execute(_NEXT_IDS, {"n": len(rows)}).scalars())
        _number(rows, ids, now)
        session.execute(insert(table), [row.values for row in rows])
    else:
        ids = list(session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [row.values for row in rows],
        ).scalars())  # fmt: skip
        _number(rows, ids, now)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(number=bindparam("b_number"), version=2, repeat_of_id=bindparam("b_repeat")),
            [
                {"b_id": r.values["id"], "b_number": r.values["number"],
                 "b_repeat": r.values["repeat_of_id"]}
                for r in rows
            ],
        )  # fmt: skip
    events: list[dict[str, Any]] = []
    for row in rows:
        values = row.values
        base = {
            "complaint_id": values["id"],
            "work_order_id": None,
            "at": now,
            "actor_id": actor.staff_id,
            "actor": actor.username,
            "role": actor.role,
        }
        events.append(
            {**base, "action": "accept", "before": None, "after": snapshot_of(values), "note": None}
        )
        repeat_of = values["repeat_of_id"]
        if repeat_of is not None:
            events.append({**base, "action": "link_repeat", **_link_repeat(repeat_of, row.repeat)})
    session.execute(insert(cast(Table, Event.__table__)), events)
    return events
