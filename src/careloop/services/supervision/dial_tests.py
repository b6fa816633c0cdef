"""Dial tests posted by a dialling machine (POST /api/v1/dial-tests): stored once per
idempotency key, audited, counted in the hotline's 拨测接通率.

A prober retries when it does not hear back; the same key with the same measurement
returns the stored one (nothing counted twice), the same key with another measurement is
a conflict (a prober bug that must not overwrite what was measured).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.supervision import dial_tests as rules
from careloop.domain.time_bounds import instant
from careloop.services.access.actors import Actor
from careloop.services.supervision import inspection_audit as audit
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import DialTest, InspectionSubject

KEY_MAX_CHARS = 100
FUTURE_SLACK = timedelta(minutes=5)
"""A prober's clock may run a little ahead of ours; more than this is a wrong clock."""


class DialTestConflict(DomainError):
    """The idempotency key was used for a different measurement (409)."""

    def __init__(self, key: str) -> None:
        super().__init__("idempotency_mismatch", key=key)

    def message(self, lang: str = "zh") -> str:
        if lang.startswith("en"):
            return (
                f"Idempotency key {self.params['key']} was already used for a different dial test"
            )
        return f"幂等键 {self.params['key']} 已用于另一条不同的拨测记录"


@dataclass(frozen=True)
class DialTestIn:
    hotline: str
    started_at: datetime
    outcome: str
    answer_seconds: float | None = None
    wait_seconds: float | None = None


@dataclass(frozen=True)
class DialTestView:
    id: int
    hotline: str
    hotline_name: str
    started_at: datetime
    outcome: str
    outcome_label: str
    answer_seconds: float | None
    wait_seconds: float | None
    answered_within: bool
    idempotency_key: str


def _view(row: DialTest, subject: InspectionSubject, lang: str) -> DialTestView:
    zh, en = rules.OUTCOMES[row.outcome]
    return DialTestView(
        row.id,
        subject.hotline_number or subject.code,
        subject.name_en if lang.startswith("en") else subject.name_zh,
        row.started_at,
        row.outcome,
        en if lang.startswith("en") else zh,
        row.answer_seconds,
        row.wait_seconds,
        rules.answered_within(row.outcome, row.answer_seconds),
        row.idempotency_key,
    )


def _hotline(uow: UnitOfWork, number: str, actor: Actor) -> InspectionSubject:
    subject = (
        uow.session.scalar(
            select(InspectionSubject).where(
                InspectionSubject.hotline_number == number,
                InspectionSubject.kind == "hotline",
                audit.subject_visible_to(actor),
            )
        )
        if number.isdigit() and len(number) <= rules.HOTLINE_NUMBER_MAX_CHARS
        else None
    )
    if subject is None:
        raise InvalidInput("hotline", f"未知热线号码「{number[:20]}」 / unknown hotline number")
    return subject


def _same(row: DialTest, m: rules.DialMeasurement, subject_id: int) -> bool:
    return (
        row.subject_id == subject_id
        and row.started_at == m.started_at
        and row.outcome == m.outcome
        and row.answer_seconds == m.answer_seconds
        and row.wait_seconds == m.wait_seconds
    )


def post_dial_test(
    uow: UnitOfWork, body: DialTestIn, key: str, actor: Actor, now: datetime, lang: str = "zh"
) -> tuple[DialTestView, bool]:
    """Store one measured call; (view, created). Same key, same call: the stored one."""
    audit.require(actor, "dial_test.post")
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX_CHARS or not key.isprintable():
        raise InvalidInput(
            "idempotency_key",
            f"须为 1 到 {KEY_MAX_CHARS} 个可见字符 / 1–{KEY_MAX_CHARS} printable characters",
        )
    subject = _hotline(uow, body.hotline.strip(), actor)
    m = rules.DialMeasurement(
        subject.hotline_number or "",
        instant("started_at", body.started_at),
        body.outcome,
        body.answer_seconds,
        body.wait_seconds,
    )
    rules.check_measurement(m)
    if m.started_at > now + FUTURE_SLACK:
        raise InvalidInput(
            "started_at", "拨测时间不能晚于当前时间 / the call cannot lie in the future"
        )
    existing = uow.session.scalar(select(DialTest).where(DialTest.idempotency_key == key))
    if existing is not None:
        if not _same(existing, m, subject.id):
            raise DialTestConflict(key)
        return _view(existing, subject, lang), False
    row = DialTest(
        subject_id=subject.id,
        region_path=subject.region_path,
        started_at=m.started_at,
        outcome=m.outcome,
        answer_seconds=m.answer_seconds,
        wait_seconds=m.wait_seconds,
        idempotency_key=key,
        posted_by_id=actor.staff_id,
        created_at=now,
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:  # the same key raced in from a retry
        uow.rollback()
        again = uow.session.scalar(select(DialTest).where(DialTest.idempotency_key == key))
        if again is None or not _same(again, m, subject.id):
            raise DialTestConflict(key) from None
        return _view(again, subject, lang), False
    audit.record(
        uow, actor, "dial_test", row.id, "dial_test_posted", now,
        after={"hotline": m.hotline, "started_at": m.started_at.isoformat(),
               "outcome": m.outcome, "answer_seconds": m.answer_seconds,
               "wait_seconds": m.wait_seconds, "key": key},
    )  # fmt: skip
    uow.commit()
    return _view(row, subject, lang), True


def list_dial_tests(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    hotline: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[DialTestView]]:
    audit.require(actor, "inspection.read")
    query = (
        select(DialTest, InspectionSubject)
        .join(InspectionSubject, InspectionSubject.id == DialTest.subject_id)
        .where(audit.subject_visible_to(actor))
    )
    if hotline:
        query = query.where(InspectionSubject.hotline_number == hotline)
    if start:
        query = query.where(DialTest.started_at >= start)
    if end:
        query = query.where(DialTest.started_at < end)
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = uow.session.execute(
        query.order_by(DialTest.started_at.desc(), DialTest.id.desc()).limit(limit).offset(offset)
    ).all()
    return total, [_view(d, s, lang) for d, s in page]


def record_dial_run(
    uow: UnitOfWork, calls: Sequence[tuple[DialTestIn, str]], actor: Actor, now: datetime
) -> int:
    """A prober's whole run (a day, a backfill) in one insert and one audit row; each call
    checked as a single post is, keys already stored are skipped. The caller commits."""
    audit.require(actor, "dial_test.post")
    numbers = {body.hotline for body, _ in calls}
    hotlines = {
        s.hotline_number: s
        for s in uow.session.scalars(
            select(InspectionSubject).where(
                InspectionSubject.hotline_number.in_(list(numbers)),
                audit.subject_visible_to(actor),
            )
        )
    }
    keys = [key for _, key in calls]
    known = set(
        uow.session.scalars(
            select(DialTest.idempotency_key).where(DialTest.idempotency_key.in_(keys))
        )
    )
    rows = []
    for body, key in calls:
        subject = hotlines.get(body.hotline)
        if subject is None:
            raise InvalidInput(
                "hotline", f"未知热线号码「{body.hotline[:20]}」 / unknown hotline number"
            )
        m = rules.DialMeasurement(
            body.hotline, instant("started_at", body.started_at), body.outcome,
            body.answer_seconds, body.wait_seconds,
        )  # fmt: skip
        rules.check_measurement(m)
        if key in known:
            continue
        known.add(key)
        rows.append(
            {
                "subject_id": subject.id,
                "region_path": subject.region_path,
                "started_at": m.started_at,
                "outcome": m.outcome,
                "answer_seconds": m.answer_seconds,
                "wait_seconds": m.wait_seconds,
                "idempotency_key": key,
                "posted_by_id": actor.staff_id,
                "created_at": now,
            }
        )
    if rows:
        uow.session.execute(insert(DialTest), rows)
        audit.record(
            uow, actor, "dial_test", f"run:{len(rows)}", "dial_run_recorded", now,
            after={"calls": len(rows), "hotlines": sorted(numbers)},
        )  # fmt: skip
    return len(rows)
