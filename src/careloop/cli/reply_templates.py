"""`careloop templates ...`: reply templates (答复口径) from the shell — list, add, edit,
retire, and show what a complaint would be offered — the same services as
/api/v1/reply-templates and the /reply-templates page."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from careloop.cli.shell import LANG, echo, now, run
from careloop.cli.transition_commands import AsUser, Version
from careloop.services.access.actors import actor_for
from careloop.services.complaints import reply_templates as service
from careloop.services.unit_of_work import UnitOfWork

templates_app = typer.Typer(
    help="Reply templates (答复口径): approved reply wording per category, with placeholders.",
    no_args_is_help=True,
)

Name = Annotated[str, typer.Option(help="Short name shown in the composer")]
Text = Annotated[str, typer.Option(help="Wording; placeholders such as {客户称呼} {投诉编号}")]
Category = Annotated[str, typer.Option(help="Category code, e.g. broadband or billing.dispute")]
Region = Annotated[str, typer.Option(help="Region code it serves (default: your whole scope)")]


@templates_app.command("list")
def list_templates(
    as_user: AsUser,
    category: Annotated[str | None, typer.Option(help="Only this category")] = None,
    retired: Annotated[bool, typer.Option(help="Include retired templates")] = False,
) -> None:
    """The templates whose region overlaps your scope."""

    def action(uow: UnitOfWork) -> None:
        found = service.list_templates(uow, actor_for(uow, as_user), LANG, category, retired)
        echo([asdict(v) for v in found])

    run(action)


@templates_app.command("add")
def add(as_user: AsUser, name: Name, text: Text, category: Category, region: Region = "") -> None:
    """Write a template (supervisors, administrators; audited)."""

    def action(uow: UnitOfWork) -> None:
        spec = service.TemplateSpec(name, text, category, region)
        echo(asdict(service.create_template(uow, actor_for(uow, as_user), now(), spec, LANG)))

    run(action)


@templates_app.command("edit")
def edit(
    template_id: int,
    as_user: AsUser,
    version: Version,
    name: Name,
    text: Text,
    category: Category,
    region: Region = "",
) -> None:
    """Change a template (supervisors, administrators; audited)."""

    def action(uow: UnitOfWork) -> None:
        spec = service.TemplateSpec(name, text, category, region)
        actor = actor_for(uow, as_user)
        echo(asdict(service.edit_template(uow, actor, now(), template_id, version, spec, LANG)))

    run(action)


@templates_app.command("retire")
def retire(template_id: int, as_user: AsUser, version: Version) -> None:
    """Retire a template: no longer offered, kept for the record (audited)."""

    def action(uow: UnitOfWork) -> None:
        actor = actor_for(uow, as_user)
        echo(asdict(service.retire_template(uow, actor, now(), template_id, version, LANG)))

    run(action)


@templates_app.command("offered")
def offered(complaint_id: int, as_user: AsUser) -> None:
    """The templates a complaint is offered, filled in with its facts."""

    def action(uow: UnitOfWork) -> None:
        found = service.offered_for(uow, complaint_id, actor_for(uow, as_user), now(), LANG)
        echo([{"id": o.template.id, "name": o.template.name, "filled": o.filled} for o in found])

    run(action)
