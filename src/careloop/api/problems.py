"""RFC 9457 problem+json for every error, in the caller's language (Accept-Language)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from careloop.domain.errors import DomainError

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


def language(request: Request) -> str:
    """zh unless the caller prefers English: the users work in Chinese first."""
    header = request.headers.get("accept-language", "").lower()
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh"
    return "zh"


def problem(
    request: Request,
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    lang = language(request)
    zh, en = TITLES.get(status, ("错误", "Error"))
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": en if lang == "en" else zh,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_details(raw: Sequence[Any], lang: str) -> tuple[str, list[dict[str, str]]]:
    """Pydantic's errors as (detail naming the fields, per-field errors): the request's
    422 and a bulk-intake item's error say the same thing."""
    errors = [
        {"field": _field_name(tuple(err.get("loc", ()))), "message": err.get("msg", "")}
        for err in raw
    ]
    names = ", ".join(dict.fromkeys(e["field"] for e in errors))
    detail = f"Invalid field(s): {names}" if lang == "en" else f"以下字段无效：{names}"
    return detail, errors


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        lang = language(request)
        errors = [{"field": exc.field, "message": exc.message(lang)}] if exc.field else None
        headers = (
            {"Retry-After": str(exc.params.get("retry_after", 60))}
            if exc.code == "rate_limited"
            else None
        )
        return problem(request, exc.status, exc.code, exc.message(lang), errors, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail, errors = validation_details(exc.errors(), language(request))
        return problem(request, 422, "invalid_input", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = language(request)
        zh, en = TITLES.get(exc.status_code, ("错误", "Error"))
        detail = exc.detail if isinstance(exc.detail, str) else (en if lang == "en" else zh)
        return problem(
            request,
            exc.status_code,
            f"http_{exc.status_code}",
            detail,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        lang = language(request)
        detail = (
            "The database is not reachable right now; nothing was changed, try again shortly"
            if lang == "en"
            else "数据库暂时无法访问，本次请求未做修改，请稍后重试"
        )
        return problem(request, 503, "database_unavailable", detail, headers={"Retry-After": "5"})

    @app.exception_handler(DataError)
    @app.exception_handler(StatementError)
    @app.exception_handler(OverflowError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # A value the database cannot hold (an id beyond 64 bits, a date past year 9999)
        # is the caller's mistake, not the server's: 422, never 500.
        orig = getattr(exc, "orig", None)
        if isinstance(exc, DataError | OverflowError) or isinstance(orig, OverflowError):
            lang = language(request)
            detail = (
                "A value is out of the range the database can store"
                if lang == "en"
                else "输入的数值或时间超出可存储的范围"
            )
            return problem(request, 422, "invalid_input", detail)
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never a stack trace in an answer; the log has it.
        import logging

        logging.getLogger("careloop.api").exception("unhandled error", exc_info=exc)
        lang = language(request)
        detail = (
            "An unexpected error occurred; nothing was changed by this request"
            if lang == "en"
            else "发生意外错误，本次请求未做任何修改"
        )
        return problem(request, 500, "internal_error", detail)
