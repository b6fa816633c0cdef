"""Personal data on the way out: who sees it unmasked, the audit of those reads, and the
audited unmask action.

The rule is `domain.privacy`; this module supplies the facts it needs (how the actor is
involved in the complaint) and applies it to complaints, audit events and notes, so that
the API, the pages and the exports mask the same fields the same way.

Every answer that shows a complaint's personal data unmasked is a read to audit. Each
decision to show it (``sees_personal_data``) notes the complaint in the request's
``ReadLog`` (``reading``); the request records one ``personal_data_read`` security event
naming the reader and all those complaints (``record_reads``) before its answer leaves,
so a list of 200 complaints is one row, not 200. Bulk outputs (exports, reports) record
their own event with the complaints they carried. A spam report's reporter (and a forwarded
text that quotes a number) is personal data too: shown unmasked, the report is noted in the
same log (``note_spam_report``) and named in the same event, under ``spam_reports``; so is
an enforcement case whose evidence, appeal grounds or notes quote a subscriber
(``spam_cases``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from careloop.domain import permissions, privacy
from careloop.domain.errors import InvalidInput
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.complaints import audit
from careloop.services.complaints.lifecycle import load_complaint
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint

_FIELD_KINDS: dict[str, privacy.PersonalKind] = {
    "customer_phone": "phone",
    "customer_name": "name",
    "customer_account": "account",
    "description": "text",
    "reply_text": "text",
    "note": "text",
    "comment": "text",
    "text": "text",
    "instructions": "text",
    "result": "text",
    "reason": "text",
    "filename": "text",
}
"""Personal fields of an event's before/after snapshot: the customer's, and free text that
may quote them (complaint, reply, notes, callback comments, work-order texts, attachment
names)."""


@dataclass
class ReadLog:
    """The complaints (and spam reports) whose personal data one request showed unmasked,
    per reader."""

    complaints: dict[tuple[str, int | None], set[int]] = field(default_factory=dict)
    spam_reports: dict[tuple[str, int | None], set[int]] = field(default_factory=dict)
    spam_cases: dict[tuple[str, int | None], set[int]] = field(default_factory=dict)

    def note(self, actor: Actor, complaint_id: int) -> None:
        self.complaints.setdefault((actor.username, actor.staff_id), set()).add(complaint_id)

    def note_spam_report(self, actor: Actor, report_id: int) -> None:
        self.spam_reports.setdefault((actor.username, actor.staff_id), set()).add(report_id)

    def note_spam_case(self, actor: Actor, case_id: int) -> None:
        self.spam_cases.setdefault((actor.username, actor.staff_id), set()).add(case_id)

    def __bool__(self) -> bool:
        return bool(self.complaints or self.spam_reports or self.spam_cases)

    def clear(self) -> None:
        self.complaints.clear()
        self.spam_reports.clear()
        self.spam_cases.clear()


_READS: ContextVar[ReadLog | None] = ContextVar("careloop_personal_data_reads", default=None)


@contextmanager
def reading() -> Iterator[ReadLog]:
    """Collect the unmasked reads of one request (or one command) in a fresh ``ReadLog``.

    A context variable, so that endpoints run in the thread pool note into the same log
    (the pool copies the context, and the log object is shared)."""
    log = ReadLog()
    token = _READS.set(log)
    try:
        yield log
    finally:
        _READS.reset(token)


def record_reads(
    uow: UnitOfWork, log: ReadLog, now: datetime, via: str, client: str | None = None
) -> int:
    """One ``personal_data_read`` security event per reader in `log`; commits. The count."""
    readers = list(dict.fromkeys([*log.complaints, *log.spam_reports, *log.spam_cases]))
    for username, staff_id in readers:
        detail: dict[str, Any] = {
            "via": via[:200],
            "complaints": sorted(log.complaints.get((username, staff_id), ())),
        }
        for key, noted in (("spam_reports", log.spam_reports), ("spam_cases", log.spam_cases)):
            ids = noted.get((username, staff_id))
            if ids:
                detail[key] = sorted(ids)
        record_security_event(uow, "personal_data_read", username, now, staff_id, client, detail)
    uow.commit()
    return len(readers)


def sees_personal_data(complaint: Complaint, actor: Actor) -> bool:
    """Whether `actor` sees `complaint`'s personal data unmasked; a yes is noted as a read
    (``reading``): whoever asks is about to show it."""
    owns, handles = scope.involvement(complaint, actor)
    unmasked = privacy.may_see_personal_data(actor.role, owns=owns, handles=handles)
    log = _READS.get()
    if unmasked and log is not None:
        log.note(actor, complaint.id)
    return unmasked


def note_spam_report_read(actor: Actor, report_id: int) -> None:
    """A spam report's reporter or personal text is about to be shown unmasked to `actor`:
    noted in the request's read log (``reading``), like a complaint's."""
    log = _READS.get()
    if log is not None:
        log.note_spam_report(actor, report_id)


def note_spam_case_read(actor: Actor, case_id: int) -> None:
    """An enforcement case's text quoting a subscriber is about to be shown unmasked."""
    log = _READS.get()
    if log is not None:
        log.note_spam_case(actor, case_id)


def quotes_personal_data(text: str | None) -> bool:
    """Whether free text holds something masking would hide (a number, an ID, an e-mail):
    showing it unmasked is a read of personal data, showing anything else is not."""
    return privacy.shown(text, "text", unmasked=False) != text


def mask_fields(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Mask the personal fields of an event's before/after snapshot."""
    if not data:
        return data
    masked = dict(data)
    for key, value in data.items():
        kind = _FIELD_KINDS.get(key)
        if kind is not None and isinstance(value, str):
            masked[key] = privacy.shown(value, kind, unmasked=False)
    return masked


@dataclass(frozen=True, slots=True)
class CustomerData:
    complaint_id: int
    phone: str
    name: str | None
    account: str | None


def unmask(
    uow: UnitOfWork, complaint_id: int, actor: Actor, now: datetime, reason: str
) -> CustomerData:
    """Show one complaint's personal data in full; the complaint's audit trail records who,
    when and why (never the data itself)."""
    permissions.check_permission("personal_data.unmask", actor.role)
    cleaned = (reason or "").strip()
    if not cleaned or len(cleaned) > 500:
        raise InvalidInput("reason", "请说明查看原因（1–500 字）/ say why (1–500 characters)")
    complaint = load_complaint(uow, complaint_id, actor)
    uow.session.add(
        audit.record(
            complaint,
            actor,
            "unmask",
            now,
            after={"fields": ["customer_phone", "customer_name", "customer_account"]},
            note=cleaned,
        )
    )
    uow.commit()
    log = _READS.get()
    if log is not None:
        log.note(actor, complaint.id)
    return CustomerData(
        complaint.id, complaint.customer_phone, complaint.customer_name, complaint.customer_account
    )
