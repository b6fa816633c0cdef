"""An RFC 9457 problem+json answer, titled in the caller's language.

Shared because refusals happen before any route: the body-size limit and the same-origin
check answer API paths in the API's error format, whichever channel's middleware refuses.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from careloop.http.language import accept_language
from careloop.i18n import Translator

PROBLEM_JSON = "application/problem+json"


def titles(t: Translator) -> dict[int, str]:
    """Each status an answer of ours can carry, titled in t's language (catalogue
    ``problems``); any other status is titled ``problem.title.other``."""
    return {
        400: t("problem.title.400"),
        401: t("problem.title.401"),
        403: t("problem.title.403"),
        404: t("problem.title.404"),
        405: t("problem.title.405"),
        409: t("problem.title.409"),
        413: t("problem.title.413"),
        422: t("problem.title.422"),
        423: t("problem.title.423"),
        429: t("problem.title.429"),
        500: t("problem.title.500"),
        503: t("problem.title.503"),
    }


def title(status: int, lang: str) -> str:
    t = Translator(lang)
    return titles(t).get(status) or t("problem.title.other")


def problem(
    request: Request,
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title(status, accept_language(request)),
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
