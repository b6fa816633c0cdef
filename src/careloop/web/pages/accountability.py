"""The responsibility cases' pages (责任认定): the supervisors' list, one case with its trail
and the forms its reader may use (decide, dismiss, appeal, decide the appeal, make final),
and "my cases" for the person concerned — the same services as ``/api/v1/accountability``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError
from careloop.domain.supervision import accountability as rules
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.access.actors import Actor
from careloop.services.supervision import accountability as service
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import see_other, whole_number
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.views import in_lang

router = APIRouter()

STATUSES = ("open", "decided", "appealed", "final", "dismissed")
DONE = frozenset({"decided", "dismissed", "appealed", "appeal_decided", "finalised"})
SOURCE_PAGES = {
    "complaint": "/complaints/{id}",
    "inspection": "/inspections/{id}",
    "rectification": "/rectifications/{id}",
    "social_supervision": "/social-supervisors/submissions/{id}",
}
"""Where a source is read (an inspection's page holds its item results); a source kind
without a page here (a dial test) is named, not linked."""


def yuan(amount: Decimal | float | int) -> str:
    """¥1,000.00: how an amount reads on a page (and in a printed penalty notice)."""
    return f"¥{Decimal(amount):,.2f}"


def points_text(points: float) -> str:
    return f"{points:g}"


def source_link(view: service.CaseView) -> str | None:
    page = SOURCE_PAGES.get(view.source.kind)
    return page.format(id=view.source.id) if page else None


def rule_link(code: str) -> str:
    """A rule's entry in the catalogue page (its anchor there)."""
    return f"/accountability/rules#rule-{code}"


def _list(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    status: str | None,
    mine: bool,
) -> HTMLResponse:
    chosen = status if status in STATUSES else None
    page = service.list_cases(uow, actor, lang, chosen, mine, limit=200)
    return render(
        request,
        "accountability_cases.html",
        lang,
        actor,
        page=page,
        status=chosen,
        statuses=[(s, rules.LIFECYCLE.label(s, lang)) for s in STATUSES],
        mine=mine,
        base="/accountability/mine" if mine else "/accountability",
        yuan=yuan,
        points_text=points_text,
        rule_link=rule_link,
    )


@router.get("/accountability", response_class=HTMLResponse)
def case_list(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    status: str | None = None,
) -> Response:
    return _list(request, uow, actor, lang, status, mine=False)


@router.get("/accountability/rules", response_class=HTMLResponse)
def rule_catalogue(request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep) -> Response:
    """规则目录: every rule a case may cite with its default penalty, for everyone who
    reads cases (the person concerned too: a penalty is explained by the rule it applies).
    Read from the one catalogue the decisions apply (seeds plus the operator's edits)."""
    catalogue = list(service.rules_in_force(uow).values())
    return render(
        request,
        "accountability_rules.html",
        lang,
        actor,
        rules=[r for r in catalogue if r.active],
        retired=[r for r in catalogue if not r.active],
        appeal_days=rules.APPEAL_WORKING_DAYS,
        yuan=yuan,
        points_text=points_text,
    )


@router.get("/accountability/mine", response_class=HTMLResponse)
def my_cases(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    status: str | None = None,
) -> Response:
    return _list(request, uow, actor, lang, status, mine=True)


def _detail(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    case_id: int,
    now: datetime,
    error: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    view = service.case_view(uow, case_id, actor, lang)
    catalogue = service.rules_in_force(uow)
    done = request.query_params.get("done")
    return render(
        request,
        "accountability_case.html",
        lang,
        actor,
        status_code=status_code,
        case=view,
        source_href=source_link(view),
        rule_href=rule_link(view.rule),
        rules=[r for r in catalogue.values() if r.active],
        rule_of_case=catalogue.get(view.rule),
        outcomes=[
            (o.value, in_lang(label, lang)) for o, label in rules.APPEAL_OUTCOME_LABELS.items()
        ],
        appeal_open=view.appeal_due_at is None or now < view.appeal_due_at,
        error=error,
        acc_done=done if done in DONE else None,
        values=values or {},
        yuan=yuan,
        points_text=points_text,
        action_label=lambda name: rules.LIFECYCLE.get(name).label(lang),
    )


def _error_page(request: Request, actor: Actor, lang: str, exc: DomainError) -> HTMLResponse:
    """A case outside the reader's reach is as missing as one that never was."""
    return render(
        request, "error.html", lang, actor, status_code=exc.status, error=exc.message(lang)
    )


@router.get("/accountability/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
) -> Response:
    try:
        return _detail(request, uow, actor, lang, case_id, now)
    except DomainError as exc:
        return _error_page(request, actor, lang, exc)


def _refused(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    case_id: int,
    now: datetime,
    exc: DomainError,
    values: dict[str, str],
) -> Response:
    """Nothing of a refused action is kept; the case again with the reason and what was
    typed, or the not-found page when the case is outside the reader's reach."""
    uow.rollback()
    if exc.status == 404:
        return _error_page(request, actor, lang, exc)
    return _detail(request, uow, actor, lang, case_id, now, exc.message(lang), exc.status, values)


def _done(case_id: int, what: str) -> Response:
    return see_other(f"/accountability/cases/{case_id}?done={what}")


@router.post("/accountability/cases/{case_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request,
    case_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    rule: Annotated[str, Form()] = "",
    points: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    veto: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    values = {"rule": rule, "points": points, "amount": amount, "veto": veto, "reason": reason}
    try:
        decision = service.Decision(
            whole_number(version, "version", lang),
            rules.points(points),
            rules.yuan(amount),
            veto == "1",
            reason or None,
            rule or None,
        )
        service.decide(uow, case_id, decision, actor, now)
    except DomainError as exc:
        return _refused(request, uow, actor, lang, case_id, now, exc, values)
    return _done(case_id, "decided")


@router.post("/accountability/cases/{case_id}/dismiss", response_class=HTMLResponse)
def dismiss(
    request: Request,
    case_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.dismiss(uow, case_id, whole_number(version, "version", lang), reason, actor, now)
    except DomainError as exc:
        return _refused(request, uow, actor, lang, case_id, now, exc, {"dismiss_reason": reason})
    return _done(case_id, "dismissed")


@router.post("/accountability/cases/{case_id}/appeal", response_class=HTMLResponse)
def appeal(
    request: Request,
    case_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.appeal(uow, case_id, whole_number(version, "version", lang), reason, actor, now)
    except DomainError as exc:
        return _refused(request, uow, actor, lang, case_id, now, exc, {"appeal_reason": reason})
    return _done(case_id, "appealed")


@router.post("/accountability/cases/{case_id}/appeal-decision", response_class=HTMLResponse)
def decide_appeal(
    request: Request,
    case_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    points: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    veto: Annotated[str, Form()] = "",
) -> Response:
    values = {"outcome": outcome, "ruling_reason": reason, "reduced_points": points,
              "reduced_amount": amount}  # fmt: skip
    try:
        decision = service.AppealDecision(
            whole_number(version, "version", lang),
            outcome,
            reason,
            rules.Penalty(rules.points(points), rules.yuan(amount), veto == "1"),
        )
        service.decide_appeal(uow, case_id, decision, actor, now)
    except DomainError as exc:
        return _refused(request, uow, actor, lang, case_id, now, exc, values)
    return _done(case_id, "appeal_decided")


@router.post("/accountability/cases/{case_id}/finalise", response_class=HTMLResponse)
def finalise(
    request: Request,
    case_id: int,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    version: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.finalise(uow, case_id, whole_number(version, "version", lang), actor, now)
    except DomainError as exc:
        return _refused(request, uow, actor, lang, case_id, now, exc, {})
    return _done(case_id, "finalised")
