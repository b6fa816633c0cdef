"""Intake: accept a complaint exactly once and make its taker the first-question owner."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from careloop.domain import complaints as rules
from careloop.domain.categories import first_level
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.lifecycle.tickets import INTAKE_ROLES, Status
from careloop.domain.sla.policies import Criteria
from careloop.domain.sla.rules import OUTER_REPLY
from careloop.domain.text import clean_text
from careloop.domain.vocabulary import CHANNELS, CUSTOMER_TIERS, PRIORITIES, PRODUCTS
from careloop.services.access.actors import Actor
from careloop.services.complaints import intake_rows as rows
from careloop.services.complaints import queries, read_models
from careloop.services.complaints import repeat_escalation as repeats
from careloop.services.incidents.linking import link_at_intake
from careloop.services.sla import clocks as sla
from careloop.services.sla.policies import area_of
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Event, OrgUnit

LEGAL_REPLY_LIMIT = OUTER_REPLY
"""MIIT order 35 (2016): no answer within 15 days lets the user appeal to the regulator.
Only a fallback now: the limits are SLA policies (services.sla), seeded with this value."""


@dataclass(frozen=True, slots=True)
class NewComplaint:
    channel: str
    customer_phone: str
    category: str
    description: str
    region_code: str
    product: str = "mobile"
    customer_name: str | None = None
    customer_account: str | None = None
    customer_tier: str = "standard"
    priority: str = "normal"
    source_ref: str | None = None
    escalated: bool = False
    regulator_transfer: bool = False


@dataclass(frozen=True, slots=True)
class Intake:
    complaint: Complaint
    created: bool
    """False when the idempotency key was seen before and the first complaint came back."""
    events: tuple[Event, ...] = ()
    """The audit events this intake wrote (empty on a replay)."""
    terms: sla.IntakeTerms | None = None
    """The SLA terms it was accepted under (None on a replay): the answer's clocks reuse them."""


_YES: Final = frozenset({"1", "true", "yes", "y", "是", "对", "√"})
_NO: Final = frozenset({"", "0", "false", "no", "n", "否"})


def _flag(values: Mapping[str, str], field: str) -> bool:
    text = values.get(field, "").lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidInput(field, f"应为 是/否 / must be yes or no, not '{text}'")


def draft_from_fields(values: Mapping[str, str], channel: str) -> NewComplaint:
    """A draft from text fields as the intake form and an import sheet name them (phone,
    name, account, region, tier …): a blank takes the default, a flag reads yes/no words
    (``1``/blank from a checkbox), and ``channel`` applies when the fields name none."""
    return NewComplaint(
        channel=values.get("channel") or channel,
        customer_phone=values.get("phone", ""),
        category=values.get("category", ""),
        description=values.get("description", ""),
        region_code=values.get("region", ""),
        product=values.get("product") or "mobile",
        customer_name=values.get("name") or None,
        customer_account=values.get("account") or None,
        customer_tier=values.get("tier") or "standard",
        priority=values.get("priority") or "normal",
        source_ref=values.get("source_ref") or None,
        escalated=_flag(values, "escalated"),
        regulator_transfer=_flag(values, "regulator_transfer"),
    )


def _check_vocabulary(field: str, value: str, vocabulary: dict[str, tuple[str, str]]) -> None:
    if value not in vocabulary:
        allowed = ", ".join(vocabulary)
        raise InvalidInput(field, f"未知取值 / unknown value '{value}' (allowed: {allowed})")


def _validated(draft: NewComplaint) -> NewComplaint:
    _check_vocabulary("channel", draft.channel, CHANNELS)
    _check_vocabulary("product", draft.product, PRODUCTS)
    _check_vocabulary("customer.tier", draft.customer_tier, CUSTOMER_TIERS)
    _check_vocabulary("priority", draft.priority, PRIORITIES)
    # A transfer from the regulator is by definition an escalated complaint (越级).
    from_regulator = draft.regulator_transfer or draft.channel == "regulator"
    return NewComplaint(
        channel=draft.channel,
        customer_phone=rules.normalize_phone(draft.customer_phone),
        category=rules.validate_category(draft.category),
        description=rules.validate_description(draft.description),
        region_code=draft.region_code,
        product=draft.product,
        customer_name=clean_text(draft.customer_name, "customer.name", 100, multiline=False),
        customer_account=clean_text(
            draft.customer_account, "customer.account", 64, multiline=False
        ),
        customer_tier=draft.customer_tier,
        priority=draft.priority,
        source_ref=clean_text(draft.source_ref, "source_ref", 100, multiline=False),
        escalated=draft.escalated or from_regulator,
        regulator_transfer=from_regulator,
    )


def _request_hash(draft: NewComplaint) -> str:
    canonical = json.dumps(asdict(draft), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(uow: UnitOfWork, key: str, request_hash: str, actor: Actor) -> Complaint | None:
    """The complaint this caller accepted with `key` before, if any: a key is the caller's
    own (unique per first owner), so another caller's key neither answers nor conflicts."""
    existing = uow.session.scalar(
        select(Complaint).where(
            Complaint.idempotency_key == key, Complaint.first_owner_id == actor.staff_id
        )
    )
    if existing is not None and existing.request_hash != request_hash:
        raise DomainError("idempotency_mismatch", field="Idempotency-Key", key=key)
    return existing


@dataclass(frozen=True, slots=True)
class Region:
    id: int
    kind: str
    path: str
    unit: OrgUnit
    """A detached snapshot of the row: read it, or `session.merge(unit, load=False)` it."""


_units: dict[tuple[str, str, object], OrgUnit] = {}
_units_lock = threading.Lock()


def unit_snapshot(uow: UnitOfWork, by: str, value: object) -> OrgUnit | None:
    """An org unit by `code` or `id`, as a detached snapshot (never attach it: merge it).

    Org units are only ever added (services.org: no edit, move or delete), so a unit found
    once stays true: found units are cached per process and database; unknown ones are
    asked again each time (the unit may be added meanwhile).
    """
    key = (str(uow.session.get_bind().url), by, value)
    with _units_lock:
        unit = _units.get(key)
    if unit is not None:
        return unit
    column = OrgUnit.code if by == "code" else OrgUnit.id
    row = uow.session.execute(select(OrgUnit.__table__).where(column == value)).one_or_none()
    if row is None:
        return None
    unit = OrgUnit(**row._asdict())
    make_transient_to_detached(unit)
    with _units_lock:
        if len(_units) > 10_000:
            _units.clear()
        _units[key] = unit
    return unit


def region_for(uow: UnitOfWork, code: str) -> Region:
    """The city or county a complaint concerns, by code (cached, see `unit_snapshot`)."""
    # A code is an identifier: one with control characters names nothing (and NUL would
    # not even reach PostgreSQL), so it is unknown without asking the database.
    unit = unit_snapshot(uow, "code", code) if code.isprintable() else None
    if unit is None or unit.kind in ("group", "department"):
        raise InvalidInput("region", f"未知地区「{code}」 / unknown region '{code}'")
    return Region(unit.id, unit.kind, unit.path, unit)


def check_idempotency_key(key: str | None) -> None:
    if key is not None and (not key.strip() or len(key) > 200 or not key.isprintable()):
        raise InvalidInput("Idempotency-Key", "1–200 个字符 / 1 to 200 characters")


def criteria_for(
    uow: UnitOfWork,
    draft: NewComplaint,
    region: Region,
    repeat: bool,
    reference: sla.IntakeReference,
    areas: dict[str, str | None] | None = None,
) -> Criteria:
    """What a new complaint is matched on: the draft (a repeat's priority already raised),
    whether it repeats one (found first), and its region's urban/rural kind, looked up only
    while some active policy names one (``areas``: a batch's memo per region path)."""
    area: str | None = None
    if any(p.match_area is not None for p in reference.policies.policies):
        if areas is not None and region.path in areas:
            area = areas[region.path]
        else:
            area = area_of(uow, region.path)
            if areas is not None:
                areas[region.path] = area
    return Criteria.of(draft, region.path, repeat=repeat, area=area)


def validated(draft: NewComplaint) -> tuple[NewComplaint, str]:
    """The normalised draft and the hash a retry with the same key must match."""
    clean = _validated(draft)
    return clean, _request_hash(clean)


def accept_complaint(
    uow: UnitOfWork,
    draft: NewComplaint,
    actor: Actor,
    now: datetime,
    idempotency_key: str | None = None,
) -> Intake:
    """受理: validate, detect a repeat (it escalates: priority one step up, its own policy
    matched, the unit leads told through the outbox), make `actor` the first-question owner,
    record it.

    The same idempotency key with the same content returns the first complaint; with other
    content it is refused, because a retry must never silently change what was accepted.
    """
    check_intake_role(actor)
    draft, request_hash = validated(draft)
    if idempotency_key is not None:
        check_idempotency_key(idempotency_key)
        replayed = _replay(uow, idempotency_key, request_hash, actor)
        if replayed is not None:
            return Intake(replayed, created=False)
    session = uow.session
    region = region_for(uow, draft.region_code)

    earlier = session.execute(
        select(Complaint.id, Complaint.category, Complaint.accepted_at, Complaint.number).where(
            Complaint.customer_phone == draft.customer_phone,
            Complaint.category_l1 == first_level(draft.category),
            Complaint.accepted_at >= now - rules.REPEAT_WINDOW,
            Complaint.status != Status.MERGED,
        )
    ).all()
    repeat_of = rules.find_repeat_of(
        draft.category, now, (rules.EarlierComplaint(*row[:3]) for row in earlier)
    )
    escalation = None
    if repeat_of is not None:  # a repeat escalates before its policy is matched
        draft, escalation = repeats.escalated_draft(draft)
    reference = sla.intake_reference(uow)
    criteria = criteria_for(uow, draft, region, repeat_of is not None, reference)
    terms = sla.intake_terms(uow, criteria, now, LEGAL_REPLY_LIMIT, reference)
    assert actor.org_unit_id is not None
    repeat_plan = None
    if escalation is not None:
        leads = repeats.lead_book(uow, (region.path, actor.org_path))
        recipients = leads.recipients(region.path, actor.org_path, region.unit.code)
        repeat_plan = repeats.plan(escalation, recipients, terms.policy)
    row = rows.NewRow(
        rows.row_values(
            draft,
            key=idempotency_key,
            request_hash=request_hash,
            region_id=region.id,
            repeat_of_id=repeat_of.id if repeat_of else None,
            repeats_new_row=False,
            terms=terms,
            actor=actor,
            now=now,
        ),
        repeat=repeat_plan,
    )
    try:
        event_rows = rows.insert_accepted(uow, [row], actor, now)
        repeats.queue_notices(uow, [row], now, {r.id: r.number for r in earlier})
    except IntegrityError:
        # Two retries raced on one key: the loser returns the winner's complaint.
        uow.rollback()
        if idempotency_key is None:
            raise
        replayed = _replay(uow, idempotency_key, request_hash, actor)
        if replayed is None:
            raise
        return Intake(replayed, created=False)
    link_at_intake(uow, [row.values], actor, now)
    uow.commit()
    # The complaint as written, without a query: made persistent in the session as if just
    # loaded (callers go on acting on it, and its version moves with them), its units
    # merged from the cache (session-local copies: the cached snapshots stay detached).
    owner_unit = unit_snapshot(uow, "id", actor.org_unit_id)
    complaint = Complaint(**row.values, work_orders=[])
    make_transient_to_detached(complaint)
    session.add(complaint)
    set_committed_value(complaint, "region", session.merge(region.unit, load=False))
    if owner_unit is not None:
        set_committed_value(complaint, "owner_unit", session.merge(owner_unit, load=False))
    events = tuple(Event(**values) for values in event_rows)
    return Intake(complaint, created=True, events=events, terms=terms)


def check_intake_role(actor: Actor) -> None:
    if actor.role not in INTAKE_ROLES or actor.staff_id is None:
        raise DomainError("role_not_allowed", role=actor.role, action="accept")


def intake_view(
    uow: UnitOfWork, result: Intake, actor: Actor, lang: str, now: datetime
) -> read_models.ComplaintView:
    """The intake's answer. A new complaint is shown as written, without a re-read:
    its clocks come from the same ``clocks_for`` the sweeper runs, with the policy and
    calendar intake used. A replay shows the first complaint as it stands now."""
    if result.created and result.terms is not None:
        clocks = sla.clocks_of_new(result.complaint, result.events, result.terms, now)
        return read_models.complaint_view(result.complaint, actor, lang, clocks, actor.username)
    return queries.complaint_view(uow, result.complaint.id, actor, lang, now)


@dataclass(frozen=True, slots=True)
class IntakeAnswer:
    """What a channel shows after intake: the complaint, and whether this call created it
    (False: a replay of the same idempotency key)."""

    complaint: read_models.ComplaintView
    created: bool


def accept_complaint_view(
    uow: UnitOfWork,
    draft: NewComplaint,
    actor: Actor,
    now: datetime,
    idempotency_key: str | None,
    lang: str,
) -> IntakeAnswer:
    """:func:`accept_complaint` answered as :func:`intake_view` shows it, so that a channel
    never holds the complaint's row."""
    result = accept_complaint(uow, draft, actor, now, idempotency_key)
    return IntakeAnswer(intake_view(uow, result, actor, lang, now), result.created)
