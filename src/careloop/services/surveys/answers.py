"""The customer's side: the one-time link's form, the answer (once), and opting out.

No login: the link's token is the key. Only its hash is stored, so a lookup hashes what the
customer brought. Answering twice (a double tap, a reload) gives the first answer back
unchanged; an expired, unknown or garbled link is a clear refusal, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from careloop.domain.complaints import normalize_phone
from careloop.domain.surveys import (
    SurveyError,
    is_opt_out_reply,
    is_satisfied,
    local_stamp,
    parse_answers,
    phone_hash,
    token_hash,
)
from careloop.services.access.actors import SYSTEM, Actor
from careloop.services.complaints.audit import record
from careloop.services.surveys.read_models import AnswerReceipt, OptOutReceipt, SurveyForm
from careloop.services.surveys.templates import template_of
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint
from careloop.store.models.surveys import Survey, SurveyOptOut

MAX_TOKEN_LENGTH = 64
OPEN_STATUSES = ("sent", "answered", "expired")


def _by_token(uow: UnitOfWork, token: str) -> Survey:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise SurveyError("survey_link_unknown")
    survey = uow.session.scalar(select(Survey).where(Survey.token_hash == token_hash(token)))
    if survey is None or survey.status not in OPEN_STATUSES:
        raise SurveyError("survey_link_unknown")
    return survey


def _check_open(survey: Survey, now: datetime) -> None:
    if survey.answered_at is None and survey.expires_at is not None and survey.expires_at <= now:
        raise SurveyError("survey_link_expired", until=local_stamp(survey.expires_at))


def _is_opted_out(uow: UnitOfWork, hashed: str) -> bool:
    return (
        uow.session.scalar(select(SurveyOptOut.id).where(SurveyOptOut.phone_hash == hashed))
        is not None
    )


def survey_form(uow: UnitOfWork, token: str, now: datetime) -> SurveyForm:
    """What the link shows: the questions of the version it was sent with, or the answer
    already given. Raises ``survey_link_unknown`` (404) or ``survey_link_expired`` (410)."""
    survey = _by_token(uow, token)
    _check_open(survey, now)
    return SurveyForm(
        survey.id,
        template_of(uow, survey.template_id),
        survey.expires_at,
        survey.answered_at is not None,
        dict(survey.answers) if survey.answers else None,
        _is_opted_out(uow, survey.phone_hash),
    )


def answer_survey(
    uow: UnitOfWork, token: str, answers: Mapping[str, Any], now: datetime
) -> AnswerReceipt:
    """Record the customer's answer once, for the complaint, its handling unit and its agent,
    on the audit trail. A second submission returns the first receipt (``repeated``) and
    changes nothing. Commits."""
    survey = _by_token(uow, token)
    if survey.answered_at is not None:
        return _receipt(survey, repeated=True)
    _check_open(survey, now)
    template = template_of(uow, survey.template_id)
    parsed = parse_answers(template, answers)
    satisfied = is_satisfied(template, parsed)
    # Conditional on "not answered yet": of two submissions racing, one writes.
    result = uow.session.execute(
        update(Survey)
        .where(Survey.id == survey.id, Survey.answered_at.is_(None))
        .values(answers=parsed, satisfied=satisfied, answered_at=now, status="answered")
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        uow.rollback()
        uow.expire_all()
        return _receipt(_by_token(uow, token), repeated=True)
    complaint = uow.session.get(Complaint, survey.complaint_id)
    assert complaint is not None
    word = {True: "满意", False: "不满意", None: "未表态"}[satisfied]
    uow.session.add(
        record(
            complaint,
            SYSTEM,
            "survey_answered",
            now,
            after={"survey_id": survey.id, "satisfied": satisfied},
            note=f"客户已填写满意度调查：{word}",
        )
    )
    uow.commit()
    return AnswerReceipt(survey.id, survey.complaint_id, satisfied, now, repeated=False)


def _receipt(survey: Survey, repeated: bool) -> AnswerReceipt:
    assert survey.answered_at is not None
    return AnswerReceipt(
        survey.id, survey.complaint_id, survey.satisfied, survey.answered_at, repeated
    )


def _opt_out(
    uow: UnitOfWork,
    hashed: str,
    now: datetime,
    source: str,
    actor: Actor,
    complaint: Complaint | None,
    survey_id: int | None,
) -> OptOutReceipt:
    existing = uow.session.scalar(select(SurveyOptOut).where(SurveyOptOut.phone_hash == hashed))
    if existing is not None:
        return OptOutReceipt(already=True, at=existing.at)
    uow.session.add(SurveyOptOut(phone_hash=hashed, at=now, source=source, survey_id=survey_id))
    # Pending surveys of the number are dropped now, not at their send time.
    uow.session.execute(
        update(Survey)
        .where(Survey.phone_hash == hashed, Survey.status == "pending")
        .values(status="skipped", reason="opted_out")
        .execution_options(synchronize_session=False)
    )
    if complaint is not None:
        uow.session.add(
            record(
                complaint,
                actor,
                "survey_opted_out",
                now,
                after={"source": source, **({"survey_id": survey_id} if survey_id else {})},
                note="客户已退订满意度调查，今后不再发送",
            )
        )
    uow.commit()
    return OptOutReceipt(already=False, at=now)


def opt_out(
    uow: UnitOfWork, phone: str, now: datetime, source: str = "staff", actor: Actor = SYSTEM
) -> OptOutReceipt:
    """The number never gets a survey again (the customer asked on the phone, by SMS, …);
    audited on the number's latest complaint. Raises ``invalid_input`` for a bad number."""
    number = normalize_phone(phone)
    latest = uow.session.scalar(
        select(Complaint)
        .where(Complaint.customer_phone == number)
        .order_by(Complaint.accepted_at.desc(), Complaint.id.desc())
        .limit(1)
    )
    return _opt_out(uow, phone_hash(number), now, source, actor, latest, None)


def opt_out_by_token(uow: UnitOfWork, token: str, now: datetime) -> OptOutReceipt:
    """The customer opts out on the survey page (the link names the number); an expired
    link may still opt out."""
    survey = _by_token(uow, token)
    complaint = uow.session.get(Complaint, survey.complaint_id)
    return _opt_out(uow, survey.phone_hash, now, "page", SYSTEM, complaint, survey.id)


def record_sms_reply(uow: UnitOfWork, phone: str, text: str, now: datetime) -> bool:
    """An SMS reply from the gateway: 退订 / TD opts the number out; anything else is not
    ours. True when it was an opt-out."""
    if not is_opt_out_reply(text):
        return False
    opt_out(uow, phone, now, source="sms_reply")
    return True
