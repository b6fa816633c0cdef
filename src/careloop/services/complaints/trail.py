"""A complaint's audit trail as a person reads it: newest first, statuses and outcomes in
words, units and staff by name, times as instants (the page shows them in local time).

The event log stores codes (``accepted → in_progress``, ``ZJ-HZ-SC-NET``, usernames, ISO
stamps) because machines read it through the API; this is the one place that turns a
stored event into the reader's words, so every page showing a trail shows the same one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from careloop.domain import callbacks
from careloop.domain.error_words import one_language
from careloop.domain.lifecycle import tickets
from careloop.domain.sla import steps
from careloop.domain.vocabulary import ROLES, label
from careloop.i18n import Translator
from careloop.services.complaints.read_models import event_view
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Event, OrgUnit, Staff


@dataclass(frozen=True)
class TrailValue:
    """One side of a change: words, or an instant the page shows in local time."""

    text: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class TrailChange:
    field: str
    """The field's key (``status``, ``unit``, ``due_at`` …): the page names it in words."""
    before: TrailValue | None
    after: TrailValue


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    action: str
    """The event's code (``work_order_accept``): the page names it in words."""
    actor_name: str
    role_label: str
    work_order_seq: int | None
    """The work order the event concerns, by its number within the complaint (#1, #2)."""
    changes: list[TrailChange]
    note: str


SHOWN_FIELDS = (
    "status",
    "unit",
    "owner_id",
    "due_at",
    "step",
    "state",
    "callback_outcome",
    "appeal_outcome",
    "reopen_count",
    "merged_into_id",
    "merged_from_id",
    "incident",
    "reason",
    "result",
)
"""The payload fields a reader follows, in the order shown; the rest of a payload (the
intake snapshot, timestamps the event's own time repeats) stays in the API's events."""

_TIMES = frozenset({"due_at"})
_WRITTEN_BY_CARELOOP = frozenset(
    {"link_repeat", "sla_warning", "sla_breach", "sla_escalation", "sla_policy_reapplied"}
)
"""Events whose note CareLoop wrote in both languages ("重复投诉… / repeat of …"): the
reader gets their own; a note a person typed is shown as typed."""
_TEXTS = frozenset({"reason", "result", "incident"})


@dataclass(frozen=True)
class _Names:
    """What the codes in a batch of events name, read with one query per kind."""

    units: dict[str, str]
    staff: dict[int, str]
    staff_by_username: dict[str, str]
    complaints: dict[int, str]


def _collect(events: Iterable[Event]) -> tuple[set[str], set[int], set[str], set[int]]:
    units: set[str] = set()
    staff: set[int] = set()
    usernames: set[str] = set()
    complaints: set[int] = set()
    for e in events:
        if e.actor_id is not None:
            staff.add(e.actor_id)
        else:
            usernames.add(e.actor)
        for payload in (e.before or {}, e.after or {}):
            if isinstance(payload.get("unit"), str):
                units.add(payload["unit"])
            if isinstance(payload.get("owner_id"), int):
                staff.add(payload["owner_id"])
            for key in ("merged_into_id", "merged_from_id"):
                if isinstance(payload.get(key), int):
                    complaints.add(payload[key])
    return units, staff, usernames, complaints


def _names(uow: UnitOfWork, events: list[Event], lang: str) -> _Names:
    units, staff, usernames, complaints = _collect(events)
    s = uow.session
    unit_names = {
        u.code: (u.name_en if lang == "en" else u.name_zh)
        for u in (s.scalars(select(OrgUnit).where(OrgUnit.code.in_(units))) if units else [])
    }
    people = list(
        s.scalars(select(Staff).where(Staff.id.in_(staff) | Staff.username.in_(usernames)))
        if staff or usernames
        else []
    )
    numbers = {
        c.id: c.number or f"#{c.id}"
        for c in (
            s.scalars(select(Complaint).where(Complaint.id.in_(complaints))) if complaints else []
        )
    }
    return _Names(
        unit_names,
        {p.id: p.display_name for p in people},
        {p.username: p.display_name for p in people},
        numbers,
    )


def _in_words(
    name: str, value: Any, lang: str, status_label: Callable[[str], str], names: _Names
) -> TrailValue:
    if value is None or value == "":
        return TrailValue("—")
    if name in _TIMES and isinstance(value, str):
        try:
            return TrailValue(at=datetime.fromisoformat(value))
        except ValueError:
            return TrailValue(value)
    text = str(value)
    if name == "status":
        return TrailValue(status_label(text))
    if name == "unit":
        return TrailValue(names.units.get(text, text))
    if name == "owner_id" and isinstance(value, int):
        return TrailValue(names.staff.get(value, "—"))
    if name == "step" and text in steps.STEP_KINDS:
        return TrailValue(steps.step_label(text, lang))
    if name == "state" and text in steps.STEP_STATES:
        return TrailValue(steps.state_label(text, lang))
    if name in ("callback_outcome", "appeal_outcome"):
        return TrailValue(callbacks.label(text, lang))
    if name in ("merged_into_id", "merged_from_id") and isinstance(value, int):
        return TrailValue(names.complaints.get(value, f"#{value}"))
    return TrailValue(text)


def _status_labeller(work_order: bool, lang: str) -> Callable[[str], str]:
    def status_label(code: str) -> str:
        try:
            if work_order:
                return tickets.WORK_ORDER_LIFECYCLE.label(code, lang)
            return tickets.COMPLAINT_LIFECYCLE.label(code, lang)
        except (ValueError, KeyError):
            return code

    return status_label


def _role_label(role: str, lang: str) -> str:
    if role == "system":  # the sweeper, a job: no member of staff behind the event
        t = Translator(lang)
        return t("complaint_trail.system")
    return label(ROLES, role, lang)


def trail(
    uow: UnitOfWork,
    complaint: Complaint,
    events: list[Event],
    unmasked: bool,
    lang: str,
) -> list[TrailEntry]:
    """The complaint's events newest first, in the reader's words (masked by role as the
    API's events are)."""
    names = _names(uow, events, lang)
    seq_of = {o.id: o.seq for o in complaint.work_orders}
    entries = []
    for stored in reversed(events):
        e = event_view(stored, unmasked)
        before, after = e.before or {}, e.after or {}
        status_label = _status_labeller(e.work_order_id is not None, lang)
        note = e.note or ""
        if e.action in _WRITTEN_BY_CARELOOP:
            note = one_language(note, lang)
        changes = [
            TrailChange(
                name,
                _in_words(name, before[name], lang, status_label, names)
                if name in before
                else None,
                _in_words(name, after[name], lang, status_label, names),
            )
            for name in SHOWN_FIELDS
            # A reason or result the note already says is not said twice.
            if name in after and not (name in _TEXTS and str(after[name]) == note)
        ]
        if stored.actor_id is not None:
            actor = names.staff.get(stored.actor_id, e.actor)
        elif e.role == "system":
            actor = _role_label("system", lang)
        else:
            actor = names.staff_by_username.get(e.actor, e.actor)
        entries.append(
            TrailEntry(
                at=e.at,
                action=e.action,
                actor_name=actor,
                role_label=_role_label(e.role, lang),
                work_order_seq=seq_of.get(e.work_order_id) if e.work_order_id else None,
                changes=changes,
                note=note,
            )
        )
    return entries
