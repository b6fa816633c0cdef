"""The OpenAPI document and the API explorer, for staff only; errors documented as they are.

Every error is documented as RFC 9457 problem+json, as it really is. The document and the
explorer are a map of the whole API surface, so they need a login like the API itself (a
bearer token or the web's session cookie; the explorer sends a browser without a session to
the login page) unless ``CARELOOP_PUBLIC_API_DOCS=1`` exposes them. The explorer is Swagger
UI from the pinned ``swagger-ui-bundle-v2`` package, served from our own files (no CDN:
works offline and under the strict Content-Security-Policy's ``script-src 'self'``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from careloop.api.deps import NowDep, TokenDep, UowDep, actor_from
from careloop.api.schemas import Problem, ProblemError

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_ERRORS = {
    "401": "Unknown or unauthenticated caller",
    "403": "The caller's role may not do this",
    "404": "Not found (or outside the caller's organisation scope)",
    "409": "Conflict: illegal transition, stale version or idempotency mismatch",
    "413": "Request body too large",
    "422": "Invalid input; `errors` names each field",
    "503": "Database unavailable; nothing was changed",
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        components["ProblemError"] = ProblemError.model_json_schema()
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        problem.pop("$defs", None)
        components["Problem"] = problem
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                for status, description in _ERRORS.items():
                    responses[status] = {
                        "description": description,
                        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    _install_routes(app)


EXPLORER_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>CareLoop API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="/openapi.json"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/api-explorer.js"></script>
</body>
</html>
"""


def _staff_only(request: Request, uow: UowDep, now: NowDep, token: TokenDep) -> None:
    if not request.app.state.settings.public_api_docs:
        actor_from(uow, token, now)  # 401 problem+json without a valid token


def _staff_page(request: Request, uow: UowDep, now: NowDep, token: TokenDep) -> None:
    if request.app.state.settings.public_api_docs:
        return
    from careloop.domain.errors import DomainError
    from careloop.web.deps import LoginRequired

    try:
        actor_from(uow, token, now)
    except DomainError:
        raise LoginRequired(request.url.path) from None


def _install_routes(app: FastAPI) -> None:
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="api-explorer")

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document(_: Annotated[None, Depends(_staff_only)]) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def api_explorer(_: Annotated[None, Depends(_staff_page)]) -> HTMLResponse:
        return HTMLResponse(EXPLORER_PAGE)
