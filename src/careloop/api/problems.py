"""RFC 9457 problem+json for every error, in the caller's language (Accept-Language)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from careloop.domain.errors import DomainError
from careloop.domain.field_labels import field_label
from careloop.http.language import accept_language
from careloop.http.problems import problem, title
from careloop.services import database_errors


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


# pydantic error type -> (zh, en) reason; {names} are filled from the error's ctx (limits).
_REASONS: dict[str, tuple[str, str]] = {
    "missing": ("必填", "required"),
    "string_too_short": ("至少 {min_length} 字", "at least {min_length} characters"),
    "string_too_long": ("最多 {max_length} 字", "at most {max_length} characters"),
    "too_short": ("至少 {min_length} 项", "at least {min_length} items"),
    "too_long": ("最多 {max_length} 项", "at most {max_length} items"),
    "string_type": ("应为文字", "must be text"),
    "int_parsing": ("应为整数", "must be a whole number"),
    "int_type": ("应为整数", "must be a whole number"),
    "int_from_float": ("应为整数", "must be a whole number"),
    "float_parsing": ("应为数字", "must be a number"),
    "float_type": ("应为数字", "must be a number"),
    "bool_parsing": ("应为 true 或 false", "must be true or false"),
    "bool_type": ("应为 true 或 false", "must be true or false"),
    "datetime_parsing": (
        "应为时间，例如 2026-09-28T10:00+08:00",
        "must be a time such as 2026-09-28T10:00+08:00",
    ),
    "datetime_from_date_parsing": (
        "应为时间，例如 2026-09-28T10:00+08:00",
        "must be a time such as 2026-09-28T10:00+08:00",
    ),
    "datetime_type": (
        "应为时间，例如 2026-09-28T10:00+08:00",
        "must be a time such as 2026-09-28T10:00+08:00",
    ),
    "timezone_aware": (
        "需要带时区，例如 2026-09-28T10:00+08:00",
        "needs a time-zone offset, e.g. 2026-09-28T10:00+08:00",
    ),
    "date_parsing": ("应为日期，例如 2026-09-28", "must be a date such as 2026-09-28"),
    "date_from_datetime_parsing": (
        "应为日期，例如 2026-09-28",
        "must be a date such as 2026-09-28",
    ),
    "date_type": ("应为日期，例如 2026-09-28", "must be a date such as 2026-09-28"),
    "literal_error": ("可选：{expected}", "one of: {expected}"),
    "enum": ("可选：{expected}", "one of: {expected}"),
    "greater_than": ("应大于 {gt}", "must be greater than {gt}"),
    "greater_than_equal": ("不能小于 {ge}", "at least {ge}"),
    "less_than": ("应小于 {lt}", "must be less than {lt}"),
    "less_than_equal": ("不能大于 {le}", "at most {le}"),
    "string_pattern_mismatch": ("格式不正确", "not in the expected format"),
    "json_invalid": ("不是有效的 JSON", "not valid JSON"),
    "json_type": ("不是有效的 JSON", "not valid JSON"),
    "model_attributes_type": ("应为对象（键值对）", "must be an object with fields"),
    "model_type": ("应为对象（键值对）", "must be an object with fields"),
    "dict_type": ("应为对象（键值对）", "must be an object with fields"),
    "list_type": ("应为列表", "must be a list"),
    "extra_forbidden": ("不是可接受的字段", "not an accepted field"),
}
_UNKNOWN_REASON = ("取值无效", "not a valid value")


def _ctx_value(value: Any, lang: str) -> str:
    """A limit as people write it: 5000, not 5000.0; "'a' 或 'b'" in Chinese."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text.replace("' or '", "' 或 '") if lang == "zh" else text


def validation_reason(err: Mapping[str, Any], lang: str) -> str:
    """Why pydantic refused a value, in the reader's language, its limits filled in."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and ctx.get("error") is not None:
        # Our own validators' words (already written for people), not pydantic's prefix.
        return str(ctx["error"])
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        zh, en = ("不能为空", "must not be empty")
    elif kind == "too_long" and ctx.get("max_length") == 1:
        zh, en = ("最多 1 项", "at most 1 item")
    else:
        zh, en = _REASONS.get(kind, _UNKNOWN_REASON)
    template = en if lang == "en" else zh
    try:
        return template.format(**{k: _ctx_value(v, lang) for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return _UNKNOWN_REASON[1] if lang == "en" else _UNKNOWN_REASON[0]


def validation_details(raw: Sequence[Any], lang: str) -> tuple[str, list[dict[str, str]]]:
    """Pydantic's errors as (a detail a person reads, per-field errors): the request's 422
    and a bulk-intake item's error say the same thing. Fields are named by their labels,
    never by their codes (the project's rule for 4xx answers); `errors[].field` keeps the
    code, which clients branch on."""
    lang = "en" if lang.startswith("en") else "zh"
    errors: list[dict[str, str]] = []
    parts: list[str] = []
    for err in raw:
        # A body that is not JSON at all is located at a character offset, not a field.
        loc = ("body",) if err.get("type") == "json_invalid" else tuple(err.get("loc", ()))
        field = _field_name(loc)
        label = field_label(field, lang)
        reason = validation_reason(err, lang)
        if lang == "en":
            # Capitalised at the start of the message, unless it is the caller's own key.
            own_key = err.get("type") == "extra_forbidden"
            shown = label if own_key else label[:1].upper() + label[1:]
            errors.append({"field": field, "message": f"{shown}: {reason}"})
            parts.append(f"{label} ({reason})")
        else:
            errors.append({"field": field, "message": f"{label}：{reason}"})
            parts.append(f"{label}（{reason}）")
    unique = list(dict.fromkeys(parts))
    detail = (
        "Please check: " + "; ".join(unique) if lang == "en" else "请检查：" + "；".join(unique)
    )
    return detail, errors


# Fixed answers (zh, en) to failures that carry no message of their own.
_DATABASE_DOWN: Final = (
    "数据库暂时无法访问，本次请求未做修改，请稍后重试",
    "The database is not reachable right now; nothing was changed, try again shortly",
)
_OUT_OF_RANGE: Final = (
    "输入的数值或时间超出可存储的范围",
    "A value is out of the range the database can store",
)
_UNEXPECTED: Final = (
    "发生意外错误，本次请求未做任何修改",
    "An unexpected error occurred; nothing was changed by this request",
)


def _fixed_problem(
    request: Request,
    status: int,
    code: str,
    detail: tuple[str, str],
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem whose detail is one fixed sentence, in the caller's language."""
    zh, en = detail
    return problem(
        request, status, code, en if accept_language(request) == "en" else zh, headers=headers
    )


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        lang = accept_language(request)
        errors = [{"field": exc.field, "message": exc.message(lang)}] if exc.field else None
        headers = (
            {"Retry-After": str(exc.params.get("retry_after", 60))}
            if exc.code == "rate_limited"
            else None
        )
        return problem(request, exc.status, exc.code, exc.message(lang), errors, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail, errors = validation_details(exc.errors(), accept_language(request))
        return problem(request, 422, "invalid_input", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = accept_language(request)
        # The framework's own details ("Not Found", "Method Not Allowed") are English
        # reason phrases, not sentences for people: the status's title in their language.
        own = isinstance(exc.detail, str) and exc.detail != _reason_phrase(exc.status_code)
        detail = exc.detail if own else title(exc.status_code, lang)
        return problem(
            request,
            exc.status_code,
            f"http_{exc.status_code}",
            detail,
            headers=getattr(exc, "headers", None),
        )

    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        return _fixed_problem(
            request, 503, "database_unavailable", _DATABASE_DOWN, headers={"Retry-After": "5"}
        )

    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        if database_errors.is_out_of_range(exc):
            return _fixed_problem(request, 422, "invalid_input", _OUT_OF_RANGE)
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never a stack trace in an answer; the log has it.
        import logging

        logging.getLogger("careloop.api").exception("unhandled error", exc_info=exc)
        return _fixed_problem(request, 500, "internal_error", _UNEXPECTED)

    for failure in database_errors.UNAVAILABLE:
        app.add_exception_handler(failure, _database_down)
    for failure in (*database_errors.REFUSED_VALUE, OverflowError):
        app.add_exception_handler(failure, _out_of_range)
