"""Each problem of an inspection file is named by the row and column to fix, in both
languages, and a problem is said once: checked by the service itself on a real database
(SQLite and PostgreSQL), writing nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from careloop import bootstrap
from careloop.services.access.actors import actor_for
from careloop.services.supervision import inspection_import, plans
from tests.integration.supervision.test_inspection_import import visit_rows, workbook

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


def test_every_problem_names_its_row_column_and_reason_once(database_url: str):
    platform = bootstrap.platform(database_url)
    with platform.unit_of_work() as uow:
        actor = actor_for(uow, "super1")
        plans.add_subject(uow, plans.NewSubject("store", "S1", "东区营业厅", "C1-K1"), actor, NOW)
        plans.add_subject(
            uow, plans.NewSubject("hotline", "H1", "甲市热线", "C1-HOT", "", "057110000"),
            actor, NOW,
        )  # fmt: skip
    first = visit_rows("S1", "2026-09-20 10:00", "net2")
    del first[8]  # the visit's last item (客户信息保护) has no row: rows 2–9
    second = visit_rows("S1", "2026-09-21 10:00", "net2")
    second[3][7] = None  # 告知资费 without its recording: row 13
    second[5][3] = "net1"  # another inspector inside the same visit: row 15
    third = visit_rows("H1", "2026-09-22 10:00", "net2")[:1]  # a hotline is not a store: 19
    with platform.unit_of_work() as uow:
        preview = inspection_import.check_file(
            uow, workbook(first + second + third), actor_for(uow, "super1"), NOW
        )
    found = {(p.rows(), p.column, p.reason("zh")) for p in preview.problems}
    assert found == {
        ("2–9", "item", "「客户信息保护」未评分"),
        ("13", "recording", "「告知资费」缺少录音编号"),
        ("15", "inspector", "同一次检查（同一对象、类型、时间）的检查人不一致"),
        ("19", "kind", "「甲市热线」不能做营业厅明察暗访"),
    }
    assert preview.problems[0].line().startswith("第 2–9 行（检查项）：「客户信息保护」未评分 /")
    assert {p.column_name("en") for p in preview.problems} == {
        "item", "recording", "inspector", "kind"
    }  # fmt: skip
    assert not preview.importable and preview.visits == []
