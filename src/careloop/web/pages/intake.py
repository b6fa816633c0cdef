"""The agent's intake form (受理) with its live look-ups: categories and the caller's
earlier complaints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.categories import leaf_categories, top_categories
from careloop.domain.complaints import normalize_phone
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.intake_hints import DEFAULT_PRODUCT, product_for, products_by_category
from careloop.domain.vocabulary import CHANNELS, CUSTOMER_TIERS, PRIORITIES, PRODUCTS
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.complaints import follow_ups, intake, workbench
from careloop.services.unit_of_work import UnitOfWork
from careloop.web import views
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()


def _category_groups(lang: str, q: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """Second-level categories under their first level, filtered by a search in either
    language or by code (agents type 宽带, 'broad' or 'outage' alike)."""
    needle = q.strip().lower()
    groups = []
    for top in top_categories():
        leaves = [
            (c.code, c.label(lang))
            for c in leaf_categories()
            if c.parent == top.code
            and (
                not needle
                or any(
                    needle in s.lower()
                    for s in (c.code, c.name_zh, c.name_en, top.name_zh, top.name_en)
                )
            )
        ]
        if leaves:
            groups.append((top.label(lang), leaves))
    return groups


def _intake_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
    now: datetime | None = None,
) -> HTMLResponse:
    form = form or {}
    regions = workbench.regions_for_intake(uow, actor, lang)
    # A form shown again (a refusal) keeps the caller's history beside it, as typed.
    history = (
        _customer_history(uow, actor, now, lang, form["phone"])
        if now is not None and form.get("phone")
        else None
    )
    return render(
        request,
        "intake.html",
        lang,
        actor,
        status_code=status_code,
        form=form,
        error=error,
        idempotency_key=form.get("idempotency_key") or uuid.uuid4().hex,
        groups=_category_groups(lang),
        product_of=products_by_category(),
        history=history,
        regions=[(r.unit.code, r.unit.name, r.kind) for r in regions],
        channels=_vocab(CHANNELS, lang),
        products=_vocab(PRODUCTS, lang),
        tiers=_vocab(CUSTOMER_TIERS, lang),
        priorities=_vocab(PRIORITIES, lang),
    )


def _vocab(vocabulary: dict[str, tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    return views.choices(vocabulary, lang)


@router.get("/agent/intake", response_class=HTMLResponse)
def intake_page(request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep) -> Response:
    return _intake_page(request, uow, actor, lang)


@router.get("/agent/categories", response_class=HTMLResponse)
def category_options(request: Request, actor: WebActorDep, lang: LangDep, q: str = "") -> Response:
    """HTMX: the category picker's options narrowed by the search box."""
    return render(
        request,
        "partials/category_options.html",
        lang,
        actor,
        groups=_category_groups(lang, q),
        product_of=products_by_category(),
        selected="",
    )


@router.get("/agent/customer", response_class=HTMLResponse)
def customer_lookup(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    phone: str = "",
) -> Response:
    """HTMX: the caller's earlier complaints, with a warning when one is recent enough that
    a new complaint on the same issue counts as a repeat (重复投诉, 30 days)."""
    return render(
        request,
        "partials/customer_history.html",
        lang,
        actor,
        **_customer_history(uow, actor, now, lang, phone),
    )


def _customer_history(
    uow: UnitOfWork, actor: Actor, now: datetime, lang: str, phone: str
) -> dict[str, Any]:
    try:
        normalised = normalize_phone(phone)
    except InvalidInput:
        return {"phone": phone, "valid": False, "rows": [], "recent": [], "total": 0}
    history = workbench.customer_history(uow, actor, now, lang, normalised)
    t = Translator(lang)
    return {
        "phone": phone,
        "valid": True,
        "caller": follow_ups.caller_facts(uow, actor, lang, normalised),
        "rows": [views.row(r, t) for r in history.rows],
        "recent": [views.row(r, t) for r in history.recent],
        "total": history.total,
    }


@router.post("/agent/intake", response_class=HTMLResponse)
def submit_intake(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    phone: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    account: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "hotline",
    product: Annotated[str, Form()] = "",
    tier: Annotated[str, Form()] = "standard",
    priority: Annotated[str, Form()] = "normal",
    source_ref: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    escalated: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    """受理 from the form; the hidden idempotency key makes a double submit (or a retry after
    a dropped connection) return the complaint accepted the first time."""
    form = {k: v for k, v in locals().items() if isinstance(v, str)}
    try:
        request.app.state.intake_limiter.take(f"intake:{actor.username}", now, uow=uow)
        draft = intake.NewComplaint(
            channel=channel,
            customer_phone=phone,
            category=category,
            description=description,
            region_code=region,
            # Left to the form's "by category": what the category implies, else mobile.
            product=product or product_for(category) or DEFAULT_PRODUCT,
            customer_name=name or None,
            customer_account=account or None,
            customer_tier=tier,
            priority=priority,
            source_ref=source_ref or None,
            escalated=escalated == "1",
        )
        result = intake.accept_complaint_view(uow, draft, actor, now, idempotency_key or None, lang)
    except DomainError as exc:
        uow.rollback()
        return _intake_page(request, uow, actor, lang, form, error_text(exc, lang), exc.status, now)
    # A repeat escalated at intake (domain.repeats): the agent is told so at once.
    done = "accept_repeat" if result.complaint.is_repeat else "accept"
    return see_other(f"/complaints/{result.complaint.id}?done={done}")


def _follow_up(
    action: str,
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    lang: str,
    form: dict[str, Any],
) -> Response:
    """追加 or 催办 from the intake form: the draft is posted along (its description is the
    call's words, its channel the call's), so a refusal shows the form as it was."""
    try:
        complaint_id = whole_number(form.get("follow_up_of", ""), "follow_up_of", lang)
        if action == "add_call":
            follow_ups.add_call(
                uow,
                complaint_id,
                actor,
                now,
                form.get("description", ""),
                form.get("channel") or "hotline",
                form.get("idempotency_key") or None,
            )
        else:
            follow_ups.chase(
                uow,
                complaint_id,
                actor,
                now,
                form.get("description") or None,
                form.get("idempotency_key") or None,
            )
    except DomainError as exc:
        uow.rollback()
        return _intake_page(request, uow, actor, lang, form, error_text(exc, lang), exc.status, now)
    return see_other(f"/complaints/{complaint_id}?done={action}")


@router.post("/agent/intake/add-call", response_class=HTMLResponse)
def add_call(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    follow_up_of: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    account: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "hotline",
    product: Annotated[str, Form()] = "",
    tier: Annotated[str, Form()] = "standard",
    priority: Annotated[str, Form()] = "normal",
    source_ref: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    escalated: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    """追加: this call goes on the caller's open complaint instead of opening a new one."""
    form = {k: v for k, v in locals().items() if isinstance(v, str)}
    return _follow_up("add_call", request, uow, actor, now, lang, form)


@router.post("/agent/intake/chase", response_class=HTMLResponse)
def chase(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    follow_up_of: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    account: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "hotline",
    product: Annotated[str, Form()] = "",
    tier: Annotated[str, Form()] = "standard",
    priority: Annotated[str, Form()] = "normal",
    source_ref: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    escalated: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    """催办: the owner and the units holding the open complaint are told the caller waits."""
    form = {k: v for k, v in locals().items() if isinstance(v, str)}
    return _follow_up("chase", request, uow, actor, now, lang, form)
