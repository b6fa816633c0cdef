"""12321 transfer files on SQLite and PostgreSQL: 10 000 rows with 37 bad ones report exactly
those 37 (row, column, reason in words), store the rest once, and a second import stores
nothing and names the same 37 rows again."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from careloop.services.access.actors import actor_for
from careloop.services.spam import reports, transfer_import
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.database import make_engine, make_session_factory
from tests.unit.domain.spam.messages import UNRELATED, campaign_message

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
ROWS = 10_000
HEADER = ["举报编号", "举报号码", "被举报号码", "短信内容", "举报时间", "地区", "违规情形"]
BAD_KINDS = [
    # (column, cell index, bad value, words the reason must hold)
    ("reporter", 1, "", "不能为空"),
    ("reporter", 1, "01012345678", "手机号"),
    ("sender", 2, "10651234567", "10657、10655、10659 或 1069"),
    ("text", 3, "", "不能为空"),
    ("received_at", 4, "昨天下午", "不是可识别的时间"),
    ("received_at", 4, "2026-10-30 10:00", "晚于现在"),
    ("region", 5, "C9", "C9"),
    ("serious", 6, "很严重", "不是可识别的违规情形"),
    ("key", 0, None, "重复"),
]


def _transfer_rows() -> tuple[list[list[object]], list[tuple[int, str, str]]]:
    rng = random.Random(12321)
    rows: list[list[object]] = []
    expected: list[tuple[int, str, str]] = []
    bad_at = sorted(rng.sample(range(10, ROWS), 37))
    for i in range(ROWS):
        text = campaign_message(rng) if i % 4 else rng.choice(UNRELATED) + f" {i}"
        when = NOW.replace(tzinfo=None) + timedelta(hours=8) - timedelta(minutes=i)
        rows.append(
            [
                f"12321-{i:06d}",
                f"139{rng.randint(0, 99_999_999):08d}",
                f"106575551234{i % 7}",
                text,
                when,
                rng.choice(["C1", "C1-K1", "C2", ""]),
                "退订后仍发送" if i % 50 == 0 else "",
            ]
        )
    for n, index in enumerate(bad_at):
        column, cell, value, words = BAD_KINDS[n % len(BAD_KINDS)]
        rows[index][cell] = rows[index - 1][0] if column == "key" else value
        expected.append((index + 2, column, words))  # the header is row 1
    return rows, expected


@pytest.fixture(scope="module")
def transfer_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], list]:
    """The same 10 000 rows as .xlsx and as .csv (the centre sends either)."""
    rows, expected = _transfer_rows()
    folder = tmp_path_factory.mktemp("12321")
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(folder / "12321-2026-09.xlsx")
    with (folder / "12321-2026-09.csv").open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for row in rows:
            cells = list(row)
            if isinstance(cells[4], datetime):
                cells[4] = cells[4].strftime("%Y-%m-%d %H:%M:%S")
            writer.writerow(cells)
    return {"xlsx": folder / "12321-2026-09.xlsx", "csv": folder / "12321-2026-09.csv"}, expected


@pytest.fixture
def new_uow(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    yield lambda: UnitOfWork(factory)
    engine.dispose()


def test_ten_thousand_rows_with_37_bad_ones_report_them_and_import_nothing_twice(
    new_uow, transfer_files, database_url: str
):
    # Each engine reads one format, so both formats are covered at 10 000 rows once each.
    files, expected = transfer_files
    path = files["xlsx" if database_url.startswith("sqlite") else "csv"]
    with new_uow() as uow:
        first = transfer_import.import_transfer(
            uow, path, actor_for(uow, "super1"), NOW, "zh", default_region="P"
        )
    assert first.rows == ROWS
    assert [(e.row, e.column) for e in first.errors] == [(r, c) for r, c, _ in expected]
    for error, (_, _, words) in zip(first.errors, expected, strict=True):
        assert words in error.reason, (error, words)
    assert (first.imported, first.duplicates) == (ROWS - 37, 0)
    with new_uow() as uow:
        again = transfer_import.import_transfer(
            uow, path, actor_for(uow, "super1"), NOW, "en", default_region="P"
        )
    assert (again.imported, again.duplicates) == (0, ROWS - 37)
    assert [(e.row, e.column) for e in again.errors] == [(r, c) for r, c, _ in expected]
    assert (
        again.errors[0].column_label in {"reporter's number", "reported number"}
        or again.errors[0].column_label
    )
    with new_uow() as uow:
        admin = actor_for(uow, "admin")
        stored = reports.list_reports(uow, admin, "zh", source="transfer_12321", limit=1)
        campaigns = reports.list_campaigns(uow, admin, "zh", limit=200)
        serious = reports.list_reports(uow, admin, "zh", serious=True, limit=1)
    assert stored.total == ROWS - 37
    # Three quarters of the rows are the one campaign; the rest a handful of messages.
    top = campaigns.items[0]
    assert top.reports == sum(1 for i in range(ROWS) if i % 4) - sum(
        1 for r, _, _ in expected if (r - 2) % 4
    )
    assert campaigns.total <= 1 + len(UNRELATED)
    assert top.port_number.startswith("106575551234")
    assert serious.total >= 190


def test_a_file_without_the_needed_columns_is_refused_in_words(new_uow, tmp_path: Path):
    path = tmp_path / "wrong.csv"
    path.write_text("编号,内容\n1,广告\n", encoding="utf-8")
    with new_uow() as uow, pytest.raises(Exception) as refused:
        transfer_import.import_transfer(
            uow, path, actor_for(uow, "super1"), NOW, "zh", default_region="P"
        )
    assert "举报号码" in refused.value.message("zh")  # type: ignore[attr-defined]
    assert "reporter's number" in refused.value.message("en")  # type: ignore[attr-defined]


def test_an_agent_may_not_import_transfer_files(new_uow):
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with new_uow() as uow, pytest.raises(Exception) as refused:
        transfer_import.import_transfer_content(
            uow, buffer.getvalue(), "x.xlsx", actor_for(uow, "agent1"), NOW, "zh",
            default_region="C1",
        )  # fmt: skip
    assert refused.value.status == 403  # type: ignore[attr-defined]
