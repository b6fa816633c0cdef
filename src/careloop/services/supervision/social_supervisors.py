"""Social supervisors (社会监督员): the registry, their submissions, the units' answers, and
the rectification a failed finding opens. Each change is a row of the context's own audit
trail; the answer is also sent to the supervisor (an SMS in the outbox), so they see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from careloop.domain import events as domain_events
from careloop.domain import privacy
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.events import DomainEvent
from careloop.domain.permissions import in_scope
from careloop.domain.sla.clocks import period_end
from careloop.domain.supervision import social_supervisors as rules
from careloop.domain.text import clean_text, required_text
from careloop.domain.time_bounds import instant
from careloop.i18n import Translator
from careloop.services.access import scope as access_scope
from careloop.services.access.actors import Actor
from careloop.services.sla.clocks import LOCAL_TIME, local_due
from careloop.services.supervision import rectification
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import Notification, OrgUnit
from careloop.store.models.rectification import RectificationTask
from careloop.store.models.social_supervisors import (
    SocialSupervisionEvent,
    SocialSupervisor,
    SupervisionSubmission,
)

IDEMPOTENCY_KEY_CHARS = 100


@dataclass(frozen=True)
class SupervisorView:
    id: int
    version: int
    name: str
    phone: str
    """Masked (138****5678) unless the reader may see personal data."""
    area: rectification.UnitView
    term_start: date
    term_end: date
    active: bool
    in_term: bool
    state_label: str
    submissions: int


@dataclass(frozen=True)
class SubmissionView:
    id: int
    number: str
    version: int
    supervisor_id: int
    supervisor_name: str
    kind: str
    kind_label: str
    target_kind: str
    target_kind_label: str
    target_unit: rectification.UnitView
    owner_unit: rectification.UnitView
    score: float | None
    finding: str
    finding_label: str
    text: str
    evidence_ref: str | None
    observed_at: datetime
    observed_local: str
    status: str
    status_label: str
    reply_due_at: datetime
    reply_due_local: str
    remaining: str
    overdue: bool
    reply: str | None
    replied_at: datetime | None
    rectification_id: int | None
    rectification_number: str | None
    may_reply: bool
    may_open_rectification: bool


@dataclass(frozen=True)
class NewSupervisor:
    name: str
    phone: str
    area: str
    term_start: date
    term_end: date
    active: bool = True


@dataclass(frozen=True)
class SupervisorChanges:
    version: int
    name: str | None = None
    phone: str | None = None
    area: str | None = None
    term_start: date | None = None
    term_end: date | None = None
    active: bool | None = None


@dataclass(frozen=True)
class NewSubmission:
    supervisor_id: int
    kind: str
    target_kind: str
    target_unit: str
    text: str
    observed_at: datetime
    score: float | None = None
    finding: str | None = None
    evidence_ref: str | None = None
    owner_unit: str | None = None
    """Who answers; default the unit observed."""
    open_rectification: bool = False
    """A failed finding opens a rectification task for the owner unit at once."""


# --- helpers ------------------------------------------------------------------------------


def _check(actor: Actor, roles: frozenset[str], action: str) -> None:
    if actor.role not in roles:
        raise DomainError("role_not_allowed", role=actor.role, action=action)


def _unit_by_code(uow: UnitOfWork, code: str, actor: Actor, field: str) -> OrgUnit:
    labels = {
        "area": ("监督区域", "The area supervised"),
        "target_unit": ("被监督单位", "The unit observed"),
        "owner_unit": ("答复单位", "The answering unit"),
    }[field]
    text = (code or "").strip()
    unit = (
        uow.session.scalar(select(OrgUnit).where(OrgUnit.code == text))
        if text and text.isprintable()
        else None
    )
    if unit is None or not in_scope(unit.path, actor.scope):
        raise rules.SupervisionError("unit", ident=code, label_zh=labels[0], label_en=labels[1])
    return unit


def _unit_view(uow: UnitOfWork, unit_id: int, lang: str) -> rectification.UnitView:
    unit = uow.session.get(OrgUnit, unit_id)
    assert unit is not None
    return rectification.UnitView(
        unit.id, unit.code, unit.name_en if lang.startswith("en") else unit.name_zh
    )


def _record(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    at: datetime,
    *,
    supervisor_id: int | None = None,
    submission_id: int | None = None,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    note: str | None = None,
) -> None:
    uow.session.add(
        SocialSupervisionEvent(
            supervisor_id=supervisor_id,
            submission_id=submission_id,
            at=at,
            actor_id=actor.staff_id,
            actor=actor.username,
            role=actor.role,
            action=action,
            before=before or None,
            after=after or None,
            note=note,
        )
    )


def _commit(uow: UnitOfWork, version: int) -> None:
    try:
        uow.commit()
    except StaleDataError as exc:
        uow.rollback()
        raise DomainError("version_conflict", expected=version, actual="newer") from exc


def _check_version(row: SocialSupervisor | SupervisionSubmission, version: int | None) -> None:
    if version is None:
        raise InvalidInput("version", "必须提供读取时的版本号 / the version you read is required")
    if row.version != version:
        raise DomainError("version_conflict", expected=version, actual=row.version)


def _local_day(now: datetime) -> date:
    return now.astimezone(LOCAL_TIME).date()


# --- the registry -------------------------------------------------------------------------


def _supervisor_visible(actor: Actor):  # type: ignore[no-untyped-def]
    if actor.scope == "/":
        return SocialSupervisor.id.is_not(None)
    return SocialSupervisor.area_path.startswith(actor.scope, autoescape=True)


def load_supervisor(uow: UnitOfWork, supervisor_id: int, actor: Actor) -> SocialSupervisor:
    _check(actor, rules.READER_ROLES, "read social supervisors")
    if not access_scope.is_row_id(supervisor_id):
        raise rules.SupervisionError("supervisor_missing", ident=supervisor_id)
    found = uow.session.scalar(
        select(SocialSupervisor).where(
            SocialSupervisor.id == supervisor_id, _supervisor_visible(actor)
        )
    )
    if found is None:
        raise rules.SupervisionError("supervisor_missing", ident=supervisor_id)
    return found


def supervisor_view(
    uow: UnitOfWork, row: SocialSupervisor, actor: Actor, lang: str, now: datetime
) -> SupervisorView:
    unmasked = privacy.may_see_personal_data(actor.role)
    current = rules.in_term(row.term_start, row.term_end, row.active, _local_day(now))
    if not row.active:
        state = ("已停用", "Inactive")
    elif current:
        state = ("在聘", "Appointed")
    else:
        state = ("不在聘期", "Out of term")
    count = uow.session.scalar(
        select(func.count()).where(SupervisionSubmission.supervisor_id == row.id)
    )
    return SupervisorView(
        id=row.id,
        version=row.version,
        name=row.name,
        phone=privacy.shown(row.phone, "phone", unmasked=unmasked) or "",
        area=_unit_view(uow, row.area_unit_id, lang),
        term_start=row.term_start,
        term_end=row.term_end,
        active=row.active,
        in_term=current,
        state_label=state[1] if lang.startswith("en") else state[0],
        submissions=count or 0,
    )


def register_supervisor(
    uow: UnitOfWork, draft: NewSupervisor, actor: Actor, now: datetime, lang: str = "zh"
) -> SupervisorView:
    """聘任社会监督员: name, phone, the area they watch and their term (audited)."""
    _check(actor, rules.REGISTRY_ROLES, "appoint a social supervisor")
    name = required_text(draft.name, "supervisor_name", rules.NAME_MAX_CHARS, multiline=False)
    phone = rules.clean_phone(draft.phone)
    area = _unit_by_code(uow, draft.area, actor, "area")
    rules.check_term(draft.term_start, draft.term_end)
    row = SocialSupervisor(
        version=1,
        name=name,
        phone=phone,
        area_unit_id=area.id,
        area_path=area.path,
        term_start=draft.term_start,
        term_end=draft.term_end,
        active=draft.active,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    _record(
        uow,
        actor,
        "appoint",
        now,
        supervisor_id=row.id,
        after={
            "name": name,
            "phone": privacy.mask_phone(phone),
            "area": area.code,
            "term_start": draft.term_start.isoformat(),
            "term_end": draft.term_end.isoformat(),
            "active": draft.active,
        },
    )
    uow.commit()
    return supervisor_view(uow, row, actor, lang, now)


def update_supervisor(
    uow: UnitOfWork,
    supervisor_id: int,
    changes: SupervisorChanges,
    actor: Actor,
    now: datetime,
    lang: str = "zh",
) -> SupervisorView:
    """Correct a supervisor's details, extend or end their term, stop or resume them."""
    _check(actor, rules.REGISTRY_ROLES, "edit a social supervisor")
    row = load_supervisor(uow, supervisor_id, actor)
    _check_version(row, changes.version)
    wanted: dict[str, object] = {}
    if changes.name is not None:
        wanted["name"] = required_text(
            changes.name, "supervisor_name", rules.NAME_MAX_CHARS, multiline=False
        )
    if changes.phone is not None:
        wanted["phone"] = rules.clean_phone(changes.phone)
    if changes.area is not None:
        area = _unit_by_code(uow, changes.area, actor, "area")
        wanted["area_unit_id"], wanted["area_path"] = area.id, area.path
    if changes.term_start is not None:
        wanted["term_start"] = changes.term_start
    if changes.term_end is not None:
        wanted["term_end"] = changes.term_end
    if changes.active is not None:
        wanted["active"] = changes.active
    rules.check_term(
        wanted.get("term_start", row.term_start),  # type: ignore[arg-type]
        wanted.get("term_end", row.term_end),  # type: ignore[arg-type]
    )
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for name, value in wanted.items():
        old = getattr(row, name)
        if old != value:
            shown_old, shown_new = old, value
            if name == "phone":
                shown_old, shown_new = privacy.mask_phone(str(old)), privacy.mask_phone(str(value))
            if isinstance(shown_old, date):
                shown_old = shown_old.isoformat()
            if isinstance(shown_new, date):
                shown_new = shown_new.isoformat()
            before[name], after[name] = shown_old, shown_new
            setattr(row, name, value)
    if after:
        row.updated_at = now
        _record(uow, actor, "update", now, supervisor_id=row.id, before=before, after=after)
    _commit(uow, changes.version)
    return supervisor_view(uow, row, actor, lang, now)


@dataclass(frozen=True)
class SupervisorPage:
    total: int
    items: list[SupervisorView]


def list_supervisors(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    *,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> SupervisorPage:
    _check(actor, rules.READER_ROLES, "read social supervisors")
    query = select(SocialSupervisor).where(_supervisor_visible(actor))
    if active is not None:
        query = query.where(SocialSupervisor.active.is_(active))
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = uow.session.scalars(query.order_by(SocialSupervisor.id).limit(limit).offset(offset))
    return SupervisorPage(total, [supervisor_view(uow, r, actor, lang, now) for r in rows])


def get_supervisor(
    uow: UnitOfWork, supervisor_id: int, actor: Actor, lang: str, now: datetime
) -> SupervisorView:
    return supervisor_view(uow, load_supervisor(uow, supervisor_id, actor), actor, lang, now)


# --- submissions --------------------------------------------------------------------------


def _submission_visible(actor: Actor):  # type: ignore[no-untyped-def]
    if actor.scope == "/":
        return SupervisionSubmission.id.is_not(None)
    return SupervisionSubmission.owner_path.startswith(actor.scope, autoescape=True)


def load_submission(uow: UnitOfWork, submission_id: int, actor: Actor) -> SupervisionSubmission:
    _check(actor, rules.READER_ROLES, "read supervision submissions")
    if not access_scope.is_row_id(submission_id):
        raise rules.SupervisionError("submission_missing", ident=submission_id)
    found = uow.session.scalar(
        select(SupervisionSubmission).where(
            SupervisionSubmission.id == submission_id, _submission_visible(actor)
        )
    )
    if found is None:
        raise rules.SupervisionError("submission_missing", ident=submission_id)
    return found


def _may_answer(actor: Actor, row: SupervisionSubmission) -> bool:
    return actor.role in rules.REPLY_ROLES and (
        actor.role in ("supervisor", "admin") or row.owner_path.startswith(actor.org_path)
    )


def submission_view(
    uow: UnitOfWork, row: SupervisionSubmission, actor: Actor, lang: str, now: datetime
) -> SubmissionView:
    supervisor = uow.session.get(SocialSupervisor, row.supervisor_id)
    assert supervisor is not None
    answered = row.status == "answered"
    late = answered and row.replied_at is not None and row.replied_at > row.reply_due_at
    # Free text may hold a customer's number (a supervisor quotes what they heard): masked
    # like a complaint's text for roles not involved (domain.privacy).
    unmasked = privacy.may_see_personal_data(
        actor.role, owns=row.owner_path.startswith(actor.org_path)
    )
    task_number = None
    if row.rectification_id:
        task = uow.session.get(RectificationTask, row.rectification_id)
        task_number = task.number if task else None
    return SubmissionView(
        id=row.id,
        number=row.number,
        version=row.version,
        supervisor_id=row.supervisor_id,
        supervisor_name=supervisor.name,
        kind=row.kind,
        kind_label=rules.label(rules.SUBMISSION_KINDS, row.kind, lang),
        target_kind=row.target_kind,
        target_kind_label=rules.label(rules.TARGET_KINDS, row.target_kind, lang),
        target_unit=_unit_view(uow, row.target_unit_id, lang),
        owner_unit=_unit_view(uow, row.owner_unit_id, lang),
        score=row.score,
        finding=row.finding,
        finding_label=rules.label(rules.FINDINGS, row.finding, lang),
        text=privacy.shown(row.text, "text", unmasked=unmasked) or "",
        evidence_ref=privacy.shown(row.evidence_ref, "text", unmasked=unmasked),
        observed_at=row.observed_at,
        observed_local=row.observed_at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M"),
        status=row.status,
        status_label=rules.label(rules.STATUSES, row.status, lang),
        reply_due_at=row.reply_due_at,
        reply_due_local=local_due(row.reply_due_at),
        remaining=_remaining(row, now, lang, late if answered else None),
        overdue=(not answered and now > row.reply_due_at) or late,
        reply=privacy.shown(row.reply, "text", unmasked=unmasked),
        replied_at=row.replied_at,
        rectification_id=row.rectification_id,
        rectification_number=task_number,
        may_reply=not answered and _may_answer(actor, row),
        may_open_rectification=row.finding == "fail"
        and row.rectification_id is None
        and actor.role in rules.RECORD_ROLES,
    )


def _remaining(row: SupervisionSubmission, now: datetime, lang: str, late: bool | None) -> str:
    from careloop.domain.supervision.rectification import remaining_words

    if late is not None:
        t = Translator(lang)
        return t("socsup_view.answered_late") if late else t("socsup_view.answered_on_time")
    return remaining_words(row.reply_due_at, now, lang)


def record_submission(
    uow: UnitOfWork,
    draft: NewSubmission,
    actor: Actor,
    now: datetime,
    idempotency_key: str | None = None,
    lang: str = "zh",
) -> tuple[SubmissionView, bool]:
    """登记监督反映: what a supervisor reported, handed to the unit that answers, with a
    reply deadline on the business calendar; a failed finding may open a rectification
    task at once. Idempotent by key: the same key answers the first submission. Commits."""
    _check(actor, rules.RECORD_ROLES, "record a supervision submission")
    key = clean_text(idempotency_key, "Idempotency-Key", IDEMPOTENCY_KEY_CHARS, multiline=False)
    if key is not None:
        first = uow.session.scalar(
            select(SupervisionSubmission).where(SupervisionSubmission.idempotency_key == key)
        )
        if first is not None:
            return submission_view(
                uow, load_submission(uow, first.id, actor), actor, lang, now
            ), False
    supervisor = load_supervisor(uow, draft.supervisor_id, actor)
    if not rules.in_term(
        supervisor.term_start, supervisor.term_end, supervisor.active, _local_day(now)
    ):
        raise rules.SupervisionError("inactive", name=supervisor.name)
    kind = rules.choose(rules.SUBMISSION_KINDS, draft.kind, ("反映类型", "Kind of submission"))
    target_kind = rules.choose(
        rules.TARGET_KINDS, draft.target_kind, ("监督对象类型", "Kind of place observed")
    )
    finding = rules.finding_of(kind, draft.score, draft.finding)
    target = _unit_by_code(uow, draft.target_unit, actor, "target_unit")
    owner = (
        _unit_by_code(uow, draft.owner_unit, actor, "owner_unit") if draft.owner_unit else target
    )
    text = required_text(draft.text, "observation", rules.TEXT_MAX_CHARS)
    evidence = clean_text(
        draft.evidence_ref, "evidence_ref", rules.EVIDENCE_REF_MAX_CHARS, multiline=False
    )
    observed = instant("observed_at", draft.observed_at)
    if observed > now:
        raise InvalidInput("observed_at", "不能晚于当前时间 / must not lie in the future")
    due = period_end(now, rules.REPLY_LIMIT, rectification.business_calendar(uow))
    row = SupervisionSubmission(
        number=f"tmp-{now.timestamp()}-{actor.username}"[:32],
        version=1,
        supervisor_id=supervisor.id,
        kind=kind,
        target_kind=target_kind,
        target_unit_id=target.id,
        owner_unit_id=owner.id,
        owner_path=owner.path,
        score=draft.score,
        finding=finding,
        text=text,
        evidence_ref=evidence,
        observed_at=observed,
        status="awaiting_reply",
        reply_due_at=due,
        idempotency_key=key,
        recorded_by_id=actor.staff_id,
        created_at=now,
        updated_at=now,
    )
    savepoint = uow.session.begin_nested()
    try:
        uow.session.add(row)
        uow.session.flush()
    except IntegrityError:
        savepoint.rollback()
        first = uow.session.scalar(
            select(SupervisionSubmission).where(SupervisionSubmission.idempotency_key == key)
        )
        if first is None:
            raise
        return submission_view(uow, first, actor, lang, now), False
    savepoint.commit()
    row.number = f"JD{now.astimezone(LOCAL_TIME):%Y%m%d}{row.id:05d}"
    _record(
        uow,
        actor,
        "submit",
        now,
        supervisor_id=supervisor.id,
        submission_id=row.id,
        after={
            "kind": kind,
            "target_kind": target_kind,
            "target_unit": target.code,
            "owner_unit": owner.code,
            "score": draft.score,
            "finding": finding,
            "reply_due_at": due.isoformat(),
        },
        note=text,
    )
    uow.events.append(
        DomainEvent(
            domain_events.SOCIAL_SUPERVISION_SUBMITTED,
            None,
            None,
            "submit",
            now,
            actor.staff_id,
            {
                "submission_id": row.id,
                "supervisor_id": supervisor.id,
                "owner_unit_id": owner.id,
                "finding": finding,
                "reply_due_at": due.isoformat(),
            },
        )
    )
    if draft.open_rectification and finding == "fail":
        _open_task(uow, row, actor, now, lang)
    uow.commit()
    return submission_view(uow, row, actor, lang, now), True


def _open_task(
    uow: UnitOfWork, row: SupervisionSubmission, actor: Actor, now: datetime, lang: str
) -> None:
    target = uow.session.get(OrgUnit, row.target_unit_id)
    assert target is not None
    kind = rules.label(rules.SUBMISSION_KINDS, row.kind, "zh")
    score = f"（评分 {row.score:g}）" if row.score is not None else ""
    task = rectification.open_rectification(
        uow,
        source=rectification.FindingRef("social_supervision", row.id),
        unit_id=row.owner_unit_id,
        title=f"社会监督员反映：{target.name_zh}{kind}不合格{score}"[:100],
        detail=row.text,
        actor=actor,
        now=now,
        lang=lang,
    )
    row.rectification_id = task.id
    row.updated_at = now
    _record(
        uow,
        actor,
        "open_rectification",
        now,
        supervisor_id=row.supervisor_id,
        submission_id=row.id,
        after={"rectification_id": task.id, "rectification": task.number},
    )


def open_rectification_for(
    uow: UnitOfWork, submission_id: int, version: int, actor: Actor, now: datetime, lang: str = "zh"
) -> SubmissionView:
    """立项整改 for a failed finding recorded earlier (once: the task is idempotent)."""
    _check(actor, rules.RECORD_ROLES, "open a rectification task")
    row = load_submission(uow, submission_id, actor)
    _check_version(row, version)
    if row.finding != "fail":
        raise rules.SupervisionError("not_failed")
    if row.rectification_id is None:
        _open_task(uow, row, actor, now, lang)
    _commit(uow, version)
    return submission_view(uow, row, actor, lang, now)


def answer_submission(
    uow: UnitOfWork,
    submission_id: int,
    version: int,
    reply: str | None,
    actor: Actor,
    now: datetime,
    lang: str = "zh",
) -> SubmissionView:
    """答复监督员: the unit's answer, sent to the supervisor by SMS (the outbox) so they see
    it; late answers are marked. Once only."""
    _check(actor, rules.REPLY_ROLES, "answer a social supervisor")
    row = load_submission(uow, submission_id, actor)
    if not _may_answer(actor, row):
        owner = uow.session.get(OrgUnit, row.owner_unit_id)
        assert owner is not None
        raise rules.SupervisionError("owner", unit_zh=owner.name_zh, unit_en=owner.name_en)
    _check_version(row, version)
    if row.status == "answered" and row.replied_at is not None:
        raise rules.SupervisionError("answered", at=local_due(row.replied_at))
    text = required_text(reply, "reply", rules.REPLY_MAX_CHARS)
    supervisor = uow.session.get(SocialSupervisor, row.supervisor_id)
    assert supervisor is not None
    row.reply = text
    row.replied_at = now
    row.replied_by_id = actor.staff_id
    row.status = "answered"
    row.updated_at = now
    late = now > row.reply_due_at
    _record(
        uow,
        actor,
        "answer",
        now,
        supervisor_id=row.supervisor_id,
        submission_id=row.id,
        before={"status": "awaiting_reply"},
        after={"status": "answered", "late": late},
        note=text,
    )
    uow.session.add(
        Notification(
            dedup_key=f"supervision-answer:{row.id}",
            kind="supervision",
            channel="sms",
            recipient=supervisor.phone,
            subject=f"[CareLoop] 监督反映答复 {row.number}",
            body=f"【服务质量监督】{supervisor.name}您好，您反映的问题（{row.number}）答复如下：{text}"[
                :2000
            ],
            complaint_id=None,
            alert_id=None,
            level=None,
            status="pending",
            created_at=now,
            send_after=now,
        )
    )
    uow.events.append(
        DomainEvent(
            domain_events.SOCIAL_SUPERVISION_ANSWERED,
            None,
            None,
            "answer",
            now,
            actor.staff_id,
            {
                "submission_id": row.id,
                "supervisor_id": row.supervisor_id,
                "owner_unit_id": row.owner_unit_id,
                "late": late,
            },
        )
    )
    _commit(uow, version)
    return submission_view(uow, row, actor, lang, now)


@dataclass(frozen=True)
class SubmissionPage:
    total: int
    items: list[SubmissionView]


def list_submissions(
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    *,
    status: str | None = None,
    supervisor_id: int | None = None,
    unit: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> SubmissionPage:
    """Submissions within scope (their answering unit), the soonest reply due first."""
    _check(actor, rules.READER_ROLES, "read supervision submissions")
    query = select(SupervisionSubmission).where(_submission_visible(actor))
    if status:
        rules.choose(rules.STATUSES, status, ("状态", "Status"))
        query = query.where(SupervisionSubmission.status == status)
    if supervisor_id is not None:
        query = query.where(SupervisionSubmission.supervisor_id == supervisor_id)
    if unit:
        found = uow.session.scalar(select(OrgUnit).where(OrgUnit.code == unit))
        if found is None or not unit.isprintable():
            raise InvalidInput("unit", f"未知单位 / unknown unit '{unit}'")
        query = query.where(
            SupervisionSubmission.owner_path.startswith(found.path, autoescape=True)
        )
    total = uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = uow.session.scalars(
        query.order_by(SupervisionSubmission.status.desc(), SupervisionSubmission.reply_due_at)
        .limit(limit)
        .offset(offset)
    )
    return SubmissionPage(total, [submission_view(uow, r, actor, lang, now) for r in rows])


def get_submission(
    uow: UnitOfWork, submission_id: int, actor: Actor, lang: str, now: datetime
) -> SubmissionView:
    return submission_view(uow, load_submission(uow, submission_id, actor), actor, lang, now)


def units_in_scope(uow: UnitOfWork, actor: Actor, lang: str) -> list[rectification.UnitView]:
    """The units a form may name (area, unit observed): the actor's scope, tree order."""
    query = select(OrgUnit).order_by(OrgUnit.path)
    if actor.scope != "/":
        query = query.where(OrgUnit.path.startswith(actor.scope, autoescape=True))
    return [
        rectification.UnitView(u.id, u.code, u.name_en if lang.startswith("en") else u.name_zh)
        for u in uow.session.scalars(query.limit(500))
    ]
