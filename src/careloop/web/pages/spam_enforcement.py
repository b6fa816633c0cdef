"""The enforcement pages (端口处置): the case list, worst first with each deadline's state,
and one case with its port, the day's figures, the sanctions the reader may take and the
audit trail — the same services as ``/api/v1/spam-enforcement``; a page offers exactly the
actions the reader may take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError
from careloop.domain.spam import enforcement as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.access.actors import Actor
from careloop.services.spam import enforcement as service
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import error_text, see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()

FILTERS = ("active", "overdue", "suspended", "port_closed", "resolved")
"""The list's tabs: still active (default), past due without a sanction, suspended ports,
closed ports, resolved cases."""
ACTIONS = (*rules.EVIDENCED, "appeal", "uphold", "lift", "resolve", "note")
DONE = {name: f"spam_{name}" for name in ACTIONS}


@router.get("/spam-enforcement", response_class=HTMLResponse)
def case_list(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    status: str | None = None,
    port: str = "",
) -> Response:
    chosen = status if status in FILTERS else "active"
    port = "".join(ch for ch in port if ch.isdigit())[: rules.PORT_MAX_CHARS]
    try:
        page = service.list_cases(
            uow, actor, lang, now, status=chosen, port_number=port or None, limit=200
        )
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)
    return render(
        request,
        "spam_cases.html",
        lang,
        actor,
        page=page,
        status=chosen,
        filters=FILTERS,
        port=port,
        bursts=_todays_bursts(uow, actor, now, lang),
        case_status=lambda code: rules.LIFECYCLE.label(code, lang),
    )


def _todays_bursts(uow: UnitOfWork, actor: Actor, now: datetime, lang: str) -> list[Any]:
    """Today's port bursts (the same-day early warning) at the top of the list: a port many
    people report this morning is worth a look before the daily opening makes it a case.
    The list still shows if the warning cannot be read."""
    from careloop.services.spam import bursts

    try:
        return list(bursts.bursts_for(uow, actor, now, None, lang).bursts)
    except DomainError:
        return []


def _detail(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    now: datetime,
    case_id: int,
    error: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    case = service.get_case(uow, case_id, actor, lang, now)
    trail = service.case_events(uow, case_id, actor, lang)
    done = request.query_params.get("done")
    return render(
        request,
        "spam_case.html",
        lang,
        actor,
        status_code=status_code,
        case=case,
        trail=trail,
        sanctions=[a for a in case.allowed if a.needs_evidence],
        allowed={a.name: a.label for a in case.allowed},
        error=error,
        values=values or {},
        done=done if done in DONE.values() else None,
    )


def _error_page(request: Request, actor: Actor, lang: str, exc: DomainError) -> HTMLResponse:
    """A case outside the reader's scope is as missing as one that never was."""
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=error_text(exc, lang)
    )


@router.get("/spam-enforcement/{spam_case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    spam_case_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
) -> Response:
    try:
        return _detail(request, uow, actor, lang, now, spam_case_id)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


@router.post("/spam-enforcement/{spam_case_id}/{action}", response_class=HTMLResponse)
def act(
    request: Request,
    spam_case_id: int,
    action: str,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    evidence_ref: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
    appellant: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "evidence_ref": evidence_ref, "evidence": evidence, "appellant": appellant,
        "reason": reason, "note": note,
    }  # fmt: skip
    try:
        if action not in DONE:
            raise rules.not_found(spam_case_id)
        number = whole_number(version, "version", lang)
        _fire(uow, spam_case_id, action, actor, number, now, values, lang)
    except DomainError as exc:
        uow.rollback()
        if exc.status == 404:
            return _error_page(request, actor, lang, exc)
        try:
            return _detail(
                request, uow, actor, lang, now, spam_case_id, error_text(exc, lang),
                exc.status, values,
            )  # fmt: skip
        except DomainError as again:
            return _error_page(request, actor, lang, again)
    return see_other(f"/spam-enforcement/{spam_case_id}?done={DONE[action]}")


def _fire(
    uow: UnitOfWork,
    case_id: int,
    action: str,
    actor: Actor,
    version: int,
    now: datetime,
    values: dict[str, str],
    lang: str,
) -> None:
    if action in rules.SANCTIONS:
        service.sanction(
            uow, case_id, action, actor, version, now,
            evidence_ref=values["evidence_ref"], evidence=values["evidence"], lang=lang,
        )  # fmt: skip
    elif action == rules.REINSTATE:
        service.reinstate(
            uow, case_id, actor, version, now,
            evidence_ref=values["evidence_ref"], evidence=values["evidence"], lang=lang,
        )  # fmt: skip
    elif action == "appeal":
        service.appeal(
            uow, case_id, actor, version, now,
            appellant=values["appellant"], reason=values["reason"], lang=lang,
        )  # fmt: skip
    elif action in ("uphold", "lift"):
        service.decide_appeal(
            uow, case_id, action, actor, version, now, reason=values["reason"], lang=lang
        )
    elif action == "resolve":
        service.resolve(uow, case_id, actor, version, now, note=values["note"], lang=lang)
    else:
        service.add_note(uow, case_id, actor, version, now, note=values["note"], lang=lang)
