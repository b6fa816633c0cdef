"""A person's saved complaint-list views: a name and the filter's query string."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import UTCDateTime


class SavedListView(Base):
    """One saved filter set of the complaint list (常用筛选), private to its owner.

    The query string is stored as the list's own URL spells it, so a view applies by
    opening ``/complaints?<query>``: a filter added to the list later needs no change here.
    """

    __tablename__ = "saved_list_views"
    __table_args__ = (UniqueConstraint("staff_id", "name", name="uq_saved_list_views_staff_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
