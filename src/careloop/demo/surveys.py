"""The demo's post-service surveys: sent after each satisfied close, answered by about four
customers in ten, mostly satisfied, a few units noticeably less so.

The replay's closes would plan their surveys one transaction each (``SurveyPlanner``); the
demo holds the planner during the replay and plans them in one INSERT afterwards, then
plays the sender and the customers for the demo's past, in bulk (one UPDATE batch and one
INSERT of trail rows): what the handler, the job runner and the page would have written,
with the same throttle (``domain.surveys.decide``) and the same night window, so the pages
and the indicators have something true to show. Seeded: the same demo, the same surveys.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from careloop.domain.surveys import (
    DEFAULT_RULE,
    Decision,
    decide,
    is_satisfied,
    local_day_bounds,
    parse_answers,
    phone_hash,
    token_hash,
)
from careloop.notify.quiet_hours import QuietHours
from careloop.services.surveys.sending import (
    handling_unit_id,
    pause_planning,
    resume_planning,
)
from careloop.services.surveys.templates import active_template
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Complaint, Event
from careloop.store.models.surveys import Survey

RESPONSE_RATE = 0.40
SATISFIED_SHARE = 0.86
WEAK_UNIT_PENALTY = 0.25
"""One unit in six answers less satisfied by this much: something for the results to show."""


def _plan_missing(uow: UnitOfWork, end: datetime) -> None:
    """Surveys for satisfied closes that have none (the planner ran elsewhere, or not at all)."""
    have = select(Survey.complaint_id)
    closed = uow.session.scalars(
        select(Complaint).where(
            Complaint.callback_outcome == "satisfied",
            Complaint.closed_at.is_not(None),
            Complaint.closed_at <= end,
            Complaint.id.not_in(have),
        )
    ).all()
    if not closed:
        return
    template_id, _ = active_template(uow)
    uow.session.execute(
        insert(Survey),
        [
            {
                "complaint_id": c.id,
                "template_id": template_id,
                "status": "pending",
                "phone_hash": phone_hash(c.customer_phone),
                "region_id": c.region_id,
                "unit_id": handling_unit_id(c),
                "agent_id": c.first_owner_id,
                "closed_at": c.closed_at,
                "due_at": c.closed_at + timedelta(minutes=DEFAULT_RULE.delay_minutes),
                "created_at": c.closed_at,
            }
            for c in closed
            if c.closed_at is not None
        ],
    )


def _answers(rng: random.Random, satisfied: bool) -> dict[str, str]:
    if satisfied:
        timeliness, attitude = rng.choice("44555"), str(rng.randint(7, 10))
    else:
        timeliness, attitude = rng.choice("1223"), str(rng.randint(2, 7))
    answers = {"result": "yes" if satisfied else "no", "timeliness": timeliness,
               "attitude": attitude}  # fmt: skip
    if not satisfied and rng.random() < 0.6:
        answers["suggestion"] = rng.choice(
            ["处理太慢，等了好几天", "希望一次说清楚，不要让我反复打电话", "上门时间不准时",
             "费用问题解释得不清楚"]
        )  # fmt: skip
    elif satisfied and rng.random() < 0.15:
        answers["suggestion"] = rng.choice(["服务很好，谢谢", "处理及时，满意"])
    return answers


def hold_demo_surveys(session_factory: sessionmaker[Session]) -> None:
    """Before the replay: its closes are planned in bulk by ``seed_demo_surveys`` instead
    of one transaction each (the demo's load time stays what it was)."""
    pause_planning(session_factory)


def seed_demo_surveys(session_factory: sessionmaker[Session], end: datetime, seed: int) -> str:
    """Send and answer the demo's due surveys as of ``end``; returns a line for the log."""
    resume_planning(session_factory)
    rng = random.Random(seed)
    night = QuietHours(DEFAULT_RULE.night_start, DEFAULT_RULE.night_end)
    with UnitOfWork(session_factory) as uow:
        _plan_missing(uow, end)
        _, template = active_template(uow)
        due = uow.session.execute(
            select(Survey.id, Survey.complaint_id, Survey.phone_hash, Survey.unit_id,
                   Survey.due_at)
            .where(Survey.status == "pending", Survey.due_at <= end)
            .order_by(Survey.due_at, Survey.id)
        ).all()  # fmt: skip
        weak_units = {u for u in {row.unit_id for row in due} if u % 6 == 0}
        last_sent: dict[str, datetime] = {}
        sent_per_day: dict[datetime, int] = defaultdict(int)
        updates: list[dict[str, Any]] = []
        trail: list[dict[str, Any]] = []
        answered = 0
        for row in due:
            moment = night.next_allowed(row.due_at, "sms")
            day = local_day_bounds(moment)[0]
            decision: Decision = decide(
                now=moment,
                rule=DEFAULT_RULE,
                opted_out=False,
                last_sent_at=last_sent.get(row.phone_hash),
                sent_today=sent_per_day[day],
                quiet=night,
            )
            values: dict[str, Any] = {"id": row.id, "reason": decision.reason, "due_at": row.due_at}
            trail.append(_event(row.complaint_id, moment, decision))
            if decision.outcome != "send" or moment > end:
                values["status"] = "skipped" if decision.outcome == "skip" else "pending"
                values["due_at"] = moment
                updates.append(values)
                continue
            last_sent[row.phone_hash] = moment
            sent_per_day[day] += 1
            expires = decision.expires_at or moment
            values.update(
                status="sent",
                sent_at=moment,
                expires_at=expires,
                token_hash=token_hash(secrets.token_urlsafe(18)),
            )
            answer_at = moment + timedelta(minutes=rng.randint(5, 3 * 24 * 60))
            if rng.random() < RESPONSE_RATE and answer_at <= end and answer_at < expires:
                share = SATISFIED_SHARE - (WEAK_UNIT_PENALTY if row.unit_id in weak_units else 0)
                answers = parse_answers(template, _answers(rng, rng.random() < share))
                satisfied = is_satisfied(template, answers)
                values.update(status="answered", answered_at=answer_at, answers=answers,
                              satisfied=satisfied)  # fmt: skip
                word = "满意" if satisfied else "不满意"
                trail.append(
                    _row(row.complaint_id, answer_at, "survey_answered",
                         {"survey_id": row.id, "satisfied": satisfied},
                         f"客户已填写满意度调查：{word}")
                )  # fmt: skip
                answered += 1
            elif expires <= end:
                values["status"] = "expired"
            updates.append(values)
        if updates:
            uow.session.execute(update(Survey), _uniform(updates))
        if trail:
            uow.session.execute(insert(Event), trail)
        uow.commit()
    sent = sum(1 for u in updates if u.get("sent_at"))
    return f"surveys: {sent} sent, {answered} answered"


def _uniform(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A bulk UPDATE by primary key wants the same keys in every row."""
    keys = {k for r in rows for k in r}
    defaults = {"answers": None, "satisfied": None, "answered_at": None, "expires_at": None,
                "token_hash": None}  # fmt: skip
    out = []
    for r in rows:
        full = {k: r.get(k, defaults.get(k)) for k in keys}
        out.append(full)
    return out


def _event(complaint_id: int, at: datetime, decision: Decision) -> dict[str, Any]:
    action = {"send": "survey_sent", "schedule": "survey_scheduled", "skip": "survey_skipped"}
    return _row(complaint_id, at, action[decision.outcome], {"survey_reason": decision.reason},
                decision.describe("zh"))  # fmt: skip


def _row(
    complaint_id: int, at: datetime, action: str, after: dict[str, Any], note: str
) -> dict[str, Any]:
    return {
        "complaint_id": complaint_id,
        "work_order_id": None,
        "at": at,
        "actor_id": None,
        "actor": "system",
        "role": "system",
        "action": action,
        "before": None,
        "after": after,
        "note": note,
    }
