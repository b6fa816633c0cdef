"""The social-supervision pages (社会监督): the registry with its appointment form, the
reports with the form that records one, and one report with the unit's answer and the
rectification a failed finding opens — the same services as ``/api/v1/social-supervisors``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.supervision import social_supervisors as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.supervision import social_supervisors as service
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.views import choices

router = APIRouter()

DONE = frozenset({"socsup_appointed", "socsup_recorded", "socsup_answered", "socsup_task_opened"})


def _done(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done if done in DONE else None


def _error_page(request: Request, actor: Actor, lang: str, exc: DomainError) -> HTMLResponse:
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=error_text(exc, lang)
    )


def _day(value: str, field: str, t: Translator) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field, t("socsup.bad_day")) from None


def _local_input(request: Request, value: str, field: str, t: Translator) -> datetime:
    zone = ZoneInfo(request.app.state.settings.timezone)
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=zone)
    except ValueError:
        raise InvalidInput(field, t("common.date_time")) from None


def _registry(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    error: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    page = service.list_supervisors(uow, actor, lang, now, limit=200)
    return render(
        request,
        "social_supervisors.html",
        lang,
        actor,
        status_code=status_code,
        page=page,
        can_appoint=actor.role in rules.REGISTRY_ROLES,
        units=service.units_in_scope(uow, actor, lang),
        values=values or {},
        error=error,
        done=_done(request),
    )


@router.get("/social-supervisors", response_class=HTMLResponse)
def registry(
    request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep, now: NowDep
) -> Response:
    try:
        return _registry(request, uow, actor, lang, now)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


@router.post("/social-supervisors", response_class=HTMLResponse)
def appoint(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    name: Annotated[str, Form()] = "",
    contact_phone: Annotated[str, Form()] = "",
    area_unit: Annotated[str, Form()] = "",
    term_start: Annotated[str, Form()] = "",
    term_end: Annotated[str, Form()] = "",
) -> Response:
    values = {"name": name, "contact_phone": contact_phone, "area_unit": area_unit,
              "term_start": term_start, "term_end": term_end}  # fmt: skip
    t = Translator(lang)
    try:
        draft = service.NewSupervisor(
            name, contact_phone, area_unit,
            _day(term_start, "term_start", t), _day(term_end, "term_end", t),
        )  # fmt: skip
        service.register_supervisor(uow, draft, actor, now, lang)
    except DomainError as exc:
        uow.rollback()
        try:
            return _registry(request, uow, actor, lang, now, error_text(exc, lang), exc.status,
                             values)  # fmt: skip
        except DomainError as again:
            return _error_page(request, actor, lang, again)
    return see_other("/social-supervisors?done=socsup_appointed")


def _submissions(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    status: str | None,
    error: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    page = service.list_submissions(uow, actor, lang, now, status=status, limit=200)
    supervisors = (
        [
            s
            for s in service.list_supervisors(uow, actor, lang, now, active=True, limit=200).items
            if s.in_term
        ]
        if actor.role in rules.RECORD_ROLES
        else []
    )
    return render(
        request,
        "supervision_submissions.html",
        lang,
        actor,
        status_code=status_code,
        page=page,
        status=status,
        supervisors=supervisors,
        units=service.units_in_scope(uow, actor, lang) if supervisors else [],
        kinds=choices(rules.SUBMISSION_KINDS, lang),
        target_kinds=choices(rules.TARGET_KINDS, lang),
        findings=choices(rules.FINDINGS, lang),
        default_observed=now.astimezone(ZoneInfo(request.app.state.settings.timezone)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        values=values or {},
        error=error,
        done=_done(request),
    )


@router.get("/social-supervisors/submissions", response_class=HTMLResponse)
def submissions(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    status: str | None = None,
) -> Response:
    chosen = status if status in rules.STATUSES else None
    try:
        return _submissions(request, uow, actor, lang, now, chosen)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


@router.post("/social-supervisors/submissions", response_class=HTMLResponse)
def record(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    supervisor_id: Annotated[str, Form()] = "",
    submission_kind: Annotated[str, Form()] = "",
    target_kind: Annotated[str, Form()] = "",
    target_unit: Annotated[str, Form()] = "",
    score: Annotated[str, Form()] = "",
    finding: Annotated[str, Form()] = "",
    observation: Annotated[str, Form()] = "",
    evidence_ref: Annotated[str, Form()] = "",
    observed_at: Annotated[str, Form()] = "",
    open_rectification: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "supervisor_id": supervisor_id, "submission_kind": submission_kind,
        "target_kind": target_kind, "target_unit": target_unit, "score": score,
        "finding": finding, "observation": observation, "evidence_ref": evidence_ref,
        "observed_at": observed_at,
    }  # fmt: skip
    t = Translator(lang)
    try:
        try:
            points = float(score) if score.strip() else None
        except ValueError:
            raise InvalidInput("score", t("common.number")) from None
        draft = service.NewSubmission(
            supervisor_id=whole_number(supervisor_id, "supervisor", lang),
            kind=submission_kind,
            target_kind=target_kind,
            target_unit=target_unit,
            text=observation,
            observed_at=_local_input(request, observed_at, "observed_at", t),
            score=points,
            finding=finding or None,
            evidence_ref=evidence_ref or None,
            open_rectification=open_rectification == "1",
        )
        view, _ = service.record_submission(uow, draft, actor, now, idempotency_key or None, lang)
    except DomainError as exc:
        uow.rollback()
        try:
            return _submissions(request, uow, actor, lang, now, None, error_text(exc, lang),
                                exc.status, values)  # fmt: skip
        except DomainError as again:
            return _error_page(request, actor, lang, again)
    return see_other(f"/social-supervisors/submissions/{view.id}?done=socsup_recorded")


def _detail(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    submission_id: int,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    item = service.get_submission(uow, submission_id, actor, lang, now)
    return render(
        request,
        "supervision_submission.html",
        lang,
        actor,
        status_code=status_code,
        item=item,
        error=error,
        done=_done(request),
    )


@router.get("/social-supervisors/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(
    request: Request,
    submission_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
) -> Response:
    try:
        return _detail(request, uow, actor, lang, now, submission_id)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


def _refused(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    submission_id: int,
    exc: DomainError,
) -> Response:
    uow.rollback()
    if exc.status == 404:
        return _error_page(request, actor, lang, exc)
    try:
        return _detail(
            request, uow, actor, lang, now, submission_id, error_text(exc, lang), exc.status
        )
    except DomainError as again:
        return _error_page(request, actor, lang, again)


@router.post("/social-supervisors/submissions/{submission_id}/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    submission_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    reply: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.answer_submission(
            uow, submission_id, whole_number(version, "version", lang), reply, actor, now, lang
        )
    except DomainError as exc:
        return _refused(request, uow, actor, lang, now, submission_id, exc)
    return see_other(f"/social-supervisors/submissions/{submission_id}?done=socsup_answered")


@router.post(
    "/social-supervisors/submissions/{submission_id}/rectification",
    response_class=HTMLResponse,
)
def open_task(
    request: Request,
    submission_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.open_rectification_for(
            uow, submission_id, whole_number(version, "version", lang), actor, now, lang
        )
    except DomainError as exc:
        return _refused(request, uow, actor, lang, now, submission_id, exc)
    return see_other(f"/social-supervisors/submissions/{submission_id}?done=socsup_task_opened")
