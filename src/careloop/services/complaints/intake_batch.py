"""Bulk intake: many complaints in one unit of work, for imports (Excel/CSV, the regulator's
transfer feed) and `POST /api/v1/complaints/batch`.

Every rule of single intake (services.complaints.accept_complaint) holds per item: the
idempotency key, repeat detection (also between items of the same batch) and the repeat's
escalation (priority raised, unit leads told: services.repeat_escalation), the first
owner, the SLA terms, the `accept` audit event with the snapshot. What changes is the
cost: one query for all keys, one for all earlier complaints of the batch's customers,
then the rows and events written set-based by services.intake_rows (which single intake
uses too), whatever the size.

A broken item does not stop the others: it comes back as an error with the problem
code, field and message, and the valid items are accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from careloop.domain import complaints as rules
from careloop.domain.categories import first_level
from careloop.domain.errors import DomainError, InvalidInput, NotFound
from careloop.domain.lifecycle.tickets import Status
from careloop.domain.repeats import RepeatPlan
from careloop.domain.sla.policies import Criteria
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints import intake_rows as new_rows
from careloop.services.complaints import repeat_escalation as repeats
from careloop.services.complaints.intake import (
    LEGAL_REPLY_LIMIT,
    NewComplaint,
    Region,
    check_idempotency_key,
    check_intake_role,
    criteria_for,
    region_for,
    validated,
)
from careloop.services.incidents.linking import link_at_intake
from careloop.services.sla import clocks as sla
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint

MAX_BATCH_ITEMS = 500
"""Items per call: large enough for a feed's page, small enough for one transaction."""

Outcome = Literal["created", "replayed", "error"]


@dataclass(frozen=True, slots=True)
class BatchItem:
    draft: NewComplaint
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class AcceptedRef:
    """What a batch answer says about a complaint (no personal data: nothing to mask)."""

    id: int
    number: str | None
    version: int
    status: str
    is_repeat: bool
    repeat_of_id: int | None
    reply_due_at: datetime | None


@dataclass(frozen=True, slots=True)
class ItemResult:
    index: int
    outcome: Outcome
    complaint: AcceptedRef | None = None
    error: DomainError | None = None


def _existing(
    uow: UnitOfWork, keys: set[str], actor: Actor
) -> dict[str, tuple[str | None, AcceptedRef | None]]:
    """key → (request hash, the complaint if the actor may see it), for the keys this actor
    used before (keys are unique per caller: another caller's key is not this one's).

    The scope condition is asked only about keys that exist (a replayed batch): a fresh
    batch, the common case, costs one plain lookup on the unique key index."""
    rows = uow.session.execute(
        select(
            Complaint.idempotency_key,
            Complaint.request_hash,
            Complaint.id,
            Complaint.number,
            Complaint.version,
            Complaint.status,
            Complaint.is_repeat,
            Complaint.repeat_of_id,
            Complaint.reply_due_at,
        ).where(Complaint.idempotency_key.in_(keys), Complaint.first_owner_id == actor.staff_id)
    ).all()
    visible: set[int] = set()
    if rows:
        visible = set(
            uow.session.scalars(
                select(Complaint.id).where(
                    Complaint.id.in_([row.id for row in rows]), scope.visible_to(actor)
                )
            )
        )
    return {
        row.idempotency_key: (
            row.request_hash,
            AcceptedRef(*row[2:9]) if row.id in visible else None,
        )
        for row in rows
    }


@dataclass
class _Pending:
    index: int
    draft: NewComplaint
    key: str | None
    request_hash: str
    row: dict[str, Any] | None = None
    repeat_of_index: int | None = None
    """The earlier item of this batch it repeats (its id is known only after the insert)."""
    replay_of_index: int | None = None
    """An earlier item of this batch with the same key and content."""
    repeat: RepeatPlan | None = None
    """A repeat's escalation: priority raised, leads to tell (domain.repeats)."""


def accept_batch(
    uow: UnitOfWork, items: Sequence[BatchItem], actor: Actor, now: datetime
) -> list[ItemResult]:
    """受理 many complaints at once; one result per item, in order.

    The whole call is one transaction. Should another writer take one of the batch's keys
    between our lookup and our insert, the transaction is rolled back and tried again, and
    that item comes back as replayed: re-sending a batch never duplicates a complaint.
    """
    check_intake_role(actor)
    if len(items) > MAX_BATCH_ITEMS:
        raise InvalidInput("items", f"最多 {MAX_BATCH_ITEMS} 条 / at most {MAX_BATCH_ITEMS} items")
    for attempt in range(3):
        try:
            return _accept(uow, items, actor, now)
        except IntegrityError:
            uow.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _accept(
    uow: UnitOfWork, items: Sequence[BatchItem], actor: Actor, now: datetime
) -> list[ItemResult]:
    session = uow.session
    results: dict[int, ItemResult] = {}
    pending: list[_Pending] = []
    for index, item in enumerate(items):
        try:
            check_idempotency_key(item.idempotency_key)
            draft, request_hash = validated(item.draft)
        except DomainError as exc:
            results[index] = ItemResult(index, "error", error=exc)
            continue
        pending.append(_Pending(index, draft, item.idempotency_key, request_hash))

    # Idempotency: one query for every key; a key twice in the batch is a replay of the first.
    keys = {p.key for p in pending if p.key is not None}
    existing = _existing(uow, keys, actor) if keys else {}
    first_with_key: dict[str, _Pending] = {}
    fresh: list[_Pending] = []
    for p in pending:
        if p.key is None:
            fresh.append(p)
            continue
        found = existing.get(p.key)
        earlier = first_with_key.get(p.key)
        if found is None and earlier is None:
            first_with_key[p.key] = p
            fresh.append(p)
            continue
        seen_hash = found[0] if found is not None else earlier.request_hash  # type: ignore[union-attr]
        if seen_hash != p.request_hash:
            error = DomainError("idempotency_mismatch", field="idempotency_key", key=p.key)
            results[p.index] = ItemResult(p.index, "error", error=error)
        elif found is not None:
            ref = found[1]
            # As single intake, whose answer re-reads within the caller's scope: a complaint
            # outside it is "not found", never shown.
            results[p.index] = (
                ItemResult(p.index, "replayed", ref)
                if ref is not None
                else ItemResult(p.index, "error", error=NotFound("complaint", p.key))
            )
        else:
            p.replay_of_index = earlier.index  # type: ignore[union-attr]

    # Repeats: one query for every customer of the batch, then earlier items of the batch.
    creating = fresh
    phones = {p.draft.customer_phone for p in creating}
    history: dict[tuple[str, str], list[rules.EarlierComplaint]] = {}
    numbers: dict[int, str] = {}
    if phones:
        for cid, phone, level1, category, accepted_at, number in session.execute(
            select(
                Complaint.id,
                Complaint.customer_phone,
                Complaint.category_l1,
                Complaint.category,
                Complaint.accepted_at,
                Complaint.number,
            ).where(
                Complaint.customer_phone.in_(phones),
                Complaint.accepted_at >= now - rules.REPEAT_WINDOW,
                Complaint.status != Status.MERGED,
            )
        ):
            history.setdefault((phone, level1), []).append(
                rules.EarlierComplaint(cid, category, accepted_at)
            )
            numbers[cid] = number

    reference = sla.intake_reference(uow)
    terms_memo: dict[Criteria, sla.IntakeTerms] = {}
    areas: dict[str, str | None] = {}
    latest_in_batch: dict[tuple[str, str], int] = {}
    rows: list[_Pending] = []
    assert actor.org_unit_id is not None
    regions: dict[int, Region] = {}
    for p in creating:
        try:
            regions[p.index] = region_for(uow, p.draft.region_code)
        except DomainError as exc:
            results[p.index] = ItemResult(p.index, "error", error=exc)
    leads: repeats.LeadBook | None = None
    for p in creating:
        draft = p.draft
        region = regions.get(p.index)
        if region is None:
            continue
        level1 = first_level(draft.category)
        group = (draft.customer_phone, level1)
        repeat_of_id: int | None = None
        if group in latest_in_batch:
            # Accepted a moment ago in this batch: the most recent earlier complaint.
            p.repeat_of_index = latest_in_batch[group]
        else:
            repeated = rules.find_repeat_of(draft.category, now, history.get(group, ()))
            repeat_of_id = repeated.id if repeated else None
        latest_in_batch[group] = p.index
        is_repeat = repeat_of_id is not None or p.repeat_of_index is not None
        escalation = None
        if is_repeat:  # a repeat escalates before its policy is matched
            draft, escalation = repeats.escalated_draft(draft)
        criteria = criteria_for(uow, draft, region, is_repeat, reference, areas)
        terms = terms_memo.get(criteria)
        if terms is None:
            terms = sla.intake_terms(uow, criteria, now, LEGAL_REPLY_LIMIT, reference)
            terms_memo[criteria] = terms
        if escalation is not None:
            if leads is None:  # the leads of every region of the batch: one query
                leads = repeats.lead_book(
                    uow, [r.path for r in regions.values()] + [actor.org_path]
                )
            recipients = leads.recipients(region.path, actor.org_path, region.unit.code)
            p.repeat = repeats.plan(escalation, recipients, terms.policy)
        p.row = new_rows.row_values(
            draft,
            key=p.key,
            request_hash=p.request_hash,
            region_id=region.id,
            repeat_of_id=repeat_of_id,
            repeats_new_row=p.repeat_of_index is not None,
            terms=terms,
            actor=actor,
            now=now,
        )
        rows.append(p)

    if rows:
        _insert(uow, rows, actor, now, numbers)
    for p in rows:
        assert p.row is not None
        results[p.index] = ItemResult(p.index, "created", _ref_of_row(p.row))
    for p in pending:
        if p.replay_of_index is not None:
            first = results[p.replay_of_index]
            outcome: Outcome = "replayed" if first.outcome == "created" else first.outcome
            results[p.index] = ItemResult(p.index, outcome, first.complaint, first.error)
    uow.commit()
    return [results[i] for i in range(len(items))]


def _ref_of_row(row: dict[str, Any]) -> AcceptedRef:
    return AcceptedRef(
        row["id"],
        row["number"],
        row["version"],
        row["status"],
        row["is_repeat"],
        row["repeat_of_id"],
        row["reply_due_at"],
    )


def _insert(
    uow: UnitOfWork, rows: list[_Pending], actor: Actor, now: datetime, numbers: dict[int, str]
) -> None:
    """All new complaints and their events in a few set-based statements (intake_rows)."""
    position = {p.index: k for k, p in enumerate(rows)}
    written = [
        new_rows.NewRow(
            cast(dict[str, Any], p.row),
            position[p.repeat_of_index] if p.repeat_of_index is not None else None,
            p.repeat,
        )
        for p in rows
    ]
    new_rows.insert_accepted(uow, written, actor, now)
    link_at_intake(uow, [w.values for w in written], actor, now)
    repeats.queue_notices(uow, written, now, numbers)
