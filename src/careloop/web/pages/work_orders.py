"""The back office: the unit's open work orders and their accept, complete and return
forms, generated from the work-order transition table."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError
from careloop.domain.lifecycle import tickets
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.access.actors import Actor
from careloop.services.complaints import work_orders, workbench
from careloop.services.unit_of_work import UnitOfWork
from careloop.web import views
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.i18n import Translator

router = APIRouter()


def _unit_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    lang: str,
    error: str | None = None,
    status_code: int = 200,
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
                if tr.name != "transfer"
            ],
        }
        for task in workbench.unit_queue(uow, actor, now, lang)
    ]
    return render(
        request,
        "unit_queue.html",
        lang,
        actor,
        status_code=status_code,
        items=items,
        error=error,
        done=request.query_params.get("done"),
        labels={n: tr.label(lang) for n, tr in tickets.WORK_ORDER_TRANSITIONS.items()},
    )


@router.get("/unit/queue", response_class=HTMLResponse)
def unit_queue(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    return _unit_page(request, uow, actor, now, lang)


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
) -> Response:
    try:
        read = whole_number(version, "version")
        if name == "accept":
            work_orders.accept(uow, work_order_id, actor, read, now)
        elif name == "complete":
            work_orders.complete(uow, work_order_id, actor, read, now, text)
        elif name == "return":
            work_orders.return_to_owner(uow, work_order_id, actor, read, now, text)
        else:
            raise DomainError("not_found", what="action", ident=name)
    except DomainError as exc:
        uow.rollback()
        return _unit_page(request, uow, actor, now, lang, error_text(exc, lang), exc.status)
    return see_other(f"/unit/queue?done={name}")
