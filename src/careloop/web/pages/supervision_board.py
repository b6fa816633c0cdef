"""The supervisor's board: open, warning and breached counts by region and category, the
trend chart and the escalated complaints, every number a link to the list behind it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from careloop.domain.permissions import has_permission
from careloop.http.dependencies import NowDep, UowDep
from careloop.i18n import Translator
from careloop.services.complaints import workbench
from careloop.services.sla import calendar as sla_calendar
from careloop.services.sla.policies import POLICY_ROLES
from careloop.web import charts, views
from careloop.web.deps import LangDep, WebActorDep, render

router = APIRouter()


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor(
    request: Request, uow: UowDep, actor: WebActorDep, now: NowDep, lang: LangDep
) -> Response:
    t = Translator(lang)
    board = workbench.dashboard(uow, actor, now, tz=request.app.state.settings.timezone, lang=lang)
    regions = sorted(board.by_region.items(), key=lambda kv: -kv[1].open)
    categories = sorted(board.by_category.items(), key=lambda kv: -kv[1].open)
    tz = request.app.state.settings.timezone
    # From December the administrator is reminded to enter next year's holiday notice.
    reminder = sla_calendar.notice_reminder(uow, now, tz) if actor.role in POLICY_ROLES else None
    return render(
        request,
        "supervisor.html",
        lang,
        actor,
        board=board,
        regions=[(code, views.unit_name(board.units.get(code)), n) for code, n in regions],
        categories=[(code, views.category_label(code, lang), n) for code, n in categories],
        escalated=[views.row(r, t) for r in board.escalated],
        chart=charts.trend_svg(board.trend, t, tz),
        trend_total=sum(d.accepted for d in board.trend),
        trend_from=(now - timedelta(days=90)).isoformat(),
        can_report=has_permission("report.read", actor.role),
        reminder=reminder.message(lang) if reminder else None,
        yesterday=(now.astimezone(ZoneInfo(tz)) - timedelta(days=1)).date().isoformat(),
    )
