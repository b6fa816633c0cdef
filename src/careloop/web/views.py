"""Rows the pages show, built from service results: labels in the reader's language and
personal data masked as ``domain.privacy`` decides for the reader's role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from careloop.domain import privacy
from careloop.domain.categories import get_category
from careloop.domain.lifecycle import tickets
from careloop.domain.vocabulary import CHANNELS, label
from careloop.services.access.actors import Actor
from careloop.services.privacy.personal_data import mask_fields, sees_personal_data
from careloop.services.sla import clocks as sla
from careloop.store.models import Complaint, Event, OrgUnit, WorkOrder
from careloop.web.i18n import Translator


def unit_name(unit: OrgUnit | None, lang: str) -> str:
    if unit is None:
        return "—"
    return unit.name_en if lang == "en" else unit.name_zh


def status_label(status: str, lang: str) -> str:
    zh, en = tickets.STATUS_LABELS[tickets.Status(status)]
    return en if lang == "en" else zh


def work_order_status_label(status: str, lang: str) -> str:
    zh, en = tickets.WORK_ORDER_LABELS[tickets.WorkOrderStatus(status)]
    return en if lang == "en" else zh


def category_label(code: str, lang: str) -> str:
    category = get_category(code)
    return category.label(lang) if category else code


def channel_label(code: str, lang: str) -> str:
    return label(CHANNELS, code, lang)


def duration(minutes: int, t: Translator) -> str:
    minutes = abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return t("duration.dh", d=days, h=hours)
    if hours:
        return t("duration.hm", h=hours, m=mins)
    return t("duration.m", m=mins)


@dataclass(frozen=True)
class Clock:
    """One deadline as a page shows it: a colour class and a short text."""

    state: str
    due_at: datetime | None
    text: str
    explanation: str


def clock_of(
    view: sla.ClockView | None, fallback_due: datetime | None, now: datetime, t: Translator
) -> Clock:
    """The reply clock (services.sla, the one the sweeper enforces); without a policy the
    complaint's stored reply deadline."""
    if view is not None:
        s = view.state
        if s.state in ("breached", "met_late") and s.overrun_minutes:
            text = t("clock.overrun", d=duration(s.overrun_minutes, t))
        elif s.state in ("met",):
            text = t("clock.state.met")
        elif s.state == "paused":
            text = t("clock.paused", d=duration(s.remaining_minutes, t))
        else:
            text = t("clock.remaining", d=duration(s.remaining_minutes, t))
        return Clock(s.state, s.due_at, text, view.explanation(t.lang))
    if fallback_due is None:
        return Clock("none", None, "—", "")
    left = int((fallback_due - now).total_seconds() // 60)
    state = "breached" if left < 0 else "running"
    text = t("clock.overrun" if left < 0 else "clock.remaining", d=duration(left, t))
    return Clock(state, fallback_due, text, "")


@dataclass(frozen=True)
class Customer:
    phone: str
    name: str | None
    account: str | None
    unmasked: bool


def customer_of(c: Complaint, actor: Actor) -> Customer:
    unmasked = sees_personal_data(c, actor)
    return Customer(
        privacy.shown(c.customer_phone, "phone", unmasked=unmasked) or "",
        privacy.shown(c.customer_name, "name", unmasked=unmasked),
        privacy.shown(c.customer_account, "account", unmasked=unmasked),
        unmasked,
    )


def text_for(text: str | None, unmasked: bool) -> str:
    """Free text a page shows (description, reply, notes, work-order texts), masked unless
    the reader sees the complaint's personal data."""
    return privacy.shown(text, "text", unmasked=unmasked) or ""


@dataclass(frozen=True)
class Row:
    """A complaint in a list (queues, drill-downs)."""

    id: int
    number: str
    status: str
    status_label: str
    category: str
    region: str
    customer: Customer
    clock: Clock
    escalated: bool
    repeat: bool
    accepted_at: datetime
    summary: str


def row(
    c: Complaint,
    actor: Actor,
    clocks: dict[int, sla.ComplaintClocks],
    now: datetime,
    t: Translator,
) -> Row:
    lang = t.lang
    customer = customer_of(c, actor)
    found = clocks.get(c.id)
    reply = found.reply if found else None
    text = text_for(c.description, customer.unmasked)
    return Row(
        id=c.id,
        number=c.number or str(c.id),
        status=c.status,
        status_label=status_label(c.status, lang),
        category=category_label(c.category, lang),
        region=unit_name(c.region, lang),
        customer=customer,
        clock=clock_of(reply, c.reply_due_at, now, t),
        escalated=c.escalated,
        repeat=c.is_repeat,
        accepted_at=c.accepted_at,
        summary=text[:60] + ("…" if len(text) > 60 else ""),
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    role: str
    action: str
    note: str
    changes: list[tuple[str, str, str]]


_SHOWN_FIELDS = ("status", "unit", "due_at", "reason", "result", "merged_into_id", "reopen_count")


def timeline(events: list[Event], unmasked: bool, t: Translator) -> list[TimelineEntry]:
    entries = []
    for e in events:
        before = (e.before if unmasked else mask_fields(e.before)) or {}
        after = (e.after if unmasked else mask_fields(e.after)) or {}
        changes = [
            (name, str(before.get(name, "")), str(after[name]))
            for name in _SHOWN_FIELDS
            if name in after
        ]
        entries.append(
            TimelineEntry(
                at=e.at,
                actor=e.actor,
                role=e.role,
                action=t.get(f"event.{e.action}", e.action),
                note=text_for(e.note, unmasked),
                changes=changes,
            )
        )
    return entries


def work_order_clock(
    order: WorkOrder, clocks: sla.ComplaintClocks | None, now: datetime, t: Translator
) -> Clock:
    view = None
    if clocks is not None:
        view = next(
            (v for v in clocks.clocks if v.work_order_id == order.id and v.name == "work_order"),
            None,
        )
    return clock_of(view, order.due_at, now, t)
