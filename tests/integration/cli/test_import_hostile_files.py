"""`careloop complaint import` refuses bad files in one line: no traceback, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from careloop.services.complaints import intake_import
from careloop.store.database import make_engine
from careloop.store.models import Complaint

CLI = [sys.executable, "-m", "careloop.cli"]


def _import(url: str, path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELOOP_DATABASE_URL": url, "CARELOOP_LANG": "en"}
    return subprocess.run(
        [*CLI, "complaint", "import", str(path), "--as", "agent1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _complaints(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Complaint)) or 0)
    finally:
        engine.dispose()


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _not_xlsx(tmp: Path) -> Path:
    path = tmp / "list.xlsx"
    path.write_text("phone,description\n13812340001,这其实是 CSV\n", encoding="utf-8")
    return path


def _corrupt_zip(tmp: Path) -> Path:
    good = _workbook(tmp / "good.xlsx", [["phone", "description"], ["13812340001", "x"]])
    path = tmp / "corrupt.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return path


def _zip_without_workbook(tmp: Path) -> Path:
    path = tmp / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return path


def _damaged_sheet(tmp: Path) -> Path:
    good = _workbook(tmp / "good.xlsx", [["phone", "description"], ["13812340001", "x"]])
    path = tmp / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = b"<worksheet><sheetData><row><c r='A1' t='s'><v>oops"
            target.writestr(item, data)
    return path


def _zip_bomb(tmp: Path) -> Path:
    """A workbook whose one sheet unpacks to 120 MB of blanks from a few hundred KB."""
    path = tmp / "bomb.xlsx"
    good = _workbook(tmp / "good.xlsx", [["phone", "description"]])
    with (
        zipfile.ZipFile(good) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            if item.filename.startswith("xl/worksheets/"):
                with target.open(item.filename, "w") as sheet:
                    chunk = b" " * (1024 * 1024)
                    for _ in range(120):
                        sheet.write(chunk)
            else:
                target.writestr(item.filename, source.read(item.filename))
    assert path.stat().st_size < 2 * 1024 * 1024
    return path


def _wrong_headers(tmp: Path) -> Path:
    return _workbook(tmp / "headers.xlsx", [["foo", "bar"], ["13812340001", "断网"]])


def _too_many_rows(tmp: Path) -> Path:
    path = tmp / "long.csv"
    lines = ["phone,category,region,description"]
    lines += [f"138{i:08d},billing.dispute,C1-K1,多扣费" for i in range(intake_import.MAX_ROWS + 1)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _csv_overlong_field(tmp: Path) -> Path:
    path = tmp / "overlong.csv"
    text = "phone,category,region,description\n13812340001,billing.dispute,C1-K1,"
    path.write_text(text + "长" * 200_000 + "\n", encoding="utf-8")
    return path


def _not_utf8(tmp: Path) -> Path:
    path = tmp / "gbk.csv"
    path.write_bytes("phone,description\n13812340001,宽带断网\n".encode("gbk"))
    return path


def _wrong_suffix(tmp: Path) -> Path:
    path = tmp / "list.txt"
    path.write_text("phone,description\n")
    return path


HOSTILE = {
    "not an xlsx": (_not_xlsx, "not an Excel workbook"),
    "corrupt zip": (_corrupt_zip, "The file cannot be imported"),
    "zip without a workbook": (_zip_without_workbook, "not an Excel workbook"),
    "damaged sheet": (_damaged_sheet, "damaged or not supported"),
    "zip bomb": (_zip_bomb, "decompression bomb"),
    "wrong headers": (_wrong_headers, "needs a phone and a description column"),
    "too many rows": (_too_many_rows, f"more than {intake_import.MAX_ROWS} rows"),
    "csv with an overlong field": (_csv_overlong_field, "malformed"),
    "not utf-8": (_not_utf8, "not a UTF-8 CSV"),
    "wrong suffix": (_wrong_suffix, "a .csv or .xlsx file is needed"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_bad_file_gets_one_clear_line_and_exit_1(case: str, tmp_path: Path, sqlite_url: str):
    make, words = HOSTILE[case]
    result = _import(sqlite_url, make(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: The file cannot be imported")
    assert words in lines[0]
    assert _complaints(sqlite_url) == 0


def test_bad_files_write_nothing_on_either_engine(database_url: str, tmp_path: Path):
    for make in (_zip_bomb, _corrupt_zip, _too_many_rows):
        result = _import(database_url, make(tmp_path))
        assert result.returncode == 1 and "Traceback" not in result.stderr
    assert _complaints(database_url) == 0


def test_the_bomb_check_reads_declared_sizes_only(tmp_path: Path):
    """The guard refuses before anything is inflated: it must be quick whatever the bomb."""
    with pytest.raises(Exception) as caught:
        list(intake_import.spreadsheet_rows(_zip_bomb(tmp_path)))
    assert getattr(caught.value, "code", None) == "import_file_rejected"


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    import shutil

    target = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def test_the_subscriber_import_reads_through_the_same_guard(tmp_path: Path):
    from careloop.domain.errors import DomainError
    from careloop.services.indicators import subscribers

    good = tmp_path / "subscribers.csv"
    good.write_text("region,month,users,definition\nC1,2026-09,120000,active\n", encoding="utf-8")
    [row] = subscribers.parse_subscriber_file(good)
    assert (row.region_code, row.users) == ("C1", 120000)
    with pytest.raises(DomainError) as caught:
        subscribers.parse_subscriber_file(_zip_bomb(tmp_path))
    assert caught.value.code == "import_file_rejected"
