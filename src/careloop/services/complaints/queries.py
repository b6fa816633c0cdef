"""Read side: complaint lists with filters and totals, one complaint with its history."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import selectinload

from careloop.domain import privacy, time_bounds, worklist
from careloop.domain.categories import get_category
from careloop.domain.errors import DomainError, InvalidInput
from careloop.domain.lifecycle.tickets import OPEN_STATUSES, Status
from careloop.domain.text import check_code, clean_text
from careloop.services.access import scope
from careloop.services.access.actors import Actor
from careloop.services.complaints import read_models, work_orders
from careloop.services.complaints.filters import WORST_STATES, ComplaintFilter
from careloop.services.complaints.lifecycle import load_complaint
from careloop.services.privacy.personal_data import sees_personal_data
from careloop.services.sla import clocks as sla_clocks
from careloop.services.sla import states as sla_states
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import (
    Attachment,
    Complaint,
    Event,
    Note,
    OrgUnit,
    WorkOrder,
)

SORTS = {
    "accepted_at": Complaint.accepted_at,
    "-accepted_at": Complaint.accepted_at.desc(),
    "reply_due_at": Complaint.reply_due_at,
    "-reply_due_at": Complaint.reply_due_at.desc(),
    "id": Complaint.id,
    "-id": Complaint.id.desc(),
    "sla_overrun_minutes": Complaint.sla_overrun_minutes,
    "-sla_overrun_minutes": Complaint.sla_overrun_minutes.desc(),
}
SORT_KEYS: dict[str, Any] = {
    "accepted_at": Complaint.accepted_at,
    "reply_due_at": Complaint.reply_due_at,
    "id": Complaint.id,
    "sla_overrun_minutes": Complaint.sla_overrun_minutes,
}
_TIME_KEYS = frozenset({"accepted_at", "reply_due_at"})

RowT = TypeVar("RowT")
ViewT = TypeVar("ViewT")

TOTAL_CAP = 10_000
"""A list page counts at most this many matching complaints (and at least one past its own
end): beyond it the answer says "10 000 or more" (``total_capped``) instead of paying for
an exact COUNT(*) over a province's backlog on every page."""

OPEN_ORDER = ("accepted", "in_progress", "pending_customer", "replied")
"""The open statuses in the order of the partial indexes' predicate (migration 0005).
SQLite uses a partial index only when the query repeats its WHERE term verbatim, and
PostgreSQL only when it can prove the predicate from constants: so the term is spelled
exactly so, with literal values."""
assert frozenset(OPEN_ORDER) == OPEN_STATUSES


def _unit_path(uow: UnitOfWork, field_name: str, code: str) -> str:
    path = uow.session.scalar(select(OrgUnit.path).where(OrgUnit.code == code))
    if path is None:
        raise InvalidInput(field_name, f"未知单位 / unknown unit '{code}'")
    return path


def _check_instant(field_name: str, value: datetime | None) -> None:
    """A time from outside: the one rule (domain.time_bounds) for every filter's bounds."""
    if value is not None:
        time_bounds.instant(field_name, value)


def _filtered(uow: UnitOfWork, f: ComplaintFilter) -> Select[tuple[Complaint]]:
    query = select(Complaint)
    for name in ("created_from", "created_to", "due_from", "due_to"):
        _check_instant(name, getattr(f, name))
    for name in ("category", "channel", "region", "unit"):
        check_code(getattr(f, name), name)
    search = clean_text(f.text, "q", 200, multiline=False)
    for value in f.status:
        if value not in Status.__members__.values():
            raise InvalidInput("status", f"未知状态 / unknown status '{value}'")
    if f.status and set(f.status) == OPEN_STATUSES:
        query = query.where(open_term())
    elif f.status:
        query = query.where(Complaint.status.in_(f.status))
        if set(f.status) <= OPEN_STATUSES:
            query = query.where(open_term())
    if f.category:
        category = get_category(f.category)
        if category is None:
            raise InvalidInput("category", f"未知分类 / unknown category '{f.category}'")
        # A first-level code selects every complaint filed under it.
        column = Complaint.category_l1 if category.level == 1 else Complaint.category
        query = query.where(column == f.category)
    if f.channel:
        query = query.where(Complaint.channel == f.channel)
    if f.region:
        # The subtree's ids first (a prefix match on the indexed materialised path, a few
        # dozen rows), so the planner sees constants it can match against the
        # (region_id, reply_due_at) index instead of a subquery.
        path = _unit_path(uow, "region", f.region)
        regions = uow.session.scalars(
            select(OrgUnit.id).where(OrgUnit.path.startswith(path, autoescape=True))
        ).all()
        query = query.where(Complaint.region_id.in_(list(regions)))
    if f.unit:
        path = _unit_path(uow, "unit", f.unit)
        orders = (
            select(WorkOrder.complaint_id)
            .join(OrgUnit, OrgUnit.id == WorkOrder.unit_id)
            .where(OrgUnit.path.startswith(path))
        )
        query = query.where(Complaint.id.in_(orders))
    if f.created_from:
        query = query.where(Complaint.accepted_at >= f.created_from)
    if f.created_to:
        query = query.where(Complaint.accepted_at < f.created_to)
    if f.due_from:
        query = query.where(Complaint.reply_due_at >= f.due_from)
    if f.due_to:
        query = query.where(Complaint.reply_due_at < f.due_to)
    if f.escalated is not None:
        query = query.where(Complaint.escalated == f.escalated)
    if f.repeat is not None:
        query = query.where(Complaint.is_repeat == f.repeat)
    if f.customer_phone:
        query = query.where(Complaint.customer_phone == f.customer_phone)
    if search:
        columns = TEXT_SEARCHED if f.personal_search else IDENTIFIERS_SEARCHED
        folds = uow.session.get_bind().dialect.name != "sqlite"
        for term in search_terms(search):
            query = query.where(_any_contains(columns, term, folds))
    return query


_TERM_BREAKS = re.compile(r"[\s\u3000,，;；、。]+")
MAX_TERMS = 8


def search_terms(search: str) -> list[str]:
    """The words of a keyword search: split at spaces (half- or full-width) and Chinese
    list punctuation, at most ``MAX_TERMS``; every word must occur (宽带 断网 finds the
    complaints that say both, in any order, as an agent types them).

    Chinese is written without spaces, so each word matches as a substring, never by
    token: 断网 finds 家里宽带断网了 (a tokenising full-text index would need a Chinese
    segmenter on both engines and still miss words it splits differently)."""
    return [t for t in _TERM_BREAKS.split(search) if t][:MAX_TERMS]


def _any_contains(columns: Sequence[Any], term: str, fold_case: bool) -> ColumnElement[bool]:
    """``term`` in any of ``columns``, ignoring the case of Latin letters (FTTH = ftth);
    Chinese has no case. SQLite's LIKE already ignores ASCII case, and lower() on every
    row doubled the scan there (50 000 rows: 122 → 245 ms), so only PostgreSQL folds."""
    if fold_case:
        return or_(*(c.icontains(term, autoescape=True) for c in columns))
    return or_(*(c.contains(term, autoescape=True) for c in columns))


IDENTIFIERS_SEARCHED: tuple[Any, ...] = (Complaint.number, Complaint.source_ref)
"""What ``q`` searches for a reader who sees personal data masked: the identifiers shown
in full, never the customer's name or the text the customer dictated (a match would
confirm a name or a number that the answer masks)."""
TEXT_SEARCHED: tuple[Any, ...] = (
    Complaint.description,
    Complaint.number,
    Complaint.customer_name,
    Complaint.source_ref,
)


def personal_data_filters(f: ComplaintFilter, actor: Actor) -> ComplaintFilter:
    """The filter as `actor` may run it (list, export and pages alike).

    A phone filter is refused (403 ``personal_data_search``) to a role that cannot unmask:
    its answer, even all masked, says whether that number complained. Free text ``q``
    searches names and descriptions only for roles that may unmask; for the others it
    searches complaint numbers and source references (``IDENTIFIERS_SEARCHED``).
    """
    allowed = privacy.may_search_personal_data(actor.role)
    if f.customer_phone and not allowed:
        raise DomainError("personal_data_search")
    return replace(f, personal_search=allowed)


def interactive_reads(uow: UnitOfWork) -> None:
    """No JIT compilation for the rest of this transaction (PostgreSQL; nothing elsewhere).

    PostgreSQL compiles a query to machine code once its estimated cost passes
    ``jit_above_cost``. The scope condition's correlated EXISTS makes the planner estimate a
    province's board queries at millions, so each paid ~0.1–0.9 s of compilation for a few
    tens of ms of work (the dashboard's closed-per-day trend at 10⁵). Pages are
    short reads: they never win that bet; the monthly report, which may, is not one.
    """
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SET LOCAL jit = off"))


def open_term() -> ColumnElement[bool]:
    """``status IN (open statuses)`` exactly as the partial indexes spell it (literals)."""
    values = bindparam("open_statuses", list(OPEN_ORDER), expanding=True, literal_execute=True)
    return Complaint.status.in_(values)


@dataclass(frozen=True)
class Page:
    total: int
    """Complaints matching, counted up to a cap (see ``total_capped``)."""
    items: list[Complaint]
    total_capped: bool = False
    """True when more complaints match than were counted: ``total`` is then a lower bound."""
    next_cursor: str | None = None
    """Pass as ``after`` for the next page (keyset pagination); None on the last page."""


def encode_cursor(sort: str, complaint: Complaint) -> str:
    """An opaque cursor: the sort key and id of the last complaint on a page."""
    name = sort.lstrip("-")
    value = getattr(complaint, name)
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    raw = json.dumps([sort, value, complaint.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: str, cursor: str) -> tuple[Any, int]:
    """(sort key value, id) from a cursor made by :func:`encode_cursor` for this sort."""
    bad = InvalidInput("after", "无效的游标 / invalid cursor (use next_cursor as given)")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, value, last_id = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        raise bad from None
    if made_for != sort:
        raise InvalidInput("after", f"游标属于排序 / cursor belongs to sort '{made_for}'")
    if not isinstance(last_id, int) or isinstance(last_id, bool) or not scope.is_row_id(last_id):
        raise bad
    name = sort.lstrip("-")
    if value is None:
        return None, last_id
    if name in _TIME_KEYS:
        if not isinstance(value, str):
            raise bad
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise bad from None
        if moment.tzinfo is None:
            raise bad
        return moment, last_id
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > scope.MAX_ROW_ID:
        raise bad
    return value, last_id


def _keyset_segments(
    uow: UnitOfWork, sort: str, value: Any, last_id: int
) -> list[ColumnElement[bool]]:
    """Conditions for "after (value, last_id)" in ``sort`` order, as consecutive segments.

    Each segment is index-friendly (a range on the sort column), and together, queried in
    order, they give exactly the rows after the cursor. NULLs form one block at an end that
    depends on the engine (PostgreSQL sorts them last ascending, SQLite first).
    """
    name, ascending = sort.lstrip("-"), not sort.startswith("-")
    column = SORT_KEYS[name]
    if name == "id":
        return [Complaint.id > last_id if ascending else Complaint.id < last_id]
    nulls_high = uow.session.get_bind().dialect.name == "postgresql"
    nulls_after = ascending == nulls_high
    if value is None:
        segments = [and_(column.is_(None), Complaint.id > last_id)]
        return segments + ([] if nulls_after else [column.is_not(None)])
    if ascending:
        first = and_(column >= value, or_(column > value, Complaint.id > last_id))
    else:
        first = and_(column <= value, or_(column < value, Complaint.id > last_id))
    return [first] + ([column.is_(None)] if nulls_after else [])


def list_complaints(
    uow: UnitOfWork,
    f: ComplaintFilter,
    limit: int,
    offset: int,
    sort: str = "-accepted_at",
    *,
    actor: Actor,
    now: datetime | None = None,
    after: str | None = None,
    count_limit: int = TOTAL_CAP,
) -> Page:
    """One page of the complaints the actor may see (org scope applied here, once).

    Flat at any size: the open lists walk partial indexes on the due time, the
    total is counted only up to ``count_limit`` (and at least one past this page), and
    ``after`` continues from a cursor instead of skipping ``offset`` rows.
    """
    if sort not in SORTS:
        raise InvalidInput("sort", f"可选 / one of: {', '.join(SORTS)}")
    if after is not None and offset:
        raise InvalidInput("after", "与 offset 二选一 / use either after or offset")
    f = personal_data_filters(f, actor)
    query = _filtered(uow, f)
    if not _region_within_scope(uow, f, actor):
        query = query.where(scope.visible_to(actor))
    if f.sla or f.worst:
        return _sla_page(
            uow,
            query,
            f.worst or f.sla or "",
            now,
            worst=f.worst is not None,
            sort=sort,
            limit=limit,
            offset=offset,
            after=after,
            count_limit=count_limit,
        )
    cap = max(count_limit, offset + limit + 1)
    counted = (
        uow.session.scalar(
            select(func.count()).select_from(
                query.with_only_columns(Complaint.id).limit(cap + 1).subquery()
            )
        )
        or 0
    )
    capped = counted > cap
    segments: list[ColumnElement[bool] | None] = [None]
    if after is not None:
        segments = list(_keyset_segments(uow, sort, *decode_cursor(sort, after)))
    # The page's ids first, from the narrow indexed query alone; then their rows with the
    # joined owner, region and work orders: the planner never has to push LIMIT through
    # the eager-loading joins (at 10⁶ it chose to sort the whole backlog instead).
    ids: list[int] = []
    for segment in segments:
        wanted = limit + 1 - len(ids)  # one more than the page: is there a next one?
        if wanted <= 0:
            break
        part = query if segment is None else query.where(segment)
        ids += uow.session.scalars(
            part.with_only_columns(Complaint.id)
            .order_by(SORTS[sort], Complaint.id)
            .limit(wanted)
            .offset(offset)
        ).all()
    more = len(ids) > limit
    items = _by_ids(uow, ids[:limit])
    return Page(
        total=cap if capped else counted,
        items=items,
        total_capped=capped,
        next_cursor=encode_cursor(sort, items[-1]) if more and items else None,
    )


def _by_ids(uow: UnitOfWork, ids: list[int]) -> list[Complaint]:
    if not ids:
        return []
    found = {
        c.id: c
        for c in uow.session.scalars(
            select(Complaint)
            .where(Complaint.id.in_(ids))
            .options(selectinload(Complaint.work_orders))
        )
    }
    return [found[i] for i in ids]


def _region_within_scope(uow: UnitOfWork, f: ComplaintFilter, actor: Actor) -> bool:
    """A region filter inside the actor's scope already implies it (a complaint whose region
    lies in the scope is visible): the scope condition is then left out of the query."""
    if actor.scope == "/":
        return True
    if not f.region:
        return False
    return _unit_path(uow, "region", f.region).startswith(actor.scope)


def get_complaint(uow: UnitOfWork, complaint_id: int, actor: Actor) -> Complaint:
    return load_complaint(uow, complaint_id, actor)


def events_of(uow: UnitOfWork, complaint_id: int, actor: Actor) -> list[Event]:
    load_complaint(uow, complaint_id, actor)
    return list(
        uow.session.scalars(
            select(Event).where(Event.complaint_id == complaint_id).order_by(Event.id)
        )
    )


def notes_of(uow: UnitOfWork, complaint_id: int, actor: Actor) -> list[Note]:
    load_complaint(uow, complaint_id, actor)
    return list(
        uow.session.scalars(select(Note).where(Note.complaint_id == complaint_id).order_by(Note.id))
    )


def attachments_of(uow: UnitOfWork, complaint_id: int, actor: Actor) -> list[Attachment]:
    load_complaint(uow, complaint_id, actor)
    return list(
        uow.session.scalars(
            select(Attachment)
            .where(Attachment.complaint_id == complaint_id)
            .order_by(Attachment.id)
        )
    )


# --- read models: what the channels receive -------------------------------------------------


def complaint_view(
    uow: UnitOfWork, complaint_id: int, actor: Actor, lang: str, now: datetime | None = None
) -> read_models.ComplaintView:
    """One complaint as it stands now, with its clocks as of `now` (none without one).

    Reads fresh state: after a use case has written in this unit of work, what was loaded
    before is forgotten, so the answer shows what the use case left, not what it found.
    """
    uow.expire_all()
    found = get_complaint(uow, complaint_id, actor)
    return read_models.complaint_view(
        found, actor, lang, _clocks_of(uow, [found], now).get(found.id)
    )


def complaint_view_page(
    uow: UnitOfWork,
    f: ComplaintFilter,
    limit: int,
    offset: int,
    sort: str,
    *,
    actor: Actor,
    lang: str,
    now: datetime,
    after: str | None = None,
) -> read_models.ComplaintViewPage:
    """A list page (``list_complaints``) as read models, each with its clocks explained."""
    page = list_complaints(uow, f, limit, offset, sort, actor=actor, now=now, after=after)
    clocks = _clocks_of(uow, page.items, now)
    return read_models.ComplaintViewPage(
        total=page.total,
        items=[read_models.complaint_view(c, actor, lang, clocks.get(c.id)) for c in page.items],
        total_capped=page.total_capped,
        next_cursor=page.next_cursor,
    )


def _clocks_of(
    uow: UnitOfWork, complaints: list[Complaint], now: datetime | None
) -> dict[int, sla_clocks.ComplaintClocks]:
    """Each answer explains its clocks, computed as the sweeper computes them."""
    return sla_clocks.explain(uow, complaints, now) if now is not None else {}


def work_order_view(
    uow: UnitOfWork, work_order_id: int, actor: Actor, lang: str, now: datetime | None = None
) -> read_models.WorkOrderView:
    """One work order as it stands now (fresh, as ``complaint_view``), its steps judged at
    ``now``."""
    uow.expire_all()
    order = work_orders.load_work_order(uow, work_order_id, actor)
    return read_models.work_order_view(order, lang, actor, now=now)


def _as_read(
    uow: UnitOfWork,
    complaint_id: int,
    actor: Actor,
    rows: Sequence[RowT],
    view: Callable[[RowT, bool], ViewT],
) -> list[ViewT]:
    """Rows of one complaint as read models, masked as its reader sees that complaint."""
    unmasked = sees_personal_data(get_complaint(uow, complaint_id, actor), actor)
    return [view(row, unmasked) for row in rows]


def event_views(uow: UnitOfWork, complaint_id: int, actor: Actor) -> list[read_models.EventView]:
    events = events_of(uow, complaint_id, actor)
    return _as_read(uow, complaint_id, actor, events, read_models.event_view)


def note_views(uow: UnitOfWork, complaint_id: int, actor: Actor) -> list[read_models.NoteView]:
    notes = notes_of(uow, complaint_id, actor)
    return _as_read(uow, complaint_id, actor, notes, read_models.note_view)


def attachment_views(
    uow: UnitOfWork, complaint_id: int, actor: Actor
) -> list[read_models.AttachmentView]:
    attachments = attachments_of(uow, complaint_id, actor)
    return _as_read(uow, complaint_id, actor, attachments, read_models.attachment_view)


def _sla_page(
    uow: UnitOfWork,
    query: Select[tuple[Complaint]],
    state: str,
    now: datetime | None,
    *,
    sort: str,
    limit: int,
    offset: int,
    after: str | None,
    count_limit: int,
    worst: bool = False,
) -> Page:
    """Complaints with a clock in ``state`` at ``now`` (``worst``: whose worst live clock
    is in it, ``filters.WORST_STATES``), judged by the same function the sweeper enforces
    (services.sla.clocks_for), so the list never disagrees with it.

    Only the complaints ``states.sla_candidates`` lets through are judged, in the page's
    order and a batch at a time, and only until the page and the capped total are known.
    """
    known = WORST_STATES if worst else sla_states.SLA_STATES
    if state not in known:
        raise InvalidInput("sla", f"可选 / one of: {', '.join(known)}")
    if now is None:
        raise InvalidInput("sla", "needs the current time")
    interactive_reads(uow)
    if worst and state != "breached":
        # Neither a warning nor an on-time row can be plainly breached.
        plainly_breached = sla_states.sla_certainly_breached(uow, now)
        live = (
            open_term()
            if state == "on_time"
            else sla_states.sla_candidates(uow, state, now, open_term())
        )
        candidates = query.where(live, ~plainly_breached)
    else:
        candidates = query.where(sla_states.sla_candidates(uow, state, now, open_term()))
    cap = max(min(count_limit, sla_states.SLA_TOTAL_CAP), offset + limit + 1)
    verdicts: dict[int, frozenset[str]] = {}
    order = (SORTS[sort], Complaint.id)

    def matching(part: Select[tuple[Complaint]], want: int) -> list[int]:
        if worst and state != "breached":
            return _ids_by_worst(uow, part, state, now, verdicts, want, order)
        return sla_states.ids_in_state(uow, part, state, now, verdicts, want, order)

    counted = matching(candidates, cap + 1)
    if after is None:
        ids = counted[offset : offset + limit + 1]
    else:
        ids = []
        for segment in _keyset_segments(uow, sort, *decode_cursor(sort, after)):
            ids += matching(candidates.where(segment), limit + 1 - len(ids))
            if len(ids) > limit:
                break
    more = len(ids) > limit
    items = _by_ids(uow, ids[:limit])
    return Page(
        total=min(len(counted), cap),
        items=items,
        total_capped=len(counted) > cap,
        next_cursor=encode_cursor(sort, items[-1]) if more and items else None,
    )


def worst_state(states: frozenset[str]) -> str:
    """A complaint's worst live clock as the list filters it, ranked as its row names it
    (``domain.worklist``): breached, warning, else on time (running and paused clocks)."""
    live = [s for s in states if s in worklist.OPEN_CLOCK_STATES]
    worst = min(live, key=lambda s: worklist.STATE_RANK[s], default=None)
    return worst if worst in ("breached", "warning") else "on_time"


def _ids_by_worst(
    uow: UnitOfWork,
    candidates: Select[tuple[Complaint]],
    state: str,
    now: datetime,
    verdicts: dict[int, frozenset[str]],
    want: int,
    order_by: Sequence[Any],
) -> list[int]:
    """The first ``want`` ids of ``candidates`` whose worst live clock is ``state``, judged
    a batch at a time as ``sla_states.ids_in_state`` judges one clock state."""
    ids = uow.session.scalars(candidates.with_only_columns(Complaint.id).order_by(*order_by)).all()
    found: list[int] = []
    for start in range(0, len(ids), sla_states.JUDGE_BATCH):
        batch = ids[start : start + sla_states.JUDGE_BATCH]
        sla_states.judge(uow, batch, now, verdicts)
        found += [i for i in batch if worst_state(verdicts.get(i, frozenset())) == state]
        if len(found) >= want:
            break
    return found[:want]
