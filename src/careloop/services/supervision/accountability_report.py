"""The monthly analysis report's accountability table (责任追究通报): the cases decided in
the period against units in the report's region, with the penalty in force."""

from __future__ import annotations

from sqlalchemy import select

from careloop.domain.supervision import accountability as rules
from careloop.reports.model import Column, Table, both, note_of
from careloop.services.supervision.accountability import Period, rules_in_force
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import AccountabilityCase, OrgUnit, Staff

COLUMNS = [
    Column("number", *both.t("accountability_report.col.number")),
    Column("unit", *both.t("accountability_report.col.unit")),
    Column("staff", *both.t("accountability_report.col.staff")),
    Column("rule", *both.t("accountability_report.col.rule")),
    Column("status", *both.t("accountability_report.col.status")),
    Column("points", *both.t("accountability_report.col.points"), "float"),
    Column("amount", *both.t("accountability_report.col.amount"), "float"),
    Column("veto", *both.t("accountability_report.col.veto")),
]


def cases_table(uow: UnitOfWork, period: Period, region_path: str) -> Table:
    """One row per case decided in the period at or below `region_path`, oldest first."""
    start, end = period.bounds()
    rows = uow.session.execute(
        select(AccountabilityCase, OrgUnit.name_zh, Staff.display_name)
        .join(OrgUnit, OrgUnit.id == AccountabilityCase.unit_id)
        .outerjoin(Staff, Staff.id == AccountabilityCase.staff_id)
        .where(
            AccountabilityCase.decided_at >= start,
            AccountabilityCase.decided_at < end,
            AccountabilityCase.unit_path.startswith(region_path, autoescape=True),
        )
        .order_by(AccountabilityCase.decided_at, AccountabilityCase.id)
    ).all()
    catalogue = rules_in_force(uow)
    table = Table(
        "accountability",
        *both.t("accountability_report.table.accountability"),
        COLUMNS,
        **note_of(both.t("accountability_report.note")),
    )
    for case, unit_name, staff_name in rows:
        rule = catalogue.get(case.rule)
        table.rows.append(
            [
                case.number,
                unit_name,
                staff_name or "—",
                rule.name_zh if rule else case.rule,
                rules.LIFECYCLE.label(case.status, "zh"),
                case.points,
                case.amount_fen / 100,
                "是" if case.veto else "否",
            ]
        )
    return table
