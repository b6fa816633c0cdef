"""Repeat complaints escalate (重复投诉升级, DOMAIN.md §2).

A customer who comes back about the same issue within 30 days (``complaints.find_repeat_of``)
was not helped the first time: the repeat is accepted one priority step higher than the
agent chose, and the lead of the unit answerable for it hears of it at once, without
waiting for a clock to breach. The rules here say how far the priority moves, which leads
are told and what they read; the services write the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from careloop.domain.categories import get_category
from careloop.domain.complaints import mask_phone
from careloop.domain.sla.calendar import DEFAULT_TIMEZONE
from careloop.domain.vocabulary import PRIORITIES

BEIJING_TIME_ZONES: Final = frozenset({"Asia/Shanghai", "Asia/Chongqing", "PRC"})
"""Zones whose local time people call Beijing time (北京时间)."""

DEFAULT_NOTICE_CHANNEL: Final = "email"

PRIORITY_ORDER: Final = tuple(PRIORITIES)
"""Lowest first, as the vocabulary lists them: low, normal, high, urgent."""


def raised_priority(priority: str) -> str:
    """One step up the priority ladder; the top step stays where it is."""
    position = PRIORITY_ORDER.index(priority)
    return PRIORITY_ORDER[min(position + 1, len(PRIORITY_ORDER) - 1)]


@dataclass(frozen=True, slots=True)
class RepeatEscalation:
    """What intake does to a repeat: the priority before and after, and why."""

    priority_before: str
    priority_after: str

    @property
    def raised(self) -> bool:
        return self.priority_after != self.priority_before

    def audit_note(self, repeat_of_id: int) -> str:
        """The reason as the audit trail states it, Chinese first."""
        before_zh, before_en = PRIORITIES[self.priority_before]
        after_zh, after_en = PRIORITIES[self.priority_after]
        if self.raised:
            zh = f"重复投诉（30天内同一客户同一问题）：优先级由「{before_zh}」升为「{after_zh}」"
            en = (
                f"repeat of complaint {repeat_of_id} (same customer, same issue within "
                f"30 days): priority raised from {before_en.lower()} to {after_en.lower()}"
            )
        else:
            zh = f"重复投诉（30天内同一客户同一问题）：优先级已是最高「{after_zh}」"
            en = (
                f"repeat of complaint {repeat_of_id} (same customer, same issue within "
                f"30 days): priority already {after_en.lower()}, the highest"
            )
        return f"{zh}，已通知单位负责人 / {en}; unit lead notified"


def escalate(priority: str) -> RepeatEscalation:
    """The escalation of a repeat accepted with ``priority`` (a validated vocabulary code)."""
    return RepeatEscalation(priority, raised_priority(priority))


def notice_channel(escalation_steps: Sequence[Mapping[str, object]]) -> str:
    """The channel a lead is told on: the one the complaint's policy uses to reach the unit
    lead on a breach (its own escalation), else e-mail, as breach escalations default."""
    for step in escalation_steps:
        if step.get("to") == "unit_lead":
            return str(step.get("channel", DEFAULT_NOTICE_CHANNEL))
    return DEFAULT_NOTICE_CHANNEL


@dataclass(frozen=True, slots=True)
class RepeatPlan:
    """A repeat as intake writes it: the escalation, who is told, on which channel, and
    the zone their message states times in (the policy's)."""

    escalation: RepeatEscalation
    recipients: tuple[str, ...]
    channel: str = DEFAULT_NOTICE_CHANNEL
    timezone: str = DEFAULT_TIMEZONE


def nearest_leads(chain: Sequence[int], leads_by_unit: Mapping[int, Sequence[str]]) -> list[str]:
    """The leads of the nearest unit in ``chain`` (unit ids, nearest first) that has any:
    a county without a lead of its own is answered for by its city."""
    for unit_id in chain:
        leads = leads_by_unit.get(unit_id)
        if leads:
            return sorted(leads)
    return []


def leads_to_tell(
    region_chain: Sequence[int],
    owner_chain: Sequence[int],
    leads_by_unit: Mapping[int, Sequence[str]],
) -> list[str]:
    """Whom a repeat is told to: the nearest lead(s) of the region the complaint concerns
    (their unit failed to settle it) and of the first owner's unit (it answers to the
    customer, 首问负责), each person once, region first."""
    found = nearest_leads(region_chain, leads_by_unit) + nearest_leads(owner_chain, leads_by_unit)
    return list(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class RepeatNoticeFacts:
    """What a lead reads about a repeat (the phone number is masked here, whoever reads)."""

    number: str
    repeat_of_id: int
    earlier_number: str | None
    customer_phone: str
    category: str
    escalation: RepeatEscalation
    reply_due_at: datetime | None
    timezone: str = DEFAULT_TIMEZONE


def repeat_notice(facts: RepeatNoticeFacts) -> tuple[str, str]:
    """(subject, body) of the message to a unit lead: Chinese first, then English; the
    customer's number masked (138****5678); the reply due time in local time."""
    category = get_category(facts.category)
    category_zh = category.name_zh if category else facts.category
    category_en = category.name_en if category else facts.category
    after_zh, after_en = PRIORITIES[facts.escalation.priority_after]
    before_zh, before_en = PRIORITIES[facts.escalation.priority_before]
    earlier = facts.earlier_number or f"#{facts.repeat_of_id}"
    phone = mask_phone(facts.customer_phone)
    if facts.reply_due_at is not None:
        local = facts.reply_due_at.astimezone(ZoneInfo(facts.timezone))
        beijing = facts.timezone in BEIJING_TIME_ZONES
        zone_zh, zone_en = ("北京时间", "Beijing time") if beijing else ("当地时间", "local time")
        due_zh = f"，须于 {local:%Y-%m-%d %H:%M}（{zone_zh}）前答复"
        due_en = f"; reply due by {local:%Y-%m-%d %H:%M} {zone_en}"
    else:
        due_zh = due_en = ""
    if facts.escalation.raised:
        raise_zh = f"优先级由「{before_zh}」升为「{after_zh}」"
        raise_en = f"priority raised from {before_en.lower()} to {after_en.lower()}"
    else:
        raise_zh = f"优先级「{after_zh}」"
        raise_en = f"priority {after_en.lower()}"
    subject = f"[CareLoop] 重复投诉 / repeat complaint {facts.number}（{after_zh}）"
    body = (
        f"客户 {phone} 30天内再次就「{category_zh}」投诉：{facts.number} 重复 {earlier}，"
        f"{raise_zh}{due_zh}。请督办。\n"
        f"Customer {phone} complained again within 30 days about {category_en}: "
        f"{facts.number} repeats {earlier}, {raise_en}{due_en}. Please follow it up."
    )
    return subject[:200], body
