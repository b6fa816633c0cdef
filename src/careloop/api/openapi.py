"""OpenAPI tweaks: every error is documented as RFC 9457 problem+json, as it really is."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

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
