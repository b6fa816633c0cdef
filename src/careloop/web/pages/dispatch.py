"""The unit picker of the dispatch and transfer forms (派单 / 转派): units ranked for the
complaint (``services.complaints.dispatch_targets``), narrowed as the dispatcher types, and
the transfer form's post from the complaint page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from careloop.domain.errors import DomainError
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.complaints import dispatch_targets, work_orders
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()


@router.get("/agent/units", response_class=HTMLResponse)
def unit_options(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    complaint: int = 0,
    q: str = "",
    exclude: str = "",
) -> Response:
    """HTMX: the picker's options for the complaint, narrowed by the search box (a plain
    substring of a unit's name, code or region, in either language)."""
    try:
        picker = dispatch_targets.ranked_targets(uow, complaint, actor, lang, q[:100])
    except DomainError as exc:
        return HTMLResponse(
            f'<option value="" disabled>{escape(error_text(exc, lang))}</option>',
            status_code=exc.status,
        )
    return render(
        request,
        "partials/unit_options.html",
        lang,
        actor,
        unit_picker=picker,
        picker_exclude=exclude,
    )


@router.post(
    "/complaints/{complaint_id}/work-orders/{work_order_id}/transfer", response_class=HTMLResponse
)
def transfer_work_order(
    complaint_id: int,
    work_order_id: int,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    version: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    """转派 from the complaint page: the unit holding the order passes it on, with a reason."""
    from careloop.web.pages.complaints import complaint_page_response

    try:
        order = work_orders.load_work_order(uow, work_order_id, actor)
        if order.complaint_id != complaint_id:
            raise DomainError("not_found", what="work order", ident=work_order_id)
        work_orders.transfer(
            uow, work_order_id, actor, whole_number(version, "version", lang), now, unit, text
        )
    except DomainError as exc:
        uow.rollback()
        return complaint_page_response(
            request, uow, actor, now, lang, complaint_id, error_text(exc, lang), exc.status
        )
    return see_other(f"/complaints/{complaint_id}?done=transfer")
