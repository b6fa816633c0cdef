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

from careloop.api.deps import TokenDep
from careloop.api.schemas import Problem, ProblemError
from careloop.domain.errors import DomainError
from careloop.http.dependencies import LoginRequired, NowDep, UowDep, actor_from

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
        add_links(schema)
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


# --- links: what a response lets the client do next (OpenAPI 3 `links`) -----------------
#
# A created or changed complaint answers with its id and version; those are exactly what
# its reads and its next lifecycle actions need (the version is the optimistic lock), and a
# work order likewise. Declaring this lets clients and stateful testers (schemathesis'
# state machine) walk create → act → read without guessing. Derived from the response
# models, so a new action that answers a complaint gets its links without an edit here.

_COMPLAINT = "/api/v1/complaints/{complaint_id}"
_WORK_ORDER = "/api/v1/work-orders/{work_order_id}"
_COMPLAINT_READS = (
    ("GetComplaint", "get", _COMPLAINT),
    ("GetEvents", "get", f"{_COMPLAINT}/events"),
    ("GetNotes", "get", f"{_COMPLAINT}/notes"),
    ("GetAttachments", "get", f"{_COMPLAINT}/attachments"),
)
_COMPLAINT_ACTIONS = (
    *(
        (action.title(), "post", f"{_COMPLAINT}/{action}")
        for action in (
            "handle",
            "dispatch",
            "pause",
            "resume",
            "reply",
            "callback",
            "archive",
            "cancel",
            "reject",
            "unmask",
        )
    ),
    ("AddNote", "post", f"{_COMPLAINT}/notes"),
    ("AddAttachment", "post", f"{_COMPLAINT}/attachments"),
    ("ReapplySla", "post", "/api/v1/sla/complaints/{complaint_id}/reapply"),
)
_WORK_ORDER_ACTIONS = (
    ("GetWorkOrder", "get", _WORK_ORDER),
    *(
        (f"{action.title()}WorkOrder", "post", f"{_WORK_ORDER}/{action}")
        for action in ("accept", "complete", "return", "transfer")
    ),
)


def _links_to(
    schema: dict[str, Any], targets: tuple[tuple[str, str, str], ...], owner: str, id_field: str
) -> dict[str, Any]:
    """Links from a response carrying `id_field` (and `version`, for an owner's own changes)."""
    links: dict[str, Any] = {}
    for name, method, path in targets:
        operation = schema.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        link: dict[str, Any] = {
            "operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + f"/{method}",
            "parameters": {f"path.{owner}": f"$response.body#/{id_field}"},
        }
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        if id_field == "id" and "version" in _properties(schema, body.get("schema")):
            link["requestBody"] = {"version": "$response.body#/version"}
        links[name] = link
    return links


def _properties(schema: dict[str, Any], node: dict[str, Any] | None) -> dict[str, Any]:
    ref = (node or {}).get("$ref", "")
    target = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else {}
    return dict(target.get("properties", {}))


def add_links(schema: dict[str, Any]) -> None:
    """Give every 2xx answer that is a complaint or a work order its onward links."""
    complaint = "#/components/schemas/ComplaintOut"
    work_order = "#/components/schemas/WorkOrderOut"
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                model = (
                    response.get("content", {}).get("application/json", {}).get("schema", {})
                ).get("$ref")
                if model == complaint:
                    links = _links_to(schema, _COMPLAINT_READS, "complaint_id", "id")
                    links |= _links_to(schema, _COMPLAINT_ACTIONS, "complaint_id", "id")
                elif model == work_order:
                    links = _links_to(schema, _WORK_ORDER_ACTIONS, "work_order_id", "id")
                    links |= _links_to(schema, _COMPLAINT_READS, "complaint_id", "complaint_id")
                else:
                    continue
                response["links"] = links
