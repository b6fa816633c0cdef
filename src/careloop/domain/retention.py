"""How long a complaint keeps its customer's personal data, and what it keeps afterwards.

The Personal Information Protection Law (PIPL, art. 19 and 47) lets an operator keep
personal information only as long as its purpose needs; afterwards it must delete or
anonymise it. A complaint's purpose ends with its archive plus the time in which it can
still be asked about: a customer may appeal to the regulator about a dispute for up to two
years (DOMAIN.md §3: appeals are refused for other disputes older than 2 years), and the
regulator's annual reviews and year-on-year indicators (同比) look back one more year. Hence
the default of three years after archiving (`DEFAULT_RETENTION_DAYS`); an operator whose
legal counsel says otherwise sets ``CARELOOP_RETENTION_DAYS``.

Anonymised, not deleted: the complaint, its category, region, product, times, statuses,
work orders and the structure of its audit trail stay, so that indicators and reports over
past periods give the same figures afterwards. What goes is everything that identifies the
customer: phone, name and account become placeholders, and free text (description, reply,
notes, work-order texts, event notes and snapshots, notifications) loses the phone, ID,
card numbers and e-mail addresses that `domain.privacy.mask_text` finds, the customer's own
name, phone and account wherever they were copied, and street addresses.

Pure rules, no I/O: `services.retention` selects the complaints and writes the result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.lifecycle.tickets import Status
from careloop.domain.privacy import mask_text

DEFAULT_RETENTION_DAYS: Final = 1095
"""Three years after archiving: the two-year appeal window plus a year of annual reviews."""

RETAINED_STATUS: Final = Status.ARCHIVED
"""Only archived complaints are anonymised: anything else may still be worked on, and the
archive is the lifecycle's one terminal step after the customer's callback."""

PURGE_ROLES: Final[frozenset[str]] = frozenset({"admin"})
"""The system administrator runs the purge: it rewrites records irreversibly, so it is not
a supervisor's everyday action (and the inspector changes nothing)."""

PLACEHOLDER: Final = "***"
"""What a name, an address or a copied account number in free text becomes."""

# What `mask_text` leaves visible of a number (138****5678, 110101********1234,
# 6222********1234): the prefix and the last four. Masking keeps them so staff can
# recognise a caller; anonymisation keeps none, so every digit of a masked run goes.
_MASKED_RUN: Final = re.compile(r"[\dXx]*\*{3,}[\dXx]*")
_MASKED_EMAIL: Final = re.compile(r"[A-Za-z0-9_%+-]\*{3}@")

# A street address as complainants give it: a place name ending in a road, lane, village
# or estate word, then at least one number with its unit (号, 栋, 单元, 室 …). A place
# without a number ("小区宽带很慢") is not an address of a person and stays.
_NAME_CHAR: Final = r"(?![在住于到是的我家请和与至从])[\u4e00-\u9fff]"
"""A character of a place name; not a word that precedes one (住在 … , 我家 …)."""
_PLACE: Final = (
    rf"{_NAME_CHAR}{{1,8}}(?:大道|路|街|巷|弄|村|小区|花园|公寓|大厦|新村|家园|苑|庄|里)"
)
_NUMBERED: Final = (
    r"[\d一二三四五六七八九十零〇百甲乙丙丁]+(?:号楼|号院|号|栋|幢|座|单元|层|楼|室|户|组|期)"
)
_ADDRESS: Final = re.compile(rf"{_PLACE}(?:\s?{_NUMBERED})+")


def check_may_purge(role: str) -> None:
    """Raise `role_not_allowed` unless `role` may run the purge; checked before any read."""
    if role not in PURGE_ROLES:
        raise DomainError("role_not_allowed", role=role, action="privacy.purge")


def check_retention_days(days: int) -> int:
    """A period of at least one day: 0 would anonymise complaints as they are archived."""
    if days < 1:
        raise InvalidInput(
            "retention_days", "保留期限至少 1 天 / the retention period is at least 1 day"
        )
    return days


def cutoff(now: datetime, days: int) -> datetime:
    """Complaints archived before this instant have been archived longer than `days`."""
    return now - timedelta(days=check_retention_days(days))


def is_due(
    status: str, archived_at: datetime | None, anonymised_at: datetime | None, before: datetime
) -> bool:
    """Whether a complaint's personal data must go now (the purge's SQL says the same)."""
    return (
        status == RETAINED_STATUS
        and archived_at is not None
        and archived_at < before
        and anonymised_at is None
    )


def anonymous_phone(phone: str | None) -> str:
    """Stars of the same length: no prefix, no last four; never a number anyone can dial or
    look up (self-service finds complaints by the caller's normalised number)."""
    return "*" * max(len(phone or ""), 11)


@dataclass(frozen=True, slots=True)
class Customer:
    """The customer's own values, found and replaced wherever free text copied them."""

    phone: str | None
    name: str | None
    account: str | None

    def literals(self) -> list[str]:
        """Longest first. Short values (a one-character name) would wipe ordinary text, and
        a value already anonymised (all stars) is no longer the customer's."""
        values = {v.strip() for v in (self.phone, self.name, self.account) if v}
        kept = [v for v in values if len(v) >= 2 and set(v) != {"*"}]
        return sorted(kept, key=len, reverse=True)


def anonymise_text(text: str | None, customer: Customer | None = None) -> str | None:
    """Free text without what identifies a person; idempotent (a second pass changes nothing).

    Known values first (the customer's number, name, account as typed), then the patterns
    the masking uses for every other number, then what masking keeps visible, then addresses.
    """
    if not text:
        return text
    for literal in customer.literals() if customer else []:
        text = text.replace(literal, PLACEHOLDER)
    text = mask_text(text) or ""
    text = _MASKED_RUN.sub(lambda m: "*" * len(m.group(0)), text)
    text = _MASKED_EMAIL.sub("***@", text)
    return _ADDRESS.sub(PLACEHOLDER, text)


def anonymise_value(value: Any, customer: Customer | None = None, key: str | None = None) -> Any:
    """A JSON value (an event's before/after) with every personal string anonymised.

    A copy of the complaint's own fields (the accept event's snapshot) becomes what the
    complaint row becomes; other strings are free text; numbers, booleans and the shape of
    the document stay.
    """
    if value is None:
        return None
    if key == "customer_phone":
        return anonymous_phone(str(value))
    if key in ("customer_name", "customer_account"):
        return None
    if isinstance(value, str):
        return anonymise_text(value, customer)
    if isinstance(value, Mapping):
        return {k: anonymise_value(v, customer, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [anonymise_value(v, customer) for v in value]
    return value


def anonymised_label(actor_label: str, role: str) -> str:
    """The actor label of someone who is not staff (``customer:138****5678``), anonymised."""
    if role == "customer":
        return "customer"
    return actor_label
