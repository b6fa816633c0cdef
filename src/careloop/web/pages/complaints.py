"""One complaint: its page with the action forms, generated from the lifecycle's transition
table (the lists that lead here live in ``complaint_lists``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain import callbacks
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.lifecycle import tickets
from careloop.domain.permissions import has_permission
from careloop.domain.vocabulary import ROLES, label
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.complaints import (
    dispatch_targets,
    follow_ups,
    lifecycle,
    work_orders,
    workbench,
)
from careloop.services.incidents.read_models import brief_of as incident_brief
from careloop.services.privacy.personal_data import CustomerData
from careloop.services.surveys import page_views as survey_page_views
from careloop.services.unit_of_work import UnitOfWork
from careloop.web import composer, views
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.pages.work_orders import local_instant

router = APIRouter()

# --- one complaint ----------------------------------------------------------------------


def _complaint_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    lang: str,
    complaint_id: int,
    error: str | None = None,
    status_code: int = 200,
    revealed: CustomerData | None = None,
) -> HTMLResponse:
    t = Translator(lang)
    found = workbench.complaint_page(uow, complaint_id, actor, now, lang)
    c = found.row.complaint
    by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in found.work_orders:
        by_unit[line.order.unit.name].append(
            {
                "order": line.order,
                "status_label": line.order.status_label,
                "clock": views.clock_of(line.clock, t),
                "mine": line.mine,
            }
        )
    offered = tickets.offered_transitions(c.status, actor.role, c.regulator_transfer)
    allowed = [tr for tr in offered if tr.name != "attach"]
    seq_of = {line.order.id: line.order.seq for line in found.work_orders}
    clock_rows = [
        {
            "name": t(f"clock.name.{k.name}"),
            "clock": views.clock_of(k, t),
            # Staff know a work order by its number within the complaint (#1, #2), as listed.
            "work_order_seq": seq_of.get(k.work_order_id) if k.work_order_id else None,
            # Years whose holiday notice is not entered: the due date assumes their bridge and
            # make-up days, and the page says so next to it.
            "assumed_years": k.fallback_years,
        }
        for k in found.clocks
    ]
    return render(
        request,
        "complaint.html",
        lang,
        actor,
        status_code=status_code,
        c=c,
        row=views.row(found.row, t),
        customer=c.customer,
        unmasked=found.unmasked,
        description=c.description,
        reply_text=c.reply_text,
        channel=views.channel_label(c.channel, lang),
        owner_name=found.first_owner_name,
        owner_unit=found.owner_unit.name,
        clock_rows=clock_rows,
        policy=c.sla.policy if c.sla else None,
        work_orders_by_unit=dict(by_unit),
        trail=found.trail,
        notes=found.notes,
        incident=incident_brief(uow, complaint_id, lang),
        surveys=survey_page_views.complaint_survey_status(
            uow, actor, complaint_id, found.unmasked, lang
        ),
        allowed=allowed,
        callback_outcome=callbacks.label(c.callback_outcome, lang) if c.callback_outcome else None,
        appeal_outcome=callbacks.label(c.appeal_outcome, lang) if c.appeal_outcome else None,
        follow_up_counts=follow_ups.counts(uow, complaint_id),
        unit_picker=dispatch_targets.ranked_targets(uow, complaint_id, actor, lang)
        if any(tr.name == "dispatch" for tr in allowed)
        or any(
            line.mine and line.order.status in ("dispatched", "accepted")
            for line in found.work_orders
        )
        else None,
        error=error,
        done=request.query_params.get("done"),
        can_unmask=has_permission("personal_data.unmask", actor.role) and not found.unmasked,
        **composer.context(
            request,
            uow,
            actor,
            now,
            lang,
            complaint_id,
            allowed,
            can_attach=any(tr.name == "attach" for tr in offered),
            open_orders=any(
                line.order.status in ("dispatched", "accepted") for line in found.work_orders
            ),
            clock_rows=clock_rows,
            revealed=revealed,
        ),
        role_label=lambda role: label(ROLES, role, lang),
    )


complaint_page_response = _complaint_page
"""The page with a banner or revealed data: for the attachment and reveal forms."""


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_page(
    complaint_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
) -> Response:
    try:
        return _complaint_page(request, uow, actor, now, lang, complaint_id)
    except DomainError as exc:
        return render(
            request, "error.html", lang, actor, status_code=exc.status, error=exc.message(lang)
        )


def _complaint_action(
    name: str,
    uow: UnitOfWork,
    cid: int,
    actor: Actor,
    now: datetime,
    form: dict[str, Any],
    lang: str,
) -> None:
    version = whole_number(form["version"], "version", lang) if name != "note" else 0
    text = form.get("text", "")
    actions: dict[str, Callable[[], object]] = {
        "handle": lambda: lifecycle.handle(uow, cid, actor, version, now),
        "pause": lambda: lifecycle.pause(uow, cid, actor, version, now, text),
        "resume": lambda: lifecycle.resume(uow, cid, actor, version, now),
        "reply": lambda: lifecycle.reply(uow, cid, actor, version, now, text),
        "callback_satisfied": lambda: lifecycle.callback(uow, cid, actor, version, now, True, text),
        "reopen": lambda: lifecycle.callback(uow, cid, actor, version, now, False, text),
        "callback_unreachable": lambda: lifecycle.callback_unreachable(
            uow, cid, actor, version, now, text or None
        ),
        "callback_declined": lambda: lifecycle.callback_declined(
            uow, cid, actor, version, now, text or None
        ),
        "appeal_outcome": lambda: lifecycle.record_appeal_outcome(
            uow, cid, actor, version, now, form.get("outcome", ""), text or None
        ),
        "archive": lambda: lifecycle.archive(uow, cid, actor, version, now),
        "cancel": lambda: lifecycle.cancel(uow, cid, actor, version, now, text),
        "reject": lambda: lifecycle.reject(uow, cid, actor, version, now, text),
        "merge": lambda: lifecycle.merge(
            uow,
            cid,
            actor,
            version,
            now,
            workbench.merge_target_id(uow, actor, form.get("into", "")),
            text or None,
        ),
        "note": lambda: lifecycle.add_note(uow, cid, actor, now, text),
        "dispatch": lambda: work_orders.dispatch(
            uow,
            cid,
            actor,
            version,
            now,
            form.get("unit", ""),
            text or None,
            None,
            float(form["due_hours"]) if form.get("due_hours") else None,
            form.get("appointment_at"),
            form.get("paid_at"),
        ),
    }
    if name not in actions:
        raise DomainError("not_found", what="action", ident=name)
    actions[name]()


@router.post("/complaints/{complaint_id}/actions/{name}", response_class=HTMLResponse)
def complaint_action(
    complaint_id: int,
    name: str,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    version: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    into: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    due_hours: Annotated[str, Form()] = "",
    appointment_at: Annotated[str, Form()] = "",
    paid_at: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "version": version,
        "text": text,
        "into": into,
        "unit": unit,
        "due_hours": due_hours,
        "outcome": outcome,
    }
    try:
        # Work steps count from these (domain.sla.steps): local times as the form gives them.
        form["appointment_at"] = local_instant(appointment_at, "appointment_at", request)
        form["paid_at"] = local_instant(paid_at, "paid_at", request)
        _complaint_action(name, uow, complaint_id, actor, now, form, lang)
    except (DomainError, ValueError) as exc:
        uow.rollback()
        err = exc if isinstance(exc, DomainError) else InvalidInput("form", str(exc))
        try:
            return _complaint_page(
                request, uow, actor, now, lang, complaint_id, error_text(err, lang), err.status
            )
        except DomainError as missing:
            return render(
                request,
                "error.html",
                lang,
                actor,
                status_code=missing.status,
                error=missing.message(lang),
            )
    return see_other(f"/complaints/{complaint_id}?done={name}")
