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
from careloop.i18n import Translator
from careloop.services.access.actors import actor_for
from careloop.services.supervision import rectification as tasks
from careloop.services.unit_of_work import UnitOfWork

rectification_app = typer.Typer(
    help="Rectification tasks (督促整改): findings a unit must put right, with evidence.",
    no_args_is_help=True,
)


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
    t = Translator(speak)
    moment = now()

    def action(uow: UnitOfWork) -> tasks.TaskPage:
        actor = actor_for(uow, as_user)
        return tasks.list_tasks(
            uow, actor, speak, moment, status=status, unit_code=unit, limit=limit
        )

    page = run_speaking(action, speak)
    if as_json:
        dump({"total": page.total, "items": [asdict(task) for task in page.items]})
        return
    if not page.items:
        typer.echo(t("cli.rectification.none"))
        return
    headers = [
        t("cli.rectification.number"), t("cli.rectification.status"),
        t("cli.rectification.unit"), t("cli.rectification.title"),
        t("cli.rectification.due"), t("cli.rectification.remaining"),
    ]  # fmt: skip
    rows = [
        [task.number, task.status_label, task.unit.name, task.title, task.due_local, _left(task)]
        for task in page.items
    ]

    typer.echo(table(t("cli.rectification.tasks"), headers, rows, len(headers)))
    typer.echo(t("cli.rectification.count", n=page.total, shown=len(page.items)))


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
    t = Translator(speak)
    lines = [
        (t("cli.rectification.number"),
         t("cli.number_status", number=view.number, status=view.status_label)),
        (t("cli.rectification.source"), view.source_label),
        (t("cli.rectification.unit"), view.unit.name),
        (t("cli.rectification.title"), view.title),
        (t("cli.rectification.detail"), view.detail),
        (t("cli.rectification.cycle"), str(view.cycle)),
        (t("cli.rectification.due"), view.due_local),
        (t("cli.rectification.remaining"), _left(view)),
    ]  # fmt: skip
    if view.escalated_to is not None:
        lines.append(
            (t("cli.rectification.escalated"),
             t("cli.rectification.level", n=view.escalation_level, unit=view.escalated_to.name))
        )  # fmt: skip
    for label, value in (
        (t("cli.rectification.actions_taken"), view.actions_taken),
        (t("cli.rectification.evidence"), view.evidence_text or view.evidence_ref),
        (t("cli.rectification.check_note"), view.check_note),
    ):
        if value:
            lines.append((label, value))
    if view.closed_at:
        lines.append((t("cli.rectification.closed_at"), local_time(view.closed_at)))
    for label, value in lines:
        typer.echo(t("cli.field_line", label=label, value=value))
    title = t("cli.rectification.trail")
    typer.echo(f"== {title} ==")
    for e in trail:
        note = f"  {e.note}" if e.note else ""
        typer.echo(f"{e.at_local}  {e.actor}  {e.action_label}{note}")
