"""What a report is: titled tables of typed values, and charts described as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Literal, TypedDict

from careloop.i18n import Translator, format_date

ColumnKind = Literal["text", "int", "float", "pct", "ratio", "date"]
"""pct: a rate already in percent (95.0 = 95 %); ratio: a fraction (0.25 = +25 %)."""


class BothLanguages:
    """A catalogue text as (Chinese, English): ``Column("n", *both.t("reports.col.n"))``.

    A report is built once and rendered in either language (the archive keeps each
    rendering), so its titles and column headings hold both; they are taken from the
    catalogues, never written in the report's code."""

    def t(self, key: str, **params: Any) -> tuple[str, str]:
        """A ``date`` among the params is written as each language writes it (2026年11月1日,
        November 1, 2026): the report's sentences read naturally in both."""
        return _said("zh", key, params), _said("en", key, params)


def _said(lang: str, key: str, params: dict[str, Any]) -> str:
    shown = {
        name: format_date(value, lang)
        if isinstance(value, date) and not isinstance(value, datetime)
        else value
        for name, value in params.items()
    }
    return Translator(lang)(key, **shown)


both: Final = BothLanguages()


@dataclass(frozen=True)
class Column:
    key: str
    label_zh: str
    label_en: str
    kind: ColumnKind = "text"
    code: bool = False
    """A code for machines (indicator id, region code): kept in XLSX, left out of the pages
    people read, where the name beside it says the same."""

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh


@dataclass
class Table:
    name: str
    """Sheet name (≤ 31 characters, unique in the report)."""
    title_zh: str
    title_en: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    """A line under the title (Chinese, or the one text a table built for one reader has)."""
    note_en: str = ""
    """The note in English, when the table was built for either reader (``note_of``)."""

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh

    def note_in(self, lang: str) -> str:
        return self.note_en if lang == "en" and self.note_en else self.note


class Note(TypedDict):
    note: str
    note_en: str


def note_of(text: tuple[str, str]) -> Note:
    """``Table(..., **note_of(both.t("x.note")))``: a note written for both readers."""
    return {"note": text[0], "note_en": text[1]}


@dataclass
class BarChart:
    title_zh: str
    title_en: str
    labels_zh: list[str]
    labels_en: list[str]
    series: dict[str, list[float]]
    """Legend label → one value per label."""
    ylabel: str = ""


@dataclass
class LineChart:
    title_zh: str
    title_en: str
    x: list[str]
    y: list[float | None]
    target: float | None = None
    threshold: float | None = None
    ylabel: str = ""


@dataclass
class HeatMap:
    title_zh: str
    title_en: str
    rows_zh: list[str]
    rows_en: list[str]
    cols_zh: list[str]
    cols_en: list[str]
    values: list[list[float]]


Chart = BarChart | LineChart | HeatMap

Status = Literal["met", "warning", "breached", "no_data", "none"]
"""none: a figure without an objective (a count)."""


@dataclass(frozen=True)
class Headline:
    """One figure at the top of a brief: its value judged against the indicator's objective
    (green met, amber warning, red breached) and its change against the comparison period."""

    label_zh: str
    label_en: str
    value: str
    """Formatted with its unit ("96.50%", "12 件"); "—" when there is no data."""
    status: Status
    change: float | None = None
    """Relative change against ``Report.compared_with`` (0.25 = +25 %), None without data."""
    better: Literal["up", "down", "none"] = "none"
    """Which way of change is good news: decides the arrow's colour, not its direction."""
    value_en: str = ""
    """The value in English when its unit is a word ("12 件" / "12"); else ``value`` serves."""

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh

    def value_in(self, lang: str) -> str:
        return self.value_en if lang == "en" and self.value_en else self.value


@dataclass
class Report:
    kind: str
    title_zh: str
    title_en: str
    subtitle: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    headline: list[Headline] = field(default_factory=list)
    compared_with: tuple[str, str] = ("", "")
    """What the headline's arrows compare with, zh and en ("较前一日 11-21")."""
    alerts: list[str] = field(default_factory=list)
    """What a brief puts first: each early-warning flag and hot spot in one sentence."""
    brief: bool = False
    """A one-page brief: charts and detailed tables follow the first page, empty ones left out."""
    unmasked_complaints: list[int] = field(default_factory=list)
    """Complaints whose personal data the report shows unmasked (empty when masked): the
    audit of an unmasked read names them."""
    subtitle_en: str = ""
    """The subtitle in English, when the report was built for either reader."""
    alerts_en: list[str] = field(default_factory=list)
    """The alerts in English, when the report was built for either reader."""
    summary_en: list[str] = field(default_factory=list)
    """The summary in English, when the report was built for either reader."""

    def subtitle_in(self, lang: str) -> str:
        return self.subtitle_en if lang == "en" and self.subtitle_en else self.subtitle

    def alerts_in(self, lang: str) -> list[str]:
        return self.alerts_en if lang == "en" and self.alerts_en else self.alerts

    def summary_in(self, lang: str) -> list[str]:
        return self.summary_en if lang == "en" and self.summary_en else self.summary

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)
