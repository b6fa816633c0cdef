"""`careloop inspections ...`: supervision inspections (监督检查) from the shell — import an
Excel file of results (or only check it), print the store ranking with 达标率, and plan a
quarterly store rotation or a daily dial test. The same services as /api/v1/inspections
and the pages.

Chinese by default; English with --lang en or CARELOOP_LANG=en. A broken rule prints one
line and exits 1; an import whose rows are refused prints each as row, column and reason
and exits 2, having imported nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from careloop.cli.csi import table
from careloop.cli.shell import fail, now, platform, refuse
from careloop.cli.transition_commands import AsUser
from careloop.config import Settings
from careloop.domain import time_bounds
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.language import normalise
from careloop.domain.permissions import in_scope
from careloop.domain.supervision.checklists import INSPECTION_KINDS
from careloop.domain.supervision.plans import CADENCES, quarter_label, quarter_of
from careloop.i18n import Translator
from careloop.services.access.actors import Actor, actor_for
from careloop.services.org.setup import list_units
from careloop.services.supervision import inspection_import, plans, scores
from careloop.services.supervision.inspection_import import LOCAL, RowProblem
from careloop.services.unit_of_work import UnitOfWork

inspections_app = typer.Typer(
    help="Inspections (监督检查): import results from Excel, rankings with 达标率, plans.",
    no_args_is_help=True,
)
REFUSED_EXIT = 2
"""Exit status of an import whose rows were refused (1: a broken rule, like every command)."""
Lang = Annotated[
    str | None, typer.Option("--lang", help="zh-CN (default) or en; else CARELOOP_LANG")
]
Quarter = Annotated[
    str | None, typer.Option("--quarter", help="A quarter such as 2026Q3 (default: this one)")
]


def _speak(lang: str | None) -> str:
    return normalise(lang) if lang else Settings.cli_language()


def _quarter(value: str | None, t: Translator) -> tuple[date, date]:
    """``2026Q3`` → its first and last day; none: the current quarter in Beijing time."""
    if not value:
        return quarter_of(now().astimezone(LOCAL).date())
    found = re.fullmatch(r"\s*(\d{4})\s*[Qq]\s*([1-4])\s*", value)
    if not found or not 2000 <= int(found.group(1)) <= 2099:
        raise InvalidInput("quarter", t("cli.inspections.bad_quarter"))
    return quarter_of(date(int(found.group(1)), int(found.group(2)) * 3, 1))


def _region_path(uow: UnitOfWork, actor: Actor, code: str | None, t: Translator) -> str | None:
    if not code:
        return None
    for unit in list_units(uow, "zh"):
        if unit.code == code and in_scope(unit.path, actor.scope):
            return unit.path
    raise InvalidInput("region", t("cli.inspections.unknown_unit", code=code))


def _kind(kind: str, t: Translator) -> str:
    if kind not in INSPECTION_KINDS:
        raise InvalidInput("kind", t("cli.inspections.unknown_kind", kind=kind))
    return kind


# --- import ---------------------------------------------------------------------------------


def _problem_lines(problems: list[RowProblem], lang: str) -> str:
    t = Translator(lang)
    head = [t("cli.inspections.col.row"), t("cli.inspections.col.column"),
            t("cli.inspections.col.reason")]  # fmt: skip
    rows = [[p.rows() or "—", p.column_name(lang) or "—", p.reason(lang)] for p in problems]
    return table(t("cli.inspections.refused_rows"), head, rows, len(head))


@inspections_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="The .xlsx file (a row per visit × item)")],
    as_user: AsUser,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only check the file and say what it would import")
    ] = False,
    lang: Lang = None,
) -> None:
    """Import inspection results from Excel, all or nothing; a visit imported before is
    refused, so running the same file again imports nothing twice."""
    speak = _speak(lang)
    t = Translator(speak)
    try:
        content = file.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        refuse(t("cli.file.unreadable", file=file, reason=reason), speak)
    moment = now()
    try:
        with platform().unit_of_work() as uow:
            actor = actor_for(uow, as_user)
            if dry_run:
                preview = inspection_import.check_file(uow, content, actor, moment)
                problems, visits = preview.problems, len(preview.visits)
                rows = preview.rows
            else:
                result = inspection_import.import_results(
                    uow, content, actor, moment, file.name[:100]
                )
                problems, visits, rows = result.problems, result.visits, 0
    except DomainError as exc:
        fail(exc, speak)
    if problems:
        typer.echo(_problem_lines(problems, speak))
        typer.echo(t("cli.inspections.refused", n=len(problems)))
        raise typer.Exit(REFUSED_EXIT)
    if dry_run:
        typer.echo(t("cli.inspections.checked", rows=rows, visits=visits))
        return
    typer.echo(t("cli.inspections.imported", visits=visits))


# --- scores ---------------------------------------------------------------------------------


@inspections_app.command("scores")
def show_scores(
    as_user: AsUser,
    quarter: Quarter = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Only stores within this unit (code)")
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help="store_visit (default) or another kind")] = (
        "store_visit"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the ranking as JSON")] = False,
    lang: Lang = None,
) -> None:
    """The store ranking of a quarter: visits, compliant visits, 达标率 and mean score."""
    speak = _speak(lang)
    t = Translator(speak)
    try:
        start, end = _quarter(quarter, t)
        _kind(kind, t)
        with platform().unit_of_work() as uow:
            actor = actor_for(uow, as_user)
            path = _region_path(uow, actor, region, t)
            ranking = scores.store_ranking(uow, actor, start, end, speak, kind, path)
    except DomainError as exc:
        fail(exc, speak)
    label = quarter_label(start)
    if as_json:
        typer.echo(
            json.dumps(
                {"quarter": label, "start": start.isoformat(), "end": end.isoformat(),
                 "kind": kind, "region": region, "stores": [asdict(s) for s in ranking]},
                ensure_ascii=False, indent=2,
            )
        )  # fmt: skip
        return
    kind_name = INSPECTION_KINDS[kind][1 if speak == "en" else 0]  # the rule's own words
    title = t("cli.inspections.ranking", kind=kind_name, quarter=label, start=start, end=end)
    if not ranking:
        typer.echo(f"== {title} ==")
        typer.echo(t("cli.inspections.none_submitted"))
        return
    head = [
        t("cli.inspections.col.rank"), t("cli.inspections.col.code"),
        t("cli.inspections.col.name"), t("cli.inspections.col.region"),
        t("cli.inspections.col.visits"), t("cli.inspections.col.compliant"),
        t("cli.inspections.col.compliance"), t("cli.inspections.col.mean_score"),
    ]  # fmt: skip
    rows = [
        [str(s.rank), s.code, s.name, s.region, str(s.visits), str(s.compliant),
         "—" if s.compliance_rate is None else f"{s.compliance_rate:.1f}%",
         "—" if s.mean_score is None else f"{s.mean_score:.1f}"]
        for s in ranking
    ]  # fmt: skip
    typer.echo(table(title, head, rows, 4))


# --- plan -----------------------------------------------------------------------------------


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in re.split(r"[,，、]", value or "") if v.strip())


def _default_name(kind: str, cadence: str, start: date, end: date) -> str:
    what = INSPECTION_KINDS[kind][0]
    if cadence == "daily":
        return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}每日{what}"
    label = quarter_label(start)
    return f"{label[:4]}年第{'一二三四'[int(label[-1]) - 1]}季度{what}"


@inspections_app.command("plan")
def make_plan(
    as_user: AsUser,
    inspectors: Annotated[
        str, typer.Option("--inspectors", help="Usernames of the staff sent, comma-separated")
    ],
    kind: Annotated[
        str, typer.Option("--kind", help="store_visit (default), dial_test, online_walkthrough …")
    ] = "store_visit",
    cadence: Annotated[
        str | None,
        typer.Option(help="quarterly, monthly, daily or once (default: daily for dial tests)"),
    ] = None,
    quarter: Quarter = None,
    start: Annotated[str | None, typer.Option("--start", help="First day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last day, YYYY-MM-DD")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The plan's name")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Only subjects within this unit (code)")
    ] = None,
    subjects: Annotated[
        str | None, typer.Option("--subjects", help="Or exactly these subject codes")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON")] = False,
    lang: Lang = None,
) -> None:
    """Plan inspections with their result slots: a quarterly store rotation (every store
    once, never by its own county's staff while someone else can go) or a daily dial test."""
    speak = _speak(lang)
    t = Translator(speak)
    chosen_cadence = cadence or ("daily" if kind == "dial_test" else "quarterly")
    try:
        first, last = _quarter(quarter, t)
        first = time_bounds.parse_day("--start", start) if start else first
        last = time_bounds.parse_day("--end", end) if end else last
        _kind(kind, t)
        if chosen_cadence not in CADENCES:
            raise InvalidInput("cadence", t("cli.inspections.unknown_cadence"))
        new = plans.NewPlan(
            name or _default_name(kind, chosen_cadence, first, last),
            kind, chosen_cadence, first, last, _names(inspectors), region, _names(subjects),
        )  # fmt: skip
        with platform().unit_of_work() as uow:
            plan = plans.create_plan(uow, new, actor_for(uow, as_user), now())
            made = {
                "id": plan.id, "name": plan.name, "kind": plan.kind, "cadence": plan.cadence,
                "starts_on": plan.starts_on.isoformat(), "ends_on": plan.ends_on.isoformat(),
                "slots": plans.slot_count(uow, plan.id),
            }  # fmt: skip
    except DomainError as exc:
        fail(exc, speak)
    if as_json:
        typer.echo(json.dumps(made, ensure_ascii=False, indent=2))
        return
    cadence_name = CADENCES[chosen_cadence][1 if speak == "en" else 0]  # the rule's own words
    typer.echo(
        t("cli.inspections.planned", id=made["id"], name=made["name"], cadence=cadence_name,
          start=made["starts_on"], end=made["ends_on"], slots=made["slots"])
    )  # fmt: skip
