"""How the pages show the services' read models (``services.complaints.page_views``):
labels in the reader's language, durations in words, a colour class per clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlencode

from careloop.domain.categories import get_category
from careloop.domain.language import normalise
from careloop.domain.vocabulary import CHANNELS, label
from careloop.i18n import Translator
from careloop.services.complaints.page_views import ClockReading, ComplaintRow
from careloop.services.complaints.read_models import CustomerView, UnitRefView

Code = TypeVar("Code", bound=str)


def in_lang(pair: tuple[str, str], lang: str) -> str:
    """One of a domain table's (zh, en) names (a role, a status, a kind) in the reader's
    language: those words stay beside their rules in ``careloop.domain``, not in the
    catalogues, and this is the one place a page picks between them."""
    zh, en = pair
    return en if normalise(lang) == "en" else zh


def choices(table: Mapping[Code, tuple[str, str]], lang: str) -> list[tuple[Code, str]]:
    """A domain table as a form's options: (code, name in the reader's language)."""
    return [(code, in_lang(pair, lang)) for code, pair in table.items()]


def unit_name(unit: UnitRefView | None) -> str:
    return unit.name if unit is not None else "—"


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
    assumed_years: tuple[int, ...] = ()
    """Years whose holiday notice is not entered: the due date assumes their bridge and
    make-up days, which the page says next to it."""
    name: str = ""
    """Which clock (``reply``, ``callback``, ``work_order`` …)."""
    line: str = "—"
    """The clock by name and state for a list row: "回访时限 超时 12小时"."""


def clock_of(reading: ClockReading | None, t: Translator) -> Clock:
    """The deadline's state in words: overrun, met, paused or the time left; and, for
    lists, the same with the clock's name, so colour is never the only sign."""
    if reading is None:
        return Clock("none", None, "—", "")
    state = reading.state
    if state in ("breached", "met_late") and reading.overrun_minutes:
        text = t("clock.overrun", d=duration(reading.overrun_minutes, t))
    elif state == "met":
        text = t("clock.state.met")
    elif state == "paused":
        text = t("clock.paused", d=duration(reading.remaining_minutes, t))
    else:
        text = t("clock.remaining", d=duration(reading.remaining_minutes, t))
    if state == "warning":
        said = t("worklist.clock_warning", d=duration(reading.remaining_minutes, t))
    elif state == "met_late":
        said = t("worklist.clock_met_late", d=duration(reading.overrun_minutes, t))
    elif state == "breached" and not reading.overrun_minutes:
        said = t("clock.state.breached")
    else:
        said = text
    name = t.get(f"worklist.clock.{reading.name}", reading.name)
    return Clock(
        state,
        reading.due_at,
        text,
        reading.explanation,
        reading.fallback_years,
        reading.name,
        t("worklist.clock_line", name=name, text=said),
    )


@dataclass(frozen=True)
class Row:
    """A complaint in a list (queues, drill-downs)."""

    id: int
    number: str
    status: str
    status_label: str
    category: str
    region: str
    customer: CustomerView
    clock: Clock
    escalated: bool
    repeat: bool
    accepted_at: datetime
    summary: str
    callback_next_at: datetime | None = None
    """When to call the customer again after an unreachable callback attempt."""
    next_action: str = "none"
    next_action_label: str = ""
    next_due: datetime | None = None
    unit_news: str = ""
    """What a unit did that the owner has not acted on ("东区网络部已办结"), else ""."""
    unit_news_at: datetime | None = None


SUMMARY_LENGTH = 60


def row(r: ComplaintRow, t: Translator) -> Row:
    c = r.complaint
    text = c.description
    return Row(
        id=c.id,
        number=c.number or str(c.id),
        status=c.status,
        status_label=c.status_label,
        category=c.category_label,
        region=c.region.name,
        customer=c.customer,
        clock=clock_of(r.clock or r.reply_clock, t),
        escalated=c.escalated,
        repeat=c.is_repeat,
        accepted_at=c.accepted_at,
        summary=text[:SUMMARY_LENGTH] + ("…" if len(text) > SUMMARY_LENGTH else ""),
        callback_next_at=c.callback_next_at,
        next_action=r.next_action,
        next_action_label=t(f"worklist.next.{r.next_action}"),
        next_due=r.next_due,
        unit_news=(
            t(f"worklist.news.{r.next_action}", unit=r.unit_news.unit.name) if r.unit_news else ""
        ),
        unit_news_at=r.unit_news.finished_at if r.unit_news else None,
    )


def poll_url(path: str, lang: str | None, **params: str) -> str:
    """Where a work list fetches itself again (htmx polling): its view, and the page's
    ?lang= if it had one (the language cookie covers the rest)."""
    return f"{path}?{urlencode(params | ({'lang': lang} if lang else {}))}"
