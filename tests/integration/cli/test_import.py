"""`careloop complaint import FILE`: a spreadsheet of complaints, accepted once."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from careloop.store.database import make_engine
from careloop.store.models import Complaint, Event

CLI = [sys.executable, "-m", "careloop.cli"]


def _import(url: str, path: Path, user: str = "agent1") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url, "CARELOOP_LANG": "en"}
    return subprocess.run(
        [*CLI, "complaint", "import", str(path), "--as", user],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            complaints = conn.scalar(select(func.count()).select_from(Complaint))
            accepts = conn.scalar(
                select(func.count()).select_from(Event).where(Event.action == "accept")
            )
            return int(complaints or 0), int(accepts or 0)
    finally:
        engine.dispose()


def test_csv_import_reports_each_row_and_reimport_creates_nothing(
    database_url: str, tmp_path: Path
):
    path = tmp_path / "feed.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["phone", "category", "region", "description", "channel", "escalated"])
        writer.writerow(["13812340001", "billing.dispute", "C1-K1", "话费多扣了", "hotline", "no"])
        writer.writerow(["not-a-phone", "billing.dispute", "C1-K1", "无效号码", "", ""])
        writer.writerow(["13812340001", "billing.high_bill", "C1-K2", "又多扣了", "app", "是"])
    first = _import(database_url, path)
    assert first.returncode == 1, first.stderr  # one row failed
    lines = first.stdout.splitlines()
    assert lines[0].startswith("row 2\tcreated\tTS")
    assert lines[1].startswith("row 3\terror\t[invalid_input] customer.phone:")
    assert lines[2].startswith("row 4\tcreated\tTS")
    assert lines[-1] == "created 2, replayed 0, errors 1"
    assert _counts(database_url) == (2, 2)

    again = _import(database_url, path)
    assert again.stdout.splitlines()[-1] == "created 0, replayed 2, errors 1"
    assert _counts(database_url) == (2, 2)


def test_xlsx_import_with_chinese_headers_and_a_key_column(database_url: str, tmp_path: Path):
    path = tmp_path / "管局转办.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["幂等键", "联系电话", "投诉分类", "地区", "投诉内容", "受理渠道", "管局转办"])
    sheet.append(
        ["MIIT-001", 13912340001, "network.coverage", "C1-K1", "家里没信号", "regulator", "是"]
    )
    sheet.append(
        ["MIIT-002", "13912340002", "billing.dispute", "C2-K1", "乱扣费", "regulator", "是"]
    )
    book.save(path)
    first = _import(database_url, path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.splitlines()[-1] == "created 2, replayed 0, errors 0"
    assert "key=MIIT-001" in first.stdout
    again = _import(database_url, path)
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1] == "created 0, replayed 2, errors 0"
    assert _counts(database_url) == (2, 2)


def test_import_by_a_role_that_may_not_accept_fails(database_url: str, tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("phone,category,region,description\n13812340009,billing.dispute,C1-K1,x\n")
    result = _import(database_url, path, user="inspector")
    assert result.returncode == 1
    assert "may not accept complaints" in result.stderr and "role_not_allowed" not in result.stderr
    assert _counts(database_url) == (0, 0)
