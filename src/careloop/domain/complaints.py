"""Intake rules for a complaint: what a valid complaint is, and when it repeats an earlier one."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from careloop.domain.categories import first_level, get_category
from careloop.domain.errors import InvalidInput
from careloop.domain.text import required_text

DESCRIPTION_MAX_CHARS: Final = 5000
"""Long enough for a letter from the regulator, short enough to read on a call."""

REPEAT_WINDOW: Final = timedelta(days=30)
"""Repeat complaint: same customer, same first-level category, again within 30 days (§2)."""

_MOBILE: Final = re.compile(r"1[3-9]\d{9}")
_FIXED: Final = re.compile(r"0\d{2,3}\d{7,8}")


def normalize_phone(raw: str) -> str:
    """Digits only, without +86/0086; a mobile (11 digits) or a fixed line with area code.

    Agents type what the caller says: spaces, dashes and the country code are all common.
    """
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if _MOBILE.fullmatch(digits) or _FIXED.fullmatch(digits):
        return digits
    raise InvalidInput(
        "customer.phone",
        "不是有效的手机号或带区号的固话号码 / not a valid mobile or fixed-line number",
    )


def validate_category(code: str) -> str:
    """Complaints are filed under a second-level category, so reports can drill down."""
    category = get_category(code)
    if category is None:
        raise InvalidInput("category", f"未知分类 / unknown category '{code}'")
    if category.level != 2:
        raise InvalidInput(
            "category", f"请选择二级分类 / choose a second-level category under '{code}'"
        )
    return code


def validate_description(text: str) -> str:
    """The complaint in the customer's words, through the one text sanitiser (domain.text)."""
    return required_text(text, "description", DESCRIPTION_MAX_CHARS)


@dataclass(frozen=True, slots=True)
class EarlierComplaint:
    id: int
    category: str
    accepted_at: datetime


def find_repeat_of(
    category: str, accepted_at: datetime, earlier: Iterable[EarlierComplaint]
) -> EarlierComplaint | None:
    """The most recent earlier complaint this one repeats, if any.

    `earlier` are the same customer's complaints; the rule compares first-level categories
    because customers describe the same problem in different words each time.
    """
    level1 = first_level(category)
    matches = [
        e
        for e in earlier
        if first_level(e.category) == level1
        and timedelta(0) <= accepted_at - e.accepted_at <= REPEAT_WINDOW
    ]
    return max(matches, key=lambda e: e.accepted_at, default=None)


def complaint_number(complaint_id: int, accepted_at: datetime) -> str:
    """A number people can read out on the phone: TS + acceptance date + sequence."""
    return f"TS{accepted_at:%Y%m%d}{complaint_id:07d}"


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a caller, not enough to call them (DESIGN.md)."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
