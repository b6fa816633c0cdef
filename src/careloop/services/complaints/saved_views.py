"""Saved views of the complaint list (常用筛选): a person's named filter sets.

A view is the list's own query string under a name, private to the person who saved it:
applying one is opening the list with that query, so it is scoped and masked exactly as
the list is, for whoever opens it. Saving and deleting are recorded as security events
(who keeps which standing search), like the other records of what people do with lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import func, select

from careloop.domain.errors import DomainError, NotFound
from careloop.domain.text import clean_text
from careloop.services.access.actors import Actor
from careloop.services.access.auth import record_security_event
from careloop.services.complaints import filters
from careloop.services.unit_of_work import UnitOfWork
from careloop.store.models import SavedListView

MAX_VIEWS = 30
"""Views per person: a shelf of standing searches, not an archive."""
NAME_CHARS = 40


@dataclass(frozen=True)
class SavedView:
    id: int
    name: str
    query: str
    """The list's query string (``region=C1&sla=breached``): open ``/complaints?<query>``."""


def _view(row: SavedListView) -> SavedView:
    return SavedView(row.id, row.name, row.query)


def filter_query(query: str) -> str:
    """Only the list's filters from a query string (no page, no language, nothing else),
    empty values dropped, in the filter bar's order: what a view stores and applies."""
    pairs = dict(parse_qsl(query, keep_blank_values=False))
    wanted = (*filters.FORM_PARAMS, filters.OPEN_PARAM)
    return urlencode([(k, pairs[k]) for k in wanted if pairs.get(k)])


def my_views(uow: UnitOfWork, actor: Actor) -> list[SavedView]:
    """The actor's own views, by name."""
    rows = uow.session.scalars(
        select(SavedListView)
        .where(SavedListView.staff_id == actor.staff_id)
        .order_by(SavedListView.name, SavedListView.id)
    )
    return [_view(r) for r in rows]


def save_view(uow: UnitOfWork, actor: Actor, now: datetime, name: str, query: str) -> SavedView:
    """Save the list's current filters under ``name``; a name already used is replaced
    (saving "本周超时" again keeps one view, with the filters of now)."""
    if actor.staff_id is None:
        raise DomainError("role_not_allowed", role=actor.role, action="save_view")
    cleaned = clean_text(name, "name", NAME_CHARS, multiline=False, required=True) or ""
    stored = filter_query(query)
    row = uow.session.scalar(
        select(SavedListView).where(
            SavedListView.staff_id == actor.staff_id, SavedListView.name == cleaned
        )
    )
    if row is None:
        count = uow.session.scalar(
            select(func.count())
            .select_from(SavedListView)
            .where(SavedListView.staff_id == actor.staff_id)
        )
        if (count or 0) >= MAX_VIEWS:
            raise DomainError("saved_views_full", limit=MAX_VIEWS)
        row = SavedListView(staff_id=actor.staff_id, name=cleaned, query=stored, created_at=now)
        uow.session.add(row)
    else:
        row.query = stored
    uow.session.flush()
    record_security_event(
        uow, "list_view_saved", actor.username, now, actor.staff_id, None,
        {"view": row.id, "name": cleaned, "query": stored},
    )  # fmt: skip
    uow.commit()
    return _view(row)


def delete_view(uow: UnitOfWork, actor: Actor, now: datetime, view_id: int) -> None:
    """Delete one of the actor's own views; another person's is "not found", as if absent."""
    row = uow.session.get(SavedListView, view_id) if 0 < view_id < 2**31 else None
    if row is None or row.staff_id != actor.staff_id:
        raise NotFound("saved_view", view_id)
    record_security_event(
        uow, "list_view_deleted", actor.username, now, actor.staff_id, None,
        {"view": row.id, "name": row.name, "query": row.query},
    )  # fmt: skip
    uow.session.delete(row)
    uow.commit()
