"""A satisfaction survey as a quality department hands it in: one row per respondent, one
column per item (scored 1–10), optional strata columns (operator, service, region) and an
optional design-weight column.

Incomplete rows are dropped and counted (PLS needs every item of every respondent); values
outside the 1–10 scale or that are not numbers are refused with the row and column named,
because they mean the file was coded wrongly and guessing would skew the index.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from careloop.domain.csi.model import PathModel
from careloop.services.csi.errors import StudyInputError

DEFAULT_STRATA: Final = ("operator", "service", "region")
"""Strata columns used when none are named: the regulator's operator × service, by region."""
ITEM_MIN: Final = 1.0
ITEM_MAX: Final = 10.0
MIN_RESPONSES: Final = 10
"""Fewer complete responses than this cannot carry a path model (nor an honest interval)."""
_BLANK: Final = frozenset({"", "na", "n/a", "nan", "null", "none", "-", ".", "缺失", "无"})
_SHOWN: Final = 3
"""How many offending cells a refusal quotes before saying how many more there are."""


@dataclass(frozen=True)
class SurveyTable:
    """The file's cells as read: the header (trimmed) and the rows below it."""

    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    source: str = ""


@dataclass(frozen=True)
class SurveyData:
    """The complete responses, ready for estimation."""

    items: tuple[str, ...]
    values: np.ndarray  # respondents × items, 1–10
    strata_columns: tuple[str, ...]
    strata: tuple[tuple[str, ...], ...]  # each respondent's stratum values
    weights: np.ndarray | None  # design weights, None: every respondent counts once
    weight_column: str | None
    read: int  # data rows in the file
    dropped: int  # incomplete rows left out
    dropped_lines: tuple[int, ...]  # their line numbers in the file (the first few)

    @property
    def n(self) -> int:
        return int(self.values.shape[0])


def read_survey_file(path: Path) -> SurveyTable:
    """A .csv (UTF-8) or .xlsx file, through the guarded reader the complaint import uses:
    a damaged file, a decompression bomb or an oversized sheet is refused in one line."""
    from careloop.services.complaints.intake_import import spreadsheet_rows

    return survey_table(spreadsheet_rows(path), path.name)


def survey_table(raw: Iterable[Sequence[Any]], source: str = "") -> SurveyTable:
    rows = [tuple(r) for r in raw]
    while rows and all(is_blank(v) for v in rows[0]):
        rows.pop(0)
    if not rows:
        raise StudyInputError("file", "文件是空的", "the file is empty")
    header = tuple(str(h).strip() if h is not None else "" for h in rows[0])
    named = [h for h in header if h]
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        raise StudyInputError(
            "file",
            f"表头中有重复的列名：{'、'.join(twice)}",
            f"the header names a column twice: {', '.join(twice)}",
        )
    body = tuple(r for r in rows[1:] if not all(is_blank(v) for v in r))
    return SurveyTable(header, body, source)


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in _BLANK


def find_column(header: Sequence[str], name: str) -> int | None:
    """A column by name, ignoring case and surrounding spaces, as people type headers."""
    wanted = name.strip().lower()
    for at, h in enumerate(header):
        if h.lower() == wanted:
            return at
    return None


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


def _cells(found: list[tuple[int, str, Any]]) -> tuple[str, str]:
    zh = "；".join(f"第 {line} 行「{col}」为「{v}」" for line, col, v in found[:_SHOWN])
    en = "; ".join(f"line {line}, column '{col}': '{v}'" for line, col, v in found[:_SHOWN])
    if len(found) > _SHOWN:
        zh += f"，另有 {len(found) - _SHOWN} 处"
        en += f", and {len(found) - _SHOWN} more"
    return zh, en


def resolve_strata(header: Sequence[str], strata: Sequence[str] | None) -> tuple[str, ...]:
    """The strata columns as the header spells them. None: the standard ones the file has
    (operator, service, region); an empty list: the whole sample is one stratum."""
    if strata is None:
        return tuple(
            header[at] for name in DEFAULT_STRATA if (at := find_column(header, name)) is not None
        )
    names = [s.strip() for s in strata if s.strip()]
    missing = [s for s in names if find_column(header, s) is None]
    if missing:
        raise StudyInputError(
            "strata",
            f"文件中没有分层列：{'、'.join(missing)}",
            f"the file has no strata column named: {', '.join(missing)}",
        )
    return tuple(
        dict.fromkeys(header[at] for s in names if (at := find_column(header, s)) is not None)
    )


def prepare_survey(
    table: SurveyTable,
    model: PathModel,
    *,
    strata: Sequence[str] | None = None,
    weight: str | None = None,
    labels: dict[str, tuple[str, str]] | None = None,
) -> SurveyData:
    """The model's item columns, the strata and the weights of every complete row.

    ``labels``: item → (zh, en) names of its latent, so a missing column is named with
    what it measures ("CUSA1（顾客满意）").
    """
    header = table.header
    labels = labels or {
        item: (block.shown_zh, block.shown_en) for block in model.blocks for item in block.items
    }
    missing = [item for item in model.items if find_column(header, item) is None]
    if missing:
        shown = missing[:8]
        more_zh = f" 等 {len(missing)} 列" if len(missing) > len(shown) else ""
        more_en = f" ({len(missing)} in all)" if len(missing) > len(shown) else ""
        raise StudyInputError(
            "file",
            "文件缺少模型需要的题项列："
            + "、".join(f"{i}（{labels[i][0]}）" for i in shown)
            + more_zh,
            "the file lacks item columns the model needs: "
            + ", ".join(f"{i} ({labels[i][1]})" for i in shown)
            + more_en,
        )
    item_at = [find_column(header, item) for item in model.items]
    strata_columns = resolve_strata(header, strata)
    strata_at = [find_column(header, s) for s in strata_columns]
    weight_at: int | None = None
    weight_column: str | None = None
    if weight is not None and weight.strip():
        weight_at = find_column(header, weight)
        if weight_at is None:
            raise StudyInputError(
                "weight",
                f"文件中没有权重列「{weight.strip()}」",
                f"the file has no weight column named '{weight.strip()}'",
            )
        weight_column = header[weight_at]

    values: list[list[float]] = []
    strata_rows: list[tuple[str, ...]] = []
    weights: list[float] = []
    dropped: list[int] = []
    not_numbers: list[tuple[int, str, Any]] = []
    out_of_scale: list[tuple[int, str, Any]] = []
    bad_weights: list[tuple[int, str, Any]] = []
    for line, row in enumerate(table.rows, start=2):

        def cell(at: int | None, row: tuple[Any, ...] = row) -> Any:
            return row[at] if at is not None and at < len(row) else None

        scores: list[float] = []
        complete = True
        for at in item_at:
            raw = cell(at)
            if is_blank(raw):
                complete = False
                continue
            number = as_number(raw)
            if number is None or not math.isfinite(number):
                not_numbers.append((line, header[at or 0], raw))
            elif not ITEM_MIN <= number <= ITEM_MAX:
                out_of_scale.append((line, header[at or 0], raw))
            scores.append(number if number is not None else math.nan)
        labels_of_row = tuple(
            "" if is_blank(cell(at)) else str(cell(at)).strip() for at in strata_at
        )
        if any(not v for v in labels_of_row):
            complete = False
        w = 1.0
        if weight_at is not None:
            raw_w = cell(weight_at)
            if is_blank(raw_w):
                complete = False
            else:
                number_w = as_number(raw_w)
                if number_w is None or not math.isfinite(number_w) or number_w <= 0:
                    bad_weights.append((line, header[weight_at], raw_w))
                else:
                    w = number_w
        if not complete:
            dropped.append(line)
            continue
        values.append(scores)
        strata_rows.append(labels_of_row)
        weights.append(w)

    if not_numbers:
        zh, en = _cells(not_numbers)
        raise StudyInputError(
            "file", f"题项得分应为 1–10 的数字：{zh}", f"item scores must be numbers 1–10: {en}"
        )
    if out_of_scale:
        zh, en = _cells(out_of_scale)
        raise StudyInputError(
            "file",
            f"题项得分超出 1–10 分：{zh}",
            f"item scores must lie within 1–10: {en}",
        )
    if bad_weights:
        zh, en = _cells(bad_weights)
        raise StudyInputError(
            "weight", f"权重应为大于 0 的数：{zh}", f"weights must be numbers above 0: {en}"
        )
    if len(values) < MIN_RESPONSES:
        raise StudyInputError(
            "file",
            f"完整的答卷只有 {len(values)} 份（共 {len(table.rows)} 行，{len(dropped)} 行有缺项），"
            f"至少需要 {MIN_RESPONSES} 份",
            f"only {len(values)} complete responses ({len(table.rows)} rows, {len(dropped)} "
            f"incomplete); at least {MIN_RESPONSES} are needed",
        )
    return SurveyData(
        items=model.items,
        values=np.asarray(values, dtype=float),
        strata_columns=strata_columns,
        strata=tuple(strata_rows),
        weights=np.asarray(weights, dtype=float) if weight_at is not None else None,
        weight_column=weight_column,
        read=len(table.rows),
        dropped=len(dropped),
        dropped_lines=tuple(dropped[:20]),
    )
