"""The service commitments' page (服务承诺): the active SLA policies in words, what each
applies to (repeat complaints, urban or rural regions …) and its reply limit, and the form
that adds a policy or its next version — the same services as ``/api/v1/sla/policies`` and
``careloop sla policy set``. Editing keeps what the form does not show (other stages'
limits, business hours, escalation) from the current version."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.categories import get_category, leaf_categories, top_categories
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.sla.clocks import SlaLimit, parse_limit_text
from careloop.domain.sla.policies import limit_of
from careloop.domain.vocabulary import AREAS, CHANNELS, CUSTOMER_TIERS, PRIORITIES, label
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.access.actors import Actor
from careloop.services.complaints import workbench
from careloop.services.sla import policies as sla_policies
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import see_other
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()

FLAG_FIELDS = ("match_escalated", "match_repeat")
"""Yes/no terms a policy may leave open: any, yes (true) or no (false)."""


def _choices(vocabulary: dict[str, tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    return [(code, label(vocabulary, code, lang)) for code in vocabulary]


def _limit_text(policy: sla_policies.PolicyVersion, stage: str, lang: str) -> str:
    """A stage's limit and its counting rule in words (domain.sla.clocks.describe_limit)."""
    try:
        limit = limit_of(policy, stage)
    except (KeyError, TypeError, ValueError):
        return "—"
    return limit.describe(lang) if limit else "—"


def limit_words(limit: SlaLimit | None, lang: str) -> str:
    """A limit as a person types it into the form ("15个工作日", "4 hours"): the form's
    text is read back by ``parse_limit_text``, in either language."""
    if limit is None:
        return ""
    t = Translator(lang)
    working = limit.basis == "working"
    if limit.days is not None:
        if working:
            return t("policies.limit.working_days", n=limit.days)
        return t("policies.limit.calendar_days", n=limit.days)
    if limit.minutes % 60 == 0:
        if working:
            return t("policies.limit.working_hours", n=limit.minutes // 60)
        return t("policies.limit.hours", n=limit.minutes // 60)
    if working:
        return t("policies.limit.working_minutes", n=limit.minutes)
    return t("policies.limit.minutes", n=limit.minutes)


def _terms(policy: sla_policies.PolicyVersion, lang: str, t: Translator) -> list[str]:
    """What a policy applies to, one phrase per term it names (none: every complaint)."""
    terms: list[str] = []
    if policy.match_category:
        category = get_category(policy.match_category)
        name = category.label(lang) if category else policy.match_category
        terms.append(t("policies.term.category", value=name))
    for field, vocabulary in (
        ("match_channel", CHANNELS),
        ("match_tier", CUSTOMER_TIERS),
        ("match_priority", PRIORITIES),
        ("match_area", AREAS),
    ):
        value = getattr(policy, field)
        if value:
            terms.append(t(f"policies.term.{field}", value=label(vocabulary, value, lang)))
    if policy.match_region:
        terms.append(t("policies.term.match_region", value=policy.match_region))
    for field in FLAG_FIELDS:
        value = getattr(policy, field)
        if value is not None:
            terms.append(t(f"policies.term.{field}.{'yes' if value else 'no'}"))
    return terms or [t("policies.term.any")]


@dataclass(frozen=True)
class PolicyRow:
    """One active policy as the page lists it."""

    code: str
    version: int
    name: str
    rank: int
    terms: list[str]
    reply: str


def _form_of(policy: sla_policies.PolicyVersion | None, lang: str) -> dict[str, str]:
    """The form's fields, filled from ``policy`` (blank for a new one)."""
    if policy is None:
        return {"rank": "0"}
    try:
        reply = limit_of(policy, "reply")
    except (KeyError, TypeError, ValueError):
        reply = None
    form = {
        "code": policy.code,
        "name": policy.name,
        "rank": str(policy.rank),
        "reply_limit": limit_words(reply, lang),
    }
    for field in ("match_category", "match_channel", "match_tier", "match_region"):
        form[field] = getattr(policy, field) or ""
    form["match_priority"] = policy.match_priority or ""
    form["match_area"] = policy.match_area or ""
    for field in FLAG_FIELDS:
        value = getattr(policy, field)
        form[field] = "" if value is None else ("yes" if value else "no")
    return form


def _page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    t = Translator(lang)
    policies = sla_policies.list_policies(uow)
    rows = [
        PolicyRow(p.code, p.version, p.name, p.rank, _terms(p, lang, t),
                  _limit_text(p, "reply", lang))
        for p in sorted(policies, key=lambda p: (-p.rank, p.code))
    ]  # fmt: skip
    if form is None:
        code = request.query_params.get("code")
        form = _form_of(next((p for p in policies if p.code == code), None), lang)
    categories = [
        (c.code, t("policies.category_all", name=c.label(lang)) if c.level == 1 else c.label(lang))
        for top in top_categories()
        for c in [top, *(leaf for leaf in leaf_categories() if leaf.parent == top.code)]
    ]
    regions = workbench.regions_for_intake(uow, actor, lang)
    return render(
        request,
        "policies.html",
        lang,
        actor,
        status_code=status_code,
        rows=rows,
        form=form,
        editing=any(p.code == form.get("code") for p in policies),
        can_edit=actor.role in sla_policies.POLICY_ROLES,
        categories=categories,
        regions=[(r.unit.code, r.unit.name) for r in regions],
        channels=_choices(CHANNELS, lang),
        tiers=_choices(CUSTOMER_TIERS, lang),
        priorities=_choices(PRIORITIES, lang),
        areas=_choices(AREAS, lang),
        error=error,
        done=request.query_params.get("done"),
    )


@router.get("/policies", response_class=HTMLResponse)
def policies_page(request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep) -> Response:
    return _page(request, uow, actor, lang)


def _flag(value: str, field: str, t: Translator) -> bool | None:
    if value in ("", "any"):
        return None
    if value in ("yes", "no"):
        return value == "yes"
    raise InvalidInput(field, t("policies.flag_invalid"))


def _reply_limit(text: str) -> dict[str, Any] | None:
    """The reply limit as the policy stores it; None when left blank (keep the current)."""
    if not text.strip():
        return None
    try:
        return parse_limit_text(text).as_terms()
    except ValueError as exc:
        raise InvalidInput("limits.reply", str(exc)) from None


def _spec(
    current: sla_policies.PolicyVersion | None, values: dict[str, str], t: Translator
) -> sla_policies.PolicySpec:
    """What the form says, over the current version (what the form does not show stays)."""
    if current is not None:
        base = sla_policies.PolicySpec(
            **{f.name: getattr(current, f.name) for f in fields(sla_policies.PolicySpec)}
        )
    else:
        base = sla_policies.PolicySpec(name="", limits={})
    limits = {k: dict(v) for k, v in base.limits.items()}
    reply = _reply_limit(values["reply_limit"])
    if reply is not None:
        limits["reply"] = reply
    try:
        rank = int(values["rank"] or "0")
    except ValueError:
        raise InvalidInput("rank", t("common.whole_number")) from None
    return replace(
        base,
        name=values["name"],
        rank=rank,
        limits=limits,
        match_category=values["match_category"] or None,
        match_channel=values["match_channel"] or None,
        match_tier=values["match_tier"] or None,
        match_region=values["match_region"] or None,
        match_priority=values["match_priority"] or None,
        match_area=values["match_area"] or None,
        match_escalated=_flag(values["match_escalated"], "match_escalated", t),
        match_repeat=_flag(values["match_repeat"], "match_repeat", t),
    )


@router.post("/policies", response_class=HTMLResponse)
def save_policy(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    now: NowDep,
    lang: LangDep,
    code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    rank: Annotated[str, Form()] = "0",
    reply_limit: Annotated[str, Form()] = "",
    match_category: Annotated[str, Form()] = "",
    match_channel: Annotated[str, Form()] = "",
    match_tier: Annotated[str, Form()] = "",
    match_region: Annotated[str, Form()] = "",
    match_priority: Annotated[str, Form()] = "",
    match_escalated: Annotated[str, Form()] = "",
    match_repeat: Annotated[str, Form()] = "",
    match_area: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "code": code.strip(),
        "name": name,
        "rank": rank,
        "reply_limit": reply_limit,
        "match_category": match_category,
        "match_channel": match_channel,
        "match_tier": match_tier,
        "match_region": match_region,
        "match_priority": match_priority,
        "match_escalated": match_escalated,
        "match_repeat": match_repeat,
        "match_area": match_area,
    }
    try:
        sla_policies.check_policy_role(actor)
        current = next(
            (p for p in sla_policies.list_policies(uow) if p.code == values["code"]), None
        )
        spec = _spec(current, values, Translator(lang))
        sla_policies.save_policy(uow, values["code"], spec, actor, now)
    except DomainError as exc:
        uow.rollback()
        return _page(request, uow, actor, lang, values, exc.message(lang), exc.status)
    return see_other(f"/policies?code={values['code']}&done=policy_saved")
