"""RFC 9457 problem+json for every error, in the caller's language (Accept-Language)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from careloop.domain.errors import DomainError
from careloop.domain.field_labels import field_label
from careloop.http.language import accept_language
from careloop.http.problems import problem, title
from careloop.i18n import Translator
from careloop.services import database_errors


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _reasons(t: Translator) -> dict[str, str]:
    """Pydantic's error types → the reason people read, in t's language (catalogue
    ``problems``); ``{names}`` are filled from the error's ctx (its limits)."""
    whole_number = t("problem.reason.whole_number")
    number = t("problem.reason.number")
    boolean = t("problem.reason.boolean")
    a_time = t("problem.reason.datetime")
    a_date = t("problem.reason.date")
    one_of = t("problem.reason.one_of")
    json = t("problem.reason.json")
    an_object = t("problem.reason.object")
    return {
        "missing": t("problem.reason.required"),
        "string_too_short": t("problem.reason.min_chars"),
        "string_too_long": t("problem.reason.max_chars"),
        "too_short": t("problem.reason.min_items"),
        "too_long": t("problem.reason.max_items"),
        "string_type": t("problem.reason.text"),
        "int_parsing": whole_number,
        "int_type": whole_number,
        "int_from_float": whole_number,
        "float_parsing": number,
        "float_type": number,
        "bool_parsing": boolean,
        "bool_type": boolean,
        "datetime_parsing": a_time,
        "datetime_from_date_parsing": a_time,
        "datetime_type": a_time,
        "timezone_aware": t("problem.reason.timezone"),
        "date_parsing": a_date,
        "date_from_datetime_parsing": a_date,
        "date_type": a_date,
        "literal_error": one_of,
        "enum": one_of,
        "greater_than": t("problem.reason.greater_than"),
        "greater_than_equal": t("problem.reason.at_least"),
        "less_than": t("problem.reason.less_than"),
        "less_than_equal": t("problem.reason.at_most"),
        "string_pattern_mismatch": t("problem.reason.pattern"),
        "json_invalid": json,
        "json_type": json,
        "model_attributes_type": an_object,
        "model_type": an_object,
        "dict_type": an_object,
        "list_type": t("problem.reason.list"),
        "extra_forbidden": t("problem.reason.extra_field"),
    }


def _ctx_value(value: Any, t: Translator) -> str:
    """A limit as people write it: 5000, not 5000.0; "'a' 或 'b'" in Chinese."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("' or '", f"' {t('problem.validation.or')} '")


def validation_reason(err: Mapping[str, Any], lang: str) -> str:
    """Why pydantic refused a value, in the reader's language, its limits filled in."""
    t = Translator(lang)
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and ctx.get("error") is not None:
        # Our own validators' words (already written for people), not pydantic's prefix.
        return str(ctx["error"])
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        template = t("problem.reason.not_empty")
    elif kind == "too_long" and ctx.get("max_length") == 1:
        template = t("problem.reason.one_item")
    else:
        template = _reasons(t).get(kind) or t("problem.reason.invalid")
    try:
        return template.format(**{k: _ctx_value(v, t) for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return t("problem.reason.invalid")


def _sentence_start(label: str, lang: str) -> str:
    """English capitalises the first word of a message; Chinese has no letter case, and
    a label there may be a field's words in Latin letters, shown as they are."""
    return label[:1].upper() + label[1:] if lang == "en" else label


def validation_details(raw: Sequence[Any], lang: str) -> tuple[str, list[dict[str, str]]]:
    """Pydantic's errors as (a detail a person reads, per-field errors): the request's 422
    and a bulk-intake item's error say the same thing. Fields are named by their labels,
    never by their codes (the project's rule for 4xx answers); `errors[].field` keeps the
    code, which clients branch on."""
    t = Translator(lang)
    errors: list[dict[str, str]] = []
    parts: list[str] = []
    for err in raw:
        # A body that is not JSON at all is located at a character offset, not a field.
        loc = ("body",) if err.get("type") == "json_invalid" else tuple(err.get("loc", ()))
        field = _field_name(loc)
        label = field_label(field, t.lang)
        reason = validation_reason(err, t.lang)
        # The caller's own key (a field we do not accept) is shown exactly as they sent it.
        own_key = err.get("type") == "extra_forbidden"
        shown = label if own_key else _sentence_start(label, t.lang)
        errors.append(
            {"field": field, "message": t("problem.validation.field", label=shown, reason=reason)}
        )
        parts.append(t("problem.validation.part", label=label, reason=reason))
    unique = list(dict.fromkeys(parts))
    detail = t("problem.validation.check", items=t("problem.validation.separator").join(unique))
    return detail, errors


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

    # Failures that carry no message of their own answer one fixed sentence.
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        t = Translator(accept_language(request))
        return problem(
            request,
            503,
            "database_unavailable",
            t("problem.detail.database_unavailable"),
            headers={"Retry-After": "5"},
        )

    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        if database_errors.is_out_of_range(exc):
            t = Translator(accept_language(request))
            return problem(request, 422, "invalid_input", t("problem.detail.out_of_range"))
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never a stack trace in an answer; the log has it.
        import logging

        logging.getLogger("careloop.api").exception("unhandled error", exc_info=exc)
        t = Translator(accept_language(request))
        return problem(request, 500, "internal_error", t("problem.detail.unexpected"))

    for failure in database_errors.UNAVAILABLE:
        app.add_exception_handler(failure, _database_down)
    for failure in (*database_errors.REFUSED_VALUE, OverflowError):
        app.add_exception_handler(failure, _out_of_range)
