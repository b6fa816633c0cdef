"""The State Council's yearly holiday notice as a text file an administrator can type.

One line per day or range of days, blank lines and ``#`` comments ignored, fields separated
by spaces, tabs or commas (so a spreadsheet's CSV works too)::

    # 国务院办公厅关于2027年部分节假日安排的通知
    2027-01-01..2027-01-03 rest 元旦
    2027-02-06..2027-02-13 rest 春节
    2027-02-14 work 春节调休

``rest`` (also 休 / 放假 / holiday) is a rest day, ``work`` (also 班 / 上班 / workday) a make-up
working day; the rest of the line names the holiday. A make-up working day falls on a
weekend (the notice only moves work onto Saturdays and Sundays), a day is listed once, and
every day lies in the notice's year or the December before it: a New Year's holiday can start
on Dec 30 and be made up on a Saturday in late December (the 2019 notice: rest 2018-12-30 to
2019-01-01, work Sat 2018-12-29). Errors name the line, in Chinese and English, and are all
reported at once so one pass fixes the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from careloop.domain.sla.calendar import DayKind, DayOverride

MAX_LINES: Final = 500
"""A notice has a few dozen lines; a longer file is not a notice."""

MAX_RANGE_DAYS: Final = 31
"""The longest holiday block a notice has given is about ten days; a month catches typos."""

MAX_NAME: Final = 100
"""The stored name's length (``calendar_days.name``)."""

KINDS: Final[dict[str, DayKind]] = {
    "rest": "holiday",
    "holiday": "holiday",
    "休": "holiday",
    "放假": "holiday",
    "work": "workday",
    "workday": "workday",
    "班": "workday",
    "上班": "workday",
}

_FIELDS = re.compile(r"[\s,，]+")


@dataclass(frozen=True, slots=True)
class NoticeLineError:
    line: int
    zh: str
    en: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.zh} / line {self.line}: {self.en}"


class NoticeFormatError(ValueError):
    """The file is not a readable notice; ``errors`` says which lines and why."""

    def __init__(self, errors: list[NoticeLineError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_notice(year: int, text: str) -> list[DayOverride]:
    """The days of ``year``'s notice in date order; NoticeFormatError lists every bad line."""
    errors: list[NoticeLineError] = []
    days: dict[date, DayOverride] = {}
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise NoticeFormatError(
            [NoticeLineError(MAX_LINES + 1, f"超过 {MAX_LINES} 行", f"more than {MAX_LINES} lines")]
        )
    for number, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        fields = _FIELDS.split(line, maxsplit=2)
        if len(fields) < 3 or not fields[2].strip():
            errors.append(
                NoticeLineError(
                    number,
                    "应为「日期或日期..日期 rest|work 名称」",
                    "expected 'DATE[..DATE] rest|work NAME'",
                )
            )
            continue
        span, kind_text, name = fields[0], fields[1].lower(), fields[2].strip()
        first_text, _, last_text = span.partition("..")
        first, last = _day(first_text), _day(last_text or first_text)
        kind = KINDS.get(kind_text)
        if first is None or last is None:
            errors.append(
                NoticeLineError(
                    number, f"日期「{span}」应为 YYYY-MM-DD", f"date '{span}' must be YYYY-MM-DD"
                )
            )
            continue
        if kind is None:
            errors.append(
                NoticeLineError(
                    number,
                    f"类型「{fields[1]}」应为 rest（放假）或 work（上班）",
                    f"kind '{fields[1]}' must be rest or work",
                )
            )
            continue
        if len(name) > MAX_NAME:
            errors.append(
                NoticeLineError(
                    number, f"名称超过 {MAX_NAME} 字", f"name longer than {MAX_NAME} characters"
                )
            )
            continue
        if last < first or (last - first).days >= MAX_RANGE_DAYS:
            errors.append(
                NoticeLineError(
                    number,
                    f"日期范围 {span} 应从早到晚且不超过 {MAX_RANGE_DAYS} 天",
                    f"range {span} must run forwards and span at most {MAX_RANGE_DAYS} days",
                )
            )
            continue
        if first < date(year - 1, 12, 1) or last > date(year, 12, 31):
            errors.append(
                NoticeLineError(
                    number,
                    f"{span} 不在 {year} 年内（或其前一年的十二月）",
                    f"{span} does not lie in {year} (or the December before)",
                )
            )
            continue
        day = first
        while day <= last:
            if day in days:
                errors.append(
                    NoticeLineError(number, f"{day} 已在前面列出", f"{day} is already listed above")
                )
            elif kind == "workday" and day.weekday() < 5:
                errors.append(
                    NoticeLineError(
                        number,
                        f"{day} 是工作日，调休上班日应在周六或周日",
                        f"{day} is a weekday; a make-up working day falls on a weekend",
                    )
                )
            else:
                days[day] = DayOverride(day, kind, name)
            day += timedelta(days=1)
    if not days and not errors:
        errors.append(NoticeLineError(1, "文件中没有任何日期", "the file lists no day"))
    if errors:
        raise NoticeFormatError(errors)
    return [days[d] for d in sorted(days)]


def notice_text(days: list[DayOverride]) -> str:
    """Days written back in the import format (one line per day), e.g. to export a year."""
    word = {"holiday": "rest", "workday": "work"}
    return "".join(f"{o.day.isoformat()} {word[o.kind]} {o.name}\n" for o in days)
