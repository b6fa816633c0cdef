"""Complaints from a spreadsheet (.csv or .xlsx): operators' Excel lists and the regulator's
transfer feed, accepted through bulk intake (services.intake_batch) in chunks.

The first row names the columns, in English or Chinese (see HEADERS; docs/api.md lists
them). Each row's idempotency key is the `key` column when given, otherwise derived from
the file's name and the row number, so importing the same file again creates nothing.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from careloop.domain.errors import DomainError, InvalidInput
from careloop.services.access.actors import Actor
from careloop.services.complaints import intake_batch
from careloop.services.complaints.intake import draft_from_fields
from careloop.services.unit_of_work import UnitOfWork

HEADERS: dict[str, tuple[str, ...]] = {
    "key": ("key", "idempotency_key", "幂等键", "导入编号"),
    "channel": ("channel", "渠道", "受理渠道"),
    "phone": ("phone", "customer_phone", "电话", "联系电话", "手机号", "客户电话"),
    "name": ("name", "customer_name", "姓名", "客户姓名"),
    "account": ("account", "customer_account", "账号", "客户账号"),
    "tier": ("tier", "customer_tier", "客户等级", "等级"),
    "category": ("category", "分类", "投诉分类", "投诉类别"),
    "product": ("product", "产品"),
    "region": ("region", "地区", "区域", "地区编码"),
    "description": ("description", "text", "投诉内容", "描述", "内容"),
    "priority": ("priority", "优先级"),
    "escalated": ("escalated", "越级"),
    "regulator_transfer": ("regulator_transfer", "管局转办", "工信部转办"),
    "source_ref": ("source_ref", "来源编号", "工单号", "原始单号"),
}
"""Column → the header names accepted for it (case and surrounding blanks ignored)."""

_LOOKUP = {alias.strip().lower(): column for column, aliases in HEADERS.items()
           for alias in aliases}  # fmt: skip
log = logging.getLogger("careloop.import")


@dataclass(frozen=True, slots=True)
class RowResult:
    row: int
    """Row number in the file as a spreadsheet shows it (the header is row 1)."""
    key: str
    result: intake_batch.ItemResult


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores phone numbers typed as numbers as floats
    return str(value).strip()


MAX_FILE_BYTES = 20 * 1024 * 1024
"""A spreadsheet of complaints larger than this on disk is refused before it is read."""

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""An .xlsx is a zip: the sizes its parts declare, added up, may not exceed this (a 311 KB
file that unpacks to 729 MB is a decompression bomb, not a list of complaints)."""

MAX_PART_RATIO = 100
"""Nor may one part (larger than 1 MiB unpacked) claim more than 100 times its packed size:
real sheets compress about 5–20 times."""

MAX_PARTS = 1000
MAX_ROWS = 50_000
"""Rows per file (the header excluded); split larger lists."""

MAX_COLUMNS = 64
"""Columns read per row; anything to the right of them is ignored."""


def _rejected(zh: str, en: str) -> DomainError:
    return DomainError("import_file_rejected", field="file", reason_zh=zh, reason_en=en)


def _check_zip(path: Path) -> None:
    """Refuse what is not a workbook, or would unpack to far more than it is, before
    openpyxl reads it (it trusts the zip; zipfile stops at the declared sizes)."""
    if not zipfile.is_zipfile(path):
        raise _rejected("不是 Excel 工作簿（.xlsx）", "it is not an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise _rejected("压缩包已损坏", "the workbook's zip structure is damaged") from None
    names = {part.filename for part in parts}
    if "xl/workbook.xml" not in names:
        raise _rejected("不是 Excel 工作簿（.xlsx）", "it is not an Excel workbook (.xlsx)")
    unpacked = sum(part.file_size for part in parts)
    bomb = any(
        part.file_size > 1024 * 1024
        and part.file_size > MAX_PART_RATIO * max(part.compress_size, 1)
        for part in parts
    )
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES or bomb:
        raise _rejected(
            f"解压后过大（上限 {MAX_UNPACKED_BYTES // 2**20} MB），疑似压缩炸弹",
            f"it would unpack to more than {MAX_UNPACKED_BYTES // 2**20} MB "
            "(a decompression bomb?)",
        )


def spreadsheet_rows(path: Path) -> Iterator[list[Any]]:
    """The raw rows of a .csv or .xlsx file (first sheet), at most MAX_COLUMNS wide and
    MAX_ROWS + 1 long; a file that is not one, is damaged or is too large is refused with
    DomainError `import_file_rejected` (one line for the CLI, a 422 for an API)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise _rejected(
            f"需要 .csv 或 .xlsx 文件，而不是「{suffix}」",
            f"a .csv or .xlsx file is needed, not '{suffix}'",
        )
    try:
        size = path.stat().st_size
    except OSError:
        raise _rejected("无法读取文件", "the file cannot be read") from None
    if size > MAX_FILE_BYTES:
        raise _rejected(
            f"文件超过 {MAX_FILE_BYTES // 2**20} MB",
            f"it is larger than {MAX_FILE_BYTES // 2**20} MB",
        )
    if suffix == ".csv":
        try:
            data = path.read_bytes()
        except OSError:
            raise _rejected("无法读取文件", "the file cannot be read") from None
        try:
            text = data.decode("utf-8-sig")  # Excel writes a BOM
        except UnicodeDecodeError:
            raise _rejected(
                "不是 UTF-8 编码的 CSV（请另存为 CSV UTF-8）",
                "it is not a UTF-8 CSV (save it as 'CSV UTF-8')",
            ) from None
        raw_rows: Iterator[list[Any]] = iter(csv.reader(io.StringIO(text)))
    else:
        _check_zip(path)
        raw_rows = _xlsx_rows(path)
    count = 0
    try:
        for row in raw_rows:
            count += 1
            if count > MAX_ROWS + 1:
                raise _rejected(
                    f"超过 {MAX_ROWS} 行，请拆分后导入",
                    f"it has more than {MAX_ROWS} rows; split it",
                )
            yield row[:MAX_COLUMNS]
    except csv.Error:
        raise _rejected(
            "CSV 格式错误（字段过长或引号不匹配）",
            "the CSV is malformed (an overlong field or unbalanced quotes)",
        ) from None


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                yield list(row)
        finally:
            book.close()
    except DomainError:
        raise
    except Exception:
        # Whatever a damaged workbook makes openpyxl, zipfile or the XML parser raise, the
        # person importing it learns one thing: this file cannot be read.
        log.info("unreadable workbook %s", path.name, exc_info=True)
        raise _rejected(
            "工作簿已损坏或格式不受支持", "the workbook is damaged or not supported"
        ) from None


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each non-empty row; unknown headers are ignored."""
    raw_rows = spreadsheet_rows(path)
    header = next(raw_rows, None)
    if header is None:
        return
    columns = [_LOOKUP.get(_cell(h).lower()) for h in header]
    if "phone" not in columns or "description" not in columns:
        raise _rejected(
            "表头缺少电话或投诉内容列（见 docs/api.md）",
            "the header needs a phone and a description column (see docs/api.md)",
        )
    for number, raw in enumerate(raw_rows, start=2):
        values = {c: _cell(v) for c, v in zip(columns, raw, strict=False) if c is not None}
        if any(values.values()):
            yield number, values


def row_key(path: Path, row: int, values: dict[str, str]) -> str:
    """The row's idempotency key: its `key` column, else file name and row number."""
    return values.get("key") or f"import:{path.name[:150]}:{row}"


def import_file(
    new_uow: Callable[[], UnitOfWork],
    path: Path,
    actor: Actor,
    now: datetime,
    channel: str = "hotline",
    chunk: int = intake_batch.MAX_BATCH_ITEMS,
    advance: Callable[[int, int], None] = lambda _done, _total: None,
) -> list[RowResult]:
    """Accept every row of `path`; one transaction per chunk of rows, results per row.
    `advance` hears (rows done, rows in the file) after each chunk, for a progress bar."""
    results: list[RowResult] = []
    batch: list[tuple[int, str, intake_batch.BatchItem | InvalidInput]] = []

    def flush() -> None:
        items = [i for _, _, i in batch if isinstance(i, intake_batch.BatchItem)]
        with new_uow() as uow:
            accepted = iter(intake_batch.accept_batch(uow, items, actor, now))
        for row, key, item in batch:
            if isinstance(item, InvalidInput):
                failed = intake_batch.ItemResult(row, "error", error=item)
                results.append(RowResult(row, key, failed))
            else:
                results.append(RowResult(row, key, next(accepted)))
        batch.clear()
        advance(len(results), len(rows))

    # Every row is read (and the file judged) before the first is written: a file refused
    # half-way must not leave half an import behind.
    rows = list(read_rows(path))
    for row, values in rows:
        key = row_key(path, row, values)
        try:
            draft = draft_from_fields(values, channel)
            batch.append((row, key, intake_batch.BatchItem(draft, key)))
        except InvalidInput as exc:
            batch.append((row, key, exc))
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return results
