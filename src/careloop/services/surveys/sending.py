"""Planning a survey when a complaint closes, and sending the due ones (the job).

The closed-after-callback event (``careloop.complaint.closed``) reaches ``SurveyPlanner``
after the close committed, through the job queue (bootstrap.py): it writes one pending
survey, due ``delay_minutes`` after the close. ``send_due_surveys`` (the in-process runner
each round, or the queue's periodic job) applies the throttle (``domain.surveys.decide``) to
every due survey: send, move to the morning, or skip, each decision an audit event on the
complaint with its reason in words. The one-time link's token exists only in the SMS: the
outbox row keeps the message with the link blanked, the survey keeps the token's hash.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakSet

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from careloop.domain.events import DomainEvent
from careloop.domain.privacy import mask_phone
from careloop.domain.surveys import (
    TOKEN_BYTES,
    Decision,
    decide,
    local_day_bounds,
    phone_hash,
    rule_for,
    sms_text,
    token_hash,
)
from careloop.notify.adapters import Adapter, Message
from careloop.notify.quiet_hours import QuietHours
from careloop.services.access.actors import SYSTEM
from careloop.services.complaints.audit import record
from careloop.services.surveys.read_models import SendReport
from careloop.services.surveys.rules import stored_rules
from careloop.services.surveys.templates import active_template
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Notification, OrgUnit
from careloop.store.models.surveys import Survey, SurveyOptOut

log = logging.getLogger("careloop.surveys")

SURVEY_KIND = "survey"
"""The outbox rows' kind."""
LINK_PATH = "/s/"
BLANKED = "••••"
ACTION_OF_OUTCOME = {
    "send": "survey_sent",
    "schedule": "survey_scheduled",
    "skip": "survey_skipped",
}
"""Audit actions of the throttle's decisions (bookkeeping: no domain event hangs on them)."""


def handling_unit_id(complaint: Complaint) -> int:
    """The unit that handled it: its last work order's unit (who fixed it), else the owner's
    unit (a complaint answered at the desk)."""
    orders = [o for o in complaint.work_orders if o.status != "returned"] or list(
        complaint.work_orders
    )
    return orders[-1].unit_id if orders else complaint.owner_unit_id


def plan_survey(uow: UnitOfWork, complaint_id: int, closed_at: datetime) -> int | None:
    """One pending survey for a complaint the customer was satisfied with at callback, due
    after the rule's delay; None if it has one already (the handler may run twice). Commits."""
    if uow.session.scalar(select(Survey.id).where(Survey.complaint_id == complaint_id)):
        return None
    complaint = uow.session.get(Complaint, complaint_id)
    if complaint is None:
        return None
    region_path = complaint.region.path
    _, rule = rule_for(region_path, stored_rules(uow))
    template_id, _ = active_template(uow, rule.template_purpose)
    survey = Survey(
        complaint_id=complaint.id,
        template_id=template_id,
        status="pending",
        phone_hash=phone_hash(complaint.customer_phone),
        region_id=complaint.region_id,
        unit_id=handling_unit_id(complaint),
        agent_id=complaint.first_owner_id,
        closed_at=closed_at,
        due_at=closed_at + timedelta(minutes=rule.delay_minutes),
        created_at=closed_at,
    )
    uow.session.add(survey)
    try:
        uow.session.flush()
    except IntegrityError:  # planned by a twin delivery of the same event meanwhile
        uow.rollback()
        return None
    survey_id = survey.id
    uow.commit()
    return survey_id


_PAUSED: WeakSet[sessionmaker[Session]] = WeakSet()


def pause_planning(session_factory: sessionmaker[Session]) -> None:
    """Bulk loads (the demo's replay of 90 days) plan their surveys afterwards in one
    statement (``plan_missing``) instead of one transaction per close."""
    _PAUSED.add(session_factory)


def resume_planning(session_factory: sessionmaker[Session]) -> None:
    _PAUSED.discard(session_factory)


class SurveyPlanner:
    """The queued handler of ``careloop.complaint.closed``: one instance per platform, bound
    to its database (a queue worker finds it by its class's name)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __call__(self, event: DomainEvent) -> None:
        if event.complaint_id is None or self.session_factory in _PAUSED:
            return
        with UnitOfWork(self.session_factory) as uow:
            plan_survey(uow, event.complaint_id, event.at)


def _last_sent_at(uow: UnitOfWork, survey: Survey) -> datetime | None:
    return uow.session.scalar(
        select(func.max(Survey.sent_at)).where(
            Survey.phone_hash == survey.phone_hash, Survey.id != survey.id
        )
    )


def _sent_today(uow: UnitOfWork, now: datetime, region_path: str | None) -> int:
    start, end = local_day_bounds(now)
    query = (
        select(func.count())
        .select_from(Survey)
        .where(Survey.sent_at >= start, Survey.sent_at < end)
    )
    if region_path is not None:
        query = query.join(OrgUnit, OrgUnit.id == Survey.region_id).where(
            OrgUnit.path.startswith(region_path, autoescape=True)
        )
    return int(uow.session.scalar(query) or 0)


def _opted_out(uow: UnitOfWork, survey: Survey) -> bool:
    return (
        uow.session.scalar(
            select(SurveyOptOut.id).where(SurveyOptOut.phone_hash == survey.phone_hash)
        )
        is not None
    )


def _audit(
    uow: UnitOfWork, complaint: Complaint, survey: Survey, decision: Decision, now: datetime
) -> None:
    """The decision on the complaint's trail at ``now``, its reason in words (the note; the
    code as ``survey_reason``, which the trail does not print: ``reason`` it would)."""
    after: dict[str, Any] = {"survey_id": survey.id, "survey_reason": decision.reason}
    if decision.outcome == "schedule":
        after["send_at"] = decision.at.isoformat()
    failed = survey.status == "failed"
    uow.session.add(
        record(
            complaint,
            SYSTEM,
            "survey_failed" if failed else ACTION_OF_OUTCOME[decision.outcome],
            now,
            after={**after, "survey_reason": "send_failed"} if failed else after,
            note="满意度调查短信发送失败" if failed else decision.describe("zh"),
        )
    )


def send_due_surveys(
    session_factory: sessionmaker[Session],
    adapters: Mapping[str, Adapter],
    now: datetime,
    link_base: str = "http://127.0.0.1:8000",
    limit: int = 500,
) -> SendReport:
    """Apply the throttle to every survey due by ``now`` and send those it lets through;
    mark the links past their expiry. Safe to run in several workers at once (SKIP LOCKED)."""
    sent = scheduled = skipped = 0
    reasons: dict[str, int] = {}
    with UnitOfWork(session_factory) as uow:
        rules = stored_rules(uow)
        due = list(
            uow.session.scalars(
                select(Survey)
                .where(Survey.status == "pending", Survey.due_at <= now)
                .order_by(Survey.due_at, Survey.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for survey in due:
            complaint = uow.session.get(Complaint, survey.complaint_id)
            assert complaint is not None
            governing, rule = rule_for(complaint.region.path, rules)
            decision = decide(
                now=now,
                rule=rule,
                opted_out=_opted_out(uow, survey),
                last_sent_at=_last_sent_at(uow, survey),
                sent_today=_sent_today(uow, now, governing),
                quiet=QuietHours(rule.night_start, rule.night_end),
            )
            reasons[decision.reason] = reasons.get(decision.reason, 0) + 1
            survey.reason = decision.reason
            if decision.outcome == "send":
                _send(
                    uow,
                    survey,
                    complaint,
                    decision,
                    adapters[rule.channel],
                    link_base,
                    rule.link_days,
                    now,
                )
                sent += 1
            elif decision.outcome == "schedule":
                survey.due_at = decision.at
                scheduled += 1
            else:
                survey.status = "skipped"
                skipped += 1
            _audit(uow, complaint, survey, decision, now)
            uow.session.flush()
        expiry = uow.session.execute(
            update(Survey)
            .where(Survey.status == "sent", Survey.expires_at <= now)
            .values(status="expired")
            .execution_options(synchronize_session=False)
        )
        expired = int(getattr(expiry, "rowcount", 0) or 0)
        uow.commit()
    report = SendReport(sent, scheduled, skipped, expired, reasons)
    if sent or scheduled or skipped or expired:
        log.info("survey round at %s: %s", now.isoformat(), report.as_dict())
    return report


def _send(
    uow: UnitOfWork,
    survey: Survey,
    complaint: Complaint,
    decision: Decision,
    adapter: Adapter,
    link_base: str,
    link_days: int,
    now: datetime,
) -> None:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = f"{link_base.rstrip('/')}{LINK_PATH}{token}"
    survey.token_hash = token_hash(token)
    survey.status = "sent"
    survey.sent_at = now
    survey.expires_at = decision.expires_at
    row = Notification(
        dedup_key=f"{SURVEY_KIND}:{survey.id}",
        kind=SURVEY_KIND,
        channel="sms",
        recipient=f"tel:{mask_phone(complaint.customer_phone)}",
        subject="CareLoop",
        body=sms_text(f"{link_base.rstrip('/')}{LINK_PATH}{BLANKED}", link_days),
        complaint_id=complaint.id,
        status="pending",
        created_at=now,
        send_after=now,
    )
    uow.session.add(row)
    uow.session.flush()
    survey.notification_id = row.id
    message = Message(
        row.id, "sms", f"tel:{complaint.customer_phone}", row.subject, sms_text(link, link_days)
    )
    try:
        adapter.send(message)
    except Exception as exc:  # the outbox keeps the failure; the token goes nowhere else
        row.status, row.error = "failed", str(exc).replace(token, BLANKED)[:2000]
        survey.status, survey.reason, survey.token_hash = "failed", "send_failed", None
        log.warning("survey %s for complaint %s not sent: %s", survey.id, complaint.id, exc)
    else:
        row.status, row.sent_at = "sent", now
    row.adapter = adapter.name


__all__ = [
    "SURVEY_KIND",
    "SurveyPlanner",
    "handling_unit_id",
    "pause_planning",
    "plan_survey",
    "resume_planning",
    "send_due_surveys",
]
