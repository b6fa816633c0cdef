"""/api/v1/sla: policies (versioned), calendar days, notifications, sweep, re-apply."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, Field

from careloop.api import presenters, schemas
from careloop.api.deps import ActorDep, LangDep
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.sla import calendar as sla_calendar
from careloop.services.sla import clocks as sla
from careloop.services.sla import policies as sla_policies
from careloop.services.sla import sweep as sla_sweep
from careloop.services.supervision import rectification

router = APIRouter(prefix="/api/v1/sla", tags=["sla"])

NO_CONTENT: Final[dict[str, Any]] = {
    "status_code": status.HTTP_204_NO_CONTENT,
    "response_class": Response,
}
"""A removal's answer: 204 and nothing else (a bare Response, not an empty JSON one)."""


class LimitIn(BaseModel):
    """A stage's limit: a counting rule with its amount, or (older shape) minutes and basis."""

    count: str | None = Field(
        None,
        description="计算规则 / counting rule: hours (自然时间，自时刻起), working_hours "
        "(工作时间，自时刻起), calendar_days (自然日：次日起算，末日 24 时止，末日逢节假日顺延) "
        "or working_days (工作日：次日起算，第 N 个工作日 24 时止); without it, minutes and "
        "basis",
    )
    days: int | None = Field(None, gt=0, description="Days, for calendar_days and working_days")
    minutes: int | None = Field(
        None, gt=0, description="Minutes, for hours and working_hours (or with basis)"
    )
    basis: str | None = Field(
        None, description="calendar or working (older shape; default working)"
    )


class EscalationStepIn(BaseModel):
    level: int = Field(ge=1, description="1, 2, 3 ... in order up the org tree")
    to: str = Field(description="owner, unit_lead, city or province")
    after_minutes: int = Field(0, ge=0, description="Overrun minutes before this step fires")
    channel: str = Field("email", description="sms, email or webhook")


class PolicyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="What the commitment is")
    limits: dict[str, LimitIn] = Field(
        description="Per stage: acceptance, first_contact, reply, work_order, callback; and "
        "per work step a dispatch opens (docs/commitments.md): feasibility (装机可行性答复), "
        "arrival (上门到场, from the appointment), restore (恢复服务), installation (装机完成)"
    )
    rank: int = Field(0, description="Higher rank wins when several policies match")
    match_category: str | None = Field(None, description="Category code (either level)")
    match_channel: str | None = Field(None, description="Intake channel")
    match_tier: str | None = Field(None, description="Customer tier")
    match_region: str | None = Field(None, description="Region unit code (subtree)")
    match_escalated: bool | None = Field(None, description="Only (not) escalated complaints")
    match_priority: str | None = Field(None, description="Priority")
    match_repeat: bool | None = Field(
        None,
        description="适用重复投诉: true = repeat complaints only (same customer, same issue "
        "within 30 days), false = first complaints only, null = both",
    )
    match_area: str | None = Field(
        None,
        description="适用城乡: urban (城市) or rural (农村) regions only, null = both; a region "
        "without its own kind takes its nearest ancestor's",
    )
    warn_share: float = Field(0.8, gt=0, le=1, description="Warn at this share of the limit")
    timezone: str = Field("Asia/Shanghai", description="Where business hours are read")
    hours: dict[str, list[list[str]]] | None = Field(
        None,
        description='Business hours per weekday, {"0": [["08:30", "17:30"]]}; 0 = Monday, '
        "6 = Sunday: a weekday with hours is worked (a seven-day desk lists all seven). "
        '"holiday": hours worked on holidays (a hotline); without it the desk is closed on '
        "holidays. A window ending at or before its start runs past midnight.",
    )
    escalation: list[EscalationStepIn] = Field(
        default_factory=list, description="Who hears about a breach, in order"
    )
    reminder_channel: str = Field("sms", description="Channel of the 80 % reminder")


class PolicyOut(PolicyIn):
    id: int = Field(description="Row id of this version")
    code: str = Field(description="Stable policy code")
    version: int = Field(description="Version number; complaints reference one version")
    active: bool = Field(description="False once superseded or retired")
    created_at: datetime = Field(description="When this version was made")
    created_by: str = Field(description="Who made it")


class CalendarDayIn(BaseModel):
    kind: str = Field(description="holiday (放假) or workday (调休上班)")
    name: str = Field(min_length=1, max_length=100, description="e.g. 国庆节")


class CalendarDayOut(CalendarDayIn):
    day: date = Field(description="The date")
    source: str = Field(
        description="chinese-calendar (seed), notice (an imported notice) or operator (by hand)"
    )


class CalendarYearOut(BaseModel):
    year: int = Field(description="Year whose notice is entered")
    source: str = Field(
        description="chinese-calendar (seed), notice (an imported notice) or operator (by hand)"
    )


class ImportOut(BaseModel):
    year: int = Field(description="The year asked for")
    imported: bool = Field(description="False when the seed package does not know the year")
    days: int = Field(description="Days written")
    message: str = Field(description="What happened; an unknown year stays on the fallback")


class NotificationOut(BaseModel):
    id: int = Field(description="Outbox id")
    kind: str = Field(description="reminder, escalation, report or repeat (a repeat complaint)")
    channel: str = Field(description="sms, email or webhook")
    recipient: str = Field(description="staff:username or unit:code")
    subject: str = Field(description="Subject line")
    body: str = Field(description="Message text")
    complaint_id: int | None = Field(description="The complaint concerned")
    level: int | None = Field(description="Escalation level")
    status: str = Field(description="pending, sent or failed")
    adapter: str | None = Field(description="Adapter that delivered it (recording by default)")
    created_at: datetime = Field(description="When it was queued")
    send_after: datetime = Field(description="Not before (quiet hours)")
    sent_at: datetime | None = Field(description="When it was delivered")


class NotificationPage(BaseModel):
    total: int = Field(description="All matching messages")
    items: list[NotificationOut] = Field(description="This page")


@router.get("/policies", response_model=list[PolicyOut], summary="SLA policies")
def list_policies(
    uow: UowDep,
    actor: ActorDep,
    all_versions: Annotated[bool, Query(alias="all", description="Include retired")] = False,
) -> list[PolicyOut]:
    return [presenters.shaped(PolicyOut, p) for p in sla_policies.list_policies(uow, all_versions)]


@router.get("/policies/{policy_id}", response_model=PolicyOut, summary="One policy version")
def get_policy(policy_id: int, uow: UowDep, actor: ActorDep) -> PolicyOut:
    return presenters.shaped(PolicyOut, sla_policies.get_policy(uow, policy_id))


@router.put(
    "/policies/{code}",
    response_model=PolicyOut,
    summary="Create a policy or add its next version (open complaints keep theirs)",
)
def put_policy(code: str, body: PolicyIn, uow: UowDep, actor: ActorDep, now: NowDep) -> PolicyOut:
    raw = body.model_dump()
    raw["limits"] = {
        k: {name: value for name, value in v.items() if value is not None}
        for k, v in raw["limits"].items()
    }
    policy = sla_policies.save_policy(uow, code, sla_policies.PolicySpec(**raw), actor, now)
    return presenters.shaped(PolicyOut, policy)


@router.delete("/policies/{code}", **NO_CONTENT, summary="Retire a policy")
def retire_policy(code: str, uow: UowDep, actor: ActorDep) -> None:
    sla_policies.retire_policy(uow, code, actor)


@router.get("/calendar/days", response_model=list[CalendarDayOut], summary="Calendar days")
def calendar_days(
    uow: UowDep, actor: ActorDep, year: Annotated[int | None, Query(ge=1900, le=2200)] = None
) -> list[CalendarDayOut]:
    return [presenters.shaped(CalendarDayOut, d) for d in sla_calendar.list_days(uow, year)]


@router.put("/calendar/days/{day}", response_model=CalendarDayOut, summary="Enter one day")
def put_calendar_day(
    day: date, body: CalendarDayIn, uow: UowDep, actor: ActorDep, now: NowDep
) -> CalendarDayOut:
    entry = sla_calendar.set_day(uow, day, body.kind, body.name, actor, now)
    return presenters.shaped(CalendarDayOut, entry)


@router.delete("/calendar/days/{day}", **NO_CONTENT, summary="Remove one day")
def delete_calendar_day(day: date, uow: UowDep, actor: ActorDep, now: NowDep) -> None:
    sla_calendar.remove_day(uow, day, actor, now)


@router.get("/calendar/years", response_model=list[CalendarYearOut], summary="Covered years")
def calendar_years(uow: UowDep, actor: ActorDep) -> list[CalendarYearOut]:
    return [presenters.shaped(CalendarYearOut, y) for y in sla_calendar.list_years(uow)]


@router.post(
    "/calendar/years/{year}/import",
    response_model=ImportOut,
    summary="Seed a year from chinese-calendar (an unknown year is reported, not an error)",
)
def import_year(
    year: Annotated[int, Path(ge=1900, le=2200)], uow: UowDep, actor: ActorDep, now: NowDep
) -> ImportOut:
    result = sla_calendar.import_year(uow, year, actor, now)
    return ImportOut(**result.__dict__)


@router.put(
    "/calendar/years/{year}",
    response_model=CalendarYearOut,
    summary="Mark a year's notice as fully entered by hand",
)
def cover_year(
    year: Annotated[int, Path(ge=1900, le=2200)], uow: UowDep, actor: ActorDep, now: NowDep
) -> CalendarYearOut:
    return presenters.shaped(CalendarYearOut, sla_calendar.mark_year_covered(uow, year, actor, now))


class SpecialDayOut(BaseModel):
    day: date = Field(description="The date")
    kind: str = Field(description="rest (放假, a rest day) or work (调休上班, a working weekend)")
    name: str = Field(description="The holiday, e.g. 春节")
    source: str = Field(
        description="notice (the entered notice or an administrator's day) or statutory (the "
        "holiday law; the year's notice is not entered)"
    )


class CalendarYearDaysOut(BaseModel):
    year: int = Field(description="The year")
    notice_entered: bool = Field(
        description="False: the year's notice is not entered, so its bridge days and make-up "
        "working days are assumed (weekend rule); statutory holidays still rest"
    )
    days: list[SpecialDayOut] = Field(
        description="Every day that is not an ordinary weekday or weekend, in date order"
    )


class NoticeIn(BaseModel):
    text: str = Field(
        max_length=50_000,
        description="The notice, one line per day or range: '2027-02-06..2027-02-13 rest 春节', "
        "'2027-02-14 work 春节调休'; '#' starts a comment (docs/calendar.md)",
    )


class NoticeImportOut(BaseModel):
    year: int = Field(description="The notice's year, now marked entered")
    rest_days: int = Field(description="Rest days the notice lists")
    work_days: int = Field(description="Make-up working days the notice lists")
    replaced: int = Field(description="Days of that year entered before, replaced")
    moved: int = Field(description="Open complaints whose stored due dates changed")


class NoticeReminderOut(BaseModel):
    years: list[int] = Field(
        description="Years whose notice should be entered now (this year if missing; next "
        "year from 1 December); empty: nothing to do"
    )
    message: str | None = Field(description="The reminder in the caller's language")


@router.get(
    "/calendar/years/{year}/days",
    response_model=CalendarYearDaysOut,
    summary="A year's rest days and make-up working days, each with its source",
)
def calendar_year_days(
    year: Annotated[int, Path(ge=2000, le=2099)], uow: UowDep, actor: ActorDep
) -> CalendarYearDaysOut:
    view = sla_calendar.year_view(uow, year)
    return CalendarYearDaysOut(
        year=view.year,
        notice_entered=view.notice_entered,
        days=[SpecialDayOut(**d.__dict__) for d in view.days],
    )


@router.post(
    "/calendar/years/{year}/notice",
    response_model=NoticeImportOut,
    summary="Enter a year's holiday notice from its text (replaces that year's days; admins "
    "and supervisors; audited; open complaints' due dates move at once)",
)
def import_notice(
    year: Annotated[int, Path(ge=2000, le=2099)],
    body: NoticeIn,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
) -> NoticeImportOut:
    result = sla_calendar.import_notice(uow, year, body.text, actor, now)
    return NoticeImportOut(**result.__dict__)


@router.get(
    "/calendar/reminder",
    response_model=NoticeReminderOut,
    summary="Which holiday notices the administrator should enter now",
)
def calendar_reminder(
    request: Request, uow: UowDep, actor: ActorDep, now: NowDep, lang: LangDep
) -> NoticeReminderOut:
    tz = request.app.state.settings.timezone
    reminder = sla_calendar.notice_reminder(uow, now, tz)
    if reminder is None:
        return NoticeReminderOut(years=[], message=None)
    return NoticeReminderOut(years=reminder.years, message=reminder.message(lang))


@router.get(
    "/notifications",
    response_model=NotificationPage,
    summary="The outbox as the recording adapter keeps it: messages about complaints in the "
    "caller's scope (one-time codes never)",
)
def notifications(
    uow: UowDep,
    actor: ActorDep,
    complaint_id: int | None = None,
    kind: Annotated[
        str | None, Query(description="reminder, escalation or repeat (a repeat complaint)")
    ] = None,
    status_: Annotated[str | None, Query(alias="status", description="pending, sent")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NotificationPage:
    total, messages = sla_sweep.list_notifications(
        uow, actor, complaint_id, kind, status_, limit, offset
    )
    return NotificationPage(
        total=total, items=[presenters.shaped(NotificationOut, m) for m in messages]
    )


@router.post("/sweep", summary="Run one sweep now (admins; the worker does this every minute)")
def sweep(request: Request, uow: UowDep, actor: ActorDep, now: NowDep) -> dict[str, Any]:
    platform = request.app.state.platform  # the request's own database and adapters
    report = sla_sweep.sweep_on_request(
        uow, actor, platform.session_factory, platform.adapters, now
    )
    # The worker's round escalates late rectification tasks too; a round on request does
    # the same, so a supervisor sees one rule whoever ran it.
    return {**report, **rectification.sweep(platform.session_factory, now)}


@router.post(
    "/complaints/{complaint_id}/reapply",
    response_model=schemas.ComplaintOut,
    summary="Hold an open complaint to today's matching policy (an audited event)",
)
def reapply(
    complaint_id: int,
    body: schemas.VersionIn,
    uow: UowDep,
    actor: ActorDep,
    now: NowDep,
    lang: LangDep,
) -> schemas.ComplaintOut:
    sla.reapply_policy(uow, complaint_id, actor, body.version, now)
    return presenters.complaint_now(uow, complaint_id, actor, lang, now)
