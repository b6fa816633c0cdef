"""Satisfaction-index studies kept for the record (migration 0021_csi_studies): a quality
department's yearly study is compared with last year's, so its result stays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import JSONType, UTCDateTime


class CsiStudy(Base):
    """One study as run: its headline (the first reported latent's index and grade) for
    the list, and the whole result (``services.csi.study.StudyResult`` as JSON) from which
    its page and reports are drawn again. ``region_path`` is the scope of the person who
    ran it: who sees the study."""

    __tablename__ = "csi_studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    model_name: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(200))
    responses: Mapped[int] = mapped_column(Integer)
    dropped: Mapped[int] = mapped_column(Integer)
    headline_latent: Mapped[str] = mapped_column(String(60))
    headline_index: Mapped[float] = mapped_column(Float)
    headline_grade: Mapped[str] = mapped_column(String(32))
    region_path: Mapped[str] = mapped_column(String(400), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    created_by_name: Mapped[str] = mapped_column(String(100))
    """The person's name as colleagues know it: what the list shows (never a username)."""
    result: Mapped[dict[str, Any]] = mapped_column(JSONType)
