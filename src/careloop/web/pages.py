"""Staff pages: login, agent intake and queue, complaint page, unit queue, supervisor board.

Every page calls the same services as the API (never the store), and every change goes
through the lifecycle's named transitions; a broken rule comes back as a readable banner
on the same page (DESIGN.md: errors → the web's banner). Forms are plain HTML posts that
answer with a redirect (post/redirect/get), so the back button and a double click are
harmless; HTMX only adds the live look-ups on the intake form.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from careloop.domain import time_bounds
from careloop.domain.categories import leaf_categories, top_categories
from careloop.domain.complaints import normalize_phone
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.lifecycle import tickets
from careloop.domain.lifecycle.tickets import OPEN_STATUSES
from careloop.domain.permissions import has_permission
from careloop.domain.vocabulary import CHANNELS, CUSTOMER_TIERS, PRIORITIES, PRODUCTS, ROLES
from careloop.services.access import auth
from careloop.services.access.actors import Actor
from careloop.services.complaints import intake, lifecycle, queries, work_orders, workbench
from careloop.services.unit_of_work import UnitOfWork
from careloop.web import charts, views
from careloop.web.csrf import require_csrf_token
from careloop.web.deps import (
    LANG_COOKIE,
    SESSION_COOKIE,
    LangDep,
    NowDep,
    UowDep,
    WebActorDep,
    render,
    safe_next,
    set_session_cookie,
)
from careloop.web.i18n import LANGUAGES, Translator

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf_token)])

FRONT_ROLES = frozenset({"agent"})
UNIT_ROLES = frozenset({"handler", "unit_lead"})
BOARD_ROLES = frozenset({"supervisor", "admin", "inspector"})
LIST_PAGE = 50


def home_for(actor: Actor) -> str:
    if actor.role in FRONT_ROLES:
        return "/agent/queue"
    if actor.role in UNIT_ROLES:
        return "/unit/queue"
    return "/supervisor"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- language, login --------------------------------------------------------------------


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    response = see_other(safe_next(next))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def root(request: Request, uow: UowDep, now: NowDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            return see_other(home_for(auth.actor_for_token(uow, token, now)))
        except DomainError:
            pass
    return see_other("/login")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, lang: LangDep, next: str | None = None) -> Response:
    return render(request, "login.html", lang, next=safe_next(next, ""), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    uow: UowDep,
    now: NowDep,
    lang: LangDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        client = request.client.host if request.client else "unknown"
        request.app.state.login_limiter.take(f"ip:{client}", now, uow=uow)
        token = auth.login(uow, username.strip(), password, now, client)
        actor = auth.actor_for_token(uow, token, now)
    except DomainError as exc:
        return render(
            request,
            "login.html",
            lang,
            status_code=exc.status,
            next=safe_next(next, ""),
            error=exc.message(lang),
            username=username,
        )
    response = see_other(safe_next(next, home_for(actor)))
    set_session_cookie(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, uow: UowDep, now: NowDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.logout(uow, token, now)
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- agent: intake ------------------------------------------------------------------------


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
) -> HTMLResponse:
    form = form or {}
    regions = workbench.regions_for_intake(uow, actor)
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
        regions=[(u.code, u.name(lang), u.kind) for u in regions],
        channels=_vocab(CHANNELS, lang),
        products=_vocab(PRODUCTS, lang),
        tiers=_vocab(CUSTOMER_TIERS, lang),
        priorities=_vocab(PRIORITIES, lang),
    )


def _vocab(vocabulary: dict[str, tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    return [(code, en if lang == "en" else zh) for code, (zh, en) in vocabulary.items()]


def _require(actor: Actor, roles: frozenset[str], action: str) -> None:
    if actor.role not in roles:
        raise DomainError("role_not_allowed", role=actor.role, action=action)


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
    history = workbench.customer_history(uow, actor, now, normalised)
    t = Translator(lang)
    return {
        "phone": phone,
        "valid": True,
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
    product: Annotated[str, Form()] = "mobile",
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
            product=product,
            customer_name=name or None,
            customer_account=account or None,
            customer_tier=tier,
            priority=priority,
            source_ref=source_ref or None,
            escalated=escalated == "1",
        )
        result = intake.accept_complaint(uow, draft, actor, now, idempotency_key or None)
    except DomainError as exc:
        uow.rollback()
        return _intake_page(
            request, uow, actor, lang, form, _error_text(exc, lang), status_code=exc.status
        )
    return see_other(f"/complaints/{result.complaint.id}?done=accept")


def _error_text(exc: DomainError, lang: str) -> str:
    message = exc.message(lang)
    return f"{exc.field}: {message}" if exc.field and exc.field not in message else message


# --- agent: my queue -------------------------------------------------------------------


@router.get("/agent/queue", response_class=HTMLResponse)
def my_queue(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    t = Translator(lang)
    rows = [views.row(r, t) for r in workbench.my_queue(uow, actor, now)]
    return render(request, "queue.html", lang, actor, rows=rows)


# --- complaint list (every dashboard number drills down here) ---------------------------


def _filter_from(params: dict[str, str]) -> queries.ComplaintFilter:
    statuses = [s for s in params.get("status", "").split(",") if s]
    if params.get("open") == "1":
        statuses = sorted(s.value for s in OPEN_STATUSES)

    def flag(name: str) -> bool | None:
        value = params.get(name)
        return None if value in (None, "") else value == "1"

    def moment(name: str) -> datetime | None:
        value = params.get(name)
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(name, "ISO 8601") from None
        return time_bounds.instant(name, parsed)  # the one rule for outside times

    return queries.ComplaintFilter(
        status=statuses,
        category=params.get("category") or None,
        unit=params.get("unit") or None,
        region=params.get("region") or None,
        channel=params.get("channel") or None,
        escalated=flag("escalated"),
        repeat=flag("repeat"),
        text=params.get("q") or None,
        sla=params.get("sla") or None,
        created_from=moment("created_from"),
        created_to=moment("created_to"),
    )


@router.get("/complaints", response_class=HTMLResponse)
def complaint_list(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    params = dict(request.query_params)
    params.pop("lang", None)
    try:
        page_no = max(1, int(params.pop("page", "1") or 1))
    except ValueError:
        page_no = 1
    t = Translator(lang)
    error = None
    try:
        found = workbench.complaint_list(
            uow, _filter_from(params), LIST_PAGE, (page_no - 1) * LIST_PAGE, actor, now
        )
        rows, total, capped = [views.row(r, t) for r in found.rows], found.total, found.total_capped
    except DomainError as exc:
        rows, total, capped, error = [], 0, False, _error_text(exc, lang)
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return render(
        request,
        "complaint_list.html",
        lang,
        actor,
        rows=rows,
        total=total,
        total_text=t("list.total_capped" if capped else "list.total", n=_grouped(total)),
        filters=_describe_filters(params, lang),
        page=page_no,
        pages=max(1, -(-total // LIST_PAGE)),
        query=query,
        error=error,
    )


def _grouped(n: int) -> str:
    """10000 → "10 000" (digit groups by a space, as both catalogues write numbers)."""
    return f"{n:,}".replace(",", " ")


def _describe_filters(params: dict[str, str], lang: str) -> list[tuple[str, str]]:
    t = Translator(lang)
    shown = []
    for key, value in params.items():
        if not value:
            continue
        if key == "category":
            value = views.category_label(value, lang)
        elif key == "sla":
            value = t.get(f"clock.state.{value}", value)
        elif key in ("open", "escalated", "repeat"):
            value = t("common.yes") if value == "1" else t("common.no")
        shown.append((t.get(f"filter.{key}", key), value))
    return shown


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
) -> HTMLResponse:
    t = Translator(lang)
    c = workbench.complaint_page(uow, complaint_id, actor, now)
    unmasked = c.row.customer.unmasked
    by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for order in c.work_orders:
        by_unit[order.unit.name(lang)].append(
            {
                "order": order,
                "status_label": views.work_order_status_label(order.status, lang),
                "clock": views.clock_of(order.clock, t),
            }
        )
    allowed = [
        tr for tr in tickets.allowed_transitions(c.row.status, actor.role) if tr.name != "attach"
    ]
    seq_of = {order.id: order.seq for order in c.work_orders}
    clock_rows = [
        {
            "name": t(f"clock.name.{k.name}"),
            "clock": views.clock_of(k, t),
            # Staff know a work order by its number within the complaint (#1, #2), as listed.
            "work_order_seq": seq_of.get(k.work_order_id) if k.work_order_id else None,
        }
        for k in c.clocks
    ]
    return render(
        request,
        "complaint.html",
        lang,
        actor,
        status_code=status_code,
        c=c,
        row=views.row(c.row, t),
        customer=c.row.customer,
        description=c.row.description,
        reply_text=c.reply_text,
        channel=views.channel_label(c.channel, lang),
        owner_unit=c.owner_unit.name(lang),
        clock_rows=clock_rows,
        policy=c.policy,
        work_orders_by_unit=dict(by_unit),
        timeline=c.timeline,
        notes=c.notes,
        allowed=allowed,
        units=[(u.code, u.name(lang)) for u in workbench.dispatch_targets(uow)]
        if any(tr.name == "dispatch" for tr in allowed)
        else [],
        error=error,
        done=request.query_params.get("done"),
        can_unmask=has_permission("personal_data.unmask", actor.role) and not unmasked,
        role_label=lambda role: ROLES.get(role, (role, role))[1 if lang == "en" else 0],
    )


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


def _int(form: dict[str, Any], name: str) -> int:
    try:
        return int(form.get(name, ""))
    except (TypeError, ValueError):
        raise InvalidInput(name, "需要整数 / a whole number") from None


def _complaint_action(
    name: str, uow: UnitOfWork, cid: int, actor: Actor, now: datetime, form: dict[str, Any]
) -> None:
    version = _int(form, "version") if name != "note" else 0
    text = form.get("text", "")
    actions: dict[str, Callable[[], object]] = {
        "handle": lambda: lifecycle.handle(uow, cid, actor, version, now),
        "pause": lambda: lifecycle.pause(uow, cid, actor, version, now, text),
        "resume": lambda: lifecycle.resume(uow, cid, actor, version, now),
        "reply": lambda: lifecycle.reply(uow, cid, actor, version, now, text),
        "callback_satisfied": lambda: lifecycle.callback(uow, cid, actor, version, now, True, text),
        "reopen": lambda: lifecycle.callback(uow, cid, actor, version, now, False, text),
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
) -> Response:
    form = {"version": version, "text": text, "into": into, "unit": unit, "due_hours": due_hours}
    try:
        _complaint_action(name, uow, complaint_id, actor, now, form)
    except (DomainError, ValueError) as exc:
        uow.rollback()
        err = exc if isinstance(exc, DomainError) else InvalidInput("form", str(exc))
        try:
            return _complaint_page(
                request, uow, actor, now, lang, complaint_id, _error_text(err, lang), err.status
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


# --- back office: the unit's work orders ------------------------------------------------


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
            "order": task.order,
            "row": views.row(task.complaint, t),
            "unit": task.order.unit.name(lang),
            "status_label": views.work_order_status_label(task.order.status, lang),
            "clock": views.clock_of(task.order.clock, t),
            "actions": [
                n
                for n, tr in tickets.WORK_ORDER_TRANSITIONS.items()
                if task.order.status in tr.sources and actor.role in tr.roles and n != "transfer"
            ],
        }
        for task in workbench.unit_queue(uow, actor, now)
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
    form = {"version": version, "text": text}
    try:
        version = _int(form, "version")
        text = form.get("text", "")
        if name == "accept":
            work_orders.accept(uow, work_order_id, actor, version, now)
        elif name == "complete":
            work_orders.complete(uow, work_order_id, actor, version, now, text)
        elif name == "return":
            work_orders.return_to_owner(uow, work_order_id, actor, version, now, text)
        else:
            raise DomainError("not_found", what="action", ident=name)
    except DomainError as exc:
        uow.rollback()
        return _unit_page(request, uow, actor, now, lang, _error_text(exc, lang), exc.status)
    return see_other(f"/unit/queue?done={name}")


# --- supervisor ---------------------------------------------------------------------------


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    t = Translator(lang)
    board = workbench.dashboard(uow, actor, now, tz=request.app.state.settings.timezone)
    regions = sorted(board.by_region.items(), key=lambda kv: -kv[1].open)
    categories = sorted(board.by_category.items(), key=lambda kv: -kv[1].open)
    tz = request.app.state.settings.timezone
    return render(
        request,
        "supervisor.html",
        lang,
        actor,
        board=board,
        regions=[(code, views.unit_name(board.units.get(code), lang), n) for code, n in regions],
        categories=[(code, views.category_label(code, lang), n) for code, n in categories],
        escalated=[views.row(r, t) for r in board.escalated],
        chart=charts.trend_svg(board.trend, t, tz),
        trend_total=sum(d.accepted for d in board.trend),
        trend_from=(now - timedelta(days=90)).isoformat(),
        can_report=has_permission("report.read", actor.role),
        yesterday=(now.astimezone(ZoneInfo(tz)) - timedelta(days=1)).date().isoformat(),
    )
