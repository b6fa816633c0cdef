"""Server-rendered pages (Jinja2 + a vendored htmx 2), served by the API's FastAPI app.

`install(app)` adds the pages, the static files and the redirect to the login page. The
pages call the same services as the API; nothing here talks to the database directly.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from careloop.http.dependencies import LoginRequired
from careloop.web.deps import WEB_DIR

HTMX_FILE = "htmx-2.0.11.min.js"
"""The one pinned htmx build (npm htmx.org 2.0.11, dist/htmx.min.js, 0BSD licence)."""


def staff_pages() -> APIRouter:
    """The staff pages of every context as one router; each form needs the page's token."""
    from careloop.web.csrf import require_csrf_token
    from careloop.web.pages import (
        accountability,
        auth,
        calendar,
        complaint_files,
        complaint_lists,
        complaints,
        csi,
        customers,
        dispatch,
        incidents,
        inspection_import,
        inspections,
        intake,
        policies,
        rectification,
        reply_templates,
        social_supervisors,
        spam,
        spam_enforcement,
        spam_report,
        supervision_board,
        surveys,
        work_orders,
    )

    router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf_token)])
    for context in (
        auth,
        intake,
        complaint_lists,
        complaints,
        work_orders,
        supervision_board,
        calendar,
    ):
        router.include_router(context.router)
    router.include_router(policies.router)
    router.include_router(incidents.router)
    router.include_router(inspection_import.router)
    router.include_router(inspections.router)
    router.include_router(rectification.router)
    router.include_router(social_supervisors.router)
    router.include_router(spam_enforcement.router)
    router.include_router(accountability.router)
    router.include_router(reply_templates.router)
    router.include_router(complaint_files.router)
    router.include_router(dispatch.router)
    router.include_router(customers.router)
    router.include_router(csi.router)
    router.include_router(surveys.router)
    router.include_router(spam_report.router)
    router.include_router(spam.router)
    return router


def install(app: FastAPI) -> None:
    from careloop.web import csrf, oidc, self_service

    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    app.include_router(staff_pages())
    app.include_router(self_service.router)
    from careloop.web.pages import survey_answer

    app.include_router(survey_answer.router)
    app.include_router(oidc.router)

    async def _login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        target = f"/login?next={quote(exc.next_path, safe='')}"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    app.add_exception_handler(LoginRequired, _login_required)
    csrf.install(app)
