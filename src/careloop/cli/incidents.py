"""`careloop incidents ...`: open, list, show, resolve, reply in bulk and report incidents
(突发事件) from the shell — the same services as /api/v1/incidents and the pages."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from careloop.cli.shell import LANG, echo, fail, now, platform, run
from careloop.cli.transition_commands import AsUser, Version
from careloop.domain import time_bounds
from careloop.domain.errors import DomainError
from careloop.services.access.actors import actor_for
from careloop.services.incidents import bulk_reply, lifecycle, linking, read_models, report
from careloop.services.unit_of_work import UnitOfWork

incidents_app = typer.Typer(
    help="Incidents (突发事件): outages and mass billing errors behind many complaints.",
    no_args_is_help=True,
)


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@incidents_app.command("open")
def open_incident(
    as_user: AsUser,
    title: Annotated[str, typer.Option(help="Short name")],
    answer: Annotated[str, typer.Option(help="统一答复口径: the prepared answer and SMS")],
    regions: Annotated[str, typer.Option(help="Region codes, comma-separated")],
    kind: Annotated[str, typer.Option(help="network_outage, billing_error ...")] = (
        "network_outage"
    ),
    categories: Annotated[str | None, typer.Option(help="Category codes, comma-separated")] = None,
    products: Annotated[str | None, typer.Option(help="Product codes, comma-separated")] = None,
    start: Annotated[str | None, typer.Option(help="ISO start with offset (default now)")] = None,
    expected_end: Annotated[str | None, typer.Option(help="ISO expected end")] = None,
    link_open: Annotated[bool, typer.Option(help="Link matching open complaints")] = True,
) -> None:
    """Open an incident; matching complaints are linked from now on (and, with
    --link-open, the open ones accepted since its start)."""
    moment = now()
    try:
        starts_at = time_bounds.parse_instant("--start", start) if start else moment
        expected = (
            time_bounds.parse_instant("--expected-end", expected_end) if expected_end else None
        )
    except DomainError as exc:
        fail(exc)

    def action(uow: UnitOfWork) -> None:
        actor = actor_for(uow, as_user)
        draft = lifecycle.NewIncident(
            kind=kind,
            title=title,
            prepared_answer=answer,
            regions=_csv(regions),
            starts_at=starts_at,
            categories=_csv(categories),
            products=_csv(products),
            expected_end_at=expected,
            link_open_complaints=link_open,
        )
        incident = lifecycle.open_incident(uow, draft, actor, moment)
        echo(asdict(read_models.incident_now(uow, incident.id, actor, LANG)))

    run(action)


@incidents_app.command("list")
def list_incidents(
    as_user: AsUser,
    status: Annotated[str | None, typer.Option(help="open or resolved")] = None,
) -> None:
    """The incidents touching your scope, newest first."""

    def action(uow: UnitOfWork) -> None:
        page = read_models.list_incidents(uow, actor_for(uow, as_user), LANG, status, 200)
        echo({"total": page.total, "items": [asdict(i) for i in page.items]})

    run(action)


@incidents_app.command("show")
def show(incident_id: int, as_user: AsUser) -> None:
    """One incident with its linked complaints (numbers masked by your role)."""

    def action(uow: UnitOfWork) -> None:
        actor = actor_for(uow, as_user)
        view = read_models.incident_now(uow, incident_id, actor, LANG)
        total, linked = read_models.linked_complaints(uow, incident_id, actor, LANG, 500)
        echo({**asdict(view), "linked_total": total, "linked": [asdict(c) for c in linked]})

    run(action)


@incidents_app.command("link-open")
def link_open(incident_id: int, as_user: AsUser) -> None:
    """Link the open complaints accepted since the start that match (audited)."""
    run(
        lambda uow: echo(
            {"linked": linking.link_open_complaints_now(
                uow, incident_id, actor_for(uow, as_user), now()
            )}
        )
    )  # fmt: skip


@incidents_app.command("bulk-reply")
def reply_in_bulk(incident_id: int, as_user: AsUser, version: Version) -> None:
    """Reply every linked open complaint with the prepared answer and notify the customers."""
    shared = platform()

    def action(uow: UnitOfWork) -> None:
        done = bulk_reply.bulk_reply_and_notify(
            uow,
            incident_id,
            actor_for(uow, as_user),
            version,
            now(),
            shared.session_factory,
            shared.adapters,
        )
        echo(asdict(done))

    run(action)


@incidents_app.command("resolve")
def resolve(
    incident_id: int,
    as_user: AsUser,
    version: Version,
    note: Annotated[str | None, typer.Option(help="Cause and fix")] = None,
) -> None:
    """Resolve the incident now; complaints still link for a day after."""
    run(
        lambda uow: echo(
            {"status": lifecycle.resolve_incident(
                uow, incident_id, actor_for(uow, as_user), version, now(), None, note
            ).status}
        )
    )  # fmt: skip


@incidents_app.command("report")
def incident_report(
    incident_id: int,
    as_user: AsUser,
    format_: Annotated[str, typer.Option("--format", help="json, csv, xlsx or html")] = "json",
    out: Annotated[Path | None, typer.Option(help="File to write (csv, xlsx, html)")] = None,
) -> None:
    """The incident's report: complaints by region and day, reply times, notices."""

    def action(uow: UnitOfWork) -> None:
        found = report.incident_report(uow, incident_id, actor_for(uow, as_user), LANG)
        if format_ == "json":
            echo(asdict(found))
            return
        body, _, name = report.report_bytes(found, format_, LANG)
        target = out or Path(name)
        target.write_bytes(body)
        echo({"written": str(target)})

    run(action)
