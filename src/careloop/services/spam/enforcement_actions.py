"""Acting on an enforcement case: sanctions on the port, the customer's appeal, its
decision, reinstating the port after rectification, resolving and notes. Each is one
transition of ``domain.spam.enforcement``, one audit row and, for a sanction, a lift or a
reinstatement, one change of the port's state with its history row, in one unit of work
that carries the version the person read (409 on a stale one).

Role first (nothing about the case is read for a refusal), then scope (404), then the owner
unit, the version and the state; a closed port refuses every sanction, whatever case asks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.spam import enforcement as rules
from careloop.services.access.actors import Actor
from careloop.services.spam.enforcement_ports import change_port_state, port_state
from careloop.services.spam.enforcement_trail import record
from careloop.services.spam.enforcement_views import (
    NOT_OWNERS_ONLY,
    CaseView,
    check_reader,
    load_case,
    unit,
    view_of,
)
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.spam_enforcement import SpamEnforcementCase


def get_case(uow: UnitOfWork, case_id: int, actor: Actor, lang: str, now: datetime) -> CaseView:
    check_reader(actor)
    case = load_case(uow, case_id, actor)
    return view_of(uow, case, actor, lang, now, port_state(uow, case.port_number))


def _check_version(case: SpamEnforcementCase, version: int | None) -> None:
    if version is None:
        raise InvalidInput("version", "必须提供读取时的版本号 / the version you read is required")
    if case.version != version:
        raise DomainError("version_conflict", expected=version, actual=case.version)


def _begin(
    uow: UnitOfWork, case_id: int, name: str, actor: Actor, version: int | None
) -> SpamEnforcementCase:
    rules.LIFECYCLE.check_role(name, actor.role)
    case = load_case(uow, case_id, actor)
    # The quality centre decides appeals for any unit; an appeal is recorded by whoever in
    # scope the customer reached (its account manager, the hotline).
    if name not in NOT_OWNERS_ONLY:
        owner = unit(uow, case.unit_id)
        rules.check_owner(
            actor.role, actor.org_path, case.unit_path, (owner.name_zh, owner.name_en)
        )
    _check_version(case, version)
    rules.check_transition(name, case.status, actor.role)
    return case


def _done(
    uow: UnitOfWork, case: SpamEnforcementCase, actor: Actor, version: int, lang: str, now: datetime
) -> CaseView:
    try:
        uow.commit()
    except StaleDataError as exc:
        uow.rollback()
        raise DomainError("version_conflict", expected=version, actual="newer") from exc
    return get_case(uow, case.id, actor, lang, now)


def _finish(case: SpamEnforcementCase, status: rules.CaseStatus, now: datetime) -> None:
    case.status = status.value
    case.updated_at = now
    if status in rules.FINAL_STATUSES:
        case.active_port = None  # the port may get a new case on a later bad day
        case.closed_at = now


def sanction(
    uow: UnitOfWork,
    case_id: int,
    action: str,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    evidence_ref: str | None = None,
    evidence: str | None = None,
    lang: str = "zh",
) -> CaseView:
    """警告 / 限速 / 暂停 / 关停: act on the port with evidence; the deciding person is the
    actor, recorded on the case, the trail and the port's history. The first sanction
    stops the case's clock."""
    if action not in rules.SANCTIONS:
        raise InvalidInput("action", "应为 warn、throttle、suspend 或 close_port")
    return _act_on_port(uow, case_id, action, actor, version, now, evidence_ref, evidence, lang)


def reinstate(
    uow: UnitOfWork,
    case_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    evidence_ref: str | None = None,
    evidence: str | None = None,
    lang: str = "zh",
) -> CaseView:
    """恢复端口: the enterprise has rectified (整改完成), so a suspended port sends again and
    the case is resolved; decided like a suspension (a unit lead or the quality centre) and
    on evidence of the rectification, the port registry following with a history row."""
    return _act_on_port(
        uow, case_id, rules.REINSTATE, actor, version, now, evidence_ref, evidence, lang
    )


def _act_on_port(
    uow: UnitOfWork,
    case_id: int,
    action: str,
    actor: Actor,
    version: int,
    now: datetime,
    evidence_ref: str | None,
    evidence: str | None,
    lang: str,
) -> CaseView:
    """An evidenced action on the port (``rules.EVIDENCED``): the port's state, the case's
    status and the deciding person, one trail row, in one unit of work."""
    case = _begin(uow, case_id, action, actor, version)
    ref = rules.LIFECYCLE.clean_field(action, "evidence_ref", evidence_ref)
    text = rules.LIFECYCLE.clean_field(action, "evidence", evidence)
    rules.check_evidence(action, rules.Evidence(ref, text))
    before_status = case.status
    port_before, port_after = change_port_state(
        uow,
        case.port_number,
        action,
        case_id=case.id,
        region_id=case.region_id,
        actor=actor,
        now=now,
        evidence_ref=ref,
        note=text,
    )
    target = rules.LIFECYCLE.apply(case.status, action, actor.role)
    _finish(case, target, now)
    case.last_action = action
    case.decided_by = actor.username
    case.evidence_ref = ref
    case.evidence = text
    first = case.handled_at is None
    if first:
        case.handled_at = now
    record(
        uow,
        case,
        actor,
        action,
        now,
        {"status": before_status, "port_state": port_before.value},
        {
            "status": case.status,
            "port_state": port_after.value,
            "evidence_ref": ref,
            "decided_by": actor.username,
            "late": first and now > case.due_at,
        },
        note=text,
    )
    return _done(uow, case, actor, version, lang, now)


def appeal(
    uow: UnitOfWork,
    case_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    appellant: str | None,
    reason: str | None,
    lang: str = "zh",
) -> CaseView:
    """登记申诉: the suspended port's customer appeals (once), recorded by staff on its
    behalf with the customer's name; the port stays suspended until the decision."""
    case = _begin(uow, case_id, "appeal", actor, version)
    who = rules.LIFECYCLE.clean_field("appeal", "appellant", appellant)
    why = rules.LIFECYCLE.clean_field("appeal", "reason", reason)
    rules.check_appeal(case.appeals)
    case.appellant = who
    case.appeal_reason = why
    case.appeals += 1
    _finish(case, rules.CaseStatus.APPEALED, now)
    record(
        uow,
        case,
        actor,
        "appeal",
        now,
        {"status": rules.CaseStatus.SUSPENDED.value},
        {"status": case.status, "appellant": who},
        note=why,
    )
    return _done(uow, case, actor, version, lang, now)


def decide_appeal(
    uow: UnitOfWork,
    case_id: int,
    outcome: str,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    reason: str | None,
    lang: str = "zh",
) -> CaseView:
    """申诉裁定: ``uphold`` keeps the port suspended (the case goes back to the unit),
    ``lift`` lets it send again and resolves the case. Not by whoever suspended it."""
    if outcome not in ("uphold", "lift"):
        raise InvalidInput("outcome", "应为 uphold（维持）或 lift（解除） / uphold or lift")
    case = _begin(uow, case_id, outcome, actor, version)
    why = rules.LIFECYCLE.clean_field(outcome, "reason", reason)
    rules.check_decider(actor.username, case.decided_by)
    port_after = port_state(uow, case.port_number)
    if outcome == "lift":
        _, port_after = change_port_state(
            uow,
            case.port_number,
            "lift",
            case_id=case.id,
            region_id=case.region_id,
            actor=actor,
            now=now,
            evidence_ref=None,
            note=why,
        )
    target = rules.LIFECYCLE.apply(case.status, outcome, actor.role)
    _finish(case, target, now)
    case.appeal_outcome = "upheld" if outcome == "uphold" else "lifted"
    record(
        uow,
        case,
        actor,
        outcome,
        now,
        {"status": rules.CaseStatus.APPEALED.value},
        {"status": case.status, "port_state": port_after.value, "outcome": case.appeal_outcome},
        note=why,
    )
    return _done(uow, case, actor, version, lang, now)


def resolve(
    uow: UnitOfWork,
    case_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    note: str | None,
    lang: str = "zh",
) -> CaseView:
    """办结: the port was dealt with; its sanction stays as it is. Not on a suspended case:
    that one ends by closing the port, by the appeal's lift or by ``reinstate``."""
    case = _begin(uow, case_id, "resolve", actor, version)
    text = rules.LIFECYCLE.clean_field("resolve", "note", note)
    before = case.status
    _finish(case, rules.CaseStatus.RESOLVED, now)
    record(uow, case, actor, "resolve", now, {"status": before}, {"status": case.status}, text)
    return _done(uow, case, actor, version, lang, now)


def add_note(
    uow: UnitOfWork,
    case_id: int,
    actor: Actor,
    version: int,
    now: datetime,
    *,
    note: str | None,
    lang: str = "zh",
) -> CaseView:
    case = _begin(uow, case_id, "note", actor, version)
    text = rules.LIFECYCLE.clean_field("note", "note", note)
    case.updated_at = now
    record(uow, case, actor, "note", now, note=text)
    return _done(uow, case, actor, version, lang, now)
