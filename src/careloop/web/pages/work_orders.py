"""The back office: the unit's open work orders and their accept, complete and return
forms, and the service-commitment steps it still owes (feasibility reply, arrival,
restore), generated from the work-order transition table."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError, InvalidValue
from careloop.domain.lifecycle import tickets
from careloop.domain.sla.steps import STEP_TRANSITIONS
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.complaints import work_orders, work_steps, workbench
from careloop.services.complaints.step_views import WorkStepView
from careloop.services.unit_of_work import UnitOfWork
from careloop.web import views
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()


def _unit_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    lang: str,
    error: str | None = None,
    status_code: int = 200,
    template: str = "unit_queue.html",
) -> HTMLResponse:
    t = Translator(lang)
    items = [
        {
            "order": task.order.order,
            "row": views.row(task.complaint, t),
            "unit": task.order.order.unit.name,
            "status_label": task.order.order.status_label,
            "clock": views.clock_of(task.order.clock, t),
            "actions": [
                tr.name
                for tr in tickets.WORK_ORDER_LIFECYCLE.allowed(task.order.order.status, actor.role)
                if tr.name != "transfer" and _offered(tr.name, task.order.order.steps)
            ],
        }
        for task in workbench.unit_queue(uow, actor, now, lang)
    ]
    return render(
        request,
        template,
        lang,
        actor,
        status_code=status_code,
        items=items,
        error=error,
        done=_banner(request.query_params.get("done")),
        labels={n: tr.label(lang) for n, tr in tickets.WORK_ORDER_TRANSITIONS.items()},
        refresh=request.app.state.settings.live_refresh_seconds,
        poll=views.poll_url("/unit/queue/rows", request.query_params.get("lang")),
    )


UNIT_BANNERS = frozenset({"accept", "complete", "return", "feasibility_reply", "arrive", "restore"})
"""What a unit did, each with its own banner (``done.unit_*``): a unit accepting a work
order has not accepted a complaint, and is not its first-question owner."""


def _banner(done: str | None) -> str | None:
    return f"unit_{done}" if done in UNIT_BANNERS else None


def _offered(name: str, steps: list[WorkStepView]) -> bool:
    """A step's action only while the order owes that step (its commitment sets one)."""
    kind = STEP_TRANSITIONS.get(name)
    return kind is None or any(
        s.kind == kind and s.done_at is None for s in steps if s.state != "cancelled"
    )


def local_instant(value: str, field: str, request: Request) -> datetime | None:
    """A form's local date and time (``datetime-local``) as an instant in the operator's
    time zone; empty: none."""
    if not value.strip():
        return None
    zone = ZoneInfo(request.app.state.settings.timezone)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidValue("time_unreadable", field, example="2026-09-28T10:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@router.get("/unit/queue", response_class=HTMLResponse)
def unit_queue(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    return _unit_page(request, uow, actor, now, lang)


@router.get("/unit/queue/rows", response_class=HTMLResponse)
def unit_queue_rows(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    """The unit's work orders alone, for the page's polling (htmx): new orders and changed
    clocks show without a reload."""
    return _unit_page(request, uow, actor, now, lang, template="partials/unit_list.html")


@router.post("/unit/work-orders/{work_order_id}/{name}", response_class=HTMLResponse)
def work_order_action(
    work_order_id: int,
    name: str,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    version: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    feasible: Annotated[str, Form()] = "",
    at: Annotated[str, Form()] = "",
) -> Response:
    try:
        read = whole_number(version, "version", lang)
        if name == "accept":
            work_orders.accept(uow, work_order_id, actor, read, now)
        elif name == "complete":
            work_orders.complete(uow, work_order_id, actor, read, now, text)
        elif name == "return":
            work_orders.return_to_owner(uow, work_order_id, actor, read, now, text)
        elif name == "feasibility_reply":
            work_steps.reply_feasibility(
                uow, work_order_id, actor, read, now, feasible == "yes", text or None
            )
        elif name == "arrive":
            when = local_instant(at, "arrived_at", request)
            work_steps.record_arrival(uow, work_order_id, actor, read, now, when)
        elif name == "restore":
            when = local_instant(at, "restored_at", request)
            work_steps.record_restore(uow, work_order_id, actor, read, now, when, text or None)
        else:
            raise DomainError("not_found", what="action", ident=name)
    except DomainError as exc:
        uow.rollback()
        return _unit_page(request, uow, actor, now, lang, error_text(exc, lang), exc.status)
    return see_other(f"/unit/queue?done={name}")
