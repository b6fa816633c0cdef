"""Text as every file writer may hold it: printable characters, and no live formulas.

Complaint text is written by customers and reaches spreadsheets (the complaint export,
the reports' XLSX), HTML and PDF. Two things in it must never reach a file as they are:

- characters the format cannot hold: XML 1.0 (inside every XLSX) refuses most C0 control
  characters, lone surrogates and U+FFFE/U+FFFF, and openpyxl raises on them, so one such
  character in one complaint would fail a province's whole report. Invisible characters
  (zero-width, bidirectional overrides) are dropped too: in a report they only make a text
  read differently from what it says;
- text a spreadsheet would run (CSV/formula injection, OWASP): a cell starting with
  ``= + - @``, a tab or a carriage return, or their full-width forms, which spreadsheets
  in Chinese locales also read as formula signs. Such a cell gets a leading apostrophe, the
  spreadsheets' own "this is text" mark.

Text that was stored before intake cleaned it (or by an import) is as likely as new text,
so these run on every value written, whatever its source.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

_UNWRITABLE: Final = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 except \t \n \r: not XML 1.0
    "\x7f-\x9f"  # DEL and C1
    "\u061c\u200b-\u200f\u2060\ufeff"  # ALM, zero-width, LRM/RLM, word joiner, BOM
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides, isolates
    "\ud800-\udfff\ufffe\uffff"  # lone surrogates and the two non-characters
    "]"
)
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
MAX_CELL_CHARS: Final = 32_767
"""Excel's limit for one cell: a longer text makes Excel "repair" the file and drop it."""
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def printable(text: str) -> str:
    """`text` without the characters a file format cannot hold or a reader cannot see."""
    return _UNWRITABLE.sub("", text)


def spreadsheet_cell(value: Any) -> Any:
    """A value as an XLSX or CSV cell: numbers stay numbers, text is printable and inert."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; values are local time
    if not isinstance(value, str):
        return value
    text = printable(value)
    if text.startswith(FORMULA_START):
        text = "'" + text
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so that Excel opens Chinese text as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_cell(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else spreadsheet_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheet_name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """One sheet, written as it goes (openpyxl's write-only mode: memory stays flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    sheet.append([spreadsheet_cell(h) for h in headers])
    for row in rows:
        sheet.append([spreadsheet_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
