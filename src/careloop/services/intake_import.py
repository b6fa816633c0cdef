"""Complaints from a spreadsheet (.csv or .xlsx): operators' Excel lists and the regulator's
transfer feed, accepted through bulk intake (services.intake_batch) in chunks.

The first row names the columns, in English or Chinese (see HEADERS; docs/api.md lists
them). Each row's idempotency key is the `key` column when given, otherwise derived from
the file's name and the row number, so importing the same file again creates nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from careloop.domain.errors import InvalidInput
from careloop.services import intake_batch
from careloop.services.actors import Actor
from careloop.services.complaints import NewComplaint
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
_TRUE = {"1", "true", "yes", "y", "是", "对", "√"}
_FALSE = {"", "0", "false", "no", "n", "否"}


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


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each non-empty row; unknown headers are ignored."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")  # Excel writes a BOM
        raw_rows: Iterator[list[Any]] = iter(csv.reader(io.StringIO(text)))
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        raw_rows = (list(r) for r in sheet.iter_rows(values_only=True))
    else:
        raise InvalidInput("file", f"需要 .csv 或 .xlsx / a .csv or .xlsx file, not '{suffix}'")
    header = next(raw_rows, None)
    if header is None:
        return
    columns = [_LOOKUP.get(_cell(h).lower()) for h in header]
    if "phone" not in columns or "description" not in columns:
        raise InvalidInput(
            "file", "表头缺少电话或投诉内容列 / the header needs phone and description columns"
        )
    for number, raw in enumerate(raw_rows, start=2):
        values = {c: _cell(v) for c, v in zip(columns, raw, strict=False) if c is not None}
        if any(values.values()):
            yield number, values


def _flag(values: dict[str, str], column: str) -> bool:
    text = values.get(column, "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(column, f"应为 是/否 / must be yes or no, not '{text}'")


def _draft(values: dict[str, str], channel: str) -> NewComplaint:
    return NewComplaint(
        channel=values.get("channel") or channel,
        customer_phone=values.get("phone", ""),
        category=values.get("category", ""),
        description=values.get("description", ""),
        region_code=values.get("region", ""),
        product=values.get("product") or "mobile",
        customer_name=values.get("name") or None,
        customer_account=values.get("account") or None,
        customer_tier=values.get("tier") or "standard",
        priority=values.get("priority") or "normal",
        source_ref=values.get("source_ref") or None,
        escalated=_flag(values, "escalated"),
        regulator_transfer=_flag(values, "regulator_transfer"),
    )


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
) -> list[RowResult]:
    """Accept every row of `path`; one transaction per chunk of rows, results per row."""
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

    for row, values in read_rows(path):
        key = row_key(path, row, values)
        try:
            batch.append((row, key, intake_batch.BatchItem(_draft(values, channel), key)))
        except InvalidInput as exc:
            batch.append((row, key, exc))
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return results
