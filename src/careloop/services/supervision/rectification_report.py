"""The monthly analysis report's rectification table (督促整改情况): per owner unit in the
report's region, the tasks opened, closed (销号) and closed on time in the month, those
overdue at the month's end, escalated, and reopened by a failed re-inspection.

The figures are read from the tasks, their audit trail and their escalation records as the
rectification services write them (``services.supervision.rectification``); this module only
counts. "On time" is the services' rule: the round's evidence was submitted by its deadline
(``submit`` records ``late`` when it came after ``due_at``). "Overdue at the month's end" is
the task's state at that instant, replayed from the trail, so a report made weeks later
still says what was owed then: a task the unit still owed (``WORKING_STATUSES``) past the
deadline of its round.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import distinct, func, or_, select

from careloop.domain.indicators import formulas
from careloop.domain.indicators.periods import Period
from careloop.domain.org import ancestor_ids
from careloop.domain.supervision import rectification as rules
from careloop.reports.model import Column, Table, both, note_of
from careloop.services.indicators.org_tree import Node, OrgTree
from careloop.services.indicators.sql import count_if
from careloop.services.supervision.inspection_report import Section
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models.rectification import (
    RectificationAlert,
    RectificationEvent,
    RectificationTask,
)

T = RectificationTask
WORKING: Final = frozenset(s.value for s in rules.WORKING_STATUSES)


@dataclass
class UnitTasks:
    unit_id: int
    opened: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    escalated: int = 0
    reopened: int = 0

    def add(self, other: UnitTasks) -> None:
        self.opened += other.opened
        self.closed += other.closed
        self.closed_on_time += other.closed_on_time
        self.overdue += other.overdue
        self.escalated += other.escalated
        self.reopened += other.reopened


def _as_instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def overdue_at(
    end: datetime,
    status: str,
    due_at: datetime,
    trail: list[tuple[datetime, dict[str, Any] | None]],
) -> bool:
    """Whether a task was owed past its round's deadline at ``end``: its status and deadline
    as the last audit rows before ``end`` left them (``open`` and ``fail`` set a deadline,
    every transition a status); a task without a trail is judged by its row."""
    for at, after in trail:
        if at >= end or not after:
            continue
        status = str(after.get("status", status))
        due_at = _as_instant(after.get("due_at")) or due_at
    return status in WORKING and due_at < end


def unit_tasks(uow: UnitOfWork, period: Period, root: Node) -> dict[int, UnitTasks]:
    start, end = period.bounds()
    within = T.unit_path.startswith(root.path, autoescape=True)
    out: dict[int, UnitTasks] = {}

    def of(unit_id: int) -> UnitTasks:
        return out.setdefault(unit_id, UnitTasks(unit_id))

    for unit_id, n in uow.session.execute(
        select(T.unit_id, func.count())
        .where(within, T.opened_at >= start, T.opened_at < end)
        .group_by(T.unit_id)
    ).all():
        of(unit_id).opened = int(n)
    for unit_id, n, on_time in uow.session.execute(
        select(T.unit_id, func.count(), count_if(T.submitted_at <= T.due_at))
        .where(within, T.closed_at >= start, T.closed_at < end)
        .group_by(T.unit_id)
    ).all():
        of(unit_id).closed, of(unit_id).closed_on_time = int(n), int(on_time)
    for unit_id, n in uow.session.execute(
        select(T.unit_id, func.count(distinct(RectificationAlert.task_id)))
        .join(T, T.id == RectificationAlert.task_id)
        .where(within, RectificationAlert.at >= start, RectificationAlert.at < end)
        .group_by(T.unit_id)
    ).all():
        of(unit_id).escalated = int(n)
    for unit_id, n in uow.session.execute(
        select(T.unit_id, func.count(distinct(RectificationEvent.task_id)))
        .join(T, T.id == RectificationEvent.task_id)
        .where(
            within,
            RectificationEvent.action == "fail",
            RectificationEvent.at >= start,
            RectificationEvent.at < end,
        )
        .group_by(T.unit_id)
    ).all():
        of(unit_id).reopened = int(n)
    _count_overdue(uow, end, within, of)
    return out


def _count_overdue(uow: UnitOfWork, end: datetime, within: Any, of: Any) -> None:
    """Tasks open at ``end`` (opened before it, not closed before it), replayed one by one."""
    open_then = (within, T.opened_at < end, or_(T.closed_at.is_(None), T.closed_at >= end))
    tasks = uow.session.execute(select(T.id, T.unit_id, T.status, T.due_at).where(*open_then)).all()
    trails: dict[int, list[tuple[datetime, dict[str, Any] | None]]] = defaultdict(list)
    E = RectificationEvent
    for task_id, at, after in uow.session.execute(
        select(E.task_id, E.at, E.after)
        .join(T, T.id == E.task_id)
        .where(*open_then, E.at < end)
        .order_by(E.task_id, E.at, E.id)
    ).all():
        trails[task_id].append((at, after))
    for task_id, unit_id, status, due_at in tasks:
        if overdue_at(end, status, due_at, trails[task_id]):
            of(unit_id).overdue += 1


COLUMNS: Final = [
    Column("unit", *both.t("rectification_report.col.unit"), code=True),
    Column("name", *both.t("rectification_report.col.name")),
    Column("opened", *both.t("rectification_report.col.opened"), "int"),
    Column("closed", *both.t("rectification_report.col.closed"), "int"),
    Column("closed_on_time", *both.t("rectification_report.col.closed_on_time"), "int"),
    Column("on_time_rate", *both.t("rectification_report.col.on_time_rate"), "pct"),
    Column("overdue", *both.t("rectification_report.col.overdue"), "int"),
    Column("escalated", *both.t("rectification_report.col.escalated"), "int"),
    Column("reopened", *both.t("rectification_report.col.reopened"), "int"),
]


def _share(part: int, of: int) -> float | None:
    value = formulas.make_value("share", part, of, "", formulas.PERCENT).value
    return None if value is None else round(value, 1)


def _row(code: str, name: str, t: UnitTasks) -> list[Any]:
    return [code, name, t.opened, t.closed, t.closed_on_time,
            _share(t.closed_on_time, t.closed), t.overdue, t.escalated, t.reopened]  # fmt: skip


def rectification_table(tasks: dict[int, UnitTasks], tree: OrgTree) -> Table:
    """One row per owner unit with anything to count, by org-tree order, then the total."""
    table = Table(
        "rectification",
        *both.t("rectification_report.table.rectification"),
        COLUMNS,
        **note_of(both.t("rectification_report.note")),
    )
    total = UnitTasks(0)
    for t in sorted(tasks.values(), key=lambda t: ancestor_ids(tree.nodes[t.unit_id].path)):
        unit = tree.nodes[t.unit_id]
        table.rows.append(_row(unit.code, unit.name_zh, t))
        total.add(t)
    table.rows.append(_row("", "合计", total))
    return table


def section(uow: UnitOfWork, period: Period, tree: OrgTree, root: Node) -> Section:
    """The month's rectification table and its line in the report's summary."""
    table = rectification_table(unit_tasks(uow, period, root), tree)
    _, _, opened, closed, on_time, _, overdue, escalated, reopened = table.rows[-1]
    line = (
        f"督促整改: 新立 {opened} 件, 销号 {closed} 件 (按期 {on_time} 件), "
        f"月末超期未整改 {overdue} 件, 超期升级 {escalated} 件, 复查不通过 {reopened} 件"
    )
    return Section([table], [line])
