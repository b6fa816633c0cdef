"""`careloop complaint show` for a person: the complaint in the operator's language
(CARELOOP_LANG, Chinese by default), with words for statuses, categories, outcomes and
events and Beijing times, the way the complaint page shows them. ``--json`` keeps the
machine-readable answer for scripts."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from careloop.domain import callbacks
from careloop.domain.indicators.periods import LOCAL_TZ
from careloop.i18n import Translator
from careloop.services.complaints.read_models import ComplaintView


def _width(text: str) -> int:
    """Columns a terminal gives `text`: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _local(at: datetime | None) -> str:
    return "—" if at is None else at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _due(due: datetime | None, done: datetime | None, now: datetime, en: bool) -> str:
    """A time limit as the page words it: when, and how long is left or how late it is."""
    if due is None:
        return "—"
    when = _local(due)
    if done is not None:
        return when
    minutes = int((due - now).total_seconds() // 60)
    span = (
        f"{abs(minutes) // 60}h{abs(minutes) % 60:02d}m"
        if en
        else (f"{abs(minutes) // 60}小时{abs(minutes) % 60}分")
    )
    if minutes >= 0:
        return f"{when} ({span} left)" if en else f"{when}（剩余 {span}）"
    return f"{when} ({span} overdue)" if en else f"{when}（已超时 {span}）"


def lines(c: ComplaintView, events: Iterable[Any] | None, lang: str, now: datetime) -> list[str]:
    """The complaint as lines of text in ``lang``."""
    t = Translator(lang)
    en = t.lang == "en"
    yes, no = ("yes", "no") if en else ("是", "否")
    rows: list[tuple[str, str]] = [
        (t("col.number"), c.number),
        (t("field.status"), c.status_label),
        (t("col.category"), c.category_label),
        (t("col.region"), c.region.name),
        (t("customer.col.accepted"), _local(c.accepted_at)),
        (t("list.col.due"), _due(c.reply_due_at, c.replied_at, now, en)),
        (t("complaint.owner"), c.first_owner),
        (t("flag.repeat"), yes if c.is_repeat else no),
        (
            t("complaint.callback_outcome"),
            callbacks.label(c.callback_outcome, lang) if c.callback_outcome else "—",
        ),
        (
            t("complaint.appeal_outcome"),
            callbacks.label(c.appeal_outcome, lang) if c.appeal_outcome else "—",
        ),
    ]
    width = max(_width(label) for label, _ in rows)
    out = [f"{label}{' ' * (width - _width(label))}  {value}" for label, value in rows]
    out.append("")
    out.append(t("complaint.work_orders"))
    if not c.work_orders:
        out.append("  " + t("complaint.no_work_orders"))
    for w in c.work_orders:
        out.append(
            f"  #{w.seq} {w.unit.name} · {w.status_label} · {t('field.due_at')} "
            f"{_due(w.due_at, w.finished_at, now, en)}"
        )
    if events is not None:
        out.append("")
        out.append(t("complaint.timeline"))
        for e in events:
            said = t.get(f"event.{e.action}", t("trail.event.other"))
            note = f" — {e.note}" if e.note else ""
            out.append(f"  {_local(e.at)}  {e.actor}  {said}{note}")
    return out
