"""Subscriber counts (the users behind per-user indicators): imported, stored, reduced per node.

Counts arrive as CSV or XLSX (region, month, users, definition), one row per region and month,
with the definition of what was counted (``domain.indicators.users``).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from careloop.domain.errors import InvalidInput
from careloop.domain.indicators import periods
from careloop.domain.indicators.periods import Period
from careloop.domain.indicators.users import SubscriberCount, UserBase, user_base
from careloop.services.indicators.org_tree import Node, OrgTree
from careloop.services.indicators.sql import as_date
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import RegionSubscribers


@dataclass(frozen=True)
class SubscriberRow:
    region_code: str
    month: date
    users: int
    definition: str


def parse_subscriber_file(path: Path) -> list[SubscriberRow]:
    """CSV or XLSX with columns region, month (YYYY-MM or a date), users, definition.

    Read by the complaint import's guarded reader: a damaged file, a decompression bomb or
    an oversized sheet is refused in one line before openpyxl unpacks it."""
    from careloop.services.complaints.intake_import import spreadsheet_rows

    return parse_subscriber_rows(list(spreadsheet_rows(path)))


def parse_subscriber_rows(raw: Sequence[Sequence[Any]]) -> list[SubscriberRow]:
    if not raw:
        raise InvalidInput("file", "empty file")
    header = [str(h or "").strip().lower() for h in raw[0]]
    needed = ("region", "month", "users", "definition")
    missing = [h for h in needed if h not in header]
    if missing:
        raise InvalidInput("file", f"missing columns: {', '.join(missing)}")
    at = {h: header.index(h) for h in needed}
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not values or all(v in (None, "") for v in values):
            continue
        try:
            month_raw = values[at["month"]]
            if isinstance(month_raw, datetime):
                month = month_raw.date().replace(day=1)
            elif isinstance(month_raw, date):
                month = month_raw.replace(day=1)
            else:
                text = str(month_raw).strip()
                month = date.fromisoformat(text if len(text) > 7 else f"{text}-01").replace(day=1)
            users = int(float(str(values[at["users"]]).replace(",", "")))
        except (ValueError, TypeError, IndexError) as exc:
            raise InvalidInput("file", f"line {number}: {exc}") from None
        definition = str(values[at["definition"]] or "").strip()
        region = str(values[at["region"]] or "").strip()
        if users < 0 or not definition or not region:
            raise InvalidInput("file", f"line {number}: region, users ≥ 0 and definition needed")
        rows.append(SubscriberRow(region, month, users, definition))
    return rows


def import_subscribers(
    uow: UnitOfWork, rows: Iterable[SubscriberRow], *, source: str, by: str, now: datetime
) -> int:
    """Insert or replace counts per (region, month); the definition is stored with each."""
    tree = OrgTree.load(uow)
    codes = {n.code: n.id for n in tree.nodes.values()}
    items = list(rows)
    unknown = sorted({r.region_code for r in items if r.region_code not in codes})
    if unknown:
        raise InvalidInput("region", f"unknown region codes: {', '.join(unknown[:10])}")
    existing = {
        (r.region_id, r.month): r
        for r in uow.session.scalars(
            select(RegionSubscribers).where(
                RegionSubscribers.region_id.in_({codes[r.region_code] for r in items})
            )
        )
    }
    for item in items:
        key = (codes[item.region_code], item.month)
        row = existing.get(key)
        if row is None:
            row = RegionSubscribers(region_id=key[0], month=item.month)
            uow.session.add(row)
            existing[key] = row
        row.users, row.definition = item.users, item.definition
        row.source, row.imported_at, row.imported_by = source, now, by
    uow.commit()
    return len(items)


class UserBases:
    """Subscriber counts of one period, reduced per org node (own count, else children's)."""

    def __init__(self, uow: UnitOfWork, tree: OrgTree, period: Period) -> None:
        self.tree = tree
        self.by_region: dict[int, list[SubscriberCount]] = defaultdict(list)
        rows = uow.session.execute(
            select(
                RegionSubscribers.region_id,
                RegionSubscribers.month,
                RegionSubscribers.users,
                RegionSubscribers.definition,
            ).where(RegionSubscribers.month.in_(periods.months(period)))
        ).all()
        for region_id, month, users, definition in rows:
            code = tree.nodes[region_id].code
            self.by_region[region_id].append(
                SubscriberCount(code, as_date(month), users, definition)
            )

    def counts(self, node: Node) -> list[SubscriberCount]:
        own = self.by_region.get(node.id)
        if own:
            return own
        found: list[SubscriberCount] = []
        for child in self.tree.children(node):
            found.extend(self.counts(child))
        return found

    def base(self, node: Node) -> UserBase:
        return user_base(self.counts(node))


def subscriber_csv(rows: Iterable[SubscriberRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["region", "month", "users", "definition"])
    for r in rows:
        writer.writerow([r.region_code, f"{r.month:%Y-%m}", r.users, r.definition])
    return out.getvalue()
