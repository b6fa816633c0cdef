"""The monthly analysis report's accountability table (责任追究通报): the cases decided in
the period against units in the report's region, with the penalty in force."""

from __future__ import annotations

from sqlalchemy import select

from careloop.domain.supervision import accountability as rules
from careloop.reports.model import Column, Table
from careloop.services.supervision.accountability import Period, rules_in_force
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import AccountabilityCase, OrgUnit, Staff

COLUMNS = [
    Column("number", "认定编号", "Case"),
    Column("unit", "责任单位", "Unit responsible"),
    Column("staff", "责任人", "Person responsible"),
    Column("rule", "违反条款", "Rule broken"),
    Column("status", "状态", "State"),
    Column("points", "考核扣分", "KPI points off", "float"),
    Column("amount", "经济处罚(元)", "Economic penalty (yuan)", "float"),
    Column("veto", "一票否决", "One-vote veto"),
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
        "责任追究 (本期认定)",
        "Accountability (decided in the period)",
        COLUMNS,
        note="扣分与一票否决已计入责任单位 KPI；申诉成立的处罚已撤销。",
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
