"""How a page answers a form: a redirect when it worked (post/redirect/get, so the back
button and a double click are harmless), the broken rule as a banner's text when not."""

from __future__ import annotations

from fastapi.responses import RedirectResponse

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.field_labels import field_label


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def error_text(exc: DomainError, lang: str) -> str:
    """The banner: the message, prefixed by the field's name (never its code) when the
    message does not name it."""
    message = exc.message(lang)
    if not exc.field:
        return message
    name = field_label(exc.field, lang)
    if name in message or exc.field in message:
        return message
    return f"{name}: {message}" if lang.startswith("en") else f"{name}：{message}"


def whole_number(value: str, name: str) -> int:
    """A form's number field (a version, say): 422 naming the field when it is not one."""
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(name, "需要整数 / a whole number") from None
