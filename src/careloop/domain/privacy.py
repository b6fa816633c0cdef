"""Who may see a customer's personal data unmasked (DESIGN.md: masked for roles without need).

Need to know, per role (docs/security.md has the table for operators):

- staff who must call or visit the customer see the data of the complaints they are
  *involved in*: they (or their unit's subtree) own it, or hold one of its work orders;
  agents call back (回访) the complaints their hotline accepted, handlers visit for repairs;
- quality supervisors and administrators see it everywhere in their scope: escalated
  complaints (越级) are watched one by one at province level;
- the regulator's inspector always reads it masked and cannot unmask: the appeal centre has
  its own copy of the customer's details.

Anyone else who needs a full number asks for it one complaint at a time (the unmask action),
which appends an event to that complaint's audit trail. Bulk exports and unmasked reports
follow `EXPORT_UNMASKED` and are recorded as security events.

Every output (API answers, pages, exports, reports in every format, logs) turns a personal
value into what its reader may see with one function, `shown`; the rules above decide the
`unmasked` it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Literal

from careloop.domain.complaints import mask_phone

__all__ = [
    "ALWAYS_UNMASKED",
    "EXPORT_UNMASKED",
    "INVOLVED_UNMASKED",
    "UNMASKED_ROLES",
    "UNMASK_ROLES",
    "PersonalKind",
    "mask_account",
    "mask_name",
    "mask_phone",
    "mask_text",
    "may_export_personal_data",
    "may_search_personal_data",
    "may_see_personal_data",
    "may_unmask",
    "shown",
]

ALWAYS_UNMASKED: Final[frozenset[str]] = frozenset({"supervisor", "admin"})
"""Province-level quality staff: see personal data of every complaint in their scope."""

INVOLVED_UNMASKED: Final[frozenset[str]] = frozenset({"agent", "handler", "unit_lead"})
"""Front and back office: see it only on complaints they own or work on."""

UNMASKED_ROLES: Final[frozenset[str]] = ALWAYS_UNMASKED | INVOLVED_UNMASKED
"""Roles that may ever see personal data unmasked in a view (the inspector never does)."""

UNMASK_ROLES: Final[frozenset[str]] = UNMASKED_ROLES
"""Roles that may unmask one complaint on demand, with an audit event."""

EXPORT_UNMASKED: Final[frozenset[str]] = frozenset({"supervisor", "admin"})
"""Bulk exports carry full numbers only for the province's quality staff (callback and
survey campaigns); an agent's or a unit's spreadsheet is masked."""


def may_see_personal_data(role: str, *, owns: bool = False, handles: bool = False) -> bool:
    """Whether `role` sees a complaint's personal data unmasked in pages and API answers.

    `owns`: the actor or their unit's subtree is the complaint's first-question owner;
    `handles`: a work order of the complaint sits in the actor's subtree or is theirs.
    Without that context only the province-level roles see it: a caller who forgets to say
    how the actor is involved gets the masked answer, never the other way round.
    """
    if role in ALWAYS_UNMASKED:
        return True
    return role in INVOLVED_UNMASKED and (owns or handles)


def may_unmask(role: str) -> bool:
    return role in UNMASK_ROLES


def may_export_personal_data(role: str) -> bool:
    return role in EXPORT_UNMASKED


def may_search_personal_data(role: str) -> bool:
    """Whether `role` may filter by a customer's phone or search names and free text.

    A search answers "does this number (this name) occur?" even when every row it returns
    is masked: it would confirm what the masking hides. So it is open exactly to the roles
    that may unmask (and are audited when they do), not to the regulator's inspector.
    """
    return may_unmask(role)


def mask_name(name: str | None) -> str | None:
    """孙女士 → 孙**: the surname is enough to greet, not to identify."""
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_account(account: str | None) -> str | None:
    """Last four characters only, as on a bank statement."""
    if not account:
        return account
    if len(account) <= 4:
        return "*" * len(account)
    return "*" * (len(account) - 4) + account[-4:]


PersonalKind = Literal["phone", "name", "account", "text"]
"""What a personal value is: the structured fields, or free text that may hold any of them."""


def shown(value: str | None, kind: PersonalKind, *, unmasked: bool) -> str | None:
    """A personal value as the reader may see it: the one function every output uses.

    API answers, pages, exports, reports in every format and log lines pass each personal
    value through here; whether the reader has the right to see it unmasked is decided
    before (``may_see_personal_data``, ``may_export_personal_data``, the unmask action) and
    passed in, so no output can mask a field differently from another.
    """
    if unmasked or not value:
        return value
    return _MASKERS[kind](value)


# Digits are written in full width (１３８…) by some input methods: the patterns below see
# them as ASCII, so masking does not depend on how the customer typed the number.
_FULL_WIDTH: Final = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")

# Resident ID (18 characters, last may be X), bank card (16-19 digits, often grouped by
# four), mobile (with or without +86/0086, spaces or dashes), fixed line with area code,
# e-mail. Digits are not allowed on either side so that an order number is not mistaken for
# a phone number; a card number must not follow a letter either (TS2026092800000012 is a
# complaint number, not a card).
_SEP: Final = r"[\s\-]?"
_ID_NUMBER: Final = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])")
_BANK_CARD: Final = re.compile(
    r"(?<![\dA-Za-z])(\d{4})(?:" + _SEP + r"\d{4}){2}((?:" + _SEP + r"\d{1,4}){1,2})(?![\dA-Za-z])"
)
_MOBILE: Final = re.compile(
    r"(?<!\d)(?:(?:\+|00)?86"
    + _SEP
    + r"|[(（]\+?86[)）]\s?)?(1[3-9]\d)"
    + _SEP
    + r"\d{4}"
    + _SEP
    + r"(\d{4})(?!\d)"
)
_FIXED: Final = re.compile(
    r"(?<!\d)[(（]?(0\d{2,3})[)）]?" + _SEP + r"\d{3,4}" + _SEP + r"(\d{4})(?!\d)"
)
_EMAIL: Final = re.compile(
    r"([A-Za-z0-9_%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
)


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if not 16 <= len(digits) <= 19:
        return match.group(0)
    return f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}"


def mask_text(text: str | None) -> str | None:
    """Mask phone, ID and card numbers and e-mail addresses inside free text (descriptions,
    replies, notes, work-order instructions and results, log lines).

    Customers dictate their numbers into complaints ("请回电 13812345678"), so masking only
    the phone field would leak them through the description.
    """
    if not text:
        return text
    text = text.translate(_FULL_WIDTH)
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _BANK_CARD.sub(_mask_card, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = _FIXED.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


_MASKERS: Final[dict[str, Callable[[str], str | None]]] = {
    "phone": mask_phone,
    "name": mask_name,
    "account": mask_account,
    "text": mask_text,
}
