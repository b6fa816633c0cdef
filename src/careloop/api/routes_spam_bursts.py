"""/api/v1/spam/bursts: 端口举报突增 — ports whose reports burst today (so far) or on a day.

Part of the early warning (docs/early-warning.md): a port's distinct reporters of the day,
up to now, against the same hours of its previous 28 days (negative-binomial test, false
discovery rate 5 %); a port with no history needs 20 reporters. Everybody with ``spam.read``
reads the bursts of their scope (the region the reports were filed under: another city's
reports are neither counted nor shown); sample texts are masked for roles that may not see
personal data, like every spam text.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from careloop.api.deps import ActorDep, LangDep
from careloop.http.dependencies import NowDep, UowDep
from careloop.services.spam import bursts as service

router = APIRouter(prefix="/api/v1/spam", tags=["spam"])


class CaseRefOut(BaseModel):
    id: int = Field(description="The enforcement case's id (/api/v1/spam-enforcement/cases)")
    number: str = Field(description="CZ + opening date + sequence")
    status: str = Field(description="open, warned, throttled, suspended, appealed, ...")


class BurstOut(BaseModel):
    port_number: str = Field(description="The port, digits only", examples=["10657001234"])
    owner: str | None = Field(description="The port's registered customer, if registered")
    reporters: int = Field(description="Distinct people who reported it on the day so far")
    reports: int = Field(description="Reports on the day so far (one person may send several)")
    basis: str = Field(description="test (against its own baseline) or floor (a new port)")
    basis_label: str = Field(description="The basis in the caller's language")
    expected: float = Field(description="Reporters expected by this time of day (test only)")
    baseline_mean: float = Field(description="Reporters a day by this time over the baseline")
    baseline_days: int = Field(description="Days of baseline the port was judged against")
    critical_count: int = Field(description="The fewest reporters that would have flagged it")
    p_value: float | None = Field(description="One-sided p-value of the test (null: floor)")
    first_report_at: datetime | None = Field(description="The day's first report (UTC)")
    first_report_local: str = Field(description="The day's first report, Beijing time")
    sample_text: str = Field(description="The first report's text (masked by role)")
    case: CaseRefOut | None = Field(description="The port's open enforcement case, if any")
    flagged_at: datetime | None = Field(
        description="When the job flagged it and notified the owner unit (null: not yet)"
    )
    owner_unit: str | None = Field(description="The owner unit notified, in the caller's language")
    explanation: str = Field(description="One line a person can check, in the caller's language")


class BurstsOut(BaseModel):
    day: date = Field(description="The local (Beijing) day")
    as_of: datetime = Field(description="Reports up to this instant were counted (UTC)")
    partial: bool = Field(description="True: the day is today and still running")
    tested: int = Field(description="Ports judged by the test (FDR held across them)")
    floored: int = Field(description="Ports judged by the new-port floor")
    fdr: float = Field(description="The stated false-discovery rate of one run")
    baseline_days: int = Field(description="Days of baseline at most")
    min_reporters: int = Field(description="Reporters a port needs before the test counts")
    new_port_floor: int = Field(description="Reporters a port without history needs")
    items: list[BurstOut] = Field(
        description="The ports flagged: those found now, then those flagged earlier that day"
    )


@router.get(
    "/bursts",
    response_model=BurstsOut,
    summary="Port report bursts (端口举报突增) of a day, within your scope",
    description=(
        "The ports whose distinct reporters rose abnormally on `day` (default today, Beijing "
        "time): today's figures are up to now, compared with the same hours of the port's "
        "previous 28 days; a past day is judged whole. Flags the job recorded earlier in the "
        "day stay listed (`flagged_at`). A day still ahead answers 422. Needs spam.read; "
        "counts and texts are limited to your scope, sample texts masked by role."
    ),
)
def list_bursts(
    uow: UowDep,
    actor: ActorDep,
    lang: LangDep,
    now: NowDep,
    day: Annotated[date | None, Query(description="YYYY-MM-DD (Beijing); default today")] = None,
) -> BurstsOut:
    found = service.bursts_for(uow, actor, now, day, lang)
    rule = found.rule
    return BurstsOut(
        day=found.day,
        as_of=found.as_of,
        partial=found.partial,
        tested=found.tested,
        floored=found.floored,
        fdr=rule.fdr,
        baseline_days=rule.baseline_days,
        min_reporters=rule.min_reporters,
        new_port_floor=rule.new_port_floor,
        items=[
            BurstOut(
                port_number=b.port_number,
                owner=b.owner,
                reporters=b.reporters,
                reports=b.reports,
                basis=b.basis,
                basis_label=b.basis_label,
                expected=b.expected,
                baseline_mean=b.baseline_mean,
                baseline_days=b.baseline_days,
                critical_count=b.critical_count,
                p_value=b.p_value,
                first_report_at=b.first_report_at,
                first_report_local=b.first_report_local,
                sample_text=b.sample_text,
                case=CaseRefOut(id=b.case.id, number=b.case.number, status=b.case.status)
                if b.case
                else None,
                flagged_at=b.flagged_at,
                owner_unit=b.owner_unit,
                explanation=b.explanation(lang),
            )
            for b in found.bursts
        ],
    )
