"""The customer 360 page (客户全貌) and the keyboard's "next in queue" move.

The customer is named by one of their complaints (services.complaints.customers): links
carry a complaint number, never the caller's phone number.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from careloop.domain import callbacks
from careloop.domain.errors import DomainError
from careloop.domain.vocabulary import CUSTOMER_TIERS, label
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.complaints import customers, workbench
from careloop.web import views
from careloop.web.answers import error_text
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()


@router.get("/customers/{customer_ref}", response_class=HTMLResponse)
def customer_page(
    customer_ref: str,
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
) -> Response:
    try:
        found = customers.customer_file(uow, customer_ref[:64], actor, now, lang)
    except DomainError as exc:
        return render(
            request, "error.html", lang, actor, status_code=exc.status, error=error_text(exc, lang)
        )
    t = Translator(lang)
    return render(
        request,
        "customer.html",
        lang,
        actor,
        customer=found,
        s=found.summary,
        items=[_item(item, t, lang) for item in found.complaints],
        tier=label(CUSTOMER_TIERS, found.tier, lang),
    )


def _item(item: customers.CustomerComplaint, t: Translator, lang: str) -> dict[str, Any]:
    c, k = item.complaint, item.worst_clock
    return {
        "c": c,
        "owner": item.owner_name,
        "clock_name": t.get(f"clock.name.{k.name}", k.name) if k else "",
        "clock": views.clock_of(k, t),
        "callback": callbacks.label(c.callback_outcome, lang) if c.callback_outcome else "",
        "appeal": callbacks.label(c.appeal_outcome, lang) if c.appeal_outcome else "",
    }


@router.get("/agent/queue/next")
def next_in_queue(uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep) -> Response:
    """The keyboard's "next" (g then n): the first complaint of the agent's queue, in the
    queue's own order (workbench.my_queue); an empty queue shows the queue."""
    rows = workbench.my_queue(uow, actor, now, lang)
    target = f"/complaints/{rows[0].complaint.id}" if rows else "/agent/queue"
    return RedirectResponse(target, status_code=303)
