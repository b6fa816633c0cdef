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
from typing import Annotated, Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer

from careloop.cli.csi import table
from careloop.cli.shell import platform, settings
from careloop.cli.transition_commands import AsUser
from careloop.config import Settings
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.language import normalise
from careloop.domain.supervision import accountability as rules
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

WORDS: dict[str, tuple[str, str]] = {
    "cases": ("责任认定", "Responsibility cases"),
    "count": ("共 {n} 件，显示 {shown} 件", "{n} in all, {shown} shown"),
    "number": ("认定编号", "Case"),
    "status": ("状态", "Status"),
    "source": ("问题来源", "Source"),
    "unit": ("责任单位", "Unit"),
    "staff": ("责任人", "Person"),
    "no_staff": ("未指定个人", "nobody named"),
    "rule": ("违反条款", "Rule"),
    "penalty": ("处罚", "Penalty"),
    "in_force": ("现行处罚", "Penalty in force"),
    "opened": ("立案时间", "Opened"),
    "summary": ("认定事实", "What happened"),
    "decided_at": ("认定时间", "Decided"),
    "decision_reason": ("认定说明", "Reason"),
    "appeal_due": ("申诉截止", "Appeal by"),
    "appealed_at": ("申诉时间", "Appealed"),
    "appeal_reason": ("申诉理由", "Grounds of appeal"),
    "appeal_outcome": ("申诉裁定", "Appeal ruling"),
    "trail": ("处理记录", "Trail"),
    "not_decided": ("待认定", "not decided yet"),
    "no_penalty": ("不处罚", "no penalty"),
    "points": ("扣 {n} 分", "{n} points off"),
    "veto": ("一票否决", "one-vote veto"),
    "system": ("系统", "system"),
    "none": ("没有符合条件的责任认定。", "No case matches."),
}
ACTIONS: dict[str, tuple[str, str]] = {
    "open": ("立案", "opened"),
    "decide": ("认定处罚", "decided"),
    "dismiss": ("不予追责", "dismissed"),
    "appeal": ("提出申诉", "appealed"),
    "decide_appeal": ("裁定申诉", "appeal decided"),
    "finalise": ("确认生效", "made final"),
}


def language(lang: str | None) -> str:
    """``--lang``, else CARELOOP_LANG (read when the command runs), else Chinese."""
    return normalise(lang) if lang else Settings.cli_language()


def word(key: str, lang: str, **params: object) -> str:
    zh, en = WORDS[key]
    return (en if lang == "en" else zh).format(**params)


def fail(exc: DomainError, lang: str) -> NoReturn:
    typer.echo(f"error [{exc.code}]: {exc.message(lang)}", err=True)
    raise typer.Exit(1) from None


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
    if view.status == rules.CaseStatus.OPEN:
        return word("not_decided", lang)
    p = view.penalty
    if view.status == rules.CaseStatus.DISMISSED or p.is_none:
        return word("no_penalty", lang)
    parts = [word("points", lang, n=f"{p.points:g}")] if p.points else []
    parts += [yuan(p.amount)] if p.amount else []
    parts += [word("veto", lang)] if p.veto else []
    return " · ".join(parts)


def _status(value: str | None) -> str | None:
    if value is None or value in {s.value for s in rules.CaseStatus}:
        return value
    choices = "、".join(f"{zh} ({s.value})" for s, (zh, _) in rules.STATUS_LABELS.items())
    raise InvalidInput("status", f"请从以下状态中选择 / choose one of: {choices}")


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

    def action(uow: UnitOfWork) -> cases.CasePage:
        actor = actor_for(uow, as_user)
        return cases.list_cases(uow, actor, speak, _status(status), limit=limit, unit_code=unit)

    page = run_speaking(action, speak)
    if as_json:
        dump({"total": page.total, "items": [asdict(c) for c in page.items]})
        return
    if not page.items:
        typer.echo(word("none", speak))
        return
    headers = [word(k, speak) for k in ("number", "status", "unit", "rule", "penalty", "opened")]
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
    typer.echo(table(word("cases", speak), headers, rows, len(headers)))
    typer.echo(word("count", speak, n=page.total, shown=len(page.items)))


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
    en = speak == "en"
    lines = [
        (word("number", speak), f"{view.number}（{view.status_label}）" if not en
         else f"{view.number} ({view.status_label})"),
        (word("source", speak), f"{view.source_label} {view.source_ref}"),
        (word("unit", speak), view.unit_name),
        (word("staff", speak), view.staff_name or word("no_staff", speak)),
        (word("rule", speak), view.rule_label),
        (word("opened", speak), local_time(view.opened_at)),
        (word("summary", speak), view.summary),
        (word("in_force", speak), penalty_text(view, speak)),
    ]  # fmt: skip
    if view.decided_at:
        lines.append((word("decided_at", speak), local_time(view.decided_at)))
        if view.decision_reason:
            lines.append((word("decision_reason", speak), view.decision_reason))
        lines.append((word("appeal_due", speak), due_time(view.appeal_due_at)))
    elif view.decision_reason:
        lines.append((word("decision_reason", speak), view.decision_reason))
    if view.appealed_at:
        lines.append((word("appealed_at", speak), local_time(view.appealed_at)))
        lines.append((word("appeal_reason", speak), view.appeal_reason or ""))
    if view.appeal_outcome_label:
        lines.append((word("appeal_outcome", speak), view.appeal_outcome_label))
    for label, value in lines:
        typer.echo(f"{label}：{value}" if not en else f"{label}: {value}")
    typer.echo(f"== {word('trail', speak)} ==")
    for e in view.trail:
        who = word("system", speak) if e.role == "system" else e.actor
        zh, en_label = ACTIONS.get(e.action, (e.action, e.action))
        note = f"  {e.note}" if e.note else ""
        typer.echo(f"{local_time(e.at)}  {who}  {en_label if en else zh}{note}")
