"""Numbers and dates as each language writes them (Babel's CLDR data, no hand-made rules).

Chinese readers get 2026年11月28日 and 12,345.6; English ones Nov 28, 2026. Lists and
audit trails keep ``2026-11-28 16:41`` (sortable, the same in both languages, what an
auditor copies into Excel); these are for sentences, headings and figures in text.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from babel import dates, numbers

from careloop.domain.language import normalise

LOCALES: Final = {"zh": "zh_Hans_CN", "en": "en"}
"""The CLDR locale of each language CareLoop speaks."""


def locale_of(lang: str) -> str:
    return LOCALES[normalise(lang)]


def format_number(value: float, lang: str, digits: int | None = None) -> str:
    """Grouped digits; ``digits`` fixes the decimals (0: a whole number)."""
    if digits is None:
        return numbers.format_decimal(value, locale=locale_of(lang))
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=locale_of(lang))


def format_percent(value: float, lang: str, digits: int = 1) -> str:
    """A share (0.953) as a percentage (95.3%)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return numbers.format_percent(value, format=pattern, locale=locale_of(lang))


def format_date(value: date, lang: str, form: str = "long") -> str:
    """``long``: 2026年11月28日 / November 28, 2026; ``month``: 2026年11月 / November 2026."""
    if form == "month":
        return dates.format_skeleton("yMMMM", value, locale=locale_of(lang))
    return dates.format_date(value, format=form, locale=locale_of(lang))


def format_datetime(value: datetime, lang: str, tz: str | None = None) -> str:
    """A moment in a sentence, in the reader's time zone (``tz``, else as given)."""
    return dates.format_datetime(value, format="medium", tzinfo=tz, locale=locale_of(lang))
