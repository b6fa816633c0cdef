"""The supervisors' survey pages (满意度调查): the questions (templates and their versions),
the sending rules (global and per region), and the results per unit and per agent with the
answered surveys behind each row — the same services as ``/api/v1/surveys``
(``services.surveys``). Reading needs ``survey.read``; changing templates and rules
``survey.manage``. A refused form comes back filled, with the broken rule in words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.errors import DomainError
from careloop.domain.indicators.periods import Period, period_of
from careloop.domain.permissions import has_permission
from careloop.http.dependencies import NowDep, UowDep, client_address
from careloop.i18n import Translator
from careloop.reports import cells
from careloop.services.access.actors import Actor
from careloop.services.complaints import workbench
from careloop.services.surveys import page_views, results, rules, templates
from careloop.services.surveys.read_models import ResultRow
from careloop.services.unit_of_work import UnitOfWork
from careloop.web.answers import see_other
from careloop.web.deps import LangDep, WebActorDep, render
from careloop.web.pages import survey_forms
from careloop.web.pages.survey_chart import trend_svg

router = APIRouter()

READ, MANAGE = "survey.read", "survey.manage"
SORTS = ("worst", "response", "sent", "name")


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form as plain strings (the question rows are numbered fields)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormDep = Annotated[dict[str, str], Depends(form_fields)]


def _refuse_reader(request: Request, actor: Actor, lang: str, permission: str) -> Response | None:
    """A page for a role without the right: the refusal in words, not a permission code."""
    if has_permission(permission, actor.role):
        return None
    t = Translator(lang)
    return render(
        request, "error.html", lang, actor, status_code=403, error=t("survey_pages.forbidden")
    )


def _who(names: Mapping[str, str], t: Translator) -> Callable[[str | None], str]:
    """A template's or rule's author by name; the migration's seed was saved by the system."""

    def who(username: str | None) -> str:
        return names.get(username or "") or t("survey_pages.system")

    return who


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


# --- templates ------------------------------------------------------------------------


def _templates_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    forms: Mapping[str, survey_forms.TemplateForm] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    t = Translator(lang)
    every = templates.list_templates(uow, actor, include_old=True)
    purposes: dict[str, list[Any]] = {}
    for view in every:
        purposes.setdefault(view.purpose, []).append(view)
    cards = []
    for purpose, versions in purposes.items():
        active = next((v for v in versions if v.active), versions[0])
        cards.append(
            {
                "purpose": purpose,
                "active": active,
                "questions": [
                    survey_forms.question_line(q, active.template, t) for q in active.questions
                ],
                "history": versions,
                "form": (forms or {}).get(purpose) or survey_forms.form_of(active.template),
                "editing": bool(forms and purpose in forms),
            }
        )
    return render(
        request,
        "surveys/templates.html",
        lang,
        actor,
        status_code=status_code,
        section="templates",
        cards=cards,
        kinds=survey_forms.kind_choices(t),
        manager=has_permission(MANAGE, actor.role),
        who=_who(page_views.staff_names(uow, {v.created_by for v in every}), t),
        error=error,
        saved=None if error else survey_forms.done_of(request),
    )


@router.get("/surveys", response_class=HTMLResponse)
def surveys_home(actor: WebActorDep) -> Response:
    """The menu's entry: the results (after the login, like every other page)."""
    return see_other("/surveys/results")


@router.get("/surveys/templates", response_class=HTMLResponse)
def survey_templates_page(
    request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep
) -> Response:
    return _refuse_reader(request, actor, lang, READ) or _templates_page(request, uow, actor, lang)


@router.post("/surveys/templates", response_class=HTMLResponse)
def save_survey_template(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    fields: FormDep,
) -> Response:
    refused = _refuse_reader(request, actor, lang, MANAGE)
    if refused:
        return refused
    form = survey_forms.template_form(fields)
    try:
        saved = templates.save_template(uow, actor, survey_forms.template_data(form), now)
    except DomainError as exc:
        uow.rollback()
        return _templates_page(
            request, uow, actor, lang, {form.purpose: form}, exc.message(lang), exc.status
        )
    return see_other(f"/surveys/templates?done=survey_template_saved&v={saved.version}")


# --- sending rules ------------------------------------------------------------------------


def _rules_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    lang: str,
    forms: Mapping[str, dict[str, str]] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    t = Translator(lang)
    views = rules.get_sending_rules(uow, actor, lang)
    purposes = [
        (v.purpose, v.template.name_en if lang == "en" else v.template.name_zh)
        for v in templates.list_templates(uow, actor)
    ]
    regions = [
        (r.unit.code, r.unit.name, r.kind == "county")
        for r in workbench.regions_for_intake(uow, actor, lang)
    ]
    cards = [
        {
            "key": v.region_code or "",
            "view": v,
            "form": (forms or {}).get(v.region_code or "") or survey_forms.rule_form(v),
            "summary": survey_forms.rule_summary(v.rule, t),
        }
        for v in views
    ]
    new_form = (forms or {}).get("__new__") or survey_forms.rule_form(views[0], region="")
    return render(
        request,
        "surveys/rules.html",
        lang,
        actor,
        status_code=status_code,
        section="rules",
        cards=cards,
        new_form=new_form,
        regions=[r for r in regions if r[0] not in {v.region_code for v in views}],
        purposes=purposes,
        manager=has_permission(MANAGE, actor.role),
        who=_who(page_views.staff_names(uow, {v.updated_by for v in views if v.updated_by}), t),
        forms_open=next(iter(forms)) if forms else None,
        error=error,
        saved=None if error else survey_forms.done_of(request),
    )


@router.get("/surveys/rules", response_class=HTMLResponse)
def survey_rules_page(request: Request, uow: UowDep, actor: WebActorDep, lang: LangDep) -> Response:
    return _refuse_reader(request, actor, lang, READ) or _rules_page(request, uow, actor, lang)


@router.post("/surveys/rules", response_class=HTMLResponse)
def save_survey_rule(
    request: Request,
    uow: UowDep,
    actor: WebActorDep,
    lang: LangDep,
    now: NowDep,
    fields: FormDep,
) -> Response:
    refused = _refuse_reader(request, actor, lang, MANAGE)
    if refused:
        return refused
    values = survey_forms.rule_values(fields)
    key = "__new__" if values.get("new") else values["region"]
    try:
        data, version = survey_forms.rule_data(values)
        rules.save_sending_rule(
            uow, actor, values["region"] or None, data, now, expected_version=version, lang=lang
        )
    except DomainError as exc:
        uow.rollback()
        return _rules_page(request, uow, actor, lang, {key: values}, exc.message(lang), exc.status)
    anchor = f"#rule-{values['region']}" if values["region"] else "#rule-global"
    return see_other(f"/surveys/rules?done=survey_rule_saved{anchor}")


# --- results ------------------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period_from(params: Mapping[str, str], today: date) -> tuple[Period, dict[str, str]]:
    """The period the picker asks for, in local days: this month by default; from after
    to is read the other way round; a range longer than a year keeps its last year."""
    month = period_of("month", today)
    start = _day(params.get("from")) or month.start
    end = _day(params.get("to")) or (month.end if not params.get("from") else today)
    if end < start:
        start, end = end, start
    if (end - start).days > 366:
        start = end - timedelta(days=366)
    whole_month = start.day == 1 and period_of("month", start).end == end
    period = Period("month" if whole_month else "day", start, end)
    return period, {"from": start.isoformat(), "to": end.isoformat()}


def _sorted(rows: list[ResultRow], sort: str) -> list[ResultRow]:
    """Worst first: the lowest satisfaction, then the lowest response rate; rows with
    nothing to rate go last."""
    if sort == "name":
        return sorted(rows, key=lambda r: r.name)
    if sort == "sent":
        return sorted(rows, key=lambda r: (-r.sent, r.name))
    if sort == "response":
        return sorted(rows, key=lambda r: (r.response_rate is None, r.response_rate or 0.0, r.name))
    return sorted(
        rows,
        key=lambda r: (
            r.satisfaction is None,
            r.satisfaction if r.satisfaction is not None else 0.0,
            r.response_rate if r.response_rate is not None else 0.0,
            r.name,
        ),
    )


def _query(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k != "lang"}


def _results_of(
    request: Request, uow: UnitOfWork, actor: Actor, now: datetime, lang: str
) -> dict[str, Any]:
    params = _query(request)
    today = now.astimezone(_tz(request)).date()
    period, picked = period_from(params, today)
    by = "agent" if params.get("by") == "agent" else "unit"
    sort = params.get("sort") or "worst"
    sort = sort if sort in SORTS else "worst"
    regions = workbench.regions_for_intake(uow, actor, lang)
    region = params.get("region") or None
    if region not in {r.unit.code for r in regions}:
        region = None
    found = results.survey_results(uow, actor, period, by, region, lang)  # type: ignore[arg-type]
    return {
        "found": found,
        "rows": _sorted(found.rows, sort),
        "period": period,
        "picked": picked,
        "by": by,
        "sort": sort,
        "region": region or "",
        "regions": [(r.unit.code, r.unit.name, r.kind == "county") for r in regions],
    }


@router.get("/surveys/results", response_class=HTMLResponse)
def survey_results_page(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    refused = _refuse_reader(request, actor, lang, READ)
    if refused:
        return refused
    t = Translator(lang)
    shown = _results_of(request, uow, actor, now, lang)
    trend = page_views.monthly_totals(uow, actor, shown["period"].end, 6, shown["region"] or None)
    base = {**shown["picked"], **({"region": shown["region"]} if shown["region"] else {})}

    def link(path: str, **extra: str) -> str:
        return f"{path}?{urlencode(base | extra)}"

    return render(
        request,
        "surveys/results.html",
        lang,
        actor,
        section="results",
        chart=trend_svg(trend, t),
        trend=trend,
        link=link,
        pct=survey_forms.percent,
        mean=lambda value, kind: survey_forms.mean_text(value, kind, t),
        questions=shown["found"].total.means,
        **shown,
    )


@router.get("/surveys/results/export.{fmt}", response_class=Response)
def survey_results_export(
    fmt: str, request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    """The table as the page shows it (the same order and words), as CSV or Excel."""
    refused = _refuse_reader(request, actor, lang, READ)
    if refused:
        return refused
    if fmt not in ("csv", "xlsx"):
        return see_other("/surveys/results")
    t = Translator(lang)
    shown = _results_of(request, uow, actor, now, lang)
    headers, body_rows = survey_forms.export_table(
        shown["rows"], shown["found"].total, shown["by"], t
    )
    body = (
        cells.to_xlsx("surveys", headers, body_rows)
        if fmt == "xlsx"
        else cells.to_csv(headers, body_rows)
    )
    page_views.record_results_export(
        uow,
        actor,
        now,
        fmt,
        len(body_rows),
        f"{shown['picked']['from']}/{shown['picked']['to']}",
        client_address(request),
    )
    name = f"surveys-{shown['by']}-{shown['picked']['from']}-{shown['picked']['to']}.{fmt}"
    media = cells.XLSX_MEDIA_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/surveys/results/answers", response_class=HTMLResponse)
def survey_answers_page(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    """The answered surveys behind one row of the results: each complaint, its answers."""
    refused = _refuse_reader(request, actor, lang, READ)
    if refused:
        return refused
    params = _query(request)
    today = now.astimezone(_tz(request)).date()
    period, picked = period_from(params, today)
    by = "agent" if params.get("by") == "agent" else "unit"
    drill = page_views.answered_surveys(uow, actor, period, by, params.get("key", ""), lang)
    back = {**picked, "by": by, **({"region": params["region"]} if params.get("region") else {})}
    return render(
        request,
        "surveys/answers.html",
        lang,
        actor,
        section="results",
        drill=drill,
        picked=picked,
        back=back,
        back_link=f"/surveys/results?{urlencode(back)}",
    )
