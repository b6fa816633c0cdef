"""CareLoop's words in its two languages, kept in gettext catalogues.

Every channel (pages, API errors, reports, the CLI) takes its fixed words from here, so a
translator works on one set of ``.po`` files with the tools of the trade. Messages are
keyed (``queue.title``): ``locale/zh/LC_MESSAGES/<area>.po`` holds the Chinese, the source
language our users read first, and ``locale/en/…`` the English, one domain per area so
that an area owns its words (monolingual PO files, as Weblate and Poedit handle them).
``scripts/i18n.py`` extracts the keys the code uses, checks both languages and compiles.
"""

from careloop.i18n.catalogues import LANGUAGES, LOCALE_DIR, areas, catalogue
from careloop.i18n.formats import format_date, format_datetime, format_number, format_percent
from careloop.i18n.translator import MISSING_MARK, Translator

__all__ = [
    "LANGUAGES",
    "LOCALE_DIR",
    "MISSING_MARK",
    "Translator",
    "areas",
    "catalogue",
    "format_date",
    "format_datetime",
    "format_number",
    "format_percent",
]
