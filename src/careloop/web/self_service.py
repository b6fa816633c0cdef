"""Customer self-service pages: phone + one-time code, then the customer's complaints with
their stage and deadline, and the callback rating (no staff login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from careloop.domain.errors import DomainError
from careloop.domain.lifecycle import tickets
from careloop.domain.privacy import mask_phone
from careloop.http.dependencies import NowDep, UowDep, client_address
from careloop.notify.adapters import Adapter
from careloop.services.access import self_service
from careloop.services.complaints import page_views
from careloop.web import views
from careloop.web.csrf import require_csrf_token
from careloop.web.deps import LangDep, render
from careloop.web.site_keys import site_key

router = APIRouter(
    include_in_schema=False, prefix="/self-service", dependencies=[Depends(require_csrf_token)]
)

CHALLENGE_COOKIE = "careloop_otp"
CUSTOMER_COOKIE = "careloop_customer"

STAGES = ("accept", "handle", "reply", "callback", "done")
_STAGE_OF_STATUS = {
    "accepted": 0,
    "in_progress": 1,
    "pending_customer": 1,
    "replied": 3,
    "closed": 4,
    "archived": 4,
    "cancelled": 4,
    "rejected": 4,
}


def _secret(request: Request) -> bytes:
    """Signs the customer's session cookie (the site's key for self-service)."""
    return site_key(request.app, "self-service")


def _sms(request: Request) -> Adapter:
    """The app's SMS adapter (tests put a capturing one on app.state), else the platform's
    configured one: the recording adapter unless CARELOOP_NOTIFY=live."""
    adapters = (
        getattr(request.app.state, "notify_adapters", None) or request.app.state.platform.adapters
    )
    return adapters["sms"]


def _page(request: Request, lang: str, status_code: int = 200, **context: object) -> Response:
    return render(request, "self_service.html", lang, None, status_code=status_code, **context)


@router.get("", response_class=HTMLResponse)
def home(request: Request, uow: UowDep, now: NowDep, lang: LangDep) -> Response:
    phone = self_service.session_phone(request.cookies.get(CUSTOMER_COOKIE), now, _secret(request))
    if phone is None:
        step = "code" if request.cookies.get(CHALLENGE_COOKIE) else "phone"
        return _page(request, lang, step=step, error=None)
    items = []
    for c in page_views.own_complaints(uow, phone):
        items.append(
            {
                "c": c,
                "status_label": tickets.COMPLAINT_LIFECYCLE.label(c.status, lang),
                "category": views.category_label(c.category, lang),
                "stage": _STAGE_OF_STATUS.get(c.status, 0),
                "can_rate": c.status == "replied",
            }
        )
    return _page(
        request,
        lang,
        step="list",
        phone=mask_phone(phone),
        items=items,
        stages=STAGES,
        error=None,
        done=request.query_params.get("done"),
    )


@router.post("/code", response_class=HTMLResponse)
def ask_code(
    request: Request,
    uow: UowDep,
    now: NowDep,
    lang: LangDep,
    phone: Annotated[str, Form()] = "",
) -> Response:
    state = request.app.state
    try:
        # Per client address first (a flood of numbers), then per number however written.
        state.otp_client_limiter.take(client_address(request), now, uow=uow)
        state.otp_phone_limiter.take(self_service.phone_limit_key(phone), now, uow=uow)
        challenge = self_service.send_code(uow, phone, now, _sms(request))
    except DomainError as exc:
        return _page(request, lang, exc.status, step="phone", error=exc.message(lang))
    response = _page(request, lang, step="code", error=None, sent=True)
    response.set_cookie(
        CHALLENGE_COOKIE,
        challenge.token,
        max_age=int(self_service.CODE_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        path="/self-service",
    )
    return response


@router.post("/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    uow: UowDep,
    now: NowDep,
    lang: LangDep,
    code: Annotated[str, Form()] = "",
) -> Response:
    try:
        request.app.state.login_limiter.take(f"otp-verify:{client_address(request)}", now, uow=uow)
        phone = self_service.verify_code(uow, request.cookies.get(CHALLENGE_COOKIE), code, now)
    except DomainError as exc:
        if exc.code != "otp_invalid":
            return _page(request, lang, exc.status, step="code", error=exc.message(lang))
        # Expired, used or out of tries: back to the phone number for a new code.
        response = _page(request, lang, exc.status, step="phone", error=exc.message(lang))
        response.delete_cookie(CHALLENGE_COOKIE, path="/self-service")
        return response
    response = RedirectResponse("/self-service", status_code=303)
    response.set_cookie(
        CUSTOMER_COOKIE,
        self_service.session_value(phone, now, _secret(request)),
        max_age=int(self_service.SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        path="/self-service",
    )
    response.delete_cookie(CHALLENGE_COOKIE, path="/self-service")
    return response


@router.post("/complaints/{complaint_id}/rate", response_class=HTMLResponse)
def rate(
    complaint_id: int,
    request: Request,
    uow: UowDep,
    now: NowDep,
    lang: LangDep,
    satisfied: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    phone = self_service.session_phone(request.cookies.get(CUSTOMER_COOKIE), now, _secret(request))
    if phone is None:
        return RedirectResponse("/self-service", status_code=303)
    try:
        self_service.rate_callback(uow, complaint_id, phone, satisfied == "1", comment or None, now)
    except DomainError as exc:
        return _page(request, lang, exc.status, step="phone", error=exc.message(lang))
    return RedirectResponse("/self-service?done=rated", status_code=303)


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/self-service", status_code=303)
    response.delete_cookie(CUSTOMER_COOKIE, path="/self-service")
    return response
