"""How a page answers a form: a redirect when it worked (post/redirect/get, so the back
button and a double click are harmless), the broken rule as a banner's text when not."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import RedirectResponse

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.field_labels import field_label
from careloop.i18n import Translator


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
    t = Translator(lang)
    return t("common.field_message", name=name, message=message)


def in_both(say: Callable[[Translator], str]) -> tuple[str, str]:
    """A refusal in Chinese and in English, for the errors that carry both: ``say`` words
    it with one language's translator (``lambda t: t("area.key")``, a literal key that the
    catalogue check finds)."""
    return say(Translator("zh")), say(Translator("en"))


def whole_number(value: str, name: str, lang: str) -> int:
    """A form's number field (a version, say): 422 naming the field when it is not one,
    in the words of the page that will show the refusal."""
    try:
        return int(value)
    except ValueError:
        t = Translator(lang)
        raise InvalidInput(name, t("common.whole_number")) from None
