"""Loading the catalogues: compiled ``.mo`` files where a build made them, else the ``.po``.

The wheel carries ``.mo`` files compiled at build time (``setup.py``); a checkout or an
editable install reads the ``.po`` files themselves, and a ``.mo`` older than its ``.po``
is ignored, so an edited translation is never hidden behind a stale compiled copy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final, get_args

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from careloop.domain.language import Language, normalise

LANGUAGES: Final = get_args(Language)
"""One set of catalogues per language CareLoop speaks (domain.language)."""
LOCALE_DIR: Final = Path(__file__).parent / "locale"
"""``<lang>/LC_MESSAGES/<area>.po``: the gettext layout, one domain per area."""


def areas(lang: str = "zh") -> list[str]:
    """The catalogue domains (areas) of one language, by name."""
    return sorted(path.stem for path in (LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))


def read_area(lang: str, area: str) -> Catalog:
    """One area's catalogue: the compiled file if it is up to date, else the source."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{area}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            return read_mo(compiled)
    with po.open("rb") as source:
        return read_po(source, locale=None, domain=area)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every message of one language, key → text. A key two areas define is an error, not
    a silent override: which area's words would a page get?"""
    lang = normalise(lang)
    messages: dict[str, str] = {}
    owner: dict[str, str] = {}
    for area in areas(lang):
        for message in read_area(lang, area):
            if not message.id or not isinstance(message.id, str):
                continue
            if message.id in messages:
                raise ValueError(
                    f"{area}.po defines {message.id!r}, already defined in {owner[message.id]}.po"
                )
            messages[message.id] = str(message.string or "")
            owner[message.id] = area
    return messages
