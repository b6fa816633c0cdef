"""Evidence files of supervision (佐证材料): a photo or PDF a unit uploads when it submits a
rectification for re-inspection, or an inspector takes on the spot for a checklist item
(migration 0023_evidence). The metadata and the bytes are apart so that lists never load
the bytes; both in the database, like complaint attachments, so that every process of a
site serves them and backups carry them with their task or inspection."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from careloop.store.models.base import Base
from careloop.store.types import UTCDateTime


class EvidenceFile(Base):
    """One uploaded file, owned by a rectification task or an inspection (by kind and id,
    as ``rectification_tasks.source_*`` does: the owners live in different tables)."""

    __tablename__ = "evidence_files"
    __table_args__ = (Index("ix_evidence_files_owner", "owner_kind", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(30))
    """rectification_task | inspection"""
    owner_id: Mapped[int] = mapped_column(Integer)
    item_code: Mapped[str] = mapped_column(String(60))
    """The checklist item the photo is for (inspections); "" otherwise."""
    cycle: Mapped[int] = mapped_column(Integer)
    """The rectification round it was uploaded in (1 for inspections)."""
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EvidenceContent(Base):
    """The bytes of one evidence file."""

    __tablename__ = "evidence_contents"

    file_id: Mapped[int] = mapped_column(ForeignKey("evidence_files.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
