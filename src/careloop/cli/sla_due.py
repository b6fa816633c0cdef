"""`careloop sla due`: when a limit runs out, counted as the law counts it.

An agent tells a caller the date; an auditor checks one. The answer comes from the service
the clocks use (``services.sla.clocks.due_answer`` → ``domain.sla.clocks.compute_clock``),
so it is the due time the sweep will hold the ticket to, with the counting rule applied and
the years whose holiday notice was not entered (``fallback_years``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from careloop.cli.shell import LANG, echo, fail, run
from careloop.domain import time_bounds
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.sla.clocks import SlaLimit, parse_limit_text
from careloop.i18n import Translator
from careloop.services.sla import clocks as sla
from careloop.services.unit_of_work import UnitOfWork


def _start(value: str) -> datetime:
    try:
        return time_bounds.parse_instant("--from", value)
    except DomainError as exc:
        fail(exc)


def _limit(value: str | None) -> SlaLimit | None:
    if value is None:
        return None
    try:
        return parse_limit_text(value)
    except ValueError as exc:
        fail(InvalidInput("--limit", str(exc)))


def _as_dict(answer: sla.DueAnswer) -> dict[str, Any]:
    local = answer.due_at.astimezone(ZoneInfo(answer.timezone))
    return {
        "from": answer.started_at.astimezone(ZoneInfo(answer.timezone)).isoformat(),
        "due_at": local.isoformat(),
        "due_at_utc": answer.due_at.isoformat(),
        "timezone": answer.timezone,
        "limit": answer.limit.as_terms(),
        "rule": {"zh": answer.rule_zh, "en": answer.rule_en},
        "fallback_years": list(answer.fallback_years),
        "policy": answer.policy,
        "clock": answer.clock,
    }


def _text(answer: sla.DueAnswer, lang: str) -> list[str]:
    t = Translator(lang)
    local = answer.due_at.astimezone(ZoneInfo(answer.timezone))
    stamp = local.strftime("%Y-%m-%d %H:%M")
    if local.hour == 0 and local.minute == 0 and answer.limit.days is not None:
        # A period in days ends at 24:00 of its last day: say so, not "00:00 next day".
        previous = local.date() - timedelta(days=1)
        stamp = f"{previous.isoformat()} 24:00"
    # The counting rule comes worded in both languages from the clock rules themselves.
    rule = answer.rule_en if t.lang == "en" else answer.rule_zh
    lines = [
        t("cli.sla_due.due", stamp=stamp, timezone=answer.timezone, iso=local.isoformat()),
        t("cli.sla_due.rule", rule=rule),
    ]
    if answer.policy:
        lines.append(t("cli.sla_due.policy", policy=answer.policy, clock=answer.clock))
    if answer.fallback_years:
        years = t("cli.list_separator").join(str(y) for y in answer.fallback_years)
        lines.append(t("cli.sla_due.assumed", years=years))
    return lines


def sla_due(
    start: Annotated[
        str, typer.Option("--from", help="When the limit starts: an ISO instant with offset")
    ],
    limit: Annotated[
        str | None,
        typer.Option(
            "--limit",
            help='"15 days", "15 working days", "24 hours", "15天", "15个工作日", "24小时" …',
        ),
    ] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="A policy code: its limit and calendar")
    ] = None,
    clock: Annotated[
        str,
        typer.Option(
            "--clock",
            help="With --policy: the stage (reply, first_contact …) or a regulatory limit "
            "(outer_reply, appeal_accept, appeal_answer)",
        ),
    ] = "reply",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """When a limit runs out (到期时间), counted as the law counts periods."""
    started = _start(start)
    parsed = _limit(limit)
    if parsed is None and policy is None:
        t = Translator(LANG)
        fail(InvalidInput("--limit", t("cli.sla_due.limit_or_policy")))

    def action(uow: UnitOfWork) -> sla.DueAnswer:
        return sla.due_answer(uow, started, parsed, policy, clock)

    answer = run(action)
    if as_json:
        echo(_as_dict(answer))
        return
    for line in _text(answer, LANG):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    """Add ``due`` to the ``careloop sla`` commands."""
    app.command("due")(sla_due)
