"""The complaint list's tools: the filter bar's choices, its chips, the spreadsheet's cells
and the bulk form's items. Pages only translate: the rules are in
``services.complaints`` (filters, saved views, bulk, exports)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from careloop.domain.categories import leaf_categories, top_categories
from careloop.domain.lifecycle.tickets import STATUS_LABELS
from careloop.i18n import Translator
from careloop.services.complaints import bulk, filters
from careloop.services.complaints.page_views import ComplaintRow, RegionChoice
from careloop.web import views


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    indent: bool = False


@dataclass(frozen=True)
class ChipView:
    label: str
    value: str
    remove: str
    """The list's address without this one filter."""


@dataclass(frozen=True)
class FilterBar:
    regions: list[Choice]
    categories: list[Choice]
    statuses: list[Choice]
    clocks: list[Choice]
    values: dict[str, str]
    """What the bar shows chosen (the query's own values; days as the pickers spell them)."""


def filter_bar(params: Mapping[str, str], regions: list[RegionChoice], lang: str) -> FilterBar:
    """The bar's choices: cities with their counties (only the actor's scope), first-level
    categories with their subcategories, statuses, and the clock states rows show."""
    t = Translator(lang)
    categories = []
    for top in top_categories():
        categories.append(Choice(top.code, top.label(lang)))
        categories += [
            Choice(c.code, c.label(lang), indent=True)
            for c in leaf_categories()
            if c.parent == top.code
        ]
    values = {k: v for k, v in params.items() if v}
    for day in ("created_from", "created_to"):
        if len(values.get(day, "")) != 10:
            values.pop(day, None)  # an instant from a drill-down stays a chip, not a day
    status_value = values.get("status", "")
    if params.get(filters.OPEN_PARAM) == "1" and not status_value:
        values["status"] = "open"
    return FilterBar(
        regions=[Choice(r.unit.code, r.unit.name, r.kind == "county") for r in regions],
        categories=categories,
        statuses=[Choice("open", t("list.filter.open"))]
        + [Choice(s.value, views.in_lang(pair, lang)) for s, pair in STATUS_LABELS.items()],
        clocks=[Choice(s, t(f"filter.sla.{s}")) for s in filters.WORST_STATES],
        values=values,
    )


def form_params(params: Mapping[str, str]) -> dict[str, str]:
    """The bar's submission as the list's own query: ``status=open`` is ``open=1``."""
    found = {k: v for k, v in params.items() if v and k not in ("page", "lang")}
    if found.get("status") == "open":
        found.pop("status")
        found[filters.OPEN_PARAM] = "1"
    return found


def chip_views(
    params: Mapping[str, str], names: Mapping[str, str], t: Translator
) -> list[ChipView]:
    shown = []
    for chip in filters.chips(params, t.lang, names):
        value = t.get(chip.value_key, chip.value) if chip.value_key else chip.value
        link = "/complaints" + (f"?{chip.remove_query}" if chip.remove_query else "")
        shown.append(ChipView(t.get(chip.label_key, chip.param), value, link))
    return shown


def query_of(params: Mapping[str, str]) -> str:
    return urlencode({k: v for k, v in params.items() if v})


EXPORT_COLUMNS = (
    "col.number",
    "col.clock",
    "list.col.due",
    "col.status",
    "col.category",
    "col.customer",
    "col.region",
    "list.col.accepted",
    "col.summary",
)


def export_headers(t: Translator) -> list[str]:
    return [t(key) for key in EXPORT_COLUMNS]


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def export_cells(r: ComplaintRow, t: Translator, zone: ZoneInfo) -> list[Any]:
    """One spreadsheet row: the row as the page shows it (``views.row``), times local as
    the page writes them (a person compares the file with the screen)."""
    row = views.row(r, t)
    customer = row.customer.phone + (f" {row.customer.name}" if row.customer.name else "")
    return [
        row.number,
        row.clock.line,
        _local(row.clock.due_at, zone),
        row.status_label,
        row.category,
        customer,
        row.region,
        _local(row.accepted_at, zone),
        row.summary,
    ]


def bulk_items(selected: list[str]) -> list[bulk.BulkItem]:
    """The ticked rows (``id:version`` as the list showed them); unreadable ones dropped."""
    items = []
    for value in selected:
        ident, _, version = value.partition(":")
        if ident.isdigit():
            items.append(bulk.BulkItem(int(ident), int(version) if version.isdigit() else None))
    return items
