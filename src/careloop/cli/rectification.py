"""`careloop rectification list|show`: rectification tasks (督促整改) from the shell, read
only — the public functions of services.supervision.rectification, scoped as the pages
and /api/v1/rectifications are. Work on a task (submit, re-inspect) happens on its page.

Chinese by default, English with ``--lang en`` or CARELOOP_LANG=en; a table or ``--json``;
a refusal is one line on stderr and exit code 1.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from careloop.cli.accountability import AsJson, Lang, dump, language, local_time, run_speaking
from careloop.cli.csi import table
from careloop.cli.shell import now
from careloop.cli.transition_commands import AsUser
from careloop.services.access.actors import actor_for
from careloop.services.supervision import rectification as tasks
from careloop.services.unit_of_work import UnitOfWork

rectification_app = typer.Typer(
    help="Rectification tasks (督促整改): findings a unit must put right, with evidence.",
    no_args_is_help=True,
)

WORDS: dict[str, tuple[str, str]] = {
    "tasks": ("整改任务", "Rectification tasks"),
    "count": ("共 {n} 项，显示 {shown} 项", "{n} in all, {shown} shown"),
    "number": ("任务编号", "Task"),
    "status": ("状态", "Status"),
    "unit": ("整改单位", "Unit"),
    "title": ("问题", "Finding"),
    "source": ("问题来源", "Source"),
    "due": ("整改期限", "Due"),
    "remaining": ("剩余", "Left"),
    "escalated": ("已升级", "Escalated"),
    "level": ("第 {n} 级 → {unit}", "level {n} → {unit}"),
    "detail": ("问题描述", "Detail"),
    "cycle": ("整改轮次", "Round"),
    "actions_taken": ("整改措施", "Actions taken"),
    "evidence": ("整改证据", "Evidence"),
    "check_note": ("复查意见", "Re-inspection note"),
    "closed_at": ("销号时间", "Closed"),
    "trail": ("处理记录", "Trail"),
    "none": ("没有符合条件的整改任务。", "No task matches."),
}


def word(key: str, lang: str, **params: object) -> str:
    zh, en = WORDS[key]
    return (en if lang == "en" else zh).format(**params)


def _left(view: tasks.RectificationView) -> str:
    """剩余 2天3小时 / 超时 5小时 (the service's words); nothing once closed."""
    return "—" if view.closed_at is not None else view.remaining


@rectification_app.command("list")
def list_tasks(
    as_user: AsUser,
    status: Annotated[
        str | None,
        typer.Option(
            help="open, in_progress, submitted, closed, reopened; open_all (not closed) or overdue"
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option(help="Code of a unit: its tasks and those below it")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, soonest due first")] = 50,
    as_json: AsJson = False,
    lang: Lang = None,
) -> None:
    """The tasks you may see, the soonest due first."""
    speak = language(lang)
    moment = now()

    def action(uow: UnitOfWork) -> tasks.TaskPage:
        actor = actor_for(uow, as_user)
        return tasks.list_tasks(
            uow, actor, speak, moment, status=status, unit_code=unit, limit=limit
        )

    page = run_speaking(action, speak)
    if as_json:
        dump({"total": page.total, "items": [asdict(t) for t in page.items]})
        return
    if not page.items:
        typer.echo(word("none", speak))
        return
    headers = [word(k, speak) for k in ("number", "status", "unit", "title", "due", "remaining")]
    rows = [
        [t.number, t.status_label, t.unit.name, t.title, t.due_local, _left(t)] for t in page.items
    ]
    typer.echo(table(word("tasks", speak), headers, rows, len(headers)))
    typer.echo(word("count", speak, n=page.total, shown=len(page.items)))


@rectification_app.command("show")
def show_task(task_id: int, as_user: AsUser, as_json: AsJson = False, lang: Lang = None) -> None:
    """One task with its trail (404 if it is not yours to see)."""
    speak = language(lang)
    moment = now()

    def action(
        uow: UnitOfWork,
    ) -> tuple[tasks.RectificationView, list[tasks.RectificationEventView]]:
        actor = actor_for(uow, as_user)
        view = tasks.get_task(uow, task_id, actor, speak, moment)
        return view, tasks.task_events(uow, task_id, actor, speak)

    view, trail = run_speaking(action, speak)
    if as_json:
        dump({**asdict(view), "trail": [asdict(e) for e in trail]})
        return
    en = speak == "en"
    lines = [
        (word("number", speak), f"{view.number} ({view.status_label})" if en
         else f"{view.number}（{view.status_label}）"),
        (word("source", speak), view.source_label),
        (word("unit", speak), view.unit.name),
        (word("title", speak), view.title),
        (word("detail", speak), view.detail),
        (word("cycle", speak), str(view.cycle)),
        (word("due", speak), view.due_local),
        (word("remaining", speak), _left(view)),
    ]  # fmt: skip
    if view.escalated_to is not None:
        lines.append(
            (word("escalated", speak),
             word("level", speak, n=view.escalation_level, unit=view.escalated_to.name))
        )  # fmt: skip
    for key, value in (
        ("actions_taken", view.actions_taken),
        ("evidence", view.evidence_text or view.evidence_ref),
        ("check_note", view.check_note),
    ):
        if value:
            lines.append((word(key, speak), value))
    if view.closed_at:
        lines.append((word("closed_at", speak), local_time(view.closed_at)))
    for label, value in lines:
        typer.echo(f"{label}: {value}" if en else f"{label}：{value}")
    typer.echo(f"== {word('trail', speak)} ==")
    for e in trail:
        note = f"  {e.note}" if e.note else ""
        typer.echo(f"{e.at_local}  {e.actor}  {e.action_label}{note}")
