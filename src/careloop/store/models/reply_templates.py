"""Reply templates (答复口径) and the files uploaded from the complaint page (migration
0019_reply_templates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import UTCDateTime


class ReplyTemplate(Base):
    """One approved wording for a category's replies, valid in one region's subtree."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    region_path: Mapped[str] = mapped_column(String(400))
    """The region's org-tree path, copied (units never move): matching reads no join."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class AttachmentContent(Base):
    """The bytes of an attachment uploaded from the page (one that the API recorded with a
    ``storage_ref`` lives in the operator's document store instead). In the database, so
    that every process of a site serves it and backups carry it with its complaint."""

    __tablename__ = "attachment_contents"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
