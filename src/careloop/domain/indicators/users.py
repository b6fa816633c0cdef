"""The user base behind per-user indicators (百万用户申诉率, 万户投诉率) and its definition.

The user base counted changed over the years (phone users only, later broadband too), so every
base carries its definition and bases of different definitions refuse to pool (DOMAIN.md §4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from careloop.domain.errors import InvalidInput


@dataclass(frozen=True)
class SubscriberCount:
    """Users on record for one region and month, and what was counted (the definition)."""

    region_code: str
    month: date
    users: int
    definition: str
    """E.g. "mobile + fixed-line phone users" or "phone and broadband users"."""


@dataclass(frozen=True)
class UserBase:
    """A denominator of users, already reduced to one number and its definition."""

    users: float
    definition: str


Users = float | UserBase | Iterable[SubscriberCount]
"""What a per-user formula takes: a number (named by ``denominator_definition``), a base, or
monthly subscriber counts (reduced by ``user_base``)."""


def user_base(counts: Iterable[SubscriberCount]) -> UserBase:
    """Reduce monthly subscriber counts to one user base for a period and a set of regions.

    Per region the months are averaged (a year's appeals ÷ the year's average users, not ÷ the
    sum of twelve month-ends); regions are then summed. Mixing definitions is refused: a rate
    over "phone users" in one region and "phone + broadband users" in another means nothing.
    """
    by_region: dict[str, list[int]] = defaultdict(list)
    definitions: set[str] = set()
    for count in counts:
        by_region[count.region_code].append(count.users)
        definitions.add(count.definition)
    if len(definitions) > 1:
        raise InvalidInput(
            "users.definition",
            f"cannot pool different user-base definitions: {sorted(definitions)}",
        )
    total = sum(sum(months) / len(months) for months in by_region.values())
    return UserBase(total, definitions.pop() if definitions else "")


def as_user_base(users: Users, definition: str) -> UserBase:
    """Any accepted form of users as a ``UserBase``; a bare number is named ``definition``."""
    if isinstance(users, UserBase):
        return users
    if isinstance(users, int | float):
        return UserBase(float(users), definition)
    return user_base(users)
