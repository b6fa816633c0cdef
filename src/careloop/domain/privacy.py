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
which appends an event to that complaint's audit trail. Bulk exports follow `EXPORT_UNMASKED`
and every export is recorded as a security event.
"""

from __future__ import annotations

import re
from typing import Final

from careloop.domain.complaints import mask_phone

__all__ = [
    "ALWAYS_UNMASKED",
    "EXPORT_UNMASKED",
    "INVOLVED_UNMASKED",
    "UNMASKED_ROLES",
    "UNMASK_ROLES",
    "mask_account",
    "mask_name",
    "mask_phone",
    "mask_text",
    "may_export_personal_data",
    "may_see_personal_data",
    "may_unmask",
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


# Resident ID (18 characters, last may be X), mobile, fixed line with area code; digits are
# not allowed on either side so that an order number is not mistaken for a phone number.
_ID_NUMBER: Final = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_MOBILE: Final = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
_FIXED: Final = re.compile(r"(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")


def mask_text(text: str | None) -> str | None:
    """Mask phone and ID numbers inside free text (descriptions, notes, log lines).

    Customers dictate their numbers into complaints ("请回电 13812345678"), so masking only
    the phone field would leak them through the description.
    """
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _FIXED.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
