"""A language's messages as one callable: ``t("queue.title")``, ``t("x.y", n=3)``."""

from __future__ import annotations

from typing import Any, Final

from careloop.domain.language import normalise
from careloop.i18n.catalogues import catalogue
from careloop.i18n.formats import format_date, format_datetime, format_number, format_percent

MISSING_MARK: Final = "⟦"
"""A key nobody translated renders as ``⟦key⟧``: visible on the page, caught by the tests,
never a crash in front of a customer."""


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = normalise(lang)
        self._messages = catalogue(self.lang)

    def __call__(self, key: str, **params: Any) -> str:
        template = self._messages.get(key)
        if not template:
            return f"{MISSING_MARK}{key}⟧"
        return template.format(**params) if params else template

    def get(self, key: str, default: str) -> str:
        """For keys built from data other modules own (event actions): the code itself
        when nobody has translated a new one yet, never the missing-key mark."""
        return self._messages.get(key) or default

    def number(self, value: float, digits: int | None = None) -> str:
        return format_number(value, self.lang, digits)

    def percent(self, value: float, digits: int = 1) -> str:
        return format_percent(value, self.lang, digits)

    def date(self, value: Any) -> str:
        return format_date(value, self.lang)

    def datetime(self, value: Any) -> str:
        return format_datetime(value, self.lang)
