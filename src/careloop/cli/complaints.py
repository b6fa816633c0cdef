"""`careloop complaint ...`: take complaints in and move them through their stages.

The stage commands (handle, dispatch, reply, callback, ...) are made from the complaint
lifecycle's transition table; this module adds what the table cannot say.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from careloop.cli import complaint_view
from careloop.cli.shell import LANG, echo, fail, now, platform, progress_bar, refuse, run, stage
from careloop.cli.transition_commands import (
    REASON,
    AsUser,
    CommandSpec,
    Option,
    add_transition_commands,
)
from careloop.domain import time_bounds
from careloop.domain.errors import DomainError
from careloop.domain.lifecycle import tickets
from careloop.i18n import Translator
from careloop.services.access.actors import SYSTEM, actor_for
from careloop.services.complaints import follow_ups, intake, lifecycle, queries, work_orders
from careloop.services.complaints.filters import ComplaintFilter
from careloop.services.unit_of_work import UnitOfWork

complaint_app = typer.Typer(
    help="Create and move complaints through their stages.", no_args_is_help=True
)


def summary(uow: UnitOfWork, complaint_id: int) -> dict[str, Any]:
    """The complaint as the shell prints it after every command, read fresh."""
    # The shell has the database itself: the CLI reads the whole tree (SYSTEM scope).
    c = queries.complaint_view(uow, complaint_id, SYSTEM, LANG)
    return {
        "id": c.id,
        "number": c.number,
        "version": c.version,
        "status": c.status,
        "category": c.category,
        "first_owner": c.first_owner,
        "reply_due_at": c.reply_due_at,
        "is_repeat": c.is_repeat,
        "callback_outcome": c.callback_outcome,
        "callback_attempts": c.callback_attempts,
        "callback_next_at": c.callback_next_at,
        "appeal_outcome": c.appeal_outcome,
        "work_orders": [
            {
                "id": w.id,
                "seq": w.seq,
                "unit": w.unit.code,
                "status": w.status,
                "version": w.version,
                "due_at": w.due_at,
            }
            for w in c.work_orders
        ],
    }


@complaint_app.command("create")
def complaint_create(
    as_user: AsUser,
    phone: Annotated[str, typer.Option(help="Customer phone")],
    category: Annotated[str, typer.Option(help="Second-level category code")],
    region: Annotated[str, typer.Option(help="City or county code")],
    text: Annotated[str, typer.Option(help="The complaint in the customer's words")],
    channel: Annotated[str, typer.Option()] = "hotline",
    product: Annotated[str, typer.Option()] = "mobile",
    name: Annotated[str | None, typer.Option(help="Customer name")] = None,
    tier: Annotated[str, typer.Option()] = "standard",
    priority: Annotated[str, typer.Option()] = "normal",
    source_ref: Annotated[str | None, typer.Option(help="Call id, regulator case no.")] = None,
    escalated: Annotated[bool, typer.Option(help="越级 complaint")] = False,
    key: Annotated[str | None, typer.Option(help="Idempotency key")] = None,
) -> None:
    """Accept a complaint (受理); you become its first-question owner."""
    draft = intake.NewComplaint(
        channel=channel,
        customer_phone=phone,
        category=category,
        description=text,
        region_code=region,
        product=product,
        customer_name=name,
        customer_tier=tier,
        priority=priority,
        source_ref=source_ref,
        escalated=escalated,
    )

    def action(uow: UnitOfWork) -> None:
        result = intake.accept_complaint(uow, draft, actor_for(uow, as_user), now(), key)
        shown = summary(uow, result.complaint.id)
        shown["created"] = result.created
        echo(shown)

    run(action)


@complaint_app.command("import")
def complaint_import(
    file: Annotated[
        Path, typer.Argument(help=".csv or .xlsx; first row: column names (docs/api.md)")
    ],
    as_user: AsUser,
    channel: Annotated[str, typer.Option(help="Channel for rows without one")] = "hotline",
) -> None:
    """Accept complaints from a spreadsheet (bulk intake); prints a line per row.

    Re-running an import creates nothing again: each row's idempotency key is its `key`
    column, or the file name and row number. Exit code 1 if any row failed.
    """
    from careloop.services.complaints.intake_import import import_file

    t = Translator(LANG)
    if not file.is_file():
        refuse(t("cli.file.missing", file=file))
    shared = platform()
    try:
        with shared.unit_of_work() as uow:
            actor = actor_for(uow, as_user)
        with progress_bar(LANG) as bar:
            rows = import_file(
                shared.unit_of_work,
                file,
                actor,
                now(),
                channel,
                advance=stage(bar, t("cli.complaint_import.progress")),
            )
    except DomainError as exc:
        fail(exc)
    # The row lines stay tab-separated codes for scripts; the summary is for people.
    counts = {"created": 0, "replayed": 0, "error": 0}
    for row in rows:
        result = row.result
        counts[result.outcome] += 1
        if result.complaint is not None:
            c = result.complaint
            typer.echo(f"row {row.row}\t{result.outcome}\t{c.number}\tid={c.id}\tkey={row.key}")
        elif result.error is not None:
            where = f" {result.error.field}:" if result.error.field else ""
            typer.echo(
                f"row {row.row}\terror\t[{result.error.code}]{where} "
                f"{result.error.message(LANG)}\tkey={row.key}"
            )
    typer.echo(
        t(
            "cli.complaint_import.done",
            created=counts["created"],
            replayed=counts["replayed"],
            errors=counts["error"],
        )
    )
    if counts["error"]:
        raise typer.Exit(1)


@complaint_app.command("show")
def complaint_show(
    complaint_id: int,
    events: bool = typer.Option(False, "--events", help="With its audit trail"),
    as_json: bool = typer.Option(
        False, "--json", help="JSON with codes and UTC times, for scripts"
    ),
) -> None:
    """Show a complaint in your language (CARELOOP_LANG), or as JSON with --json."""

    def action(uow: UnitOfWork) -> None:
        trail = queries.events_of(uow, complaint_id, SYSTEM) if events else None
        if not as_json:
            view = queries.complaint_view(uow, complaint_id, SYSTEM, LANG)
            for line in complaint_view.lines(view, trail, LANG, now()):
                typer.echo(line)
            return
        shown = summary(uow, complaint_id)
        if trail is not None:
            shown["events"] = [
                {
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "before": e.before,
                    "after": e.after,
                    "note": e.note,
                }
                for e in trail
            ]
        echo(shown)

    run(action)


def _followed_up(done: follow_ups.FollowUp) -> dict[str, Any]:
    return {
        "complaint_id": done.complaint_id,
        "number": done.number,
        "action": done.action,
        "event_id": done.event_id,
        "calls_added": done.counts.calls_added,
        "chases": done.counts.chases,
        "recipients": list(done.recipients),
        "replayed": done.replayed,
    }


@complaint_app.command("add-call")
def complaint_add_call(
    as_user: AsUser,
    complaint_id: int,
    text: Annotated[str, typer.Option(help="What the customer said on this call")],
    channel: Annotated[str, typer.Option()] = "hotline",
    key: Annotated[str | None, typer.Option(help="Idempotency key")] = None,
) -> None:
    """追加: add a further call to the open complaint instead of opening a new one."""

    def action(uow: UnitOfWork) -> None:
        actor = actor_for(uow, as_user)
        echo(_followed_up(follow_ups.add_call(uow, complaint_id, actor, now(), text, channel, key)))

    run(action)


@complaint_app.command("chase")
def complaint_chase(
    as_user: AsUser,
    complaint_id: int,
    note: Annotated[str | None, typer.Option(help="What the customer said")] = None,
    key: Annotated[str | None, typer.Option(help="Idempotency key")] = None,
) -> None:
    """催办: notify the owner and the units holding the open complaint; the chase is counted."""

    def action(uow: UnitOfWork) -> None:
        actor = actor_for(uow, as_user)
        echo(_followed_up(follow_ups.chase(uow, complaint_id, actor, now(), note, key)))

    run(action)


@complaint_app.command("list")
def complaint_list(
    status: Annotated[list[str] | None, typer.Option(help="Status (repeatable)")] = None,
    category: Annotated[str | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
) -> None:
    """List complaints, newest first, with the total count."""

    def action(uow: UnitOfWork) -> None:
        page = queries.list_complaints(
            uow,
            ComplaintFilter(status=status or [], category=category, region=region),
            limit,
            0,
            actor=SYSTEM,
        )
        t = Translator(LANG)
        typer.echo(t("cli.complaint_list.total", n=page.total))

        for c in page.items:
            typer.echo(
                f"{c.id}\t{c.number}\t{c.status}\t{c.category}\t{c.accepted_at:%Y-%m-%d %H:%M}"
            )

    run(action)


# --- the stages: one command per transition of the complaint lifecycle -------------------


def _dispatch(
    uow: UnitOfWork,
    cid: int,
    actor: Any,
    version: int,
    at: Any,
    unit: str,
    due_hours: float | None,
    instructions: str | None,
    appointment_at: str | None,
    paid_at: str | None,
) -> object:
    """派单, the appointment and payment times typed as instants (work steps count from them)."""
    return work_orders.dispatch(
        uow,
        cid,
        actor,
        version,
        at,
        unit,
        instructions,
        None,
        due_hours,
        time_bounds.parse_instant("appointment_at", appointment_at) if appointment_at else None,
        time_bounds.parse_instant("paid_at", paid_at) if paid_at else None,
    )


STAGE_COMMANDS = (
    CommandSpec("handle", "Start handling (处理).", lifecycle.handle),
    CommandSpec(
        "dispatch",
        "Dispatch to a responsible unit (派单).",
        _dispatch,
        (
            Option("unit", Annotated[str, typer.Option(help="Responsible unit code")]),
            Option(
                "due_hours",
                Annotated[float | None, typer.Option(help="Hours allowed (default 48)")],
                None,
            ),
            Option("instructions", Annotated[str | None, typer.Option()], None),
            Option(
                "appointment_at",
                Annotated[
                    str | None,
                    typer.Option(help="Visit agreed with the customer (2026-09-28T10:00+08:00)"),
                ],
                None,
            ),
            Option(
                "paid_at",
                Annotated[str | None, typer.Option(help="When the customer paid, with offset")],
                None,
            ),
        ),
    ),
    CommandSpec(
        "pause", "Wait on the customer; the reply clock pauses.", lifecycle.pause, (REASON,)
    ),
    CommandSpec("resume", "Resume handling.", lifecycle.resume),
    CommandSpec(
        "reply",
        "Reply to the customer (答复).",
        lifecycle.reply,
        (Option("text", Annotated[str, typer.Option()]),),
    ),
    CommandSpec(
        "callback",
        "Record the callback (回访); --dissatisfied reopens the complaint.",
        lifecycle.callback,
        (
            Option("satisfied", Annotated[bool, typer.Option("--satisfied/--dissatisfied")]),
            Option("comment", Annotated[str | None, typer.Option()], None),
        ),
        transitions=("callback_satisfied", "reopen"),
    ),
    CommandSpec(
        "callback-unreachable",
        "Callback: the customer could not be reached (回访未接通). The next try is scheduled "
        "(4 calling hours, the next day, then two days later); the last attempt allowed "
        "(3 unless CARELOOP_CALLBACK_ATTEMPTS says otherwise) closes the complaint as "
        "unreachable.",
        lifecycle.callback_unreachable,
        (Option("comment", Annotated[str | None, typer.Option()], None),),
        transitions=("callback_unreachable", "close_unreachable"),
    ),
    CommandSpec(
        "callback-declined",
        "Callback: the customer declined it (客户拒绝回访); closes the complaint.",
        lifecycle.callback_declined,
        (Option("comment", Annotated[str | None, typer.Option()], None),),
        transitions=("callback_declined",),
    ),
    CommandSpec(
        "appeal-outcome",
        "Record a regulator appeal's outcome (申诉处理结果; regulator transfers only).",
        lifecycle.record_appeal_outcome,
        (
            Option(
                "outcome",
                Annotated[
                    str,
                    typer.Option(
                        help="settled (和解), not_accepted (用户不认可) or informed (用户知晓)"
                    ),
                ],
            ),
            Option("comment", Annotated[str | None, typer.Option()], None),
        ),
        transitions=("appeal_outcome",),
    ),
    CommandSpec("archive", "Archive a closed complaint (归档).", lifecycle.archive),
    CommandSpec("cancel", "Cancel: the customer withdrew.", lifecycle.cancel, (REASON,)),
    CommandSpec("reject", "Reject: not a complaint (不予受理).", lifecycle.reject, (REASON,)),
    CommandSpec(
        "merge",
        "Merge into another complaint.",
        lifecycle.merge,
        (
            Option("into", Annotated[int, typer.Option(help="Complaint that carries on")]),
            Option("reason", Annotated[str | None, typer.Option()], None),
        ),
    ),
    CommandSpec(
        "note",
        "Add an internal note.",
        lambda uow, cid, actor, _version, at, text: lifecycle.add_note(uow, cid, actor, at, text),
        (Option("text", Annotated[str, typer.Option()]),),
        versioned=False,
    ),
)

NOT_IN_THE_SHELL = {"attach": "files are uploaded through the API and the web pages"}

add_transition_commands(complaint_app, tickets.TRANSITIONS, STAGE_COMMANDS, "complaint_id", summary)
