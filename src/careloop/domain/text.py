"""The one sanitiser for free text that comes from outside (docs/security.md, "Text at intake").

Every channel that accepts free text (the API's single and bulk intake, work-order
instructions, results and reasons, notes, replies, callback comments, the CLI, CSV/XLSX
imports, the web forms) passes it through `clean_text`, so what is stored is text a person
typed, not what a paste, a spreadsheet or an attacker smuggled in:

- lone surrogates (not text at all: no encoder can write them) are refused;
- the text is NFC-normalised (one spelling for composed characters, so search and the
  repeat rule see the same string);
- control characters are removed: C0 other than line feed and tab (NUL included: PostgreSQL
  cannot store it), DEL, C1; a carriage return becomes a line break;
- invisible characters are removed: zero-width space, non-joiner and joiner (U+200B–U+200D),
  word joiner (U+2060), the byte-order mark (U+FEFF), and the bidirectional marks,
  embeddings, overrides and isolates (U+200E, U+200F, U+061C, U+202A–U+202E,
  U+2066–U+2069) that make a text read differently from what it stores;
- single-line fields (names, account numbers, references) also turn line breaks and tabs
  into spaces;
- surrounding blanks are trimmed, and the length (in characters, after cleaning) is bounded
  per field: too long is refused with the field named in the reader's words, never cut.

Removal rather than refusal: users paste from chat apps and Excel, which carry such
characters unseen; refusing would block a complaint for something its author cannot see.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from careloop.domain.errors import InvalidValue

_INVISIBLE: Final = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 except \t \n \r
    "\x7f-\x9f"  # DEL and C1
    "\u061c\u200b-\u200f\u2060\ufeff"  # ALM, zero-width, LRM/RLM, word joiner, BOM
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides, isolates
    "]"
)
_LINE_BREAKS: Final = re.compile("\r\n?|[\u2028\u2029\x85]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def clean_text(
    value: str | None,
    field: str,
    max_chars: int,
    *,
    multiline: bool = True,
    required: bool = False,
) -> str | None:
    """`value` as it may be stored: sanitised, trimmed, bounded; None when empty and optional.

    Raises InvalidValue (problem `invalid_input`, 422) by the rule `text_invalid` (lone
    surrogates), `text_required` (nothing left) or `text_too_long` (more than `max_chars`
    characters after cleaning), each naming `field` in the reader's words.
    """
    if value is None:
        value = ""
    if _SURROGATE.search(value):
        raise InvalidValue("text_invalid", field)
    cleaned = _INVISIBLE.sub("", unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", value)))
    if not multiline:
        cleaned = re.sub(r"[\n\t]+", " ", cleaned)
    cleaned = cleaned.strip()
    if not cleaned:
        if required:
            raise InvalidValue("text_required", field)
        return None
    if len(cleaned) > max_chars:
        raise InvalidValue("text_too_long", field, limit=max_chars, length=len(cleaned))
    return cleaned


def check_code(value: str | None, field: str) -> str | None:
    """A code (region, unit, channel ...) as typed: one with control or invisible characters
    names nothing, and is refused before it reaches a database (PostgreSQL cannot even
    compare a string holding NUL)."""
    if value is not None and not value.isprintable():
        raise InvalidValue("code_invalid", field)
    return value


def required_text(value: str | None, field: str, max_chars: int, *, multiline: bool = True) -> str:
    """`clean_text` for a field that must say something (a reason, a reply, a note)."""
    cleaned = clean_text(value, field, max_chars, multiline=multiline, required=True)
    assert cleaned is not None
    return cleaned
