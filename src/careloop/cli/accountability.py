"""`careloop accountability list|show`: the responsibility cases (责任认定) a member of
staff may see, from the shell — the same services and scoping as /api/v1/accountability
and the pages. Read only: decisions and appeals are made on the pages or through the API,
where the form shows the rule's default and the appeal period.

Chinese by default, English with ``--lang en`` or CARELOOP_LANG=en; a table on screen or
``--json`` for other tools; a refusal is one line on stderr and exit code 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer

from careloop.cli.csi import table
from careloop.cli.shell import fail, platform, settings
from careloop.cli.transition_commands import AsUser
from careloop.config import Settings
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.language import normalise
from careloop.domain.supervision import accountability as rules
from careloop.i18n import Translator
from careloop.services.access.actors import actor_for
from careloop.services.supervision import accountability as cases
from careloop.services.unit_of_work import UnitOfWork

T = TypeVar("T")

accountability_app = typer.Typer(
    help="Responsibility cases (责任认定): who answers for a failure, and its penalty.",
    no_args_is_help=True,
)

Lang = Annotated[
    str | None, typer.Option("--lang", help="zh-CN (default) or en; else CARELOOP_LANG")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (for other tools)")]


def language(lang: str | None) -> str:
    """``--lang``, else CARELOOP_LANG (read when the command runs), else Chinese."""
    return normalise(lang) if lang else Settings.cli_language()


def run_speaking(action: Callable[[UnitOfWork], T], lang: str) -> T:
    """One read in one unit of work; a refusal is one line in the reader's language."""
    try:
        with platform().unit_of_work() as uow:
            return action(uow)
    except DomainError as exc:
        fail(exc, lang)


def local_time(moment: datetime | None) -> str:
    """A time as the desk reads it: the deployment's zone (Beijing by default), no offset."""
    if moment is None:
        return "—"
    return f"{moment.astimezone(ZoneInfo(settings().timezone)):%Y-%m-%d %H:%M}"


def due_time(moment: datetime | None) -> str:
    """A deadline as the pages read it: one falling at local midnight is the end of the day
    before ("2026-10-08 24:00"), as a period's last day is stated."""
    shown = local_time(moment)
    if moment is None or not shown.endswith(" 00:00"):
        return shown
    day = moment.astimezone(ZoneInfo(settings().timezone)) - timedelta(days=1)
    return f"{day:%Y-%m-%d} 24:00"


def dump(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def penalty_text(view: cases.CaseView, lang: str) -> str:
    """What a case costs, in words: nothing yet while open, nothing once dismissed."""
    t = Translator(lang)
    if view.status == rules.CaseStatus.OPEN:
        return t("cli.accountability.not_decided")
    p = view.penalty
    if view.status == rules.CaseStatus.DISMISSED or p.is_none:
        return t("cli.accountability.no_penalty")
    parts = [t("cli.accountability.points", n=f"{p.points:g}")] if p.points else []
    parts += [yuan(p.amount)] if p.amount else []
    parts += [t("cli.accountability.veto")] if p.veto else []
    return " · ".join(parts)


def _status(value: str | None, lang: str) -> str | None:
    if value is None or value in {s.value for s in rules.CaseStatus}:
        return value
    t = Translator(lang)
    # The statuses' names are the rule's own words, beside it in the domain.
    named = rules.STATUS_LABELS.items()
    choices = t("cli.list_separator").join(
        f"{en if t.lang == 'en' else zh} ({s.value})" for s, (zh, en) in named
    )
    raise InvalidInput("status", t("cli.accountability.choose_status", choices=choices))


@accountability_app.command("list")
def list_cases(
    as_user: AsUser,
    status: Annotated[
        str | None,
        typer.Option(help="open, decided, appealed, final or dismissed"),
    ] = None,
    unit: Annotated[
        str | None, typer.Option(help="Code of a unit: its cases and those below it")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, newest first")] = 50,
    as_json: AsJson = False,
    lang: Lang = None,
) -> None:
    """The cases you may see, newest first (yours only, unless you lead a unit or
    supervise an area)."""
    speak = language(lang)
    t = Translator(speak)

    def action(uow: UnitOfWork) -> cases.CasePage:
        actor = actor_for(uow, as_user)
        wanted = _status(status, speak)
        return cases.list_cases(uow, actor, speak, wanted, limit=limit, unit_code=unit)

    page = run_speaking(action, speak)
    if as_json:
        dump({"total": page.total, "items": [asdict(c) for c in page.items]})
        return
    if not page.items:
        typer.echo(t("cli.accountability.none"))
        return
    headers = [
        t("cli.accountability.number"), t("cli.accountability.status"),
        t("cli.accountability.unit"), t("cli.accountability.rule"),
        t("cli.accountability.penalty"), t("cli.accountability.opened"),
    ]  # fmt: skip
    rows = [
        [
            c.number,
            c.status_label,
            c.unit_name + (f" · {c.staff_name}" if c.staff_name else ""),
            c.rule_label,
            penalty_text(c, speak),
            local_time(c.opened_at),
        ]
        for c in page.items
    ]
    typer.echo(table(t("cli.accountability.cases"), headers, rows, len(headers)))
    typer.echo(t("cli.accountability.count", n=page.total, shown=len(page.items)))


@accountability_app.command("show")
def show_case(case_id: int, as_user: AsUser, as_json: AsJson = False, lang: Lang = None) -> None:
    """One case with its trail (404 if it is not yours to see)."""
    speak = language(lang)
    view = run_speaking(
        lambda uow: cases.case_view(uow, case_id, actor_for(uow, as_user), speak), speak
    )
    if as_json:
        dump(asdict(view))
        return
    t = Translator(speak)
    lines = [
        (t("cli.accountability.number"),
         t("cli.number_status", number=view.number, status=view.status_label)),
        (t("cli.accountability.source"), f"{view.source_label} {view.source_ref}"),
        (t("cli.accountability.unit"), view.unit_name),
        (t("cli.accountability.staff"), view.staff_name or t("cli.accountability.no_staff")),
        (t("cli.accountability.rule"), view.rule_label),
        (t("cli.accountability.opened"), local_time(view.opened_at)),
        (t("cli.accountability.summary"), view.summary),
        (t("cli.accountability.in_force"), penalty_text(view, speak)),
    ]  # fmt: skip
    reason = t("cli.accountability.decision_reason")
    if view.decided_at:
        lines.append((t("cli.accountability.decided_at"), local_time(view.decided_at)))
        if view.decision_reason:
            lines.append((reason, view.decision_reason))
        lines.append((t("cli.accountability.appeal_due"), due_time(view.appeal_due_at)))
    elif view.decision_reason:
        lines.append((reason, view.decision_reason))
    if view.appealed_at:
        lines.append((t("cli.accountability.appealed_at"), local_time(view.appealed_at)))
        lines.append((t("cli.accountability.appeal_reason"), view.appeal_reason or ""))
    if view.appeal_outcome_label:
        lines.append((t("cli.accountability.appeal_outcome"), view.appeal_outcome_label))
    for label, value in lines:
        typer.echo(t("cli.field_line", label=label, value=value))
    trail = t("cli.accountability.trail")
    typer.echo(f"== {trail} ==")
    for e in view.trail:
        who = t("cli.accountability.system") if e.role == "system" else e.actor
        # Keys from the trail's action codes; an action nobody named yet shows its code.
        action = t.get(f"cli.accountability.action.{e.action}", e.action)
        note = f"  {e.note}" if e.note else ""
        typer.echo(f"{local_time(e.at)}  {who}  {action}{note}")
