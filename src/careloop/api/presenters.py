"""ORM rows → API models, in the caller's language, with personal data masked by role."""

from __future__ import annotations

from careloop.api import schemas
from careloop.domain import privacy
from careloop.domain.categories import get_category
from careloop.domain.lifecycle import tickets
from careloop.services.access.actors import Actor
from careloop.services.privacy.personal_data import mask_fields, sees_personal_data
from careloop.services.sla.clocks import ComplaintClocks
from careloop.store.models import Attachment, Complaint, Event, Note, OrgUnit, WorkOrder


def unit_ref(unit: OrgUnit, lang: str) -> schemas.UnitRef:
    return schemas.UnitRef(
        id=unit.id, code=unit.code, name=unit.name_en if lang == "en" else unit.name_zh
    )


def _label(labels: tuple[str, str], lang: str) -> str:
    return labels[1] if lang == "en" else labels[0]


def work_order(
    order: WorkOrder, lang: str, actor: Actor, unmasked: bool | None = None
) -> schemas.WorkOrderOut:
    """A work order; its instructions, result and reason quote the customer (a number to
    call, an address), so they are masked like the complaint's own text. `unmasked`: when
    the caller has already judged the complaint, else it is judged here."""
    if unmasked is None:
        unmasked = sees_personal_data(order.complaint, actor)
    status = tickets.WorkOrderStatus(order.status)
    return schemas.WorkOrderOut(
        id=order.id,
        complaint_id=order.complaint_id,
        seq=order.seq,
        version=order.version,
        unit=unit_ref(order.unit, lang),
        status=status.value,  # type: ignore[arg-type]
        status_label=_label(tickets.WORK_ORDER_LABELS[status], lang),
        owner_id=order.owner_id,
        dispatched_by_id=order.dispatched_by_id,
        dispatched_at=order.dispatched_at,
        due_at=order.due_at,
        accepted_at=order.accepted_at,
        finished_at=order.finished_at,
        instructions=privacy.shown(order.instructions, "text", unmasked=unmasked),
        result=privacy.shown(order.result, "text", unmasked=unmasked),
        reason=privacy.shown(order.reason, "text", unmasked=unmasked),
        transferred_from_id=order.transferred_from_id,
    )


def sla_clocks(clocks: ComplaintClocks, lang: str) -> schemas.ComplaintSlaOut:
    """The clocks the sweeper enforces, explained (services.sla.clocks_for)."""
    policy = clocks.policy
    return schemas.ComplaintSlaOut(
        policy=schemas.SlaPolicyRef(
            id=policy.id, code=policy.code, version=policy.version, name=policy.name
        )
        if policy
        else None,
        evaluated_at=clocks.clocks[0].state.evaluated_at if clocks.clocks else clocks.now,
        clocks=[
            schemas.SlaClockOut(
                clock=v.name,
                work_order_id=v.work_order_id,
                basis=v.state.basis,
                limit_minutes=v.state.limit_minutes,
                started_at=v.state.started_at,
                due_at=v.state.due_at,
                warn_at=v.state.warn_at,
                stopped_at=v.state.stopped_at,
                used_minutes=v.state.used_minutes,
                paused_minutes=v.state.paused_minutes,
                remaining_minutes=v.state.remaining_minutes,
                overrun_minutes=v.state.overrun_minutes,
                state=v.state.state,
                warn_share=v.state.warn_share,
                pauses=[schemas.SlaPauseOut(start=p.start, end=p.end) for p in v.pauses],
                fallback_years=sorted(v.state.fallback_years),
                explanation=v.explanation(lang),
            )
            for v in clocks.clocks
        ],
    )


def complaint(
    c: Complaint,
    actor: Actor,
    lang: str,
    clocks: ComplaintClocks | None = None,
    first_owner: str | None = None,
) -> schemas.ComplaintOut:
    """`first_owner`: the username when the caller knows it (intake: the taker), else read."""
    status = tickets.Status(c.status)
    category = get_category(c.category)
    unmasked = sees_personal_data(c, actor)
    actions = [t.name for t in tickets.allowed_transitions(status, actor.role)]
    return schemas.ComplaintOut(
        id=c.id,
        number=c.number or "",
        version=c.version,
        status=status.value,
        status_label=_label(tickets.STATUS_LABELS[status], lang),
        channel=c.channel,
        source_ref=c.source_ref,
        customer=schemas.CustomerOut(
            phone=privacy.shown(c.customer_phone, "phone", unmasked=unmasked) or "",
            name=privacy.shown(c.customer_name, "name", unmasked=unmasked),
            account=privacy.shown(c.customer_account, "account", unmasked=unmasked),
            tier=c.customer_tier,
        ),
        category=c.category,
        category_label=category.label(lang) if category else c.category,
        category_l1=c.category_l1,
        product=c.product,
        region=unit_ref(c.region, lang),
        description=privacy.shown(c.description, "text", unmasked=unmasked) or "",
        reply_text=privacy.shown(c.reply_text, "text", unmasked=unmasked),
        priority=c.priority,
        escalated=c.escalated,
        regulator_transfer=c.regulator_transfer,
        is_repeat=c.is_repeat,
        repeat_of_id=c.repeat_of_id,
        merged_into_id=c.merged_into_id,
        reopen_count=c.reopen_count,
        callback_satisfied=c.callback_satisfied,
        first_owner=first_owner or c.first_owner.username,
        first_owner_id=c.first_owner_id,
        owner_unit_id=c.owner_unit_id,
        accepted_at=c.accepted_at,
        reply_due_at=c.reply_due_at,
        replied_at=c.replied_at,
        closed_at=c.closed_at,
        archived_at=c.archived_at,
        updated_at=c.updated_at,
        work_orders=[work_order(o, lang, actor, unmasked) for o in c.work_orders],
        allowed_actions=actions,
        sla=sla_clocks(clocks, lang) if clocks is not None else None,
    )


def event(e: Event, unmasked: bool) -> schemas.EventOut:
    """An audit event; the accept snapshot holds the customer's data, masked by role."""
    out = schemas.EventOut.model_validate(e, from_attributes=True)
    if unmasked:
        return out
    return out.model_copy(
        update={
            "before": mask_fields(out.before),
            "after": mask_fields(out.after),
            "note": privacy.shown(out.note, "text", unmasked=False),
        }
    )


def attachment(a: Attachment, unmasked: bool) -> schemas.AttachmentOut:
    """An attachment's metadata; its name is often the customer's ("13812345678身份证.jpg")."""
    out = schemas.AttachmentOut.model_validate(a, from_attributes=True)
    return out.model_copy(
        update={
            "filename": privacy.shown(out.filename, "text", unmasked=unmasked) or "",
            "storage_ref": privacy.shown(out.storage_ref, "text", unmasked=unmasked),
        }
    )


def note(n: Note, unmasked: bool) -> schemas.NoteOut:
    out = schemas.NoteOut.model_validate(n, from_attributes=True)
    return out.model_copy(update={"text": privacy.shown(out.text, "text", unmasked=unmasked)})
