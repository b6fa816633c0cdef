"""An RFC 9457 problem+json answer, titled in the caller's language.

Shared because refusals happen before any route: the body-size limit and the same-origin
check answer API paths in the API's error format, whichever channel's middleware refuses.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from careloop.http.language import accept_language

PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: ("请求有误", "Bad request"),
    401: ("未识别身份", "Not identified"),
    403: ("无权操作", "Forbidden"),
    404: ("未找到", "Not found"),
    405: ("不支持的方法", "Method not allowed"),
    409: ("冲突", "Conflict"),
    413: ("请求过大", "Request too large"),
    422: ("输入无效", "Invalid input"),
    423: ("账号已锁定", "Locked"),
    429: ("请求过于频繁", "Too many requests"),
    500: ("服务器内部错误", "Internal server error"),
    503: ("服务暂不可用", "Service unavailable"),
}


def title(status: int, lang: str) -> str:
    zh, en = TITLES.get(status, ("错误", "Error"))
    return en if lang == "en" else zh


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
