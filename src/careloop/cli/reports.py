"""`careloop report daily|weekly|tenday|monthly|spam-monthly` and `careloop import subscribers
FILE`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, cast

import typer

from careloop.cli.shell import LANG, fail, platform, progress_bar, refuse, stage
from careloop.cli.shell import day as shell_day
from careloop.domain.errors import DomainError
from careloop.i18n import Translator
from careloop.services.indicators import subscribers

report_app = typer.Typer(
    help="Periodic reports: HTML (with charts), XLSX and PDF.", no_args_is_help=True
)
import_app = typer.Typer(help="Import reference data.", no_args_is_help=True)

DateOpt = Annotated[str, typer.Option("--date", help="YYYY-MM-DD: the day the report is about")]
OutOpt = Annotated[Path, typer.Option("--out", help="Directory for the files")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Org unit code (subtree)")]
UnmaskedOpt = Annotated[
    bool,
    typer.Option(
        "--unmasked",
        help="Complaint text in full (needs --as a supervisor or administrator; audited). "
        "Without it personal data is masked.",
    ),
]
AsOpt = Annotated[
    str | None, typer.Option("--as", help="Username of the reader (scope, unmasking)")
]
"""The progress bar's two stages: the report's sections, then a file per format."""


def _generate(kind: str, day_text: str, out: Path, region: str | None,
              deliver: bool = False, unmasked: bool = False,
              as_user: str | None = None) -> None:  # fmt: skip
    """Masked unless --unmasked by a reader allowed to take personal data in bulk; such a
    report is written first and then recorded as a read of those complaints' data."""
    from careloop.services.access.actors import actor_for
    from careloop.services.monitoring import (
        reports,  # matplotlib: loaded only when a report is made
    )

    day = shell_day("--date", day_text)
    shared = platform()
    try:
        with shared.unit_of_work() as uow:
            actor = actor_for(uow, as_user) if as_user else None
            if unmasked:
                actor = reports.check_unmasked(actor)
            which = cast("reports.ReportKind", kind)
            # Paths are printed once the bar is gone (as the demo load and the import do): on
            # a terminal they then stand whole below the finished bar, not torn by its redraws.
            with progress_bar(LANG) as bar:
                report = reports.build_report(
                    uow,
                    which,
                    day,
                    region,
                    actor,
                    unmasked=unmasked,
                    now=datetime.now(UTC),
                    advance=stage(bar, Translator(LANG)("cli.report.building")),
                )
                files = reports.write_report(
                    report,
                    kind,
                    day,
                    region,
                    out,
                    advance=stage(bar, Translator(LANG)("cli.report.writing")),
                )
            if unmasked and actor is not None:
                formats = tuple(p.suffix.lstrip(".") for p in files)
                reports.record_unmasked_read(
                    uow, report, actor, datetime.now(UTC), day, formats, "cli"
                )
                uow.commit()
            for path in files:
                typer.echo(str(path))
            if deliver:
                now = datetime.now(UTC)
                queued = reports.queue_daily_delivery(uow, day, now, region_code=region,
                                                      files=files)  # fmt: skip
                from careloop.services.sla.sweep import deliver_notifications

                sent = deliver_notifications(shared.session_factory, shared.adapters, now)
                typer.echo(f"delivered: {queued} queued, {sent} handed to the adapters")
    except DomainError as exc:
        fail(exc)


@report_app.command("daily")
def daily(
    date_: DateOpt,
    out: OutOpt = Path("reports"),
    region: RegionOpt = None,
    deliver: Annotated[bool, typer.Option(help="Also send it through the notify adapters")] = False,
    unmasked: UnmaskedOpt = False,
    as_user: AsOpt = None,
) -> None:
    """投诉预警日报: early-warning flags, hot spots and the day's indicators."""
    _generate("daily", date_, out, region, deliver, unmasked, as_user)


@report_app.command("weekly")
def weekly(
    date_: DateOpt,
    out: OutOpt = Path("reports"),
    region: RegionOpt = None,
    unmasked: UnmaskedOpt = False,
    as_user: AsOpt = None,
) -> None:
    """网络质量周报: the ISO week (Monday–Sunday) containing --date, network complaints."""
    _generate("weekly", date_, out, region, False, unmasked, as_user)


@report_app.command("tenday")
def tenday(
    date_: DateOpt,
    out: OutOpt = Path("reports"),
    region: RegionOpt = None,
    unmasked: UnmaskedOpt = False,
    as_user: AsOpt = None,
) -> None:
    """客服信息旬报: the ten-day period (1–10, 11–20, 21–end) containing --date."""
    _generate("tenday", date_, out, region, False, unmasked, as_user)


@report_app.command("monthly")
def monthly(
    date_: DateOpt,
    out: OutOpt = Path("reports"),
    region: RegionOpt = None,
    unmasked: UnmaskedOpt = False,
    as_user: AsOpt = None,
) -> None:
    """月度服务质量分析: the month containing --date, with KPI scorecards."""
    _generate("monthly", date_, out, region, False, unmasked, as_user)


@report_app.command("spam-monthly")
def spam_monthly(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM: the month the report is about")],
    out: OutOpt = Path("reports"),
    region: RegionOpt = None,
    format_: Annotated[
        list[str] | None,
        typer.Option("--format", help="xlsx, pdf or html; repeat for several (default: all)"),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh (default) or en")] = "zh",
    as_user: Annotated[
        str | None, typer.Option("--as", help="Username of the reader (their scope)")
    ] = None,
) -> None:
    """垃圾短信治理月报: the month's spam figures per region for the regulator (personal
    data always masked)."""
    from careloop.services.access.actors import actor_for
    from careloop.services.spam import monthly_report  # matplotlib: loaded only when used

    try:
        period = monthly_report.parse_month(month, datetime.now(UTC))
        formats = [monthly_report.check_format(f) for f in format_ or ("html", "xlsx", "pdf")]
        with progress_bar(LANG) as bar:
            with platform().unit_of_work() as uow:
                actor = actor_for(uow, as_user) if as_user else None
                report = monthly_report.build_report(
                    uow,
                    period,
                    region,
                    actor,
                    datetime.now(UTC),
                    lang,
                    advance=stage(bar, Translator(LANG)("cli.report.building")),
                )
            files = monthly_report.write_report(
                report,
                period,
                region,
                out,
                formats,
                lang,
                advance=stage(bar, Translator(LANG)("cli.report.writing")),
            )
        for path in files:
            typer.echo(str(path))
    except DomainError as exc:
        fail(exc)


@import_app.command("subscribers")
def import_subscribers(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: region, month, users, definition")],
    by: Annotated[str, typer.Option(help="Who imports (recorded)")] = "cli",
) -> None:
    """Subscriber counts per region and month (the denominator of per-user indicators)."""
    try:
        rows = subscribers.parse_subscriber_file(file)
        with platform().unit_of_work() as uow:
            n = subscribers.import_subscribers(
                uow, rows, source=file.name, by=by, now=datetime.now(UTC)
            )
    except (DomainError, OSError) as exc:
        refuse(exc.message(LANG) if isinstance(exc, DomainError) else str(exc))
    typer.echo(f"imported {n} subscriber counts from {file.name}")
