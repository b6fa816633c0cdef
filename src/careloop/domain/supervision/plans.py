"""Inspection plans (检查计划): who inspects what and by when.

Two rhythms from the field (DOMAIN.md §5): a quarterly mystery-shopper rotation (季度明察
暗访) where every store is visited once a quarter, and a daily dial test of every hotline.
The rotation spreads visits over the quarter's months and never sends an inspector to a
store of their own county (回避: nobody marks their own homework) when someone else can go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from careloop.domain.errors import InvalidInput

CADENCES: Final[dict[str, tuple[str, str]]] = {
    "quarterly": ("每季度", "quarterly"),
    "monthly": ("每月", "monthly"),
    "daily": ("每日", "daily"),
    "once": ("一次性", "once"),
}


@dataclass(frozen=True)
class Subject:
    """Something inspected: its id and the org path of the region it serves."""

    id: int
    region_path: str


@dataclass(frozen=True)
class Inspector:
    id: int
    org_path: str


@dataclass(frozen=True)
class Slot:
    """One planned inspection: this subject, by this inspector, due by the end of ``due``."""

    subject_id: int
    inspector_id: int
    due: date


def quarter_of(day: date) -> tuple[date, date]:
    """First and last day of the calendar quarter containing ``day``."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + 2
    following = date(day.year + (end_month == 12), end_month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def quarter_label(day: date) -> str:
    start, _ = quarter_of(day)
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def check_window(start: date, end: date, max_days: int = 366) -> None:
    if end < start:
        raise InvalidInput("ends_on", "结束日期不能早于开始日期 / the end lies before the start")
    if (end - start).days >= max_days:
        raise InvalidInput(
            "ends_on", f"计划最长 {max_days} 天 / a plan spans at most {max_days} days"
        )


def _conflicts(subject: Subject, inspector: Inspector) -> bool:
    """An inspector who works inside the subject's region does not inspect it (a county's
    staff do not visit their county's stores); province and city staff may go below them."""
    return inspector.org_path.startswith(subject.region_path)


def rotation(
    subjects: Sequence[Subject], inspectors: Sequence[Inspector], start: date, end: date
) -> list[Slot]:
    """Every subject once in the window, inspectors taken in turn (skipping one who would
    inspect their own area, unless nobody else is left), due dates spread evenly so each
    month of a quarter carries its share."""
    check_window(start, end)
    if not inspectors:
        raise InvalidInput("inspectors", "至少指定一名检查人员 / name at least one inspector")
    days = (end - start).days + 1
    slots: list[Slot] = []
    turn = 0
    for n, subject in enumerate(sorted(subjects, key=lambda s: (s.region_path, s.id))):
        chosen = None
        for k in range(len(inspectors)):
            candidate = inspectors[(turn + k) % len(inspectors)]
            if not _conflicts(subject, candidate):
                chosen, turn = candidate, turn + k + 1
                break
        if chosen is None:
            chosen, turn = inspectors[turn % len(inspectors)], turn + 1
        offset = min(days - 1, (n + 1) * days // max(1, len(subjects)) - 1)
        slots.append(Slot(subject.id, chosen.id, start + timedelta(days=max(0, offset))))
    return slots


def daily(subjects: Sequence[Subject], inspector: Inspector, start: date, end: date) -> list[Slot]:
    """One slot per subject and day (the daily dial test), due the same day."""
    check_window(start, end)
    out: list[Slot] = []
    day = start
    while day <= end:
        out.extend(Slot(s.id, inspector.id, day) for s in subjects)
        day += timedelta(days=1)
    return out
